"""Entry point of the ``audio`` plugin: modalities, ops, mixers, presets and bundled data."""

from __future__ import annotations

from typing import Any

import omniaug

from .modality import AUDIO, SPECTROGRAM
from .ops.basic import Fade, Gain, GainTransition, PolarityInversion, Reverse, TimeMask, TimeShift
from .ops.distortion import BitCrush, Clipping, LoudnessNormalize, PeakNormalize, TanhDistortion
from .ops.filters import BandPass, BandStop, HighPass, LowPass, PeakingEQ
from .ops.noise import BackgroundNoise, ColoredNoise
from .ops.pitch import PitchShift, Resample, Speed, TimeStretch
from .ops.reverb import ImpulseResponse, SyntheticReverb
from .ops.specaugment import FrequencyMask, SpecTimeMask, TimeWarp

OPS: list[type[omniaug.Augmentation]] = [
    Gain, GainTransition, Fade, PolarityInversion, TimeShift, TimeMask, Reverse,
    Clipping, TanhDistortion, BitCrush, PeakNormalize, LoudnessNormalize,
    ColoredNoise, BackgroundNoise,
    LowPass, HighPass, BandPass, BandStop, PeakingEQ,
    SyntheticReverb, ImpulseResponse,
    PitchShift, TimeStretch, Speed, Resample,
    FrequencyMask, SpecTimeMask, TimeWarp,
]  # fmt: skip


@omniaug.hookimpl
def omniaug_register_modalities() -> list[omniaug.Modality]:
    return [AUDIO, SPECTROGRAM]


@omniaug.hookimpl
def omniaug_register_augmentations() -> list[type[omniaug.Augmentation]]:
    return list(OPS)


@omniaug.hookimpl
def omniaug_register_fusions() -> list[omniaug.FusionKind]:
    from .fusion import FUSIONS

    return list(FUSIONS)


@omniaug.hookimpl
def omniaug_register_mixers() -> list[type[omniaug.Mixer]]:
    from .mixers import MixUp, SnrMix, TimeCutMix

    return [MixUp, SnrMix, TimeCutMix]


@omniaug.hookimpl
def omniaug_register_presets() -> list[omniaug.Preset]:
    from .presets import PRESETS

    return list(PRESETS)


@omniaug.hookimpl
def omniaug_example_data(modality: str) -> Any:
    if modality == "audio":
        from .bundled import example_clips

        return example_clips()
    if modality == "spectrogram":
        from .bundled import example_spectrograms

        return example_spectrograms()
    return None
