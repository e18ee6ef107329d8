"""The contract every op and mixer must satisfy, first-party or third-party.

Each ``check_*`` function raises ``AssertionError`` with the op's name and what
went wrong. :func:`check_augmentation` and :func:`check_mixer` run them all; the
pytest plugin (:mod:`omniaug.testing.pytest_plugin`) parametrizes them over
every registered op.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import torch

from .. import batching
from ..augmentation import Augmentation
from ..config import from_config, to_config
from ..errors import InputError
from ..mixing import Mixer, to_soft_labels
from ..model import ModelContext, float_field, get_field, with_field
from ..params import APPLY, Params
from ..rng import make_generator

__all__ = [
    "check_augmentation",
    "check_mixer",
    "check_reproducible",
    "check_generator_changes_draws",
    "check_p0_identity",
    "check_p1_applies",
    "check_no_mutation",
    "check_batch_equals_per_sample",
    "check_dtype_device",
    "available_devices",
    "check_serialization",
    "check_bad_inputs",
    "check_mixer_labels",
    "check_differentiable",
    "check_requires_model",
    "check_model_unchanged",
    "check_replay_without_model",
    "AUGMENTATION_CHECKS",
    "MIXER_CHECKS",
]

BATCH = 6


def _input(op: Augmentation | Mixer, seed: int = 1234, batch_size: int = BATCH) -> Any:
    return type(op).example_input(batch_size, generator=make_generator(seed))


def _ctx(op: Any, x: Any) -> ModelContext | None:
    """The model context a model-aware op is called with in the checks (``None`` for blind ops)."""
    if not getattr(op, "requires_model", False):
        return None
    return type(op).example_context(x)  # type: ignore[no-any-return]


def _rebuild(op: Augmentation | Mixer, **changes: Any) -> Any:
    args = op.init_args
    args.update(changes)
    return type(op)(**args)


def _close(op: Augmentation | Mixer, a: Any, b: Any) -> bool:
    spec = op.modality_spec()
    rtol, atol = spec.float_tolerance
    return bool(spec.allclose(a, b, rtol=rtol, atol=atol))


def _name(op: Any) -> str:
    return f"{op.name or type(op).__name__} {op.init_args}"


def check_reproducible(op: Augmentation, x: Any = None) -> None:
    """The same generator seed gives the same params and output."""
    x = _input(op) if x is None else x
    ctx = _ctx(op, x)
    a = op.augment(x, generator=make_generator(7), model=ctx)
    b = op.augment(x, generator=make_generator(7), model=ctx)
    assert batching.tree_allclose(dict(a.params), dict(b.params)), f"{_name(op)}: same seed, different params"
    assert _close(op, a.output, b.output), f"{_name(op)}: same seed, different output"


def _params_differ(a: Params, b: Params) -> bool:
    return not batching.tree_allclose(dict(a), dict(b), rtol=0.0, atol=0.0)


def check_generator_changes_draws(op: Augmentation, x: Any = None) -> None:
    """Different seeds give different draws, and successive calls on one generator differ."""
    x = _input(op) if x is None else x
    probe = _rebuild(op, p=0.5) if op.p in (0.0, 1.0) else op
    seeds = range(10, 16)
    ctx = _ctx(op, x)
    draws = [probe.sample_params(x, generator=make_generator(s), model=ctx) for s in seeds]
    assert any(_params_differ(draws[0], d) for d in draws[1:]), f"{_name(op)}: params do not depend on the generator"
    g = make_generator(3)
    first = probe.sample_params(x, generator=g, model=ctx)
    later = [probe.sample_params(x, generator=g, model=ctx) for _ in range(4)]
    assert any(_params_differ(first, d) for d in later), f"{_name(op)}: successive calls repeat the same draw"


def check_p0_identity(op: Augmentation, x: Any = None) -> None:
    """With p=0 the output equals the input."""
    x = _input(op) if x is None else x
    off = _rebuild(op, p=0.0)
    out = off(x, generator=make_generator(5), model=_ctx(op, x))
    assert _close(op, out, x), f"{_name(op)}: p=0 changed the input"


def check_p1_applies(op: Augmentation, x: Any = None) -> None:
    """With p=1 every sample is marked applied (and the output is not always the input)."""
    x = _input(op) if x is None else x
    on = _rebuild(op, p=1.0)
    changed = False
    ctx = _ctx(op, x)
    for seed in range(5):
        out, params = on.augment(x, generator=make_generator(100 + seed), model=ctx)
        assert bool(params[APPLY].all()), f"{_name(op)}: p=1 left samples unapplied"
        changed = changed or not _close(op, out, x)
    if not getattr(op, "may_be_identity", False):
        assert changed, f"{_name(op)}: p=1 never changed the input in 5 draws (set may_be_identity=True if legitimate)"


def check_no_mutation(op: Augmentation | Mixer, x: Any = None) -> None:
    """The input is never modified in place."""
    x = _input(op) if x is None else x
    before = batching.tree_clone(x)
    if isinstance(op, Mixer):
        op(x, _labels(op, x), generator=make_generator(9), model=_ctx(op, x))
    else:
        op(x, generator=make_generator(9), model=_ctx(op, x))  # type: ignore[misc]
    assert _close(op, x, before), f"{_name(op)}: the input was mutated"


def check_batch_equals_per_sample(op: Augmentation, x: Any = None) -> None:
    """Applying a batch equals applying each sample alone with its slice of the params."""
    x = _input(op) if x is None else x
    spec = op.modality_spec()
    out, params = _rebuild(op, p=0.5).augment(x, generator=make_generator(11), model=_ctx(op, x))
    probe = _rebuild(op, p=0.5)
    for i in range(spec.batch_size(x)):
        idx = torch.tensor([i])
        single = probe.apply(spec.subset(x, idx), params.subset(idx))
        assert _close(op, single, spec.subset(out, idx)), f"{_name(op)}: sample {i} alone differs from the batch result"


def available_devices() -> list[torch.device]:
    """Every device this process can run on: the CPU, each CUDA GPU, and Apple's MPS when present."""
    devices = [torch.device("cpu")]
    devices += [torch.device("cuda", i) for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append(torch.device("mps"))
    return devices


def check_dtype_device(op: Augmentation, x: Any = None) -> None:
    """The output keeps the input's tensor dtypes and device — on every available device.

    With ``x`` given, on ``x``'s device. Without, the op's example input is built on each
    device of :func:`available_devices` and the op draws from a generator on that device
    (the documented GPU set-up): a CPU-only machine checks the CPU, a GPU machine every GPU too.
    """
    if x is not None:
        _check_dtype_device_on(op, x, make_generator(13))
        return
    for device in available_devices():
        example = type(op).example_input(BATCH, generator=make_generator(1234), device=device)
        _check_dtype_device_on(op, example, make_generator(13, device=device))


def _check_dtype_device_on(op: Augmentation, x: Any, generator: torch.Generator) -> None:
    out = op(x, generator=generator, model=_ctx(op, x))
    a, b = _tensors(x), _tensors(out)
    if a and b:
        assert a[0].dtype == b[0].dtype, f"{_name(op)}: dtype {a[0].dtype} became {b[0].dtype}"
        assert a[0].device == b[0].device, f"{_name(op)}: device {a[0].device} became {b[0].device}"
    assert type(out) is type(x), f"{_name(op)}: input type {type(x).__name__} became {type(out).__name__}"


def _tensors(x: Any) -> list[torch.Tensor]:
    if isinstance(x, torch.Tensor):
        return [x]
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return [v for f in dataclasses.fields(x) if isinstance(v := getattr(x, f.name), torch.Tensor)][:1]
    if isinstance(x, dict):
        return [v for v in x.values() if isinstance(v, torch.Tensor)][:1]
    return []


def check_serialization(op: Augmentation | Mixer, x: Any = None) -> None:
    """The op round-trips through its config and the rebuilt op gives the same result."""
    x = _input(op) if x is None else x
    rebuilt = from_config(copy.deepcopy(to_config(op)))
    assert type(rebuilt) is type(op), f"{_name(op)}: config rebuilt a {type(rebuilt).__name__}"
    assert to_config(rebuilt) == to_config(op), f"{_name(op)}: config changed across a round trip"
    if isinstance(op, Mixer):
        y = _labels(op, x)
        ctx = _ctx(op, x)
        a = op(x, y, generator=make_generator(17), model=ctx)  # type: ignore[misc,arg-type]
        b = rebuilt(x, y, generator=make_generator(17), model=ctx)  # type: ignore[misc,arg-type]
        assert _close(op, a[0], b[0]) and torch.allclose(a[1], b[1]), f"{_name(op)}: rebuilt mixer differs"
    else:
        ctx = _ctx(op, x)
        a = op(x, generator=make_generator(17), model=ctx)
        b = rebuilt(x, generator=make_generator(17), model=ctx)
        assert _close(op, a, b), f"{_name(op)}: rebuilt op gives a different output"


def check_bad_inputs(op: Augmentation | Mixer, x: Any = None) -> None:
    """Malformed inputs raise ``InputError`` naming the argument, never a deep torch error."""
    spec = op.modality_spec()
    bad = list(spec.bad_examples()) if spec.bad_examples is not None else []
    bad.append(object())
    for b in bad:
        try:
            ctx = _ctx(op, _input(op)) if getattr(op, "requires_model", False) else None
            if isinstance(op, Mixer):
                op(b, torch.zeros(2, dtype=torch.long), generator=make_generator(0), model=ctx)
            else:
                op(b, generator=make_generator(0), model=ctx)
        except InputError as exc:
            assert "must be" in str(exc), f"{_name(op)}: unclear error {exc}"
            continue
        except Exception as exc:
            raise AssertionError(
                f"{_name(op)}: bad input {type(b).__name__} raised {type(exc).__name__}: {exc} "
                "instead of omniaug.InputError"
            ) from exc
        raise AssertionError(f"{_name(op)}: bad input {type(b).__name__} was accepted")


def _labels(op: Mixer, x: Any) -> torch.Tensor:
    n = op.label_rows(x)
    k = op.num_classes or 4
    return torch.nn.functional.one_hot(torch.arange(n) % k, k).float()


def check_mixer_labels(op: Mixer, x: Any = None) -> None:
    """Soft labels are probabilities, follow the effective weights and never pair a sample with itself."""
    x = _input(op) if x is None else x
    n = op.label_rows(x)
    batch = op.modality_spec().batch_size(x)
    k = op.num_classes or 4
    mixer = _rebuild(op, num_classes=k)
    y = torch.arange(n) % k
    ctx = _ctx(op, x)
    for seed in range(3):
        res = mixer.augment_with_labels(x, y, generator=make_generator(200 + seed), model=ctx)
        soft = res.labels
        assert soft.shape == (n, k), f"{_name(op)}: labels shape {tuple(soft.shape)}"
        assert torch.allclose(soft.sum(1), torch.ones(n), atol=1e-5), f"{_name(op)}: label rows do not sum to 1"
        assert bool((soft >= -1e-6).all()), f"{_name(op)}: negative label mass"
        partners = res.params.get("partners")
        if partners is not None and batch > 1 and type(op).draw_partners is Mixer.draw_partners:
            assert not bool((partners == torch.arange(batch).unsqueeze(1)).any()), (
                f"{_name(op)}: a sample paired with itself"
            )
        # Replaying the params gives the same output and the same labels.
        again = mixer.augment_with_labels(x, y, params=res.params)
        assert _close(op, again.output, res.output) and torch.allclose(again.labels, soft), (
            f"{_name(op)}: replay differs"
        )
    off = _rebuild(op, num_classes=k, p=0.0)
    out, soft = off(x, y, generator=make_generator(3), model=ctx)
    assert _close(op, out, x), f"{_name(op)}: p=0 changed the input"
    unmixed = to_soft_labels(y, k, smoothing=off.label_smoothing)
    assert torch.allclose(soft, unmixed), f"{_name(op)}: p=0 changed the labels beyond smoothing"


# -- differentiability and the model-aware protocol ---------------------------------------


def _call_with_params(op: Any, x: Any, params: Params) -> Any:
    return op.mix_batch(x, params)[0] if isinstance(op, Mixer) else op(x, params=params)


def check_differentiable(op: Augmentation | Mixer, x: Any = None) -> None:
    """A differentiable op backpropagates (and passes ``gradcheck`` in float64); any other op refuses grad inputs.

    With its params drawn once and replayed, a differentiable op is a function of
    its input alone; its analytic gradient must match finite differences. An op
    that is not differentiable must raise a clear ``InputError`` on an input that
    requires grad — never return a silently detached output. The input is the
    payload's float tensor (a dataclass payload's first float tensor field, e.g. a
    time series' values or a waveform); payloads without one are skipped.
    """
    x = _input(op, batch_size=2) if x is None else x
    name = float_field(x)
    if name is None:
        return
    t = get_field(x, name)
    if not getattr(op, "differentiable", False):
        xg = with_field(x, name, t.detach().clone().requires_grad_(True))
        try:
            op(xg, generator=make_generator(0), model=_ctx(op, x))  # type: ignore[misc]
        except InputError:
            return
        raise AssertionError(f"{_name(op)}: declares differentiable=False but accepted an input that requires grad")
    base = with_field(x, name, t.detach().to(torch.float64))
    double = True
    try:
        op.validate(base)
    except InputError:  # the modality refuses float64: check the backward pass in the input's dtype only
        base, double = with_field(x, name, t.detach()), False
    if isinstance(op, Mixer):
        params = op.sample_params(base, generator=make_generator(21), model=_ctx(op, base))
    else:
        params = _rebuild(op, p=1.0).sample_params(base, generator=make_generator(21), model=_ctx(op, base))

    def run(v: torch.Tensor) -> torch.Tensor:
        return get_field(_call_with_params(op, with_field(base, name, v), params), name)

    leaf = get_field(base, name).clone().requires_grad_(True)
    out = run(leaf)
    assert isinstance(out, torch.Tensor) and out.requires_grad, f"{_name(op)}: output does not depend on the input"
    weights = torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(out.shape)
    (grad,) = torch.autograd.grad((out * weights).sum(), leaf)
    assert bool(torch.isfinite(grad).all()), f"{_name(op)}: non-finite gradient"
    if double:
        ok = torch.autograd.gradcheck(run, (leaf,), fast_mode=True, atol=1e-5, rtol=1e-3)
        assert ok, f"{_name(op)}: gradcheck failed"


def check_requires_model(op: Augmentation | Mixer, x: Any = None) -> None:
    """A model-aware op called without a model raises an ``InputError`` naming the op and ``model``."""
    if not getattr(op, "requires_model", False):
        return
    x = _input(op) if x is None else x
    try:
        if isinstance(op, Mixer):
            op(x, _labels(op, x), generator=make_generator(0))
        else:
            op(x, generator=make_generator(0))
    except InputError as exc:
        assert "model" in str(exc) and (op.name or type(op).__name__) in str(exc), f"{_name(op)}: unclear error {exc}"
        return
    raise AssertionError(f"{_name(op)}: requires_model but ran without a model")


def _model_state(model: torch.nn.Module) -> tuple[dict[str, torch.Tensor], list[Any], list[bool], list[bool]]:
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    grads = [None if p.grad is None else p.grad.clone() for p in model.parameters()]
    return state, grads, [m.training for m in model.modules()], [p.requires_grad for p in model.parameters()]


def check_model_unchanged(op: Augmentation | Mixer, x: Any = None) -> None:
    """The model is untouched by the op: weights, BatchNorm statistics, ``.grad``, modes and flags, in either mode."""
    if not getattr(op, "requires_model", False):
        return
    x = _input(op) if x is None else x
    for training in (True, False):
        ctx = type(op).example_context(x)
        model = ctx.model
        model.train(training)
        for i, p in enumerate(model.parameters()):  # a gradient the caller has accumulated must survive
            p.grad = torch.full_like(p, float(i + 1)) if i % 2 == 0 else None
        before = _model_state(model)
        if isinstance(op, Mixer):
            out = op.augment_with_labels(x, _labels(op, x), generator=make_generator(31), model=ctx).output
        else:
            out = op(x, generator=make_generator(31), model=ctx)
        after = _model_state(model)
        assert before[0].keys() == after[0].keys() and all(torch.equal(before[0][k], after[0][k]) for k in before[0]), (
            f"{_name(op)}: the model's weights or buffers (BatchNorm statistics) changed"
        )
        assert all(
            (a is None and b is None) or (a is not None and b is not None and torch.equal(a, b))
            for a, b in zip(before[1], after[1])
        ), f"{_name(op)}: a parameter's .grad changed"
        assert before[2] == after[2], f"{_name(op)}: the model's train/eval mode was not restored"
        assert before[3] == after[3], f"{_name(op)}: parameters' requires_grad flags were not restored"
        assert not batching.any_requires_grad(out), f"{_name(op)}: the output keeps an autograd graph alive"


def check_replay_without_model(op: Augmentation | Mixer, x: Any = None) -> None:
    """What a model-aware op decided is in its params: replaying them without a model gives the same output."""
    if not getattr(op, "requires_model", False):
        return
    x = _input(op) if x is None else x
    ctx = type(op).example_context(x)
    if isinstance(op, Mixer):
        y = _labels(op, x)
        res = op.augment_with_labels(x, y, generator=make_generator(41), model=ctx)
        again = op.augment_with_labels(x, y, params=res.params)
        assert _close(op, res.output, again.output) and torch.equal(res.labels, again.labels), (
            f"{_name(op)}: replay without the model differs"
        )
        return
    out, params = op.augment(x, generator=make_generator(41), model=ctx)
    assert not any(isinstance(v, torch.Tensor) and v.requires_grad for v in params.values()), (
        f"{_name(op)}: params keep an autograd graph alive"
    )
    assert _close(op, op(x, params=params), out), f"{_name(op)}: replay without the model differs"


AUGMENTATION_CHECKS = (
    check_reproducible,
    check_generator_changes_draws,
    check_p0_identity,
    check_p1_applies,
    check_no_mutation,
    check_batch_equals_per_sample,
    check_dtype_device,
    check_serialization,
    check_bad_inputs,
    check_differentiable,
    check_requires_model,
    check_model_unchanged,
    check_replay_without_model,
)
MIXER_CHECKS = (
    check_mixer_labels,
    check_no_mutation,
    check_serialization,
    check_bad_inputs,
    check_differentiable,
    check_requires_model,
    check_model_unchanged,
    check_replay_without_model,
)


def check_augmentation(op: Augmentation, x: Any = None) -> None:
    """Run every augmentation check on ``op``."""
    for check in AUGMENTATION_CHECKS:
        check(op, x)  # type: ignore[operator]


def check_mixer(op: Mixer, x: Any = None) -> None:
    """Run every mixer check on ``op``."""
    for check in MIXER_CHECKS:
        check(op, x)  # type: ignore[operator]
