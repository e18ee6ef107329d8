"""Hook implementations registering the image modality, its ops, mixers, presets and fusions."""

from __future__ import annotations

from typing import Any

from omniaug import Modality, Preset, hookimpl

from . import color_fusion, fusion, mixers
from .modality import IMAGE
from .ops import geometric, occlusion, photometric, random_field

#: every op class the plugin registers
OPS: list[type] = [*geometric.OPS, *photometric.OPS, *occlusion.OPS, *random_field.OPS]


@hookimpl
def omniaug_register_modalities() -> list[Modality]:
    return [IMAGE]


@hookimpl
def omniaug_register_augmentations() -> list[type]:
    return list(OPS)


@hookimpl
def omniaug_register_mixers() -> list[type]:
    return list(mixers.MIXERS)


@hookimpl
def omniaug_register_presets() -> list[Preset]:
    from .presets import PRESETS

    return list(PRESETS)


@hookimpl
def omniaug_register_fusions() -> list[Any]:
    return [*fusion.FUSIONS, *color_fusion.FUSIONS]


@hookimpl
def omniaug_example_data(modality: str) -> Any:
    if modality != "image":
        return None
    from .sample_data import load_example_data

    return load_example_data()
