"""Value filters: quantization and Gaussian smoothing.

References:
    Iwana & Uchida 2021 (smoothing and quantization-like magnitude transforms);
    Wen et al. 2021, "Time series data augmentation for deep learning: a survey".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from omniaug import InputError, Magnitude, Params, args, rng

from ..series import SeriesView, valid_mask
from .base import SeriesAugmentation, channel_range

__all__ = ["Quantize", "Smoothing"]


class Quantize(SeriesAugmentation):
    """Snap each channel to evenly spaced levels between its valid-part minimum and maximum.

    The number of levels is drawn per sample uniformly in ``levels = (low, high)``
    (a number is the fixed count); fewer levels is stronger, so a policy's magnitude
    lowers ``levels`` from ``(256, 512)`` (≈ identity) to ``(4, 8)``.

    Args:
        levels: ``(low, high)`` level counts (integers >= 2), or one fixed count.
    """

    name = "timeseries.quantize"
    differentiable = False  # rounds to levels: zero gradient almost everywhere
    magnitude = Magnitude("levels", (256, 512), (4, 8), integer=True)

    def __init__(self, levels: int | Sequence[int] = (16, 32), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        pair = levels if isinstance(levels, (list, tuple)) else (levels, levels)
        if len(pair) != 2:
            raise InputError("levels", "an integer >= 2 or a (low, high) pair of them", levels, where=self.name)
        lo = args.integer("levels", pair[0], low=2, where=self.name)
        hi = args.integer("levels", pair[1], low=lo, where=self.name)
        self.levels = (lo, hi)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "levels": rng.randint(batch_size, self.levels[0], self.levels[1] + 1, generator=generator, device=device)
        }

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        lo, hi = channel_range(view)
        steps = (params["levels"].to(view.values.device) - 1).view(-1, 1, 1).to(view.values.dtype)
        span = (hi - lo).clamp_min(torch.finfo(view.values.dtype).tiny)
        q = torch.round((view.values - lo) / span * steps) / steps
        return lo + q * (hi - lo)


class Smoothing(SeriesAugmentation):
    """Gaussian smoothing with a per-sample width drawn uniformly in ``[0, sigma]`` steps.

    One grouped ``conv1d`` smooths every sample and channel with its own kernel.
    Near the ends of the valid part the kernel is renormalized over the valid
    steps (normalized convolution), so edges are not pulled towards the padding.

    Args:
        sigma: largest Gaussian standard deviation, in time steps.
    """

    name = "timeseries.smoothing"
    differentiable = True
    magnitude = Magnitude("sigma", 0.0, 4.0)

    def __init__(self, sigma: float = 2.0, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.sigma = args.non_negative("sigma", sigma, where=self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"sigma": rng.uniform(batch_size, 0.0, self.sigma, generator=generator, device=device)}

    def kernels(self, sigma: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """``(B, K)`` normalized Gaussian kernels (a delta where sigma is ~0)."""
        radius = max(1, math.ceil(3 * self.sigma))
        offsets = torch.arange(-radius, radius + 1, device=sigma.device, dtype=dtype)
        s = sigma.to(dtype).clamp_min(1e-3).unsqueeze(1)
        w = torch.exp(-0.5 * (offsets / s) ** 2)
        return w / w.sum(1, keepdim=True)

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        b, c, t = view.values.shape
        w = self.kernels(params["sigma"].to(view.values.device), view.values.dtype)
        k = w.shape[1]
        weight = w.repeat_interleave(c, dim=0).unsqueeze(1)  # (B*C, 1, K)
        mask = valid_mask(view.lengths, t).to(view.values.dtype).expand(b, c, t)
        num = F.conv1d((view.values * mask).reshape(1, b * c, t), weight, padding=k // 2, groups=b * c)
        den = F.conv1d(mask.reshape(1, b * c, t), weight, padding=k // 2, groups=b * c)
        return (num / den.clamp_min(1e-12)).reshape(b, c, t)
