"""Amplitude ops: jitter, scaling, magnitude warp and drift.

References:
    Um et al. 2017, "Data augmentation of wearable sensor data for Parkinson's disease
    monitoring using convolutional neural networks" (jittering, scaling, magnitude warp).
    Iwana & Uchida 2021, "An empirical survey of data augmentation for time series
    classification with neural networks" (the same families, benchmarked).
    Abbaspourazad et al. 2024, "Large-scale training of foundation models for wearable
    biosignals" (Gaussian noise and magnitude warp in the pre-training pipeline).
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import Magnitude, Params, args, rng

from ..curves import knot_sum, linear_basis, smooth_curve
from ..series import SeriesView, view_of
from .base import SeriesAugmentation, channel_range, channel_std

__all__ = ["Jitter", "Scaling", "MagnitudeWarp", "Drift", "MAX_LOG_GAIN"]

#: magnitude-warp log-gains are clamped to [-MAX_LOG_GAIN, MAX_LOG_GAIN]
MAX_LOG_GAIN = 10.0


class Jitter(SeriesAugmentation):
    """Add Gaussian noise to every valid step (Um et al. 2017's "jittering").

    Args:
        sigma: noise standard deviation, in the series' units, or — with
            ``relative=True`` — as a fraction of each channel's own standard deviation
            over its valid part (so channels of different units get proportional noise).
        relative: scale the noise per channel as described above.
    """

    name = "timeseries.jitter"
    differentiable = True
    magnitude = Magnitude("sigma", 0.0, 0.1)

    @classmethod
    def example_instances(cls) -> list[Any]:
        return [cls(), cls(relative=True)]

    def __init__(
        self, sigma: float = 0.03, *, relative: bool = False, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.sigma = args.non_negative("sigma", sigma, where=self.name)
        self.relative = bool(relative)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        _, c, t = view_of(x).values.shape
        noise = rng.normal(batch_size, 0.0, self.sigma, shape=(c, t), generator=generator, device=device)
        return {"noise": noise}

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        noise = params["noise"].to(view.values.dtype)
        if self.relative:
            return torch.addcmul(view.values, noise, channel_std(view))
        return view.values + noise


class Scaling(SeriesAugmentation):
    """Multiply each series by a random factor ~ N(1, sigma) (Um et al. 2017's "scaling").

    Args:
        sigma: standard deviation of the factor.
        per_channel: one factor per channel (default) or one per sample.
    """

    name = "timeseries.scaling"
    differentiable = True
    magnitude = Magnitude("sigma", 0.0, 0.5)

    def __init__(
        self, sigma: float = 0.1, *, per_channel: bool = True, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.sigma = args.non_negative("sigma", sigma, where=self.name)
        self.per_channel = bool(per_channel)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        c = view_of(x).values.shape[1] if self.per_channel else 1
        return {"factor": rng.normal(batch_size, 1.0, self.sigma, shape=(c, 1), generator=generator, device=device)}

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        return view.values * params["factor"].to(view.values.dtype)


class MagnitudeWarp(SeriesAugmentation):
    """Multiply by a smooth random curve (Um et al. 2017's "magnitude warping").

    The curve is ``exp(clamp(s(t), -10, 10))`` where ``s`` is a natural cubic spline
    through ``knots + 2`` evenly spaced values ~ N(0, sigma) over each series' valid
    part. Um et al. draw knots ~ N(1, sigma) and use the spline itself, which dips
    below 0 for large sigma; the exponential keeps the curve **strictly positive**, and
    the clamp keeps it inside ``[e^-10, e^10]`` so it neither underflows to 0 nor
    overflows in float32 at any sigma. For small sigma it is ≈ 1 + s.

    Args:
        sigma: standard deviation of the log-curve at the knots.
        knots: number of interior knots (the curve's wiggliness).
        per_channel: one curve per channel (default, as Um et al.) or one shared curve.
    """

    name = "timeseries.magnitude_warp"
    differentiable = True
    magnitude = Magnitude("sigma", 0.0, 0.5)

    @classmethod
    def example_instances(cls) -> list[Any]:
        return [cls(), cls(per_channel=False)]

    def __init__(
        self,
        sigma: float = 0.2,
        knots: int = 4,
        *,
        per_channel: bool = True,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.sigma = args.non_negative("sigma", sigma, where=self.name)
        self.knots = args.integer("knots", knots, low=0, high=256, where=self.name)
        self.per_channel = bool(per_channel)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        g = view_of(x).values.shape[1] if self.per_channel else 1
        shape = (g, self.knots + 2)
        return {"log_knots": rng.normal(batch_size, 0.0, self.sigma, shape=shape, generator=generator, device=device)}

    def curve(self, view: SeriesView, params: Params) -> torch.Tensor:
        """The ``(B, 1|C, T)`` multiplicative curve (strictly positive)."""
        knots = params["log_knots"].float()
        log_curve = smooth_curve(knots, view.lengths, view.values.shape[-1], padded=view.padded)
        return log_curve.clamp_(-MAX_LOG_GAIN, MAX_LOG_GAIN).exp_()

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        return view.values * self.curve(view, params).to(view.values.dtype)


class Drift(SeriesAugmentation):
    """Add a slow random drift: a piecewise-linear random walk through a few points.

    The walk starts at 0, is normalized to a peak of 1 and scaled by an amplitude
    drawn uniformly in ``[0, max_drift]`` per sample (and channel), times the channel's
    value range over its valid part when ``relative=True`` (tsaug's ``Drift`` idea,
    written batched: one gather + lerp for the whole batch).

    Args:
        max_drift: largest amplitude (a fraction of the channel's range when relative).
        points: number of drift points after the start.
        per_channel: independent drift per channel (default) or one shared drift.
        relative: scale by the channel's value range (default) instead of absolute units.
    """

    name = "timeseries.drift"
    differentiable = True
    magnitude = Magnitude("max_drift", 0.0, 0.5)

    def __init__(
        self,
        max_drift: float = 0.3,
        points: int = 4,
        *,
        per_channel: bool = True,
        relative: bool = True,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.max_drift = args.non_negative("max_drift", max_drift, where=self.name)
        self.points = args.integer("points", points, low=1, high=256, where=self.name)
        self.per_channel = bool(per_channel)
        self.relative = bool(relative)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        g = view_of(x).values.shape[1] if self.per_channel else 1
        steps = rng.normal(batch_size, 0.0, 1.0, shape=(g, self.points), generator=generator, device=device)
        amplitude = rng.uniform(batch_size, 0.0, self.max_drift, shape=(g, 1), generator=generator, device=device)
        return {"steps": steps, "amplitude": amplitude}

    def knot_values(self, params: Params) -> torch.Tensor:
        """``(B, 1|C, points + 1)`` drift at the knots: a walk from 0 with peak ``amplitude``."""
        walk = torch.nn.functional.pad(params["steps"].float().cumsum(-1), (1, 0))  # starts at 0
        peak = walk.abs().amax(-1, keepdim=True).clamp_min_(1e-12)
        return walk.mul_(params["amplitude"].float() / peak)

    def curve(self, view: SeriesView, params: Params) -> torch.Tensor:
        """The additive ``(B, 1|C, T)`` drift (before the per-channel range scale)."""
        knots = self.knot_values(params)
        return smooth_curve(knots, view.lengths, view.values.shape[-1], padded=view.padded, kind="linear")

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        values = view.values
        if not view.padded:  # values + knots @ basis, the product as a fixed-order sum (batch-invariant: knot_sum)
            t = values.shape[-1]
            # the walk's first knot is 0, so its basis row drops out (no padding op)
            walk = params["steps"].to(values.dtype).cumsum(-1)
            peak = walk.abs().amax(-1, keepdim=True).clamp_min_(1e-12)
            scale = params["amplitude"].to(values.dtype) / peak
            if self.relative:
                lo, hi = channel_range(view)
                scale = scale * (hi - lo)  # scaling the knots scales the (linear-in-knots) curve
            basis = linear_basis(walk.shape[-1] + 1, t, values.dtype, values.device)[1:]
            return values + knot_sum(walk * scale, basis)  # (B, 1|C, T), broadcast over channels
        knots = self.knot_values(params).to(values.dtype)
        if self.relative:
            lo, hi = channel_range(view)
            knots = knots * (hi - lo)
        return values + smooth_curve(knots, view.lengths, values.shape[-1], padded=True, kind="linear")
