"""omniaug plugin entry point (group ``omniaug``, name ``timeseries``)."""

from __future__ import annotations

from typing import Any

from omniaug import FusionKind, Modality, Preset, hookimpl

from .mixers import TimeCutMix, TimeMixUp
from .modality import TIMESERIES
from .ops.amplitude import Drift, Jitter, MagnitudeWarp, Scaling
from .ops.channels import ChannelPermutation, ChannelSwap, Rotation3D
from .ops.crops import Crop, WindowSlice
from .ops.filters import Quantize, Smoothing
from .ops.frequency import FrequencyMask, FrequencyNoise
from .ops.masking import ChannelDropout, TimeCutout, TimeDropout
from .ops.order import Reverse, SegmentPermutation
from .ops.warps import TimeWarp, WindowWarp
from .presets import PRESETS

OPS: list[type] = [
    Jitter,
    Scaling,
    MagnitudeWarp,
    Drift,
    TimeWarp,
    WindowWarp,
    Crop,
    WindowSlice,
    SegmentPermutation,
    Reverse,
    ChannelPermutation,
    ChannelSwap,
    Rotation3D,
    TimeCutout,
    TimeDropout,
    ChannelDropout,
    Quantize,
    Smoothing,
    FrequencyNoise,
    FrequencyMask,
]
MIXERS: list[type] = [TimeMixUp, TimeCutMix]

#: number of bundled BasicMotions series returned as example data
EXAMPLE_SERIES = 8


@hookimpl
def omniaug_register_modalities() -> list[Modality]:
    return [TIMESERIES]


@hookimpl
def omniaug_register_augmentations() -> list[type]:
    return list(OPS)


@hookimpl
def omniaug_register_mixers() -> list[type]:
    return list(MIXERS)


@hookimpl
def omniaug_register_presets() -> list[Preset]:
    return list(PRESETS)


@hookimpl
def omniaug_register_fusions() -> list[FusionKind]:
    return []


@hookimpl
def omniaug_example_data(modality: str) -> Any:
    """Real series for previews: BasicMotions smart-watch recordings (acc xyz + gyro xyz), one per class first."""
    if modality != "timeseries":
        return None
    from .datasets import load_dataset

    data = load_dataset("basicmotions")
    order = data.y_train.argsort(stable=True)
    per_class = order.view(len(data.classes), -1).T.reshape(-1)  # interleave classes
    return data.x_train[per_class[:EXAMPLE_SERIES]].clone()
