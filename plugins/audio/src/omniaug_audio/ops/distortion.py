"""Non-linear ops and level normalization: clipping, tanh distortion, bit crush, peak/loudness normalize."""

from __future__ import annotations

from typing import Any

import torch

from omniaug import Magnitude, args, rng

from ..dsp import db_to_amplitude, masked_power
from ..loudness import integrated_loudness
from ..payload import valid_mask
from .base import WaveformOp

__all__ = ["Clipping", "TanhDistortion", "BitCrush", "PeakNormalize", "LoudnessNormalize"]


def _col(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return v.to(like.dtype).reshape(-1, 1, 1)


def _peak(wave: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Per-example peak ``|x|`` over the valid region, ``(B, 1, 1)``."""
    return (wave.abs() * valid_mask(wave, lengths)).amax(dim=(1, 2), keepdim=True)


class Clipping(WaveformOp):
    """Hard-clip at a threshold that is a fraction ``level`` of each example's peak."""

    name = "audio.clipping"
    differentiable = True
    magnitude = Magnitude("level", (1.0, 1.0), (0.2, 1.0))

    def __init__(self, level: Any = (0.3, 0.9), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.level = args.value_range("level", level, bounds=(0.0, 1.0), scalar="fixed", where="Clipping")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"level": rng.uniform(batch_size, *self.level, generator=generator, device=device)}

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        threshold = _col(params["level"], wave) * _peak(wave, lengths)
        return torch.maximum(torch.minimum(wave, threshold), -threshold)


class TanhDistortion(WaveformOp):
    """Soft saturation ``tanh(g·x)`` with pre-gain ``g`` drawn in dB from ``drive_db``,
    rescaled to the input's power (so it changes timbre, not loudness)."""

    name = "audio.tanh_distortion"
    differentiable = True
    magnitude = Magnitude("drive_db", (0.0, 0.0), (0.0, 24.0))

    def __init__(self, drive_db: Any = (0.0, 20.0), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.drive_db = args.value_range(
            "drive_db", drive_db, bounds=(-40.0, 60.0), scalar="fixed", where="TanhDistortion"
        )

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"drive_db": rng.uniform(batch_size, *self.drive_db, generator=generator, device=device)}

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        valid = valid_mask(wave, lengths)
        y = torch.tanh(wave * _col(db_to_amplitude(params["drive_db"]), wave))
        p_in, p_out = masked_power(wave, valid), masked_power(y, valid)
        scale = torch.where(p_out > 0, (p_in / p_out.clamp_min(1e-30)).sqrt(), torch.zeros_like(p_out))
        return y * _col(scale, wave)


class BitCrush(WaveformOp):
    """Quantize to ``bits`` bits (an integer drawn per example from the inclusive range)."""

    name = "audio.bit_crush"
    differentiable = False  # quantizes: zero gradient almost everywhere
    magnitude = Magnitude("bits", (16, 16), (4, 16), integer=True)

    def __init__(self, bits: Any = (4, 10), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        lo, hi = args.value_range("bits", bits, bounds=(1.0, 32.0), scalar="fixed", where="BitCrush")
        self.bits = (int(lo), int(hi))

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"bits": rng.randint(batch_size, self.bits[0], self.bits[1] + 1, generator=generator, device=device)}

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        steps = _col(2.0 ** (params["bits"].to(torch.float64) - 1), wave)
        return torch.round(wave * steps) / steps


class PeakNormalize(WaveformOp):
    """Scale each example so its peak is ``target_db`` dBFS (drawn per example); silence stays silent."""

    name = "audio.peak_normalize"
    differentiable = True
    in_policies = False

    def __init__(self, target_db: Any = (-6.0, 0.0), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.target_db = args.value_range(
            "target_db", target_db, bounds=(-120.0, 40.0), scalar="fixed", where="PeakNormalize"
        )

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"target_db": rng.uniform(batch_size, *self.target_db, generator=generator, device=device)}

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        peak = _peak(wave, lengths)
        gain = torch.where(peak > 0, _col(db_to_amplitude(params["target_db"]), wave) / peak.clamp_min(1e-30), 1.0)
        return wave * gain


class LoudnessNormalize(WaveformOp):
    """Scale each example to a loudness of ``target_db`` over its valid region.

    ``measure="lufs"`` (default) uses the gated integrated loudness of ITU-R BS.1770-4
    (K-weighted, 400 ms blocks, absolute and relative gates; see
    :mod:`omniaug_audio.loudness`), so ``target_db`` is in LUFS — what broadcast and
    streaming loudness targets mean. ``measure="rms"`` uses the unweighted RMS level in
    dBFS instead (cheaper, and defined for clips of any length). One gain per example
    either way, so the result measures exactly ``target_db``; silence stays silent.
    """

    name = "audio.loudness_normalize"
    differentiable = True
    in_policies = False

    def __init__(
        self, target_db: Any = (-30.0, -18.0), *, measure: str = "lufs", p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.target_db = args.value_range(
            "target_db", target_db, bounds=(-120.0, 40.0), scalar="fixed", where="LoudnessNormalize"
        )
        self.measure = args.choice("measure", measure, ("lufs", "rms"), where="LoudnessNormalize")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"target_db": rng.uniform(batch_size, *self.target_db, generator=generator, device=device)}

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        if self.measure == "lufs":
            level_db = integrated_loudness(wave, sr, lengths).reshape(-1, 1, 1)
            gain = torch.where(
                torch.isfinite(level_db),
                db_to_amplitude(_col(params["target_db"], wave) - level_db.to(wave.dtype)),
                1.0,
            )
            return wave * gain
        rms = masked_power(wave, valid_mask(wave, lengths)).sqrt().reshape(-1, 1, 1)
        gain = torch.where(rms > 0, _col(db_to_amplitude(params["target_db"]), wave) / rms.clamp_min(1e-30), 1.0)
        return wave * gain
