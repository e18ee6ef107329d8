"""Shared plumbing of the waveform ops: argument checks, payload unpacking, valid-region handling."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import torch

from omniaug import Augmentation

from ..modality import AUDIO, SPECTROGRAM, mark_finite
from ..payload import AudioBatch, full_lengths, unpack_audio, valid_mask

__all__ = ["WaveformOp", "SpectrogramOp", "log_uniform"]


def log_uniform(
    n: int, lo: float, hi: float, *, generator: torch.Generator | None, device: torch.device
) -> torch.Tensor:
    """Per-example draws uniform in log space (frequencies, rates)."""
    from omniaug import rng

    return torch.exp(rng.uniform(n, math.log(lo), math.log(hi), generator=generator, device=device))


class WaveformOp(Augmentation):
    """Base of the ``audio`` ops: unpack the payload, keep the padding untouched, repack.

    Subclasses implement :meth:`inner_kernel` on ``(wave, sample_rate, lengths, params)``
    and return the new waveform (and new lengths for length-changing ops); :meth:`kernel`
    unpacks the payload, calls it and repacks.
    """

    modality = AUDIO
    #: ops whose output duration differs from the input's update ``lengths``
    changes_length: ClassVar[bool] = False
    #: whether a finite input always gives a finite output, so the output is marked finite
    #: unchecked (``omniaug.validation.trusted``; the contract suite verifies the claim);
    #: False for gains, which can overflow float to inf: the next op then checks the output
    keeps_finite: ClassVar[bool] = True
    sample_rate: int = 16000

    def inner_kernel(
        self, wave: torch.Tensor, sample_rate: int, lengths: torch.Tensor, params: dict[str, Any]
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """The op on the unpacked batch: the new waveform, or ``(waveform, lengths)`` if the length changes."""
        raise NotImplementedError(f"{type(self).__name__}.inner_kernel")

    def apply(self, x: Any, params: Any) -> Any:
        # A length-changing op on an AudioBatch without lengths gets explicit full lengths
        # first, so samples it changes and samples it leaves alone merge into one tensor.
        if self.changes_length and isinstance(x, AudioBatch) and x.lengths is None:
            x = AudioBatch(x.waveform, x.sample_rate, full_lengths(x.waveform, None))
        out = self.apply_validated(x, params)
        wave_in = x.waveform if isinstance(x, AudioBatch) else x
        wave_out = out.waveform if isinstance(out, AudioBatch) else out
        if wave_out is not wave_in and self.keeps_finite:  # a new tensor computed by this op's kernels
            mark_finite(wave_out)
        return out

    def apply_validated(self, x: Any, params: Any) -> Any:
        """The op on a validated batch (default: gather → kernel → scatter of the base class)."""
        return super().apply(x, params)

    def kernel(self, x: Any, params: Any) -> Any:
        wave, sr, lengths = unpack_audio(x, self.sample_rate)
        lens = full_lengths(wave, lengths)
        out = self.inner_kernel(wave, sr, lens, params)
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
