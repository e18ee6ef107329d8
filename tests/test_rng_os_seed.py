"""Without a generator, draws are seeded from the OS: torch's global RNG is never read or advanced (issue #20 §4)."""

from __future__ import annotations

import warnings

import pytest
import torch

import omniaug
from omniaug import rng
from omniaug.mixing import Mixer


def test_helpers_without_generator_leave_the_global_state_alone() -> None:
    torch.manual_seed(0)
    state = torch.get_rng_state()
    rng.uniform(4, 0.0, 1.0, shape=(3,))
    rng.normal(4, shape=(200_000,))  # the chunked parallel path
    rng.beta(4, 0.5)
    rng.bernoulli(4, 0.5)
    rng.randint(4, 0, 10)
    rng.randint(4, 0, torch.tensor([3, 4, 5, 6]))
    rng.permutation(5)
    rng.derangement(5)
    rng.random_bits(8)
    rng.choose_k(4, 5, 2)
    assert torch.equal(torch.get_rng_state(), state)


def test_global_seed_does_not_make_draws_repeat() -> None:
    torch.manual_seed(0)
    a = rng.uniform(8, 0.0, 1.0)
    torch.manual_seed(0)
    b = rng.uniform(8, 0.0, 1.0)
    assert not torch.equal(a, b)
    g1, g2 = rng.os_generator(), rng.os_generator()
    assert not torch.equal(torch.rand(4, generator=g1), torch.rand(4, generator=g2))


def _cheap_ops() -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = omniaug.registry()
        reg.load_all()
    out = []
    for table in (reg.augmentations, reg.mixers):
        for name in sorted(table):
            cls = table[name]
            if getattr(cls, "requires_model", False) or getattr(cls, "wrapped", False) or name.startswith("code."):
                continue
            out.append(cls)
    return out


@pytest.mark.parametrize("cls", _cheap_ops(), ids=lambda c: c.name)
def test_every_op_without_generator_never_reads_the_global_rng(cls: type) -> None:
    op = cls.example_instances()[0]
    x = cls.example_input(3, generator=rng.make_generator(1))
    torch.manual_seed(123)
    state = torch.get_rng_state()
    if isinstance(op, Mixer):
        op.augment_with_labels(x, torch.arange(op.label_rows(x)) % 2 if op.num_classes else _onehot(op.label_rows(x)))
    else:
        op.augment(x)
    assert torch.equal(torch.get_rng_state(), state), f"{cls.name} read or advanced torch's global generator"


def _onehot(n: int) -> torch.Tensor:
    return torch.nn.functional.one_hot(torch.arange(n) % 2, 2).float()
