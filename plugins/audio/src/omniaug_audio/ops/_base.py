"""Shared plumbing of the waveform ops: argument checks, payload unpacking, valid-region handling."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import torch

from omniaug import Augmentation, InputError

from ..modality import AUDIO, SPECTROGRAM, mark_finite
from ..payload import AudioBatch, full_lengths, unpack_audio, valid_mask

__all__ = ["WaveformOp", "SpectrogramOp", "as_range", "check_rate", "log_uniform"]


def as_range(value: Any, name: str, where: str, *, low: float = -math.inf, high: float = math.inf) -> tuple[float, float]:
    """Check a ``(lo, hi)`` range argument (a number means ``(v, v)``) and return it as floats."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = (value, value)
    if (
        not isinstance(value, Sequence)
        or len(value) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        raise InputError(name, "a number or a (low, high) pair of numbers", value, where=where)
    lo, hi = float(value[0]), float(value[1])
    if not (low <= lo <= hi <= high):
        raise InputError(name, f"low <= high within [{low}, {high}]", value, where=where)
    return lo, hi


def check_rate(sample_rate: Any, where: str) -> int:
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate <= 0:
        raise InputError("sample_rate", "a positive integer (Hz)", sample_rate, where=where)
    return sample_rate


def log_uniform(
    n: int, lo: float, hi: float, *, generator: torch.Generator | None, device: torch.device
) -> torch.Tensor:
    """Per-example draws uniform in log space (frequencies, rates)."""
    from omniaug import rng

    return torch.exp(rng.uniform(n, math.log(lo), math.log(hi), generator=generator, device=device))


class WaveformOp(Augmentation):
    """Base of the ``audio`` ops: unpack the payload, keep the padding untouched, repack.

    Subclasses implement :meth:`transform` on ``(wave, sample_rate, lengths, params)``
    and return the new waveform (and new lengths for length-changing ops).
    """

    modality = AUDIO
    #: ops whose output duration differs from the input's update ``lengths``
    changes_length: ClassVar[bool] = False
    sample_rate: int = 16000

    def transform(
        self, wave: torch.Tensor, sample_rate: int, lengths: torch.Tensor, params: dict[str, Any]
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError

    def apply(self, x: Any, params: Any) -> Any:
        # A length-changing op on an AudioBatch without lengths gets explicit full lengths
        # first, so samples it changes and samples it leaves alone merge into one tensor.
        if self.changes_length and isinstance(x, AudioBatch) and x.lengths is None:
            x = AudioBatch(x.waveform, x.sample_rate, full_lengths(x.waveform, None))
        out = self.apply_validated(x, params)
        wave_in = x.waveform if isinstance(x, AudioBatch) else x
        wave_out = out.waveform if isinstance(out, AudioBatch) else out
        if wave_out is not wave_in:  # a new tensor computed by this op's kernels
            mark_finite(wave_out)
        return out

    def apply_validated(self, x: Any, params: Any) -> Any:
        """The op on a validated batch (default: gather → kernel → scatter of the base class)."""
        return super().apply(x, params)

    def kernel(self, x: Any, params: Any) -> Any:
        wave, sr, lengths = unpack_audio(x, self.sample_rate)
        lens = full_lengths(wave, lengths)
        out = self.transform(wave, sr, lens, params)
        if isinstance(out, tuple):
            y, new_lengths = out
            y = y * valid_mask(y, new_lengths)  # the new padding is silence
            if isinstance(x, AudioBatch):
                return AudioBatch(y.to(wave.dtype), x.sample_rate, new_lengths)
            return y.to(wave.dtype)
        y = torch.where(valid_mask(wave, lengths), out, wave) if lengths is not None else out
        if isinstance(x, AudioBatch):
            return AudioBatch(y.to(wave.dtype), x.sample_rate, x.lengths)
        return y.to(wave.dtype)


class SpectrogramOp(Augmentation):
    """Base of the ``spectrogram`` (SpecAugment) ops."""

    modality = SPECTROGRAM
