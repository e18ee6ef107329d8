"""Gradients through the node-feature ops and NodeMixup (node features that require grad, e.g. FLAG)."""

from __future__ import annotations

import pytest
import torch

from omniaug.rng import make_generator
from omniaug_graph.mixers import NodeMixup
from omniaug_graph.ops.features import FeatureNoise, MaskFeature, ShuffleFeature

from .conftest import traceable_batch


def _with_grad_x(b, dtype=torch.float32):
    b = b.clone()
    b.x = b.x.detach().to(dtype).requires_grad_(True)
    return b


@pytest.mark.parametrize(
    "op",
    [
        MaskFeature(0.4),
        MaskFeature(0.4, mode="node"),
        MaskFeature(0.4, mode="entry", fill=0.5),
        FeatureNoise(0.2),
        ShuffleFeature(),
        FeatureNoise(0.2, p=0.5),
    ],
    ids=["mask-column", "mask-node", "mask-entry", "noise", "shuffle", "noise-p0.5"],
)
def test_feature_ops_backpropagate_and_match_no_grad(op) -> None:
    assert op.differentiable
    b = traceable_batch(8)
    params = op.sample_params(b, generator=make_generator(3))
    fast = op(b, params=params).x  # the bitwise / NumPy host paths when no grad is needed
    bg = _with_grad_x(b)
    out = op(bg, params=params).x
    assert out.requires_grad and torch.equal(out.detach(), fast)
    (g,) = torch.autograd.grad(out.sum(), bg.x)
    # oracle: every op maps each input entry to at most one output entry with slope 1 (noise, shuffle)
    # or 0 (masked): the gradient of the sum is 1 for kept entries, 0 for masked ones
    if isinstance(op, MaskFeature):
        kept = (fast != op.fill) | (b.x == op.fill)
        torch.testing.assert_close(g, kept.float())
    else:
        torch.testing.assert_close(g, torch.ones_like(g))
    bd = _with_grad_x(b, torch.float64)
    assert torch.autograd.gradcheck(lambda v: op(_replace_x(b, v), params=params).x, (bd.x,), fast_mode=True)


def _replace_x(b, v):
    c = b.clone()
    c.x = v
    return c


def test_node_mixup_backpropagates() -> None:
    b = traceable_batch(6)
    mix = NodeMixup()
    params = mix.sample_params(b, generator=make_generator(1))
    fast = mix.mix_batch(b, params)[0].x
    bg = _with_grad_x(b)
    out = mix.mix_batch(bg, params)[0].x
    assert torch.equal(out.detach(), fast)
    (g,) = torch.autograd.grad(out.sum(), bg.x)
    # each node keeps λ of itself and gives (1 − λ) to the node that picked it as partner
    lam = mix._node_lambda(b, params).unsqueeze(1)
    partner = mix.node_partners(b, params["seed"])
    expected = (lam * torch.ones_like(b.x)).index_add(0, partner, (1 - lam) * torch.ones_like(b.x))
    torch.testing.assert_close(g, expected)
