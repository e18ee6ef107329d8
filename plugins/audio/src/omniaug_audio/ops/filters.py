"""Biquad filters with per-example centre/cutoff frequencies, applied to the batch in one pass.

torchaudio's ``lowpass_biquad`` & co. take one cutoff per call. Here the RBJ
coefficients are built as ``(B, 3)`` tensors (one filter per example) and applied
zero-phase in the frequency domain: the biquad's magnitude response is evaluated
on the rfft grid and multiplied in (one rfft/irfft for the whole batch). Zero-phase
avoids the group-delay smearing of a causal IIR and is much faster than
``lfilter``'s sample-by-sample recursion; ``stages`` cascades the same biquad for a
steeper slope (the response is raised to that power).
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch

from omniaug import Magnitude, args, rng

from ..dsp import biquad_coefficients, biquad_magnitude, fft_filter
from .base import WaveformOp, log_uniform

__all__ = ["LowPass", "HighPass", "BandPass", "BandStop", "PeakingEQ"]


class _Biquad(WaveformOp):
    kind: ClassVar[str] = ""
    default_freq: ClassVar[tuple[float, float]] = (150.0, 7500.0)

    def __init__(
        self,
        freq_hz: Any = None,
        q: Any = (0.7071, 0.7071),
        stages: int = 1,
        sample_rate: int = 16000,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        where = type(self).__name__
        self.sample_rate = args.integer("sample_rate", sample_rate, low=1, where=where)
        self.freq_hz = args.value_range(
            "freq_hz",
            self.default_freq if freq_hz is None else freq_hz,
            bounds=(1e-3, 1e6),
            scalar="fixed",
            where=where,
        )
        self.q = args.value_range("q", q, bounds=(1e-3, 100.0), scalar="fixed", where=where)
        self.stages = args.integer("stages", stages, low=1, where=where)

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {
            "freq_hz": log_uniform(batch_size, *self.freq_hz, generator=generator, device=device),
            "q": log_uniform(batch_size, *self.q, generator=generator, device=device),
        }

    def coefficients(self, params: Any, sr: int) -> tuple[torch.Tensor, torch.Tensor]:
        freq = params["freq_hz"].to(torch.float64).clamp(1e-3, 0.499 * sr)  # stay below Nyquist
        return biquad_coefficients(self.kind, freq, params["q"].to(torch.float64), sr)

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        b, a = self.coefficients(params, sr)
        b, a = b.to(wave.device), a.to(wave.device)
        return fft_filter(wave, lambda n_fft: biquad_magnitude(b, a, n_fft) ** self.stages)


class LowPass(_Biquad):
    """Low-pass biquad (Butterworth Q = 0.7071 by default: -3 dB per stage at the cutoff ``freq_hz``)."""

    name = "audio.low_pass"
    differentiable = True
    kind = "lowpass"
    default_freq = (500.0, 7500.0)
    magnitude = Magnitude("freq_hz", (7900.0, 7900.0), (300.0, 4000.0))


class HighPass(_Biquad):
    """High-pass biquad (-3 dB per stage at the cutoff ``freq_hz`` with Q = 0.7071)."""

    name = "audio.high_pass"
    differentiable = True
    kind = "highpass"
    default_freq = (20.0, 2400.0)
    magnitude = Magnitude("freq_hz", (10.0, 10.0), (20.0, 2000.0))


class BandPass(_Biquad):
    """Band-pass biquad around centre ``freq_hz`` with quality ``q`` (0 dB at the centre)."""

    name = "audio.band_pass"
    differentiable = True
    kind = "bandpass"
    default_freq = (200.0, 4000.0)

    def __init__(
        self,
        freq_hz: Any = None,
        q: Any = (0.5, 2.0),
        stages: int = 1,
        sample_rate: int = 16000,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(freq_hz, q, stages, sample_rate, p=p, same_on_batch=same_on_batch)


class BandStop(_Biquad):
    """Band-stop (notch) biquad at centre ``freq_hz`` with quality ``q``."""

    name = "audio.band_stop"
    differentiable = True
    kind = "bandstop"
    default_freq = (200.0, 4000.0)
    magnitude = Magnitude("q", (100.0, 100.0), (0.5, 2.0))

    def __init__(
        self,
        freq_hz: Any = None,
        q: Any = (0.5, 2.0),
        stages: int = 1,
        sample_rate: int = 16000,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(freq_hz, q, stages, sample_rate, p=p, same_on_batch=same_on_batch)


class PeakingEQ(_Biquad):
    """Peaking EQ: boost or cut of ``gain_db`` around ``freq_hz`` (bandwidth set by ``q``)."""

    name = "audio.peaking_eq"
    differentiable = True
    kind = "peaking"
    default_freq = (100.0, 6000.0)
    magnitude = Magnitude("gain_db", (0.0, 0.0), (-12.0, 12.0))

    def __init__(
        self,
        freq_hz: Any = None,
        gain_db: Any = (-12.0, 12.0),
        q: Any = (0.5, 4.0),
        sample_rate: int = 16000,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(freq_hz, q, 1, sample_rate, p=p, same_on_batch=same_on_batch)
        self.gain_db = args.value_range("gain_db", gain_db, bounds=(-60.0, 60.0), where="PeakingEQ")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        params = super().draw(x, batch_size, generator=generator, device=device)
        params["gain_db"] = rng.uniform(batch_size, *self.gain_db, generator=generator, device=device)
        return params

    def coefficients(self, params: Any, sr: int) -> tuple[torch.Tensor, torch.Tensor]:
        freq = params["freq_hz"].to(torch.float64).clamp(1e-3, 0.499 * sr)
        return biquad_coefficients(
            self.kind, freq, params["q"].to(torch.float64), sr, params["gain_db"].to(torch.float64)
        )
