"""The p < 1 path's fast gather / merge (issue #22) against plain indexing, and the ops' draw and thread options.

``batching.subset`` / ``merge`` / ``put_rows`` / ``scatter_into`` move whole rows of CPU
tensors as slices of consecutive rows (one memcpy each) when rows are large; under
``omniaug.using_reference_kernels()`` they take the plain indexing path. Both must give
the same tensors.
"""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug import Augmentation, batching, rng
from omniaug.keyed import KeyedGenerator
from omniaug.params import APPLY, Params

ROWS = [
    lambda: torch.randint(0, 256, (9, 3, 32, 32), dtype=torch.uint8),  # 3 KiB rows: slices
    lambda: torch.rand(9, 3, 16, 16),  # float rows: slices
    lambda: torch.randint(0, 256, (9, 3, 40, 41), dtype=torch.uint8)[:, :, :, 1:],  # non-contiguous
    lambda: torch.randint(0, 9, (10, 2, 32, 32), dtype=torch.int64)[1:],  # offset storage
    lambda: torch.rand(9, 64, 64) > 0.5,  # bool masks
    lambda: torch.rand(9, 2, 4),  # small rows: indexing
]
INDEXES = [[0, 1, 2], [1, 2, 5, 6, 8], [8], [0, 2, 4, 6, 8], list(range(9)), [4, 0, 2], []]


@pytest.mark.parametrize("make", ROWS)
@pytest.mark.parametrize("rows", INDEXES)
def test_subset_merge_put_scatter_equal_plain_indexing(make, rows) -> None:
    x = make()
    idx = torch.tensor(rows, dtype=torch.long)
    before = x.clone()
    with omniaug.using_reference_kernels():
        ref_sub = batching.subset(x, idx)
    sub = batching.subset(x, idx)
    assert sub.dtype == x.dtype and torch.equal(sub, x[idx]) and torch.equal(ref_sub, sub)
    part = (sub.flip(0) if sub.dtype == torch.bool else sub.flip(0) + 1).contiguous()
    expected = x.clone()
    expected[idx] = part
    assert torch.equal(batching.merge(x, idx, part), expected)
    with omniaug.using_reference_kernels():
        assert torch.equal(batching.merge(x, idx, part), expected)
    assert torch.equal(x, before)  # merge is out of place
    buf = x.clone()
    assert batching.put_rows(buf, idx, part) is buf and torch.equal(buf, expected)
    full = batching.scatter_into(part, idx, x.shape[0])
    zeros = torch.zeros_like(x)
    zeros[idx] = part
    assert torch.equal(full, zeros)


def test_merge_keeps_autograd_through_the_plain_path() -> None:
    base = torch.rand(6, 3, 32, 32, requires_grad=True)
    part = torch.rand(2, 3, 32, 32, requires_grad=True)
    out = batching.merge(base, torch.tensor([1, 4]), part)
    out.sum().backward()
    assert base.grad is not None and part.grad is not None
    assert float(base.grad[1].abs().sum()) == 0.0 and float(part.grad.sum()) == part.numel()


class _Noise(Augmentation):
    """A large per-sample field drawn for the applied samples only."""

    name = "test.noise_field"
    modality = "image"
    draw_selected_only = True

    def draw(self, x, batch_size, *, generator, device):
        return {"noise": rng.normal(batch_size, shape=(3, 8, 8), generator=generator, device=device)}

    def kernel(self, x, params):
        return x + params["noise"]


def test_draw_selected_only_draws_the_applied_rows_alone() -> None:
    x = torch.rand(16, 3, 8, 8)
    op = _Noise(p=0.4)
    out, params = op.augment(x, generator=rng.make_generator(0))
    applied = params[APPLY]
    assert 0 < int(applied.sum()) < 16
    assert torch.equal(params["noise"][~applied], torch.zeros_like(params["noise"][~applied]))
    # the applied rows are one draw of that many rows from the generator right after the mask
    g = rng.make_generator(0)
    mask = rng.bernoulli(16, 0.4, generator=g)
    assert torch.equal(mask, applied)
    drawn = rng.normal(int(mask.sum()), shape=(3, 8, 8), generator=g)
    assert torch.equal(params["noise"][applied], drawn)
    assert torch.equal(out, torch.where(applied.view(-1, 1, 1, 1), x + params["noise"], x))
    assert torch.equal(op(x, params=params), out)  # replay
    assert torch.equal(op.augment(x, generator=rng.make_generator(0)).output, out)  # reproducible


def test_draw_selected_only_with_keyed_rows_does_not_depend_on_the_batch() -> None:
    x = torch.rand(12, 3, 8, 8)
    op = _Noise(p=0.5)
    keys = [f"item-{i}" for i in range(12)]
    full = op(x, generator=KeyedGenerator.from_keys(7, keys))
    half = op(x[6:], generator=KeyedGenerator.from_keys(7, keys[6:]))
    assert torch.equal(full[6:], half)


def test_p1_and_same_on_batch_draw_every_row() -> None:
    x = torch.rand(6, 3, 8, 8)
    params = _Noise(p=1.0).sample_params(x, generator=rng.make_generator(1))
    assert bool((params["noise"] != 0).all(dim=(1, 2, 3)).all())
    params = _Noise(p=0.5, same_on_batch=True).sample_params(x, generator=rng.make_generator(1))
    assert torch.equal(params["noise"], params["noise"][:1].expand_as(params["noise"]))


class _Threads(Augmentation):
    name = "test.threads"
    modality = "image"
    cpu_threads = 1
    seen: list[int] = []

    def draw(self, x, batch_size, *, generator, device):
        type(self).seen.append(torch.get_num_threads())
        return {}

    def kernel(self, x, params):
        type(self).seen.append(torch.get_num_threads())
        return x * 2


def test_cpu_threads_one_runs_draw_and_kernel_on_one_thread() -> None:
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        _Threads.seen = []
        out = _Threads(p=0.5)(torch.ones(8, 3, 4, 4), generator=rng.make_generator(0))
        assert _Threads.seen and set(_Threads.seen) == {1}
        assert torch.get_num_threads() == 2
        assert set(out.unique().tolist()) <= {1.0, 2.0}
    finally:
        torch.set_num_threads(threads)


def test_params_subset_of_large_rows_uses_slices_and_keeps_values() -> None:
    p = Params({"noise": torch.rand(8, 3, 16, 16), APPLY: torch.ones(8, dtype=torch.bool)})
    idx = torch.tensor([1, 2, 3, 6])
    sub = p.subset(idx)
    assert torch.equal(sub["noise"], p["noise"][idx]) and torch.equal(sub[APPLY], p[APPLY][idx])
