"""Hook implementations: what this plugin contributes to omniaug."""

from __future__ import annotations

from typing import Any

import omniaug

from .ops import FeatureNoise, SwapNoise, WithinClassMix
from .rows import TABULAR, example


@omniaug.hookimpl
def omniaug_register_modalities() -> list[omniaug.Modality]:
    return [TABULAR]


@omniaug.hookimpl
def omniaug_register_augmentations() -> list[type[omniaug.Augmentation]]:
    return [FeatureNoise, SwapNoise]


@omniaug.hookimpl
def omniaug_register_mixers() -> list[type[omniaug.Mixer]]:
    return [WithinClassMix]


@omniaug.hookimpl
def omniaug_register_presets() -> list[omniaug.Preset]:
    return [
        omniaug.Preset(
            "tabular.default",
            "tabular",
            lambda: omniaug.OneOf([FeatureNoise((0.0, 0.1)), SwapNoise(0.15)]),
            "feature noise or swap noise, one per row",
        )
    ]


@omniaug.hookimpl
def omniaug_example_data(modality: str) -> Any:
    return example(16) if modality == "tabular" else None
