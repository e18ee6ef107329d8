"""The contract suite's invariant checks (issue #16) catch deliberately broken ops.

Each check of :mod:`omniaug.testing.invariants` passes on the toy plugin's correct
ops and fails, naming the op, on an op written to break exactly that invariant.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch

import omniaug
from omniaug import batching
from omniaug.params import APPLY
from omniaug.testing.invariants import check_fused_ownership, check_p1_no_mask_scan

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
