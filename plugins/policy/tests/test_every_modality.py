"""Every policy builds from, and runs on, every installed modality's registry; params replay exactly."""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug import rng
from omniaug.registry import registry
from omniaug_policy import AdversarialAutoAugment, LearnedPolicy, RelaxedPolicy, SelfPaced

MODALITIES = sorted(m for m in registry().modalities if registry().ops_for(m, policy=True))


def _example(modality: str, n: int) -> object:
    op = registry().ops_for(modality, policy=True)[0]
    return op.example_input(n, generator=rng.make_generator(0))


def _same(modality: str, a: object, b: object) -> bool:
    """Bit-for-bit equality, by the modality's own comparison (graph batches are not plain trees)."""
    return registry().modality(modality).allclose(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("modality", MODALITIES)
def test_policies_run_and_replay_on_every_modality(modality: str):
    x = _example(modality, 6)
    for policy in (
        AdversarialAutoAugment(modality, bins=2),
        RelaxedPolicy(modality, bins=1),
        LearnedPolicy(modality, [[[op.name, 0.8, 0.5]] for op in registry().ops_for(modality, policy=True)]),
        SelfPaced(AdversarialAutoAugment(modality, bins=1), lam=0),
    ):
        out, params = policy.augment(x, generator=rng.make_generator(1))
        assert _same(modality, policy(x, params=params), out), (modality, policy.name)
        loaded = omniaug.from_config(omniaug.to_config(policy))
        assert type(loaded) is type(policy)
    aaa = AdversarialAutoAugment(modality, bins=2)
    out, params = aaa.augment(x, generator=rng.make_generator(2))
    omniaug.feedback(aaa, params, torch.linspace(0.0, 1.0, 6))  # a REINFORCE step on any modality
    assert not torch.equal(aaa.probabilities(), torch.full_like(aaa.probabilities(), 1 / len(aaa.subpolicies)))


def test_policies_are_registered_by_name():
    for name in ("policy.self_paced", "policy.adversarial_autoaugment", "policy.relaxed", "policy.learned"):
        kind, found = registry().resolve(name)
        assert kind == "preset" and found.factory.name == name
