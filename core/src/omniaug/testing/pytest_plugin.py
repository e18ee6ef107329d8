"""pytest plugin (entry point ``pytest11``): parametrizes the omniaug contract fixtures.

A test class (or module) that defines ``omniaug_ops`` gets its tests that take
``omniaug_op`` run once per op instance; ``omniaug_mixers`` likewise feeds
``omniaug_mixer``. Also provides an ``omniaug_generator`` fixture and the ``cuda``
marker: a test marked ``@pytest.mark.cuda`` runs when a CUDA GPU is present and is
skipped, with the reason, when none is (e.g. on CI machines without a GPU).
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


#: why ``cuda``-marked tests are skipped on a machine without a GPU
NO_CUDA_REASON = "no CUDA device (torch.cuda.is_available() is False): this test runs the contract on a GPU"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "cuda: needs a CUDA GPU; skipped with the reason when none is present")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("cuda") is not None]
    if not marked:
        return
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason=NO_CUDA_REASON)
    for item in marked:
        item.add_marker(skip)


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
