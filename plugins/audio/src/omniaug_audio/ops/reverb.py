"""Reverb by FFT convolution: user impulse responses, or synthetic room responses from an RT60 range."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torchaudio.functional as AF

from omniaug import Magnitude, args, rng

from ..dsp import db_to_amplitude, fftconvolve, masked_power, row_sum
from ..payload import valid_mask
from .base import WaveformOp
from .noise import _expand_paths

__all__ = ["ImpulseResponse", "SyntheticReverb", "synthetic_rir", "convolve_same_level"]


def synthetic_rir(
    noise: torch.Tensor, rt60: torch.Tensor, sample_rate: int, direct_ratio_db: torch.Tensor
) -> torch.Tensor:
    """Room impulse responses ``(B, L)`` from white ``noise (B, L)`` and per-example RT60 (s).

    Exponentially decaying noise: amplitude ``exp(-3 ln(10) t / RT60)`` falls by 60 dB at
    ``t = RT60``; a unit direct-path impulse at ``t = 0`` sits ``direct_ratio_db`` above
    the tail's energy (direct-to-reverberant ratio).
    """
    length = noise.shape[-1]
    t = torch.arange(length, device=noise.device, dtype=noise.dtype) / sample_rate
    decay = torch.exp(-3 * math.log(10) * t.unsqueeze(0) / rt60.to(noise.dtype).unsqueeze(1))
    tail = noise * decay
    tail = tail / row_sum(tail * tail).unsqueeze(1).clamp_min(1e-30).sqrt()
    tail = tail * db_to_amplitude(-direct_ratio_db.to(noise.dtype)).unsqueeze(1)
    direct = torch.zeros_like(tail)
    direct[:, 0] = 1.0
    return direct + tail


def convolve_same_level(wave: torch.Tensor, ir: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Convolve each example's valid region with its IR ``(B, L)`` (FFT), cut to the input
    length and rescaled to the input's power over the valid region."""
    valid = valid_mask(wave, lengths)
    dry = wave * valid
    wet = fftconvolve(dry, ir.to(wave.dtype).unsqueeze(1))[..., : wave.shape[-1]] * valid
    p_in, p_out = masked_power(dry, valid), masked_power(wet, valid)
    scale = torch.where(p_out > 0, (p_in / p_out.clamp_min(1e-30)).sqrt(), torch.zeros_like(p_out))
    return wet * scale.reshape(-1, 1, 1)


class SyntheticReverb(WaveformOp):
    """Convolve with a synthetic room impulse response per example.

    RT60 (seconds) is drawn per example from ``rt60`` and the direct-to-reverberant
    ratio from ``direct_ratio_db``; the IR's noise is drawn in :meth:`draw` (part of the
    params). Output keeps the input's power; the tail past the clip end is cut.
    """

    name = "audio.synthetic_reverb"
    differentiable = True
    magnitude = Magnitude("rt60", (0.05, 0.05), (0.1, 1.0))

    def __init__(
        self,
        rt60: Any = (0.2, 0.8),
        direct_ratio_db: Any = (-6.0, 6.0),
        sample_rate: int = 16000,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rt60 = args.value_range("rt60", rt60, bounds=(0.01, 10.0), scalar="fixed", where="SyntheticReverb")
        self.direct_ratio_db = args.value_range(
            "direct_ratio_db", direct_ratio_db, bounds=(-60.0, 60.0), scalar="fixed", where="SyntheticReverb"
        )
        self.sample_rate = args.integer("sample_rate", sample_rate, low=1, where="SyntheticReverb")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        sr = int(x.sample_rate) if hasattr(x, "sample_rate") else self.sample_rate
        ir_len = max(2, math.ceil(self.rt60[1] * sr))  # from the op's range, not the data
        return {
            "rt60": rng.uniform(batch_size, *self.rt60, generator=generator, device=device),
            "direct_ratio_db": rng.uniform(batch_size, *self.direct_ratio_db, generator=generator, device=device),
            "noise": rng.normal(batch_size, shape=(ir_len,), generator=generator, device=device),
        }

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        ir = synthetic_rir(params["noise"].to(wave.dtype), params["rt60"], sr, params["direct_ratio_db"])
        return convolve_same_level(wave, ir, lengths)


class ImpulseResponse(WaveformOp):
    """Convolve with an impulse response picked per example from user files or folders.

    ``paths``: WAV files and/or folders of them; None uses the two bundled synthetic room
    responses. IRs are loaded once (mono, resampled to ``sample_rate``, leading silence
    trimmed so the direct path is at t = 0). Output keeps the input's power.
    """

    name = "audio.impulse_response"
    differentiable = True

    def __init__(
        self,
        paths: Sequence[str] | None = None,
        sample_rate: int = 16000,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.sample_rate = args.integer("sample_rate", sample_rate, low=1, where="ImpulseResponse")
        from ..bundled import impulse_response_paths
        from ..io import read_wav

        files = _expand_paths([str(q) for q in impulse_response_paths()] if paths is None else paths)
        irs = []
        for f in files:  # one-time loading of a file list, not a batch op
            ir = read_wav(f, self.sample_rate)[0].mean(0)
            start = int(torch.nonzero(ir.abs() >= 0.1 * ir.abs().max())[0]) if bool((ir != 0).any()) else 0
            irs.append(ir[start:])
        self._irs = torch.zeros(len(irs), max(i.numel() for i in irs))
        for i, ir in enumerate(irs):
            self._irs[i, : ir.numel()] = ir
        self._by_rate: dict[int, torch.Tensor] = {self.sample_rate: self._irs}

    def _irs_at(self, sr: int) -> torch.Tensor:
        if sr not in self._by_rate:  # cache of data (not params) per sample rate
            self._by_rate[sr] = AF.resample(self._irs, self.sample_rate, sr)
        return self._by_rate[sr]

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"ir": rng.randint(batch_size, 0, self._irs.shape[0], generator=generator, device=device)}

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        irs = self._irs_at(sr).to(wave.device)
        return convolve_same_level(wave, irs[params["ir"].to(wave.device)], lengths)
