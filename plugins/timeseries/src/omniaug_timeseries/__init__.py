"""omniaug-timeseries: batched, per-sample time-series augmentation for omniaug.

Payloads are ``(B, C, T)`` float tensors (channels first) or :class:`SeriesBatch`
(values, valid ``lengths``, per-timestep ``labels``). Every op draws its random
parameters per sample as tensors from the caller's generator and applies them in
one vectorized pass; time-axis ops move lengths and labels with the values.
"""

from __future__ import annotations

from .amplitude import Drift, Jitter, MagnitudeWarp, Scaling
from .channels import ChannelPermutation, ChannelSwap, Rotation3D
from .crops import Crop, WindowSlice
from .datasets import load_dataset
from .filters import Quantize, Smoothing
from .frequency import FrequencyMask, FrequencyNoise
from .masking import ChannelDropout, TimeCutout, TimeDropout
from .mixers import TimeCutMix, TimeMixUp
from .modality import TIMESERIES
from .order import Reverse, SegmentPermutation
from .presets import um2017, wearable
from .series import SeriesBatch
from .warps import TimeWarp, WindowWarp

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
