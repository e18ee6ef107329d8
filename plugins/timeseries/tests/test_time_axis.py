"""Time warp, window warp, crops, permutation and reversal: values, lengths and labels follow."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

from omniaug import InputError
from omniaug.rng import make_generator
from omniaug_timeseries import Crop, Reverse, SegmentPermutation, SeriesBatch, TimeWarp, WindowSlice, WindowWarp
from omniaug_timeseries.series import view_of


def _np_warp(x: np.ndarray, path: np.ndarray) -> np.ndarray:
    return np.interp(path, np.arange(x.shape[-1]), x)


def test_time_warp_resamples_along_its_path(padded: SeriesBatch) -> None:
    op = TimeWarp(sigma=0.8)
    out, params = op.augment(padded, generator=make_generator(0))
    path = op.path(view_of(padded), params)
    for b, n in enumerate(padded.lengths.tolist()):
        p = path[b, 0, :n].double().numpy()
        assert p[0] == 0 and p[-1] == n - 1 and np.all(np.diff(p) > 0)
        for c in range(3):
            ref = _np_warp(padded.values[b, c, :n].double().numpy(), p)
            np.testing.assert_allclose(out.values[b, c, :n].numpy(), ref, atol=1e-5)
        # labels: nearest input step, never interpolated
        np.testing.assert_array_equal(out.labels[b, :n].numpy(), padded.labels[b, np.rint(p).astype(int)].numpy())
        # padding untouched
        assert torch.equal(out.values[b, :, n:], padded.values[b, :, n:])
        assert torch.equal(out.labels[b, n:], padded.labels[b, n:])
    assert torch.equal(out.lengths, padded.lengths)
    assert set(out.labels.unique().tolist()) <= set(padded.labels.unique().tolist())


def test_time_warp_per_channel_paths_differ(series: torch.Tensor) -> None:
    op = TimeWarp(sigma=0.5, per_channel=True)
    params = op.sample_params(series, generator=make_generator(1))
    path = op.path(view_of(series), params)
    assert path.shape == (8, 3, 50)
    assert not torch.allclose(path[:, 0], path[:, 1])


def test_time_warp_large_sigma_paths_stay_monotone(padded: SeriesBatch) -> None:
    op = TimeWarp(sigma=100.0, knots=8)
    for seed in range(50):
        params = op.sample_params(padded, generator=make_generator(seed))
        path = op.path(view_of(padded), params)
        for b, n in enumerate(padded.lengths.tolist()):
            p = path[b, 0, :n]
            assert p[0] == 0 and p[-1] == n - 1 and bool((p.diff() > 0).all())


def test_window_warp_path_slopes(series: torch.Tensor) -> None:
    op = WindowWarp(window=0.3, scales=[2.0])
    out, params = op.augment(series, generator=make_generator(2))
    path = op.path(view_of(series), params)[:, 0].double()
    assert bool((path.diff(dim=-1) > 0).all())
    assert bool((path[:, 0] == 0).all()) and bool((path[:, -1] == 49).all())
    slopes = path.diff(dim=-1)
    # inside the window time runs at 1/scale of the speed outside it
    ratio = slopes.min(-1).values / slopes.max(-1).values
    torch.testing.assert_close(ratio, torch.full_like(ratio, 0.5), atol=1e-4, rtol=0)  # float32 path
    for b in range(8):
        ref = _np_warp(series[b, 0].double().numpy(), path[b].numpy())
        np.testing.assert_allclose(out[b, 0].numpy(), ref, atol=1e-5)


def test_crop_resize_stretches_the_window(padded: SeriesBatch) -> None:
    op = Crop(size=[0.5, 0.8], resize=True)
    out, params = op.augment(padded, generator=make_generator(3))
    start, width = op.window(view_of(padded), params)
    for b, n in enumerate(padded.lengths.tolist()):
        s, w = int(start[b]), int(width[b])
        assert 0 <= s and s + w <= n and w >= round(0.5 * n) - 1
        pos = s + np.arange(n) * (w - 1) / (n - 1)
        ref = np.interp(pos, np.arange(n), padded.values[b, 1, :n].double().numpy())
        np.testing.assert_allclose(out.values[b, 1, :n].numpy(), ref, atol=1e-5)
        np.testing.assert_array_equal(out.labels[b, :n].numpy(), padded.labels[b, np.rint(pos).astype(int)].numpy())
        assert torch.equal(out.values[b, :, n:], padded.values[b, :, n:])
    assert torch.equal(out.lengths, padded.lengths)


def test_crop_without_resize_shortens_lengths(padded: SeriesBatch) -> None:
    op = Crop(size=0.5, resize=False, fill=-9.0, label_fill=-7)
    out, params = op.augment(padded, generator=make_generator(4))
    start, width = op.window(view_of(padded), params)
    torch.testing.assert_close(out.lengths, width)
    for b in range(8):
        s, w = int(start[b]), int(width[b])
        assert torch.equal(out.values[b, :, :w], padded.values[b, :, s : s + w])
        assert torch.equal(out.labels[b, :w], padded.labels[b, s : s + w])
        assert bool((out.values[b, :, w:] == -9.0).all()) and bool((out.labels[b, w:] == -7).all())


def test_crop_without_resize_needs_lengths(series: torch.Tensor) -> None:
    with pytest.raises(InputError, match="lengths"):
        Crop(resize=False)(series, generator=make_generator(0))


def test_window_slice_is_a_resized_crop(series: torch.Tensor) -> None:
    a = WindowSlice(size=0.7)(series, generator=make_generator(5))
    b = Crop(size=0.7, resize=True)(series, generator=make_generator(5))
    torch.testing.assert_close(a, b)


def test_segment_permutation_moves_contiguous_segments(padded: SeriesBatch) -> None:
    op = SegmentPermutation(segments=4)
    out, params = op.augment(padded, generator=make_generator(6))
    src = op.source_steps(view_of(padded), params)
    for b, n in enumerate(padded.lengths.tolist()):
        s = src[b, :n]
        assert sorted(s.tolist()) == list(range(n)), "every valid step used exactly once"
        assert int((s.diff() != 1).sum()) <= 3, "at most segments - 1 jumps"
        assert torch.equal(out.values[b, :, :n], padded.values[b][:, s])
        assert torch.equal(out.labels[b, :n], padded.labels[b, s])
        assert torch.equal(out.values[b, :, n:], padded.values[b, :, n:])


def test_one_segment_is_identity(series: torch.Tensor) -> None:
    torch.testing.assert_close(SegmentPermutation(segments=1)(series, generator=make_generator(0)), series)


def test_reverse_flips_the_valid_part(padded: SeriesBatch) -> None:
    out = Reverse()(padded, generator=make_generator(0))
    for b, n in enumerate(padded.lengths.tolist()):
        assert torch.equal(out.values[b, :, :n], padded.values[b, :, :n].flip(-1))
        assert torch.equal(out.labels[b, :n], padded.labels[b, :n].flip(-1))
        assert torch.equal(out.values[b, :, n:], padded.values[b, :, n:])
    twice = Reverse()(out, generator=make_generator(0))
    assert torch.equal(twice.values, padded.values) and torch.equal(twice.labels, padded.labels)


def test_segment_permutation_never_cuts_an_empty_segment() -> None:
    """Issue #20 §4: 4 segments on 24 steps — distinct cuts (no empty piece), unchanged only for the identity order."""
    from omniaug_timeseries.datasets import load_dataset

    x = load_dataset("gunpoint").x_train[:50, :, :24].contiguous().repeat(40, 1, 1)  # 2000 real series of 24 steps
    op = SegmentPermutation(segments=4)
    out, params = op.augment(x, generator=make_generator(0))
    cuts = params["cuts"]
    assert bool((cuts.diff(dim=1) > 0).all()) and bool((cuts >= 1).all()) and bool((cuts <= 23).all())
    unchanged = (out == x).flatten(1).all(1).float().mean().item()
    identity = (params["order"] == torch.arange(4)).all(1).float().mean().item()
    assert abs(identity - 1 / 24) < 0.015, identity  # a uniform permutation of 4 pieces
    assert abs(unchanged - identity) < 0.005, (unchanged, identity)  # the old draws left 7.5 % unchanged


