"""Hook implementations: what this plugin contributes to omniaug."""

from __future__ import annotations

from typing import Any

import omniaug

from .mixers import WithinClassMix
from .modality import TABULAR, example
from .ops import FeatureNoise, SwapNoise
from .presets import PRESETS

#: every op class the plugin registers
OPS: list[type[omniaug.Augmentation]] = [FeatureNoise, SwapNoise]
MIXERS: list[type[omniaug.Mixer]] = [WithinClassMix]


@omniaug.hookimpl
def omniaug_register_modalities() -> list[omniaug.Modality]:
    return [TABULAR]


@omniaug.hookimpl
def omniaug_register_augmentations() -> list[type[omniaug.Augmentation]]:
    return list(OPS)


@omniaug.hookimpl
def omniaug_register_mixers() -> list[type[omniaug.Mixer]]:
    return list(MIXERS)


@omniaug.hookimpl
def omniaug_register_presets() -> list[omniaug.Preset]:
    return list(PRESETS)


@omniaug.hookimpl
def omniaug_example_data(modality: str) -> Any:
    return example(16) if modality == "tabular" else None
