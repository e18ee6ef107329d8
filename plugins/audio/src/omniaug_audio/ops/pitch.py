"""Pitch and time: pitch shift, time stretch, speed perturbation, round-trip resampling.

All four take per-example factors and run batched (no loop over examples):

* time stretch — one STFT for the batch, a phase vocoder that reads each example's
  frames at its own rate (gathered interpolation + phase accumulation), one iSTFT;
* speed / resampling — band-limited reading at per-example fractional
  positions (:func:`omniaug_audio.dsp.fft_resample_at`); torchaudio's ``resample``
  needs one integer ratio per call;
* pitch shift — time stretch by the pitch factor, then resample back by it.

The buffer length ``T`` is kept so batches stay rectangular: length-changing ops
(time stretch, speed) return new ``lengths`` in an :class:`AudioBatch` (a plain
tensor is cut or zero-padded at ``T``).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from omniaug import InputError, Magnitude, args, rng

from ..dsp import by_examples, fft_resample_at, on_host, stretch_waveform
from .base import WaveformOp, log_uniform

__all__ = ["PitchShift", "TimeStretch", "Speed", "Resample", "pitch_shift"]


def _n_fft(value: Any, where: str) -> int:
    n = args.integer("n_fft", value, low=16, where=where)
    if n & (n - 1):
        raise InputError("n_fft", "a power of two >= 16", value, where=where)
    return n


def pitch_shift(
    wave: torch.Tensor,
    semitones: torch.Tensor,
    lengths: torch.Tensor | None = None,
    *,
    max_semitones: float | None = None,
    n_fft: int = 512,
) -> torch.Tensor:
    """Shift each example of ``wave (B, C, T)`` by ``semitones[b]``, keeping its duration.

    ``max_semitones`` bounds ``|semitones|`` (sets the working buffer; default: from
    the data, which costs one sync). Samples past ``lengths[b]`` are treated as silence.
    """
    bsz, _, n = wave.shape
    lens = torch.full((bsz,), n, device=wave.device) if lengths is None else lengths.to(wave.device)
    if max_semitones is None:
        max_semitones = float(semitones.abs().max()) if semitones.numel() else 0.0
    bound = max_semitones
    if on_host(wave) and bsz > 1:  # one chunk of examples per thread, all steps while it is in cache
        return by_examples(
            lambda e: _pitch_shift(wave[e], semitones[e], lens[e], bound, n_fft),
            bsz,
            wave.device,
            torch.empty_like(wave),
        )
    return _pitch_shift(wave, semitones, lens, bound, n_fft)


def _pitch_shift(
    wave: torch.Tensor, semitones: torch.Tensor, lens: torch.Tensor, bound: float, n_fft: int
) -> torch.Tensor:
    n = wave.shape[-1]
    # frequency ratio, in float64: a float32 pow rounds a tensor's tail differently (batch-dependent bits)
    factor = torch.pow(2.0, semitones.to(torch.float64) / 12).to(wave.dtype)
    f_max = 2.0 ** (bound / 12)
    dry = wave * (torch.arange(n, device=wave.device) < lens.unsqueeze(1)).unsqueeze(1)
    # 1) stretch to factor × the duration (pitch kept), 2) read it back factor × faster.
    stretched = stretch_waveform(dry, 1.0 / factor, math.ceil(n * f_max) + 1, lens, n_fft=n_fft)
    positions = torch.arange(n, device=wave.device, dtype=wave.dtype).unsqueeze(0) * factor.unsqueeze(1)
    stretched_len = torch.ceil(lens.to(wave.dtype) * factor).long()
    y = fft_resample_at(stretched, positions, (1.0 / factor).clamp_max(1.0), stretched_len)
    return torch.where((semitones == 0).reshape(-1, 1, 1), wave, y)


class PitchShift(WaveformOp):
    """Shift pitch by ``semitones`` (drawn uniformly per example), keeping the duration.

    Batched phase vocoder (time stretch by 2^(n/12)) followed by per-example
    band-limited resampling by the same factor. ``n_fft`` sets the STFT frame.
    """

    name = "audio.pitch_shift"
    differentiable = True
    magnitude = Magnitude("semitones", (0.0, 0.0), (-4.0, 4.0))

    def __init__(
        self, semitones: Any = (-4.0, 4.0), n_fft: int = 512, *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.semitones = args.value_range("semitones", semitones, bounds=(-24.0, 24.0), where="PitchShift")
        self.n_fft = _n_fft(n_fft, "PitchShift")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"semitones": rng.uniform(batch_size, *self.semitones, generator=generator, device=device)}

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        bound = max(abs(self.semitones[0]), abs(self.semitones[1]))
        return pitch_shift(wave, params["semitones"].to(wave.device), lengths, max_semitones=bound, n_fft=self.n_fft)


class TimeStretch(WaveformOp):
    """Change tempo by ``factor`` per example (> 1 faster and shorter), keeping pitch; updates lengths.

    ``factor`` is a ``(low, high)`` range drawn log-uniformly; a number ``v`` means ``(1 - v, 1 + v)``.
    """

    name = "audio.time_stretch"
    differentiable = True
    magnitude = Magnitude("factor", (1.0, 1.0), (0.8, 1.25))
    changes_length = True

    def __init__(
        self, factor: Any = (0.8, 1.25), n_fft: int = 512, *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.factor = args.value_range("factor", factor, bounds=(0.1, 10.0), center=1.0, where="TimeStretch")
        self.n_fft = _n_fft(n_fft, "TimeStretch")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"factor": log_uniform(batch_size, *self.factor, generator=generator, device=device)}

    def inner_kernel(
        self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        rate = params["factor"].to(device=wave.device, dtype=wave.dtype)
        dry = wave * (torch.arange(wave.shape[-1], device=wave.device) < lengths.unsqueeze(1)).unsqueeze(1)
        y = stretch_waveform(dry, rate, wave.shape[-1], lengths, n_fft=self.n_fft)
        y = torch.where((rate == 1).reshape(-1, 1, 1), dry, y)
        new_lengths = torch.ceil(lengths.to(wave.dtype) / rate).long().clamp_max(wave.shape[-1])
        return y, new_lengths


class Speed(WaveformOp):
    """Speed perturbation: play ``factor`` × faster (pitch and tempo change together, as in
    Kaldi's 0.9/1.0/1.1 perturbation); band-limited resampling per example, updates lengths."""

    name = "audio.speed"
    differentiable = True
    magnitude = Magnitude("factor", (1.0, 1.0), (0.85, 1.15))
    changes_length = True

    def __init__(self, factor: Any = (0.9, 1.1), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.factor = args.value_range("factor", factor, bounds=(0.25, 4.0), center=1.0, where="Speed")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"factor": log_uniform(batch_size, *self.factor, generator=generator, device=device)}

    def inner_kernel(
        self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any
    ) -> tuple[torch.Tensor, torch.Tensor]:
        factor = params["factor"].to(device=wave.device, dtype=wave.dtype)
        positions = torch.arange(wave.shape[-1], device=wave.device, dtype=wave.dtype).unsqueeze(0) * factor.unsqueeze(
            1
        )
        cutoff = (1.0 / factor).clamp_max(1.0)
        y = fft_resample_at(wave, positions, cutoff, lengths)
        new_lengths = torch.ceil(lengths.to(wave.dtype) / factor).long().clamp_max(wave.shape[-1])
        return y, new_lengths


class Resample(WaveformOp):
    """Round trip through a lower sample rate drawn per example from ``rate_hz``.

    Each example is resampled down to its rate and back up (band-limited both
    ways), removing what a recording at that rate could not hold — a low-bandwidth
    channel simulation; duration, rate and lengths are unchanged. (To change a batch's
    sample rate for good use :func:`omniaug_audio.resample_batch`.)
    """

    name = "audio.resample"
    differentiable = True
    magnitude = Magnitude("rate_hz", (16000.0, 16000.0), (4000.0, 12000.0))

    def __init__(
        self, rate_hz: Any = (4000.0, 12000.0), sample_rate: int = 16000, *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rate_hz = args.value_range("rate_hz", rate_hz, bounds=(100.0, 1e6), scalar="fixed", where="Resample")
        self.sample_rate = args.integer("sample_rate", sample_rate, low=1, where="Resample")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"rate_hz": log_uniform(batch_size, *self.rate_hz, generator=generator, device=device)}

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        ratio = (params["rate_hz"].to(device=wave.device, dtype=wave.dtype) / sr).clamp_max(1.0)  # low / high
        n = wave.shape[-1]
        n_low = math.ceil(n * min(1.0, self.rate_hz[1] / sr))  # buffer for the highest low rate
        t_low = torch.arange(n_low, device=wave.device, dtype=wave.dtype).unsqueeze(0)
        low = fft_resample_at(wave, t_low / ratio.unsqueeze(1), ratio, lengths)
        low_len = torch.ceil(lengths.to(wave.dtype) * ratio).long()
        t = torch.arange(n, device=wave.device, dtype=wave.dtype).unsqueeze(0)
        return fft_resample_at(low, t * ratio.unsqueeze(1), torch.ones_like(ratio), low_len)
