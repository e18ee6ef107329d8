"""Compose's draw-ahead: a large draw runs on a worker beside earlier kernels, with the plain run's params and output."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import torch

import omniaug
from omniaug import Compose, InputError, rng
from omniaug.parallel import pool_available

from . import toy_plugin

DRAW_THREADS: list[int] = []  # threads that ran _Noise.draw
KERNEL_THREADS: list[int] = []  # threads that ran _Gain.kernel


class _Gain(omniaug.Augmentation):
    """Multiply each sample by a factor; draws one number per sample (shape only)."""

    name = "vec.gain_for_draw_ahead_test"
    modality = toy_plugin.VEC
    draw_ahead = True

    def __init__(self, fail: bool = False, *, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.fail = fail

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: Any) -> dict[str, Any]:
        return {"factor": rng.uniform(batch_size, 0.5, 1.5, generator=generator, device=device)}

    def kernel(self, x: torch.Tensor, params: omniaug.Params) -> torch.Tensor:
        KERNEL_THREADS.append(threading.get_ident())
        if self.fail:
            raise RuntimeError("kernel failed")
        return x * params["factor"].unsqueeze(1)


class _Noise(omniaug.Augmentation):
    """Add Gaussian noise: one number per element, the kind of draw worth overlapping."""

    name = "vec.noise_for_draw_ahead_test"
    modality = toy_plugin.VEC
    draw_ahead = True

    def __init__(self, limit: float | None = None, *, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.limit = limit

    def check(self, x: Any) -> None:
        if self.limit is not None and x.shape[1] > self.limit:
            raise InputError("x", f"at most {self.limit} features", x, where=self.name)

    def draw_size(self, x: Any) -> int:
        return x.numel()

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: Any) -> dict[str, Any]:
        DRAW_THREADS.append(threading.get_ident())
        return {"noise": rng.normal(batch_size, 0.0, 0.1, shape=(x.shape[1],), generator=generator, device=device)}

    def kernel(self, x: torch.Tensor, params: omniaug.Params) -> torch.Tensor:
        return x + params["noise"]


class _Plain(_Gain):
    """Like _Gain, but without the draw-ahead promise."""

    name = "vec.plain_gain_for_draw_ahead_test"
    draw_ahead = False


@pytest.fixture(autouse=True)
def _two_threads():
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    DRAW_THREADS.clear()
    KERNEL_THREADS.clear()
    yield
    torch.set_num_threads(old)


def _plain_run(ops: list[omniaug.Augmentation], x: torch.Tensor, seed: int) -> tuple[torch.Tensor, list[omniaug.Params]]:
    """The ops one after another, each drawing from its own input (the reference)."""
    g = rng.make_generator(seed)
    params = []
    for op in ops:
        x, p = op.augment(x, generator=g)
        params.append(p)
    return x, params


def _assert_same_params(a: omniaug.Params, b: omniaug.Params) -> None:
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


BIG = (64, 512)  # 32 768 numbers of noise: above DRAW_AHEAD_MIN


def test_draw_runs_on_a_worker_with_the_plain_runs_params_and_output():
    assert pool_available(torch.device("cpu")), "this test needs an OpenMP build of torch"
    ops = [_Gain(), _Gain(p=0.5), _Noise()]
    x = torch.rand(*BIG, generator=rng.make_generator(1))
    before = x.clone()
    out, params = Compose(ops).augment(x, generator=rng.make_generator(7))
    DRAW_THREADS.clear()
    ref, ref_params = _plain_run(ops, x, 7)
    assert torch.equal(out, ref)
    for i, p in enumerate(ref_params):
        _assert_same_params(params[str(i)], p)
    assert torch.equal(x, before)  # input untouched
    # the noise was drawn on a pool worker; the kernels before it ran on the caller
    out2, _ = Compose(ops).augment(x, generator=rng.make_generator(7))
    main = threading.get_ident()
    assert DRAW_THREADS and DRAW_THREADS[-1] != main
    assert KERNEL_THREADS[-1] == main
    assert torch.equal(out2, out)
    # and the params replay to the same output
    assert torch.equal(Compose(ops)(x, params=params), out)


def test_no_draw_ahead_for_small_draws_one_thread_or_a_non_draw_ahead_op_in_between():
    main = threading.get_ident()
    x_small = torch.rand(4, 5)
    Compose([_Gain(), _Noise()]).augment(x_small, generator=rng.make_generator(0))
    assert DRAW_THREADS == [main]  # 20 numbers: not worth a hand-off
    x = torch.rand(*BIG)
    Compose([_Gain(), _Plain(), _Noise()]).augment(x, generator=rng.make_generator(0))
    assert DRAW_THREADS[-1] == main  # _Plain does not promise a structure-only draw
    torch.set_num_threads(1)
    out, params = Compose([_Gain(), _Noise()]).augment(x, generator=rng.make_generator(3))
    assert DRAW_THREADS[-1] == main
    ref, _ = _plain_run([_Gain(), _Noise()], x, 3)
    assert torch.equal(out, ref)


def test_a_failing_kernel_before_the_draw_raises_its_own_error():
    x = torch.rand(*BIG)
    with pytest.raises(RuntimeError, match="kernel failed"):
        Compose([_Gain(fail=True), _Noise()]).augment(x, generator=rng.make_generator(0))
    # the generator is usable again right away (the worker finished its draw first)
    g = rng.make_generator(0)
    out, _ = Compose([_Gain(), _Noise()]).augment(x, generator=g)
    assert out.shape == x.shape


def test_a_validation_error_in_the_worker_draw_reaches_the_caller():
    x = torch.rand(*BIG)
    with pytest.raises(InputError, match="at most 10 features"):
        Compose([_Gain(), _Noise(limit=10)]).augment(x, generator=rng.make_generator(0))


class _ValueDraw(_Gain):
    """Breaks the promise: draws a factor from the data's mean."""

    name = "vec.value_draw_for_draw_ahead_test"

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: Any) -> dict[str, Any]:
        return {"factor": rng.uniform(batch_size, 0.5, 1.5, generator=generator, device=device) + x.mean(1)}


class _Shrink(_Gain):
    """Breaks the promise: drops the last feature."""

    name = "vec.shrink_for_draw_ahead_test"

    def kernel(self, x: torch.Tensor, params: omniaug.Params) -> torch.Tensor:
        return x[:, :-1] * params["factor"].unsqueeze(1)


def test_the_contract_catches_a_broken_draw_ahead_promise():
    from omniaug.testing.contract import check_draw_ahead

    x = torch.rand(6, 5)
    check_draw_ahead(_Gain(), x)
    check_draw_ahead(_Noise(), x)
    check_draw_ahead(_Plain(), x)  # no promise, nothing to check
    with pytest.raises(AssertionError, match="depend on the values"):
        check_draw_ahead(_ValueDraw(), x)
    with pytest.raises(AssertionError, match="structure"):
        check_draw_ahead(_Shrink(), x)
