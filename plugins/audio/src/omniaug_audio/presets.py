"""Ready-made audio pipelines."""

from __future__ import annotations

from typing import Any

from omniaug import Compose, OneOf, Preset, RandomApply

from .ops.basic import Gain, PolarityInversion, TimeShift
from .ops.filters import BandPass, HighPass, LowPass
from .ops.noise import BackgroundNoise, ColoredNoise
from .ops.pitch import PitchShift, Speed
from .ops.reverb import SyntheticReverb
from .ops.specaugment import FrequencyMask, SpecTimeMask, TimeWarp

__all__ = ["PRESETS"]


def default_pipeline(sample_rate: int = 16000) -> Compose:
    """A robust-speech default: level, shift, a filter, reverb, noise and mild pitch/speed changes."""
    return Compose(
        [
            Gain((-6.0, 6.0)),
            PolarityInversion(p=0.5),
            TimeShift((-0.1, 0.1), mode="pad", p=0.5),
            RandomApply(
                [
                    OneOf(
                        [
                            LowPass(sample_rate=sample_rate),
                            HighPass(sample_rate=sample_rate),
                            BandPass(sample_rate=sample_rate),
                        ]
                    )
                ],
                p=0.3,
            ),
            SyntheticReverb((0.1, 0.6), sample_rate=sample_rate, p=0.3),
            OneOf([ColoredNoise((10.0, 30.0)), BackgroundNoise(snr_db=(5.0, 25.0), sample_rate=sample_rate)]),
            RandomApply([OneOf([PitchShift((-2.0, 2.0)), Speed((0.9, 1.1))])], p=0.3),
        ]
    )


def specaugment_ld(**kwargs: Any) -> Compose:
    """SpecAugment's LD policy (W=5, F=27 ×2, T=100 ×2, p=1.0 upper bound)."""
    return Compose([TimeWarp(5), FrequencyMask(27, 2), SpecTimeMask(100, 2, max_fraction=1.0)])


PRESETS = [
    Preset("audio.default", "audio", default_pipeline, "gain, polarity, shift, filters, reverb, noise, pitch/speed"),
    Preset(
        "spectrogram.specaugment",
        "spectrogram",
        specaugment_ld,
        "SpecAugment LD: time warp + 2 frequency + 2 time masks",
    ),
]
