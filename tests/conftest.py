"""Core test fixtures: a registry holding only the toy 'vec' plugin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch

import omniaug
from omniaug.registry import Registry, reset_registry

from . import toy_plugin


@pytest.fixture
def toy_registry() -> Iterator[Registry]:
    """The process registry replaced by one with only the toy plugin (restored after)."""
    reg = Registry(load_entry_points=False)
    reg.register_plugin(toy_plugin.Plugin(), "toy")
    old = reset_registry(reg)
    toy_plugin.CALLS.clear()
    yield reg
    reset_registry(old)


@pytest.fixture
def g() -> torch.Generator:
    return omniaug.rng.make_generator(0)
