"""Time-axis warps: smooth random time warp and window warp.

Both build, per sample, a strictly increasing path from output steps to input
times with pinned ends, then resample values by one batched gather + lerp and
labels by nearest neighbour (:mod:`omniaug_timeseries.resample`).

References:
    Um et al. 2017 (time warping with a smooth random curve).
    Le Guennec, Malinowski & Tavenard 2016, "Data augmentation for time series
    classification using convolutional neural networks" (window warping).
    Iwana & Uchida 2021 (both, benchmarked).
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import InputError, Magnitude, Params, args, rng

from .base import SeriesAugmentation, check_count, check_positive, keep_label_padding
from .curves import warp_path
from .resample import interpolate, nearest
from .series import SeriesView, view_of

__all__ = ["TimeWarp", "WindowWarp", "resample_along"]


def resample_along(view: SeriesView, path: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Values read along ``path (B, 1|C, T)``; labels read (nearest) along the first path row."""
    values = interpolate(view.values, path, view.lengths, padded=view.padded)
    labels = None
    if view.labels is not None:
        labels = keep_label_padding(nearest(view.labels, path[:, 0], view.lengths), view.labels, view.lengths)
    return values, labels


class TimeWarp(SeriesAugmentation):
    """Smoothly speed up and slow down time (Um et al. 2017's "time warping").

    The local speed is ``exp(clamp(s, -3, 3))`` for a natural cubic spline ``s`` through
    ``knots + 2`` values ~ N(0, sigma); the warp path is the normalized cumulative sum
    of those positive speeds, so it is **strictly increasing by construction** and runs
    from exactly 0 to exactly ``L - 1`` for any sigma (see
    :func:`omniaug_timeseries.curves.warp_path`). The path is shared by all channels
    unless ``per_channel=True`` (labels then follow channel 0's path).

    Args:
        sigma: standard deviation of the log-speed at the knots.
        knots: number of interior knots.
        per_channel: an independent warp per channel.
    """

    name = "timeseries.time_warp"
    differentiable = True
    magnitude = Magnitude("sigma", 0.0, 0.6)
    moves_time = True

    @classmethod
    def example_instances(cls) -> list[Any]:
        return [cls(), cls(sigma=1.0, per_channel=True)]

    def __init__(
        self, sigma: float = 0.2, knots: int = 4, *, per_channel: bool = False, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.sigma = check_positive("sigma", sigma, self.name)
        self.knots = check_count("knots", knots, self.name, low=0)
        self.per_channel = bool(per_channel)

    def draw(self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device) -> dict[str, Any]:
        g = view_of(x).values.shape[1] if self.per_channel else 1
        shape = (g, self.knots + 2)
        return {"log_speed": rng.normal(batch_size, 0.0, self.sigma, shape=shape, generator=generator, device=device)}

    def path(self, view: SeriesView, params: Params) -> torch.Tensor:
        """The ``(B, 1|C, T)`` warp paths (input time read at each output step)."""
        return warp_path(params["log_speed"], view.lengths, view.values.shape[-1], padded=view.padded)

    def transform(self, view: SeriesView, params: Params) -> tuple[torch.Tensor, None, torch.Tensor | None]:
        values, labels = resample_along(view, self.path(view, params))
        return values, None, labels


class WindowWarp(SeriesAugmentation):
    """Stretch or squeeze one random window, then fit the series back to its length.

    A window of ``window`` of the valid length starts at a random place and is
    scaled by a factor picked per sample from ``scales`` (Le Guennec et al. 2016 use
    0.5 and 2); the whole valid part is then resampled to its original length. The
    path is piecewise linear, strictly increasing, with pinned ends.

    Args:
        window: window length as a fraction of the valid length.
        scales: the speed factors to choose from (each > 0).
    """

    name = "timeseries.window_warp"
    differentiable = True
    magnitude = Magnitude("window", 0.0, 0.3)
    moves_time = True

    def __init__(
        self,
        window: float = 0.1,
        scales: list[float] | None = None,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.window = args.fraction("window", window, where=self.name)
        scales = [0.5, 2.0] if scales is None else scales
        if not isinstance(scales, (list, tuple)) or not scales or not all(
            isinstance(s, (int, float)) and not isinstance(s, bool) and s > 0 for s in scales
        ):
            raise InputError("scales", "a non-empty list of positive numbers", scales, where=self.name)
        self.scales = [float(s) for s in scales]

    def draw(self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device) -> dict[str, Any]:
        pick = rng.randint(batch_size, 0, len(self.scales), generator=generator, device=device)
        scale = torch.tensor(self.scales, device=device)[pick]
        start = rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device)
        return {"start": start, "scale": scale}

    def path(self, view: SeriesView, params: Params) -> torch.Tensor:
        """The ``(B, 1, T)`` piecewise-linear warp path."""
        t = view.values.shape[-1]
        last = (view.lengths - 1).double().unsqueeze(1)  # (B, 1)
        w = self.window * last
        a = params["start"].double().unsqueeze(1) * (last - w)
        s = params["scale"].double().unsqueeze(1)
        span = last - w + w * s  # length of the warped time axis
        tau = torch.arange(t, device=view.lengths.device, dtype=torch.float64).unsqueeze(0) * span / last
        inside = a + (tau - a) / s
        after = tau - w * s + w
        src = torch.where(tau <= a, tau, torch.where(tau <= a + w * s, inside, after))
        steps = torch.arange(t, device=view.lengths.device, dtype=torch.float64).unsqueeze(0)
        src = torch.where(steps < view.lengths.unsqueeze(1), src, steps)
        return src.unsqueeze(1).to(torch.float32)

    def transform(self, view: SeriesView, params: Params) -> tuple[torch.Tensor, None, torch.Tensor | None]:
        values, labels = resample_along(view, self.path(view, params))
        return values, None, labels
