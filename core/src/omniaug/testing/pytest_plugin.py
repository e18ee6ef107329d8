"""pytest plugin (entry point ``pytest11``): parametrizes the omniaug contract fixtures.

A test class (or module) that defines ``omniaug_ops`` gets its tests that take
``omniaug_op`` run once per op instance; ``omniaug_mixers`` likewise feeds
``omniaug_mixer``. Also provides an ``omniaug_generator`` fixture.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import expand_instances


def _ids(items: list[Any]) -> list[str]:
    seen: dict[str, int] = {}
    ids = []
    for item in items:
        base = getattr(item, "name", "") or type(item).__name__
        seen[base] = seen.get(base, 0) + 1
        ids.append(base if seen[base] == 1 else f"{base}#{seen[base]}")
    return ids


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    for fixture, attr in (("omniaug_op", "omniaug_ops"), ("omniaug_mixer", "omniaug_mixers")):
        if fixture not in metafunc.fixturenames:
            continue
        owner = metafunc.cls if metafunc.cls is not None and hasattr(metafunc.cls, attr) else metafunc.module
        items = expand_instances(getattr(owner, attr, ()))
        metafunc.parametrize(fixture, items, ids=_ids(items))


@pytest.fixture
def omniaug_generator() -> Any:
    """A fresh CPU ``torch.Generator`` seeded with 0."""
    from ..rng import make_generator

    return make_generator(0)
