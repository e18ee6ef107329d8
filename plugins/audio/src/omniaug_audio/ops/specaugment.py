"""SpecAugment (Park et al. 2019) on spectrogram batches ``(B, C, F, T)``: frequency and time
masking and time warping, each example with its own masks, never touching the padding."""

from __future__ import annotations

from typing import Any

import torch

from omniaug import Magnitude, args, rng

from ..payload import full_lengths, repack_spec, unpack_spec
from .base import SpectrogramOp

__all__ = ["FrequencyMask", "SpecTimeMask", "TimeWarp"]


def _fill_arg(fill: Any, where: str) -> float | str:
    """A mask fill: a finite number, or ``"mean"`` (each example's own mean over its valid frames)."""
    return "mean" if fill == "mean" else args.finite("fill", fill, where=where)


def _frames_mask(spec: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """``(B, 1, 1, T)`` True on each example's valid frames."""
    t = torch.arange(spec.shape[-1], device=spec.device)
    return (t.unsqueeze(0) < lengths.unsqueeze(1)).reshape(spec.shape[0], 1, 1, -1)


def _fill(spec: torch.Tensor, region: torch.Tensor, valid: torch.Tensor, mode: float | str) -> torch.Tensor:
    """Set ``region`` (broadcastable bool) of ``spec`` to a constant or to each example's own mean over its valid frames."""
    if mode != "mean":
        value = torch.full((), float(mode), dtype=spec.dtype, device=spec.device)
    else:
        count = (valid.sum(dim=(1, 2, 3)) * spec.shape[1] * spec.shape[2]).clamp_min(1)
        value = ((spec * valid).sum(dim=(1, 2, 3)) / count).reshape(-1, 1, 1, 1).to(spec.dtype)
    return torch.where(region & valid, value, spec)


def _spans(
    u_width: torch.Tensor, u_start: torch.Tensor, max_width: torch.Tensor, extent: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Integer ``(start, width)`` per example and mask: ``width ∈ [0, max_width]``, span inside ``[0, extent)``."""
    max_w = torch.minimum(max_width, extent).unsqueeze(-1).to(torch.float64)
    width = torch.floor(u_width.to(torch.float64) * (max_w + 1)).long()
    start = torch.floor(u_start.to(torch.float64) * (extent.unsqueeze(-1) - width + 1).to(torch.float64)).long()
    return start, width


class FrequencyMask(SpectrogramOp):
    """Mask ``num_masks`` bands of up to ``max_width`` frequency bins per example."""

    name = "spectrogram.frequency_mask"
    differentiable = True
    magnitude = Magnitude("max_width", 0, 27, integer=True)

    def __init__(
        self,
        max_width: int = 15,
        num_masks: int = 2,
        fill: float | str = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.max_width = args.integer("max_width", max_width, low=0, where="FrequencyMask")
        self.num_masks = args.integer("num_masks", num_masks, low=1, where="FrequencyMask")
        self.fill = _fill_arg(fill, "FrequencyMask")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        shape = (self.num_masks,)
        return {
            "u_width": rng.uniform(batch_size, 0.0, 1.0, shape=shape, generator=generator, device=device),
            "u_start": rng.uniform(batch_size, 0.0, 1.0, shape=shape, generator=generator, device=device),
        }

    def kernel(self, x: Any, params: Any) -> Any:
        spec, lengths = unpack_spec(x)
        n_freq = spec.shape[2]
        bsz = spec.shape[0]
        extent = torch.full((bsz,), n_freq, device=spec.device)
        start, width = _spans(params["u_width"], params["u_start"], torch.full_like(extent, self.max_width), extent)
        f = torch.arange(n_freq, device=spec.device).reshape(1, 1, -1)
        band = ((f >= start.unsqueeze(-1)) & (f < (start + width).unsqueeze(-1))).any(1)  # (B, F)
        valid = _frames_mask(spec, full_lengths(spec, lengths))
        return repack_spec(x, _fill(spec, band.reshape(bsz, 1, n_freq, 1), valid, self.fill))


class SpecTimeMask(SpectrogramOp):
    """Mask ``num_masks`` spans of up to ``max_width`` frames per example, each at most
    ``max_fraction`` of that example's valid length (SpecAugment's upper bound ``p``)."""

    name = "spectrogram.time_mask"
    differentiable = True
    magnitude = Magnitude("max_width", 0, 40, integer=True)

    def __init__(
        self,
        max_width: int = 20,
        num_masks: int = 2,
        max_fraction: float = 1.0,
        fill: float | str = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.max_width = args.integer("max_width", max_width, low=0, where="SpecTimeMask")
        self.num_masks = args.integer("num_masks", num_masks, low=1, where="SpecTimeMask")
        self.max_fraction = args.fraction("max_fraction", max_fraction, where="SpecTimeMask")
        self.fill = _fill_arg(fill, "SpecTimeMask")

    draw = FrequencyMask.draw

    def kernel(self, x: Any, params: Any) -> Any:
        spec, lengths = unpack_spec(x)
        lens = full_lengths(spec, lengths)
        cap = torch.floor(lens.to(torch.float64) * self.max_fraction).long().clamp_max(self.max_width)
        start, width = _spans(params["u_width"], params["u_start"], cap, lens)
        t = torch.arange(spec.shape[-1], device=spec.device).reshape(1, 1, -1)
        span = ((t >= start.unsqueeze(-1)) & (t < (start + width).unsqueeze(-1))).any(1)  # (B, T)
        valid = _frames_mask(spec, lens)
        return repack_spec(x, _fill(spec, span.reshape(spec.shape[0], 1, 1, -1), valid, self.fill))


class TimeWarp(SpectrogramOp):
    """Warp the time axis: the frame at a random centre ``c`` moves by ``d ∈ [-max_warp, max_warp]``,
    the two sides stretch linearly to fit (linear interpolation between frames); only the
    valid frames move, and examples shorter than ``2·max_warp + 1`` frames are left as they are."""

    name = "spectrogram.time_warp"
    differentiable = True
    magnitude = Magnitude("max_warp", 0, 10, integer=True)

    def __init__(self, max_warp: int = 5, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.max_warp = args.integer("max_warp", max_warp, low=0, where="TimeWarp")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {
            "u_center": rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device),
            "u_shift": rng.uniform(batch_size, -1.0, 1.0, generator=generator, device=device),
        }

    def kernel(self, x: Any, params: Any) -> Any:
        spec, lengths = unpack_spec(x)
        lens = full_lengths(spec, lengths).to(torch.float64)
        w = float(self.max_warp)
        last = (lens - 1).clamp_min(0).unsqueeze(1)
        can = (lens > 2 * w + 1).unsqueeze(1)
        centre = torch.floor(
            w + params["u_center"].to(torch.float64).unsqueeze(1) * (lens.unsqueeze(1) - 2 * w - 1).clamp_min(0)
        )
        moved = centre + torch.round(params["u_shift"].to(torch.float64).unsqueeze(1) * w)
        t = torch.arange(spec.shape[-1], device=spec.device, dtype=torch.float64).unsqueeze(0)
        left = t * centre / moved.clamp_min(1e-9)
        right = centre + (t - moved) * (last - centre) / (last - moved).clamp_min(1e-9)
        src = torch.where(t <= moved, left, right)
        src = torch.where(can & (t <= last), src, t).clamp(0, spec.shape[-1] - 1)
        i0 = src.floor().long()
        i1 = (i0 + 1).clamp_max(spec.shape[-1] - 1)
        frac = (src - i0).to(spec.dtype).reshape(spec.shape[0], 1, 1, -1)
        shape = (spec.shape[0], spec.shape[1], spec.shape[2], spec.shape[-1])
        g0 = spec.gather(-1, i0.reshape(spec.shape[0], 1, 1, -1).expand(shape))
        g1 = spec.gather(-1, i1.reshape(spec.shape[0], 1, 1, -1).expand(shape))
        return repack_spec(x, g0 + frac * (g1 - g0))
