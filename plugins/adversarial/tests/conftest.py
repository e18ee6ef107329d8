"""Fixtures: real data (sklearn digits) and a small CNN trained on it with a fixed seed; one thread per test.

The machine is shared: torch's default two OpenMP threads spin against other
processes, so each test here runs single-threaded (restored afterwards).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from torch import nn


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def small_cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1, stride=2),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(32 * 16, 10),
    )


@pytest.fixture(scope="session")
def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """sklearn's 8×8 digits as ``(1797, 1, 8, 8)`` float images in ``[0, 1]`` and their labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    return x, torch.tensor(d.target, dtype=torch.long)


@pytest.fixture(scope="session")
def trained_cnn(digits: tuple[torch.Tensor, torch.Tensor]) -> nn.Module:
    """A small CNN with BatchNorm trained for a few epochs on the first 1500 digits (fixed seed, ~97 % test accuracy)."""
    x, y = digits
    with torch.random.fork_rng():
        torch.manual_seed(0)
        torch.set_num_threads(1)
        model = small_cnn()
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        g = torch.Generator().manual_seed(0)
        for _ in range(8):
            order = torch.randperm(1500, generator=g)
            for i in range(0, 1500, 64):
                idx = order[i : i + 64]
                loss = nn.functional.cross_entropy(model(x[idx]), y[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
    model.eval()
    return model
