"""Engines that run omniaug at scale: Ray Data, Hugging Face ``datasets``, Dask, PyTorch DataLoader.

Each engine is an optional extra (``pip install omniaug[ray]``, ``omniaug[hf]``,
``omniaug[dask]``) imported only when its module is used; ``import omniaug`` never
imports them. Every integration seeds per item (:mod:`omniaug.keyed`): the
randomness for an item comes from ``(seed, item key, copy or epoch)``, so an item
gets the same augmentation whatever the engine, the partitioning, the batch size
or the number of workers (``docs/scale-out.md``).
"""

from __future__ import annotations

import importlib
from typing import Any

from ..errors import OmniaugError
from ._rows import KeyedTransform, augment_rows

__all__ = ["KeyedTransform", "MissingExtraError", "augment_rows", "require"]


class MissingExtraError(OmniaugError, ImportError):
    """An integration's optional dependency is not installed."""


def require(module: str, extra: str) -> Any:
    """Import ``module`` or raise :class:`MissingExtraError` naming the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"this needs {module!r}, which is not installed: pip install 'omniaug[{extra}]' ({exc})"
        ) from None
