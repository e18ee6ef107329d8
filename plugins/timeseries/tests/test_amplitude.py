"""Jitter, scaling, magnitude warp and drift against hand-computed oracles."""

from __future__ import annotations

import numpy as np
import torch
from scipy.interpolate import CubicSpline

from omniaug.rng import make_generator
from omniaug_timeseries import Drift, Jitter, MagnitudeWarp, Scaling, SeriesBatch
from omniaug_timeseries.series import view_of


def test_jitter_adds_scaled_noise(series: torch.Tensor) -> None:
    out, params = Jitter(sigma=0.5).augment(series, generator=make_generator(0))
    torch.testing.assert_close(out - series, params["noise"])
    assert abs(params["noise"].std().item() - 0.5) < 0.03


def test_relative_jitter_scales_noise_by_channel_std() -> None:
    x = torch.randn(4, 2, 4000, generator=make_generator(1)) * torch.tensor([1.0, 100.0]).view(1, 2, 1)
    out = Jitter(sigma=0.1, relative=True)(x, generator=make_generator(2))
    ratio = (out - x).std(-1) / x.std(-1)
    torch.testing.assert_close(ratio, torch.full_like(ratio, 0.1), atol=0.01, rtol=0)


def test_scaling_multiplies_each_channel(series: torch.Tensor) -> None:
    out, params = Scaling(sigma=0.3).augment(series, generator=make_generator(3))
    assert params["factor"].shape == (8, 3, 1)
    torch.testing.assert_close(out, series * params["factor"])
    shared = Scaling(sigma=0.3, per_channel=False).augment(series, generator=make_generator(3)).params["factor"]
    assert shared.shape == (8, 1, 1)


def test_magnitude_warp_is_exp_of_natural_spline(series: torch.Tensor) -> None:
    op = MagnitudeWarp(sigma=0.4, knots=3)
    out, params = op.augment(series, generator=make_generator(4))
    t = series.shape[-1]
    grid = np.linspace(0, 1, 5)
    for b in range(2):
        for c in range(3):
            log_curve = CubicSpline(grid, params["log_knots"][b, c].numpy(), bc_type="natural")(np.linspace(0, 1, t))
            curve = np.exp(np.clip(log_curve, -10, 10))
            np.testing.assert_allclose(out[b, c].numpy(), series[b, c].numpy() * curve, rtol=1e-4, atol=1e-5)


def test_magnitude_warp_curve_positive_even_for_huge_sigma(padded: SeriesBatch) -> None:
    op = MagnitudeWarp(sigma=40.0, knots=6)
    for seed in range(20):
        params = op.sample_params(padded, generator=make_generator(seed))
        curve = op.curve(view_of(padded), params)
        assert bool((curve > 0).all()) and bool(torch.isfinite(curve).all())


def test_magnitude_warp_curve_spans_each_valid_part(padded: SeriesBatch) -> None:
    op = MagnitudeWarp(sigma=0.5)
    params = op.sample_params(padded, generator=make_generator(5))
    curve = op.curve(view_of(padded), params)
    knots = params["log_knots"].clamp(-10, 10)
    first, last = torch.exp(knots[..., 0]), torch.exp(knots[..., -1])
    torch.testing.assert_close(curve[..., 0], first)
    idx = (padded.lengths - 1).view(-1, 1, 1).expand(-1, 3, 1)
    torch.testing.assert_close(curve.gather(2, idx)[..., 0], last)


def test_drift_starts_at_zero_and_is_bounded_by_range() -> None:
    x = torch.randn(16, 2, 301, generator=make_generator(6))  # knots fall on steps 0, 60, …, 300
    op = Drift(max_drift=0.4, points=5)
    out, params = op.augment(x, generator=make_generator(7))
    drift = out - x
    span = x.amax(-1) - x.amin(-1)
    torch.testing.assert_close(drift[..., 0], torch.zeros(16, 2), atol=1e-5, rtol=0)
    peak = drift.abs().amax(-1) / span
    torch.testing.assert_close(peak, params["amplitude"][..., 0], atol=1e-4, rtol=1e-4)
    assert bool((peak <= 0.4 + 1e-5).all())


def test_drift_is_piecewise_linear_through_the_walk() -> None:
    x = torch.zeros(3, 1, 101)
    op = Drift(max_drift=1.0, points=4, relative=False)
    out, params = op.augment(x, generator=make_generator(8))
    for b in range(3):
        walk = np.concatenate([[0.0], np.cumsum(params["steps"][b, 0].numpy())])
        walk = walk / np.abs(walk).max() * float(params["amplitude"][b, 0, 0])
        ref = np.interp(np.linspace(0, 1, 101), np.linspace(0, 1, 5), walk)
        np.testing.assert_allclose(out[b, 0].numpy(), ref, atol=1e-5)