def test_segment_permutation_random_count_draws_one_to_k_pieces() -> None:
    series = torch.linspace(0, 1, 64).repeat(4000, 1, 1)
    op = SegmentPermutation(segments=5, random_count=True)
    out, params = op.augment(series, generator=make_generator(1))
    pieces = (params["cuts"] < 64).sum(1) + 1
    counts = torch.bincount(pieces, minlength=6)[1:].float() / 4000
    torch.testing.assert_close(counts, torch.full((5,), 0.2), atol=0.03, rtol=0)
    jumps = ((out[:, 0].diff(dim=1) - 1 / 63).abs() > 1e-4).sum(1)
    assert bool((jumps <= pieces - 1).all())
    assert torch.equal(op(series, params=params), out)


def _um_reference_path(t: int, sigma: float, knot: int, rs: Any) -> Any:
    """Um et al. 2017's DA_TimeWarp (their published construction, rewritten): speed spline → cumsum → inverse."""
    import numpy as np
    from scipy.interpolate import CubicSpline

    xx = np.arange(0, t, (t - 1) / (knot + 1))
    speed = CubicSpline(xx, rs.normal(1.0, sigma, size=knot + 2))(np.arange(t))
    tt = np.cumsum(speed)
    tt = tt * (t - 1) / tt[-1]
    return np.interp(np.arange(t), tt, np.arange(t))


