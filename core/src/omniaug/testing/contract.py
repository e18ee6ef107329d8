"""The contract every op and mixer must satisfy, first-party or third-party.

Each ``check_*`` function raises ``AssertionError`` with the op's name and what
went wrong. :func:`check_augmentation` and :func:`check_mixer` run them all; the
pytest plugin (:mod:`omniaug.testing.pytest_plugin`) parametrizes them over
every registered op.
"""

from __future__ import annotations

import copy
from typing import Any

import torch

from .. import batching
from ..augmentation import Augmentation
from ..config import from_config, to_config
from ..errors import InputError
from ..mixing import Mixer, to_soft_labels
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
    "check_serialization",
    "check_bad_inputs",
    "check_mixer_labels",
    "AUGMENTATION_CHECKS",
    "MIXER_CHECKS",
]

BATCH = 6


def _input(op: Augmentation | Mixer, seed: int = 1234, batch_size: int = BATCH) -> Any:
    return type(op).example_input(batch_size, generator=make_generator(seed))


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
    a = op.augment(x, generator=make_generator(7))
    b = op.augment(x, generator=make_generator(7))
    assert batching.tree_allclose(dict(a.params), dict(b.params)), f"{_name(op)}: same seed, different params"
    assert _close(op, a.output, b.output), f"{_name(op)}: same seed, different output"


def _params_differ(a: Params, b: Params) -> bool:
    return not batching.tree_allclose(dict(a), dict(b), rtol=0.0, atol=0.0)


def check_generator_changes_draws(op: Augmentation, x: Any = None) -> None:
    """Different seeds give different draws, and successive calls on one generator differ."""
    x = _input(op) if x is None else x
    probe = _rebuild(op, p=0.5) if op.p in (0.0, 1.0) else op
    seeds = range(10, 16)
    draws = [probe.sample_params(x, generator=make_generator(s)) for s in seeds]
    assert any(_params_differ(draws[0], d) for d in draws[1:]), f"{_name(op)}: params do not depend on the generator"
    g = make_generator(3)
    first = probe.sample_params(x, generator=g)
    later = [probe.sample_params(x, generator=g) for _ in range(4)]
    assert any(_params_differ(first, d) for d in later), f"{_name(op)}: successive calls repeat the same draw"


def check_p0_identity(op: Augmentation, x: Any = None) -> None:
    """With p=0 the output equals the input."""
    x = _input(op) if x is None else x
    off = _rebuild(op, p=0.0)
    out = off(x, generator=make_generator(5))
    assert _close(op, out, x), f"{_name(op)}: p=0 changed the input"


def check_p1_applies(op: Augmentation, x: Any = None) -> None:
    """With p=1 every sample is marked applied (and the output is not always the input)."""
    x = _input(op) if x is None else x
    on = _rebuild(op, p=1.0)
    changed = False
    for seed in range(5):
        out, params = on.augment(x, generator=make_generator(100 + seed))
        assert bool(params[APPLY].all()), f"{_name(op)}: p=1 left samples unapplied"
        changed = changed or not _close(op, out, x)
    if not getattr(op, "may_be_identity", False):
        assert changed, f"{_name(op)}: p=1 never changed the input in 5 draws (set may_be_identity=True if legitimate)"


def check_no_mutation(op: Augmentation | Mixer, x: Any = None) -> None:
    """The input is never modified in place."""
    x = _input(op) if x is None else x
    before = batching.tree_clone(x)
    if isinstance(op, Mixer):
        op(x, _labels(op, x), generator=make_generator(9))
    else:
        op(x, generator=make_generator(9))  # type: ignore[misc]
    assert _close(op, x, before), f"{_name(op)}: the input was mutated"


def check_batch_equals_per_sample(op: Augmentation, x: Any = None) -> None:
    """Applying a batch equals applying each sample alone with its slice of the params."""
    x = _input(op) if x is None else x
    spec = op.modality_spec()
    out, params = _rebuild(op, p=0.5).augment(x, generator=make_generator(11))
    probe = _rebuild(op, p=0.5)
    for i in range(spec.batch_size(x)):
        idx = torch.tensor([i])
        single = probe.apply(spec.subset(x, idx), params.subset(idx))
        assert _close(op, single, spec.subset(out, idx)), f"{_name(op)}: sample {i} alone differs from the batch result"


def check_dtype_device(op: Augmentation, x: Any = None) -> None:
    """The output keeps the input's tensor dtypes and device."""
    x = _input(op) if x is None else x
    out = op(x, generator=make_generator(13))
    a, b = _tensors(x), _tensors(out)
    if a and b:
        assert a[0].dtype == b[0].dtype, f"{_name(op)}: dtype {a[0].dtype} became {b[0].dtype}"
        assert a[0].device == b[0].device, f"{_name(op)}: device {a[0].device} became {b[0].device}"
    assert type(out) is type(x), f"{_name(op)}: input type {type(x).__name__} became {type(out).__name__}"


def _tensors(x: Any) -> list[torch.Tensor]:
    if isinstance(x, torch.Tensor):
        return [x]
    import dataclasses

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
        a = op(x, y, generator=make_generator(17))  # type: ignore[misc,arg-type]
        b = rebuilt(x, y, generator=make_generator(17))  # type: ignore[misc,arg-type]
        assert _close(op, a[0], b[0]) and torch.allclose(a[1], b[1]), f"{_name(op)}: rebuilt mixer differs"
    else:
        a = op(x, generator=make_generator(17))
        b = rebuilt(x, generator=make_generator(17))
        assert _close(op, a, b), f"{_name(op)}: rebuilt op gives a different output"


def check_bad_inputs(op: Augmentation | Mixer, x: Any = None) -> None:
    """Malformed inputs raise ``InputError`` naming the argument, never a deep torch error."""
    spec = op.modality_spec()
    bad = list(spec.bad_examples()) if spec.bad_examples is not None else []
    bad.append(object())
    for b in bad:
        try:
            if isinstance(op, Mixer):
                op(b, torch.zeros(2, dtype=torch.long), generator=make_generator(0))
            else:
                op(b, generator=make_generator(0))
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
    for seed in range(3):
        res = mixer.augment_with_labels(x, y, generator=make_generator(200 + seed))
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
    out, soft = off(x, y, generator=make_generator(3))
    assert _close(op, out, x), f"{_name(op)}: p=0 changed the input"
    unmixed = to_soft_labels(y, k, smoothing=off.label_smoothing)
    assert torch.allclose(soft, unmixed), f"{_name(op)}: p=0 changed the labels beyond smoothing"


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
)
MIXER_CHECKS = (check_mixer_labels, check_no_mutation, check_serialization, check_bad_inputs)


def check_augmentation(op: Augmentation, x: Any = None) -> None:
    """Run every augmentation check on ``op``."""
    for check in AUGMENTATION_CHECKS:
        check(op, x)  # type: ignore[operator]


def check_mixer(op: Mixer, x: Any = None) -> None:
    """Run every mixer check on ``op``."""
    for check in MIXER_CHECKS:
        check(op, x)  # type: ignore[operator]
