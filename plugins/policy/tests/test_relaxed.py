"""Relaxed (differentiable) policy weights: the hypergradient against finite differences, a planted problem, exclusions."""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug import InputError, rng
from omniaug.registry import registry
from omniaug_policy import LearnedPolicy, RelaxedPolicy
from omniaug_policy.relaxed import unrolled_hypergradient

from .test_search import _halves, _model


def test_unrolled_hypergradient_matches_finite_differences():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(12, 4, generator=g, dtype=torch.float64)
    outs = [x, x * 0.5, x + 1.0]
    y = torch.arange(12) % 3
    xv = torch.randn(10, 4, generator=g, dtype=torch.float64)
    yv = torch.arange(10) % 3
    model = torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        model.weight.copy_(torch.randn(3, 4, generator=g, dtype=torch.float64))
        model.bias.zero_()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    loss = torch.nn.CrossEntropyLoss(reduction="none")
    alpha = torch.tensor([0.2, -0.1, 0.4], dtype=torch.float64)
    _, grad = unrolled_hypergradient(alpha, outs, model, loss, y, xv, yv, xi=0.5)
    eps = 1e-6
    fd = []
    for i in range(3):
        e = torch.zeros(3, dtype=torch.float64)
        e[i] = eps
        hi, _ = unrolled_hypergradient(alpha + e, outs, model, loss, y, xv, yv, xi=0.5)
        lo, _ = unrolled_hypergradient(alpha - e, outs, model, loss, y, xv, yv, xi=0.5)
        fd.append((hi - lo) / (2 * eps))
    assert torch.allclose(grad, torch.stack(fd), atol=1e-7, rtol=1e-5)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())  # the model is untouched
    assert model.weight.grad is None


def test_planted_label_flipping_branch_loses_its_weight():
    """Branches x and -x (a label flip for a linear model): the unrolled validation gradient lowers the flip's weight."""
    g = torch.Generator().manual_seed(1)
    x = torch.randn(32, 4, generator=g)
    w_true = torch.tensor([1.0, -1.0, 0.5, 0.0])
    y = (x @ w_true > 0).long()
    xv = torch.randn(32, 4, generator=g)
    yv = (xv @ w_true > 0).long()
    model = torch.nn.Linear(4, 2)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.zero_()
    loss = torch.nn.CrossEntropyLoss(reduction="none")
    alpha = torch.zeros(2)
    for _ in range(30):
        _, grad = unrolled_hypergradient(alpha, [x, -x], model, loss, y, xv, yv, xi=0.5)
        assert grad[1] > 0 > grad[0]  # raising the flip's weight would raise the validation loss
        alpha = alpha - 3.0 * grad
    assert float(torch.softmax(alpha, 0)[1]) < 0.2


def test_a_step_on_registry_ops_lowers_the_unrolled_validation_loss_and_exports():
    x, y = _halves(32, 0)
    xv, yv = _halves(32, 5)
    model = _model()
    with torch.no_grad():
        model[1].weight.mul_(0.1)
    loss = torch.nn.CrossEntropyLoss(reduction="none")
    relaxed = RelaxedPolicy("image", bins=2, include=["image.solarize", "image.brightness"], lr=0.05, xi=0.2)
    outs = relaxed.branch_outputs(x, generator=rng.make_generator(0))
    before, _ = unrolled_hypergradient(relaxed.alpha, outs, model, loss, y, xv, yv, xi=0.2)
    relaxed.step(model, loss, x, y, xv, yv, generator=rng.make_generator(0))  # the same branch outputs
    after, _ = unrolled_hypergradient(relaxed.alpha, outs, model, loss, y, xv, yv, xi=0.2)
    assert after < before
    exported = relaxed.export()
    assert isinstance(exported, LearnedPolicy)
    mass = sum(float(w) for s, w in zip(relaxed.subpolicies, relaxed.weights()) if s.op == "image.solarize")
    assert exported.op_mass()["image.solarize"] == pytest.approx(mass, abs=1e-6)
    loaded = omniaug.from_config(omniaug.to_yaml(exported))
    assert torch.equal(loaded(x, generator=rng.make_generator(1)), exported(x, generator=rng.make_generator(1)))
    assert set(relaxed.magnitudes()) == {"image.solarize", "image.brightness"}
    state = relaxed.state_dict()
    other = RelaxedPolicy("image", bins=2, include=["image.solarize", "image.brightness"], lr=0.05, xi=0.2)
    other.load_state_dict(state)
    assert torch.equal(other.weights(), relaxed.weights())


def test_discrete_use_is_per_sample_and_replays():
    x, _ = _halves(16, 0)
    relaxed = RelaxedPolicy("image", bins=2, include=["image.solarize", "image.brightness"])
    out, params = relaxed.augment(x, generator=rng.make_generator(2))
    assert len(set(params["choice"].tolist())) > 1
    assert torch.equal(relaxed(x, params=params), out)


def test_payloads_that_cannot_be_mixed_are_refused_clearly():
    tokens = registry().augmentation("tokens.masking").example_input(4, generator=rng.make_generator(0))
    relaxed = RelaxedPolicy("tokens", bins=1)
    with pytest.raises(InputError, match="cannot be mixed"):
        relaxed.mix(tokens)
    relaxed(tokens, generator=rng.make_generator(0))  # the discrete choice still works on tokens
    padded = registry().augmentation("timeseries.jitter").example_input(4, generator=rng.make_generator(1))
    with pytest.raises(InputError, match="padded series"):
        RelaxedPolicy("timeseries", bins=1, include=["timeseries.scaling", "timeseries.jitter"]).mix(padded)
    series = rng.normal(4, shape=(1, 32), generator=rng.make_generator(1))
    mixed = RelaxedPolicy("timeseries", bins=1, include=["timeseries.scaling", "timeseries.jitter"]).mix(series)
    assert mixed.shape == series.shape and mixed.requires_grad
