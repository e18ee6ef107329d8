"""omniaug entry point of the ``code`` plugin: modality, ops, presets and sample data."""

from __future__ import annotations

from typing import Any

import omniaug

from .modality import CODE
from .ops import OPS
from .payload import CodeBatch
from .presets import PRESETS
from .samples import PYTHON_SAMPLES


@omniaug.hookimpl
def omniaug_register_modalities() -> list[omniaug.Modality]:
    return [CODE]


@omniaug.hookimpl
def omniaug_register_augmentations() -> list[type]:
    return list(OPS)


@omniaug.hookimpl
def omniaug_register_presets() -> list[omniaug.Preset]:
    return list(PRESETS)


@omniaug.hookimpl
def omniaug_example_data(modality: str) -> Any:
    """The bundled Python programs (one language, so ``omniaug demo`` can save them all as ``*.py``)."""
    if modality != "code":
        return None
    return CodeBatch(list(PYTHON_SAMPLES), "python")
