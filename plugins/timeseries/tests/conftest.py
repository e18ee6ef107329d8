"""Shared fixtures for the time-series plugin tests."""

from __future__ import annotations

import pytest
import torch

from omniaug.rng import make_generator
from omniaug_timeseries import SeriesBatch
from omniaug_timeseries.modality import example


@pytest.fixture
def padded() -> SeriesBatch:
    """A padded, labelled batch: 8 series, 3 channels, T = 64, lengths in [32, 64]."""
    return example(8, generator=make_generator(21))


@pytest.fixture
def series() -> torch.Tensor:
    """A plain (8, 3, 50) float batch."""
    return torch.randn(8, 3, 50, generator=make_generator(22))
