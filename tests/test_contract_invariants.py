"""The contract suite's invariant checks (issue #16) catch deliberately broken ops.

Each check of :mod:`omniaug.testing.invariants` passes on the toy plugin's correct
ops and fails, naming the op, on an op written to break exactly that invariant.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

import omniaug
from omniaug import batching, validation
from omniaug.params import APPLY
from omniaug.testing.invariants import check_fused_ownership, check_p1_no_mask_scan, check_trusted_outputs

from . import toy_plugin


# --------------------------------------------------------------------- p = 1 shortcut
class OverridesApply(toy_plugin.Shift):
    """Overrides ``apply`` the way the image and audio bases do, and keeps the mask: the shortcut holds."""

    name = "vec.overrides_apply"

    def apply(self, x: Any, params: omniaug.Params) -> Any:
        return super().apply(x.clone(), params)


class RebuildsMask(toy_plugin.Shift):
    """Broken: replaces the all-applied mask by a copy, so the masked path must scan it."""

    name = "vec.rebuilds_mask"

    def apply(self, x: Any, params: omniaug.Params) -> Any:
        return super().apply(x, params.with_apply(params[APPLY].clone()))


def test_p1_kernel_gets_the_whole_batch_without_a_mask_scan(toy_registry, g):
    x = toy_plugin.example(8, generator=g)
    for op in (toy_plugin.Shift(p=1.0), OverridesApply(p=1.0)):
        before = batching.mask_scans()
        out, params = op.augment(x, generator=g)
        assert batching.mask_scans() == before, type(op).__name__
        assert torch.allclose(out, x + params["offset"].unsqueeze(1))  # the kernel's math, on every row
    check_p1_no_mask_scan(toy_plugin.Shift())
    check_p1_no_mask_scan(OverridesApply())


def test_p1_check_catches_an_op_that_scans_the_mask(toy_registry):
    with pytest.raises(AssertionError, match=r"vec.rebuilds_mask.*read 1 time"):
        check_p1_no_mask_scan(RebuildsMask())


def test_changed_or_partial_masks_are_read_again(toy_registry, g):
    """The shortcut is keyed on the unchanged all-True mask: an in-place edit or p < 1 takes the masked path."""
    x = toy_plugin.example(6, generator=g)
    op = toy_plugin.Shift(p=1.0)
    params = op.sample_params(x, generator=g)
    assert batching.is_all_selected(params[APPLY])
    params[APPLY][2] = False  # in place: torch's version counter moves
    before = batching.mask_scans()
    out = op(x, params=params)
    assert batching.mask_scans() == before + 1
    assert torch.equal(out[2], x[2]) and torch.allclose(out[0], x[0] + params["offset"][0])
    half = toy_plugin.Shift(p=0.5)
    before = batching.mask_scans()
    half.augment(x, generator=g)
    assert batching.mask_scans() == before + 1
    assert not batching.is_all_selected(torch.ones(6, dtype=torch.bool))  # only masks the core made


def test_subset_of_an_all_applied_mask_keeps_the_shortcut(toy_registry, g):
    x = toy_plugin.example(6, generator=g)
    params = toy_plugin.Shift(p=1.0).sample_params(x, generator=g)
    sub = params.subset(torch.tensor([1, 4]))
    assert batching.is_all_selected(sub[APPLY]) and sub[APPLY].shape == (2,)


# ------------------------------------------------------------------ fused ownership
def _offset_identity(x: Any, n: int) -> torch.Tensor:
    return torch.zeros(n)


#: a correct kind with an in-place fast path: apply allocates, apply_inplace writes into its input
OFFSET = omniaug.FusionKind(
    name="vec.offset",
    identity=_offset_identity,
    compose=lambda first, then: first + then,
    apply=lambda x, t, ops: x + t.unsqueeze(1),
    apply_inplace=lambda x, t, ops: x.add_(t.unsqueeze(1)),
    fresh_output=True,
)


def _scale_apply_lying(x: torch.Tensor, t: torch.Tensor, ops: list[Any]) -> torch.Tensor:
    # broken: an "identity shortcut" that hands back the caller's tensor while the kind claims fresh outputs
    return x if bool((t == 1).all()) else x * t.unsqueeze(1)


#: broken: writes into its input
INPLACE = omniaug.FusionKind(
    name="vec.inplace_gain",
    identity=lambda x, n: torch.ones(n),
    compose=lambda first, then: first * then,
    apply=lambda x, t, ops: x.mul_(t.unsqueeze(1)),
)
#: broken: claims fresh outputs but may return its input (the next kind's apply_inplace then writes the caller's data)
LYING = omniaug.FusionKind(
    name="vec.lying_gain",
    identity=lambda x, n: torch.ones(n),
    compose=lambda first, then: first * then,
    apply=_scale_apply_lying,
    fresh_output=True,
)


class Offset(toy_plugin.Shift):
    name = "vec.offset"
    fusion = "vec.offset"

    def fusion_transform(self, x: Any, params: omniaug.Params) -> torch.Tensor:
        return params["offset"]


class InplaceScale(toy_plugin.Scale):
    name = "vec.inplace_scale"
    fusion = "vec.inplace_gain"


class LyingScale(toy_plugin.Scale):
    name = "vec.lying_scale"
    fusion = "vec.lying_gain"

    def __init__(self, amount: float = 0.0, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(amount, p=p, same_on_batch=same_on_batch)


class _FusionPlugin:
    def __init__(self, kinds: list[omniaug.FusionKind], ops: list[type[omniaug.Augmentation]]) -> None:
        self.kinds, self.ops = kinds, ops

    @omniaug.hookimpl
    def omniaug_register_fusions(self) -> list[omniaug.FusionKind]:
        return self.kinds

    @omniaug.hookimpl
    def omniaug_register_augmentations(self) -> list[type[omniaug.Augmentation]]:
        return self.ops


def test_fused_ownership_holds_for_correct_kinds(toy_registry, g):
    toy_registry.register_plugin(_FusionPlugin([OFFSET], [Offset]), "offset")
    check_fused_ownership(toy_plugin.Scale())
    check_fused_ownership(Offset())
    # the in-place fast path is really taken on the intermediate (and only there)
    x = toy_plugin.example(4, generator=g)
    pipe = omniaug.Compose([toy_plugin.Scale(), toy_plugin.Scale(), Offset(), Offset()], fuse=True)
    out, params = pipe.augment(x, generator=g)
    gain = params["0"]["factor"] * params["1"]["factor"]
    shift = params["2"]["offset"] + params["3"]["offset"]
    assert torch.allclose(out, x * gain.unsqueeze(1) + shift.unsqueeze(1), atol=1e-6)


def test_fused_ownership_catches_a_kind_writing_into_its_input(toy_registry):
    toy_registry.register_plugin(_FusionPlugin([INPLACE], [InplaceScale]), "inplace")
    with pytest.raises(AssertionError, match=r"vec.inplace_scale.*twice.*wrote into the caller's input"):
        check_fused_ownership(InplaceScale())


def test_fused_ownership_catches_a_kind_lying_about_fresh_outputs(toy_registry):
    toy_registry.register_plugin(_FusionPlugin([OFFSET, LYING], [Offset, LyingScale]), "lying")
    with pytest.raises(AssertionError, match=r"vec.lying_scale.*before vec.offset.*wrote into the caller's input"):
        check_fused_ownership(LyingScale())


# ------------------------------------------------------------------ trusted outputs
def _vec_finite(t: Any) -> None:
    if not bool(torch.isfinite(t).all()):
        raise omniaug.InputError("x", "a finite tensor", t, where="vec")


validation.register_check("vec.finite", _vec_finite)


class TrustedGain(toy_plugin.Scale):
    """Scales by a gain and marks its output finite without looking (the claim audio ops make)."""

    name = "vec.trusted_gain"

    def __init__(self, amount: float = 0.5, gain: float = 1.0, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(amount, p=p, same_on_batch=same_on_batch)
        self.gain = float(gain)

    def kernel(self, x: torch.Tensor, params: omniaug.Params) -> torch.Tensor:
        return validation.trusted("vec.finite", super().kernel(x, params) * self.gain)


def test_trusted_outputs_pass_when_the_claim_holds(toy_registry):
    check_trusted_outputs(TrustedGain(gain=10.0))
    with validation.recording() as marked:
        TrustedGain()(toy_plugin.example(3), generator=omniaug.rng.make_generator(0))
    assert [name for name, _ in marked] == ["vec.finite"]


def test_trusted_outputs_catch_an_overflow_marked_valid(toy_registry):
    # float32 overflows past ~3.4e38: the output is inf, yet the op marks it valid
    with pytest.raises(AssertionError, match=r"vec.trusted_gain.*marked valid \('vec.finite'\)"):
        check_trusted_outputs(TrustedGain(gain=1e39))


def test_trusted_claims_cost_nothing_outside_a_recording():
    t = torch.zeros(2)
    assert validation.trusted("vec.finite", t) is t
    with pytest.raises(KeyError):
        validation.revalidate("no.such.check", t)
