"""omniaug-timeseries: batched, per-sample time-series augmentation for omniaug.

Payloads are ``(B, C, T)`` float tensors (channels first) or :class:`SeriesBatch`
(values, valid ``lengths``, per-timestep ``labels``). Every op draws its random
parameters per sample as tensors from the caller's generator and applies them in
one vectorized pass; time-axis ops move lengths and labels with the values.
"""

from __future__ import annotations

from .datasets import load_dataset
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
from .presets import um2017, wearable
from .series import SeriesBatch

__all__ = [
    "TIMESERIES",
    "ChannelDropout",
    "ChannelPermutation",
    "ChannelSwap",
    "Crop",
    "Drift",
    "FrequencyMask",
    "FrequencyNoise",
    "Jitter",
    "MagnitudeWarp",
    "Quantize",
    "Reverse",
    "Rotation3D",
    "Scaling",
    "SegmentPermutation",
    "SeriesBatch",
    "Smoothing",
    "TimeCutMix",
    "TimeCutout",
    "TimeDropout",
    "TimeMixUp",
    "TimeWarp",
    "WindowSlice",
    "WindowWarp",
    "load_dataset",
    "um2017",
    "wearable",
]