def _iwana_reference_path(t: int, sigma: float, knot: int, rs: Any) -> Any:
    """Iwana & Uchida 2021's time_warp (rewritten): spline through randomly scaled knot times → inverse."""
    import numpy as np
    from scipy.interpolate import CubicSpline

    steps = np.linspace(0, t - 1.0, knot + 2)
    warp = CubicSpline(steps, steps * rs.normal(1.0, sigma, size=knot + 2))(np.arange(t))
    return np.interp(np.arange(t), np.clip((t - 1) / warp[-1] * warp, 0, t - 1), np.arange(t))


def test_time_warp_constructions_match_each_papers_displacement_on_gunpoint() -> None:
    """Issue #20 §4: mean |path(i) - i| at sigma = 0.2, 4 knots on GunPoint (150 steps), vs each paper's construction."""
    import numpy as np

    from omniaug_timeseries.datasets import load_dataset

    x = load_dataset("gunpoint").x_train[:50].repeat(20, 1, 1)
    t = x.shape[-1]
    rs = np.random.RandomState(0)
    reference = {
        "um": float(np.mean([np.abs(_um_reference_path(t, 0.2, 4, rs) - np.arange(t)).mean() for _ in range(1000)])),
        "iwana": float(
            np.mean([np.abs(_iwana_reference_path(t, 0.2, 4, rs) - np.arange(t)).mean() for _ in range(1000)])
        ),
    }
    ours = {}
    for construction in ("log_speed", "um", "iwana"):
        op = TimeWarp(0.2, 4, construction=construction)
        out, params = op.augment(x, generator=make_generator(0))
        path = op.path(view_of(x), params)
        assert bool((path.diff(dim=-1) >= 0).all()) and bool(torch.isfinite(out).all())
        assert float(path[..., 0].abs().max()) == 0.0 and float(path.max()) <= t - 1
        if construction != "iwana":  # Iwana & Uchida clip their map to [0, L - 1]: the end may be reached early
            torch.testing.assert_close(path[..., -1], torch.full_like(path[..., -1], t - 1.0))
        ours[construction] = float((path - torch.arange(t)).abs().mean())
        torch.testing.assert_close(op(x, params=params), out)
    # natural splines here, SciPy's not-a-knot in the papers' code: within 15 %
    assert abs(ours["um"] / reference["um"] - 1) < 0.15, (ours, reference)
    assert abs(ours["iwana"] / reference["iwana"] - 1) < 0.15, (ours, reference)
    assert ours["log_speed"] < reference["um"] < reference["iwana"] / 2, (ours, reference)  # the documented order
