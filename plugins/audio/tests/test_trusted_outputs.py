"""Audio outputs marked finite are finite (issue #16 §2): a gain that overflows is checked by the next op."""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug.registry import registry
from omniaug.testing.invariants import check_trusted_outputs


def _loud(n: int = 2) -> torch.Tensor:
    # near float32's limit: +60 dB (×1000) overflows to inf
    return torch.full((n, 1, 800), 1e36)


@pytest.mark.parametrize("fuse", [False, True])
def test_an_overflowing_gain_is_not_trusted_and_the_next_op_refuses_it(fuse):
    ops = registry().augmentations
    gain = ops["audio.gain"](gain_db=(60.0, 60.0))
    check_trusted_outputs(gain, _loud())  # no unchecked finiteness claim on an inf output
    pipe = omniaug.Compose([gain, ops["audio.gain"](gain_db=(0.0, 0.0)), ops["audio.reverse"]()], fuse=fuse)
    with pytest.raises(omniaug.InputError, match="finite"):
        pipe(_loud(), generator=omniaug.rng.make_generator(0))


def test_ops_that_keep_finite_still_mark_their_outputs():
    from omniaug import validation

    op = registry().augmentations["audio.reverse"]()
    with validation.recording() as marked:
        out = op(_loud(), generator=omniaug.rng.make_generator(0))
    assert [name for name, _ in marked] == ["audio.finite"] and bool(torch.isfinite(out).all())
