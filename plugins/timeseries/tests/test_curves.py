"""Smooth curves and warp paths against SciPy and by their defining properties."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.interpolate import CubicSpline

from omniaug.rng import make_generator
from omniaug_timeseries.curves import linear_knots, natural_spline, normalized_positions, smooth_curve, warp_path


@pytest.mark.parametrize("k", [3, 4, 6, 9])
def test_natural_spline_matches_scipy(k: int) -> None:
    g = make_generator(k)
    knots = torch.randn(2, 3, k, generator=g, dtype=torch.float64)
    u = torch.rand(2, 200, generator=g, dtype=torch.float64)
    got = natural_spline(knots, u)
    grid = np.linspace(0.0, 1.0, k)
    for b in range(2):
        for c in range(3):
            ref = CubicSpline(grid, knots[b, c].numpy(), bc_type="natural")(u[b].numpy())
            np.testing.assert_allclose(got[b, c].numpy(), ref, atol=1e-10)


def test_linear_knots_matches_numpy_interp() -> None:
    g = make_generator(1)
    knots = torch.randn(3, 2, 5, generator=g, dtype=torch.float64)
    u = torch.rand(3, 100, generator=g, dtype=torch.float64)
    got = linear_knots(knots, u)
    grid = np.linspace(0.0, 1.0, 5)
    for b in range(3):
        for c in range(2):
            np.testing.assert_allclose(
                got[b, c].numpy(), np.interp(u[b].numpy(), grid, knots[b, c].numpy()), atol=1e-12
            )


@pytest.mark.parametrize("kind", ["spline", "linear"])
def test_cached_basis_equals_per_sample_gathers(kind: str) -> None:
    knots = torch.randn(4, 3, 6, generator=make_generator(2))
    lengths = torch.full((4,), 77)
    fast = smooth_curve(knots, lengths, 77, padded=False, kind=kind, offset=-0.5)
    slow = smooth_curve(knots, lengths, 77, padded=True, kind=kind, offset=-0.5)
    torch.testing.assert_close(fast, slow, atol=1e-5, rtol=1e-5)


def test_normalized_positions_span_the_valid_part() -> None:
    u = normalized_positions(torch.tensor([5, 3]), 5)
    torch.testing.assert_close(u[0], torch.tensor([0.0, 0.25, 0.5, 0.75, 1.0]))
    torch.testing.assert_close(u[1], torch.tensor([0.0, 0.5, 1.0, 1.0, 1.0]))


@settings(max_examples=60, deadline=None, database=None)  # no .hypothesis/ in the repo
@given(
    seed=st.integers(0, 2**31),
    sigma=st.sampled_from([0.01, 0.2, 1.0, 5.0, 50.0, 1e4]),
    knots=st.integers(0, 12),
    t=st.integers(2, 3000),
    padded=st.booleans(),
    channels=st.integers(1, 3),
)
def test_warp_paths_strictly_increasing_with_exact_ends(
    seed: int, sigma: float, knots: int, t: int, padded: bool, channels: int
) -> None:
    g = make_generator(seed)
    b = 5
    log_speed = torch.randn(b, channels, knots + 2, generator=g) * sigma
    lengths = torch.randint(2, t + 1, (b,), generator=g) if padded else torch.full((b,), t)
    path = warp_path(log_speed, lengths, t, padded=padded)
    assert path.shape == (b, channels, t)
    assert torch.isfinite(path).all()
    for i, n in enumerate(lengths.tolist()):
        p = path[i, :, :n]
        assert bool((p[:, 0] == 0).all()), "path must start exactly at 0"
        assert bool((p[:, -1] == n - 1).all()), "path must end exactly at L - 1"
        assert bool((p.diff(dim=-1) > 0).all()), "path must be strictly increasing"


def test_warp_path_is_identity_for_zero_sigma() -> None:
    path = warp_path(torch.zeros(2, 1, 6), torch.tensor([10, 7]), 10)
    torch.testing.assert_close(path[0, 0], torch.arange(10.0))
    torch.testing.assert_close(path[1, 0, :7], torch.arange(7.0))
