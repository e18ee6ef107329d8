"""Graph op arguments go through ``omniaug.args``: bounds, error shape, fixed values vs drawn pairs."""

from __future__ import annotations

import math

import pytest
import torch

from omniaug import InputError, rng
from omniaug_graph import AddEdge, Diffusion, DropEdge, DropNode, FeatureNoise, MaskFeature, PerturbEdgeWeight


def test_teleport_is_a_pair_or_number_in_zero_one_open_at_zero() -> None:
    assert Diffusion(teleport=0.2).teleport == (0.2, 0.2)
    assert Diffusion(teleport=(0.1, 1.0)).teleport == (0.1, 1.0)
    for bad in (0.0, (0.0, 0.3), 1.5, (0.3, 0.1), -0.1, "0.2"):
        with pytest.raises(InputError, match=r"Diffusion: `teleport` must be .* inside \(0, 1\]"):
            Diffusion(teleport=bad)


@pytest.mark.parametrize(
    ("op", "name", "high"),
    [
        (DropEdge, "rate", 1.0),
        (DropNode, "rate", 1.0),
        (MaskFeature, "rate", 1.0),
        (AddEdge, "rate", math.inf),
        (FeatureNoise, "sigma", math.inf),
        (PerturbEdgeWeight, "sigma", math.inf),
    ],
)
def test_strength_bounds(op, name, high) -> None:
    assert getattr(op(**{name: 0.5}), name) == (0.5, 0.5)
    assert getattr(op(**{name: [0.0, 0.5]}), name) == (0.0, 0.5)
    bad = [-0.1, (0.5, 0.1), "0.2", True] + ([1.5, (0.5, 1.5)] if high == 1.0 else [])
    for value in bad:
        with pytest.raises(InputError, match=rf"{op.__name__}: `{name}` must be .* inside \[0, {high:g}\]"):
            op(**{name: value})


def test_mask_feature_fill_may_be_nan_but_must_be_a_number() -> None:
    assert math.isnan(MaskFeature(fill=math.nan).fill)
    for bad in ("0", None, True):
        with pytest.raises(InputError, match=r"MaskFeature: `fill` must be a number \(NaN and infinity allowed\)"):
            MaskFeature(fill=bad)


@pytest.mark.parametrize("op", [DropEdge, FeatureNoise])
def test_a_fixed_number_and_its_degenerate_pair_give_the_same_output(helpers, op) -> None:
    x = helpers.traceable_batch(6)
    scalar = op(0.3)(x, generator=rng.make_generator(4))
    pair = op((0.3, 0.3))(x, generator=rng.make_generator(4))
    drawn = op((0.1, 0.5))(x, generator=rng.make_generator(4))
    assert torch.equal(scalar.edge_index, pair.edge_index) and torch.equal(scalar.x, pair.x)
    assert not (torch.equal(scalar.edge_index, drawn.edge_index) and torch.equal(scalar.x, drawn.x))
