"""Adversarial AutoAugment: the planted problem on four modalities, replay, state, export, serialization."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

import omniaug
from omniaug import InputError, ModelContext, rng
from omniaug.registry import registry
from omniaug_policy import AdversarialAutoAugment, LearnedPolicy


class Probe(torch.nn.Module):
    """A fixed random linear read-out of ``view(x)``: invariant to whatever leaves ``view(x)`` unchanged."""

    def __init__(self, view: Callable[[Any], torch.Tensor], d: int, seed: int = 0) -> None:
        super().__init__()
        self.view = view
        g = torch.Generator().manual_seed(seed)
        self.register_buffer("w", torch.randn(d, 8, generator=g) / d**0.5)

    def forward(self, x: Any) -> torch.Tensor:
        return self.view(x).flatten(1).float() @ self.w


def _distance(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return ((out - target) ** 2).sum(1)


def _image() -> tuple[Any, torch.nn.Module, str, str]:
    x = rng.uniform(32, 0.0, 1.0, shape=(3, 16, 16), generator=rng.make_generator(0))
    # the value channel V = max(R, G, B) is exactly unchanged by a hue rotation
    return x, Probe(lambda b: b.amax(1), x.shape[2] * x.shape[3]), "image.hue", "image.brightness"


def _timeseries() -> tuple[Any, torch.nn.Module, str, str]:
    x = rng.normal(64, shape=(2, 48), generator=rng.make_generator(1)) + 1.0
    # the per-channel mean over time is unchanged by a permutation of segments
    return x, Probe(lambda b: b.mean(-1), 2), "timeseries.segment_permutation", "timeseries.scaling"


def _tokens() -> tuple[Any, torch.nn.Module, str, str]:
    x = registry().augmentation("tokens.local_shuffle").example_input(32, generator=rng.make_generator(2))
    emb = torch.randn(x.vocab_size, 16, generator=torch.Generator().manual_seed(3))

    def bag(b: Any) -> torch.Tensor:  # a bag of words: order-free, so a local shuffle changes nothing
        return (emb[b.ids] * b.attention_mask.unsqueeze(-1)).sum(1)

    return x, Probe(bag, 16), "tokens.local_shuffle", "tokens.random_replace"


def _tabular() -> tuple[Any, torch.nn.Module, str, str]:
    signs = rng.bernoulli(64, 0.5, shape=(6,), generator=rng.make_generator(4)).float() * 2 - 1
    # a model of the features' signs: swap noise flips half the swapped entries, feature
    # noise (at most half a standard deviation of a ±1 column) almost never does
    return signs, Probe(torch.sign, 6), "tabular.feature_noise", "tabular.swap_noise"


PLANTED = {"image": _image, "timeseries": _timeseries, "tokens": _tokens, "tabular": _tabular}


@pytest.mark.parametrize("modality", sorted(PLANTED))
def test_planted_problem_moves_the_mass_to_the_op_the_model_is_not_invariant_to(modality: str):
    x, model, a, b = PLANTED[modality]()
    with torch.no_grad():
        target = model(x)
    ctx = ModelContext(model, _distance, target)
    clean = omniaug.per_sample_loss(ctx, x)
    assert float(clean.abs().max()) < 1e-6
    # the plant: A (almost) never changes the model's output, B does
    moved = {
        op: float(
            omniaug.per_sample_loss(
                ctx, registry().augmentation(op).at_magnitude(1.0)(x, generator=rng.make_generator(5))
            ).mean()
        )
        for op in (a, b)
    }
    assert moved[a] < 0.1 * moved[b], moved
    aaa = AdversarialAutoAugment(modality, bins=3, include=[a, b], lr=0.1)
    g = rng.make_generator(6)
    assert abs(aaa.op_mass()[b] - 0.5) < 1e-6  # starts uniform
    steps = 0
    while steps < 60 and aaa.op_mass()[b] < 0.9:
        steps += 1
        out, params = aaa.augment(x, generator=g)
        with torch.no_grad():
            losses = _distance(model(out), target)
        omniaug.feedback(aaa, params, losses)
    print(f"{modality}: {aaa.op_mass()[b]:.3f} of the mass on {b} after {steps} steps")
    assert aaa.op_mass()[b] >= 0.9, (modality, steps, aaa.op_mass())


def test_choice_is_per_sample_each_op_runs_once_and_replay_is_exact():
    x = rng.uniform(32, 0.0, 1.0, shape=(3, 8, 8), generator=rng.make_generator(0))
    aaa = AdversarialAutoAugment("image", bins=2, include=["image.brightness", "image.hue", "image.solarize"], layers=2)
    out, params = aaa.augment(x, generator=rng.make_generator(1))
    assert params["0"]["choice"].shape == (32,) and len(set(params["0"]["choice"].tolist())) > 1
    assert torch.equal(aaa(x, params=params), out)
    again = aaa(x, generator=rng.make_generator(1))
    assert torch.equal(again, out)  # reproducible from the caller's generator


def test_instances_repeat_samples_and_targets():
    aaa = AdversarialAutoAugment("timeseries", bins=2, include=["timeseries.jitter", "timeseries.scaling"], instances=3)
    x = torch.arange(4.0).reshape(4, 1, 1).expand(4, 1, 8).contiguous()
    xs, ys = aaa.expand(x, torch.tensor([0, 1, 2, 3]))
    assert ys.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert torch.equal(xs[:, 0, 0], ys.float())


def test_state_dict_round_trip_and_export_serializes():
    x, model, a, b = _timeseries()
    with torch.no_grad():
        target = model(x)
    aaa = AdversarialAutoAugment("timeseries", bins=2, include=[a, b], lr=0.2)
    g = rng.make_generator(0)
    for _ in range(5):
        out, params = aaa.augment(x, generator=g)
        omniaug.feedback(aaa, params, _distance(model(out), target).detach())
    other = AdversarialAutoAugment("timeseries", bins=2, include=[a, b], lr=0.2)
    other.load_state_dict(aaa.state_dict())
    assert torch.equal(other.probabilities(), aaa.probabilities())
    assert torch.equal(other(x, generator=rng.make_generator(3)), aaa(x, generator=rng.make_generator(3)))
    fixed = aaa.export()
    assert isinstance(fixed, LearnedPolicy)
    assert abs(fixed.op_mass()[b] - aaa.op_mass()[b]) < 1e-6
    loaded = omniaug.from_config(omniaug.to_yaml(fixed))
    assert torch.equal(loaded(x, generator=rng.make_generator(4)), fixed(x, generator=rng.make_generator(4)))
    # the policy itself serializes by name (its learned state goes through state_dict)
    rebuilt = omniaug.from_config(omniaug.to_json(aaa))
    assert isinstance(rebuilt, AdversarialAutoAugment) and rebuilt.subpolicies == aaa.subpolicies


def test_train_step_updates_the_policy_without_touching_global_rng():
    x = rng.uniform(16, 0.0, 1.0, shape=(3, 8, 8), generator=rng.make_generator(0))
    y = torch.arange(16) % 2
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(192, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    aaa = AdversarialAutoAugment("image", bins=2, include=["image.brightness", "image.contrast"], instances=2)
    before = aaa.probabilities().clone()
    state = torch.random.get_rng_state()
    xs, ys = aaa.expand(x, y)
    omniaug.train_step(
        model, opt, torch.nn.CrossEntropyLoss(reduction="none"), xs, ys, aug=aaa, generator=rng.make_generator(1)
    )
    assert torch.equal(torch.random.get_rng_state(), state)
    assert not torch.equal(aaa.probabilities(), before)


def test_conditioned_policy_gives_per_sample_distributions():
    x = rng.uniform(8, 0.0, 1.0, shape=(3, 8, 8), generator=rng.make_generator(0))
    aaa = AdversarialAutoAugment(
        "image",
        bins=1,
        include=["image.brightness", "image.hue"],
        features=lambda b: b.mean((1, 2, 3)).unsqueeze(1),
        feature_dim=1,
        lr=0.5,
    )
    out, params = aaa.augment(x, generator=rng.make_generator(1))
    omniaug.feedback(aaa, params, torch.linspace(0, 1, 8))
    p = aaa.probabilities(x)
    assert p.shape == (8, 1, 2) and not torch.allclose(p[0], p[-1])
    with pytest.raises(InputError, match="features"):
        AdversarialAutoAugment("image", features=lambda b: b)
