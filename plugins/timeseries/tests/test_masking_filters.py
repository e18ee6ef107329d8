"""Cutout, dropout, quantization, smoothing and the frequency-domain ops."""

from __future__ import annotations

import numpy as np
import torch

from omniaug.rng import make_generator
from omniaug_timeseries import (
    ChannelDropout,
    FrequencyMask,
    FrequencyNoise,
    Quantize,
    SeriesBatch,
    Smoothing,
    TimeCutout,
    TimeDropout,
)
from omniaug_timeseries.series import view_of


def test_time_cutout_fills_one_window_inside_the_valid_part(padded: SeriesBatch) -> None:
    x = SeriesBatch(padded.values + 10.0, padded.lengths, padded.labels)  # no natural zeros
    op = TimeCutout(max_size=0.3)
    out, params = op.augment(x, generator=make_generator(0))
    for b, n in enumerate(x.lengths.tolist()):
        cut = (out.values[b] == 0).all(0)
        idx = cut.nonzero().flatten()
        assert idx.numel() <= round(0.3 * n)
        if idx.numel():
            assert int(idx[-1] - idx[0]) + 1 == idx.numel(), "one contiguous window"
            assert int(idx[-1]) < n
        assert torch.equal(out.values[b][:, ~cut], x.values[b][:, ~cut])
        expected = int((params["size"][b].double() * n).round())
        assert idx.numel() == expected
    assert torch.equal(out.labels, x.labels)


def test_time_dropout_rate_and_mask() -> None:
    x = torch.ones(64, 2, 500)
    out, params = TimeDropout(rate=0.2, fill=-1.0).augment(x, generator=make_generator(1))
    dropped = out[:, 0] == -1.0
    assert torch.equal(dropped, params["drop"][:, 0])
    assert torch.equal(out[:, 0] == -1.0, out[:, 1] == -1.0), "a dropped step drops every channel"
    assert abs(dropped.float().mean().item() - 0.2) < 0.01


def test_channel_dropout_drops_whole_channels() -> None:
    x = torch.ones(256, 4, 30)
    out, params = ChannelDropout(rate=0.25).augment(x, generator=make_generator(2))
    gone = (out == 0).all(-1)
    assert torch.equal(gone, params["drop"][..., 0])
    assert bool(((out == 0) | (out == 1)).all())
    assert abs(gone.float().mean().item() - 0.25) < 0.04


def test_quantize_levels_and_error(series: torch.Tensor) -> None:
    op = Quantize(levels=(3, 8))
    out, params = op.augment(series, generator=make_generator(3))
    lo, hi = series.amin(-1, keepdim=True), series.amax(-1, keepdim=True)
    step = (hi - lo) / (params["levels"].view(-1, 1, 1) - 1)
    assert bool(((out - series).abs() <= step / 2 + 1e-5).all())
    for b in range(8):
        for c in range(3):
            assert out[b, c].unique().numel() <= int(params["levels"][b])
    grid = (out - lo) / step
    torch.testing.assert_close(grid, grid.round(), atol=1e-4, rtol=0)


def _np_normalized_gaussian(x: np.ndarray, n: int, sigma: float, radius: int) -> np.ndarray:
    k = np.arange(-radius, radius + 1)
    w = np.exp(-0.5 * (k / max(sigma, 1e-3)) ** 2)
    out = np.zeros(n)
    for t in range(n):  # oracle: direct sum over the valid neighbours, renormalized
        idx = t + k
        ok = (idx >= 0) & (idx < n)
        out[t] = (w[ok] * x[idx[ok]]).sum() / w[ok].sum()
    return out


def test_smoothing_matches_direct_normalized_convolution(padded: SeriesBatch) -> None:
    op = Smoothing(sigma=3.0)
    out, params = op.augment(padded, generator=make_generator(4))
    for b, n in enumerate(padded.lengths.tolist()[:4]):
        for c in range(3):
            ref = _np_normalized_gaussian(padded.values[b, c, :n].double().numpy(), n, float(params["sigma"][b]), 9)
            np.testing.assert_allclose(out.values[b, c, :n].numpy(), ref, atol=1e-5)
        assert torch.equal(out.values[b, :, n:], padded.values[b, :, n:])


def test_smoothing_interior_matches_scipy_gaussian_filter(series: torch.Tensor) -> None:
    from scipy.ndimage import gaussian_filter1d

    op = Smoothing(sigma=2.0)
    out, params = op.augment(series, generator=make_generator(5))
    for b in range(8):
        s = float(params["sigma"][b])
        if s < 0.5:
            continue
        ref = gaussian_filter1d(series[b].double().numpy(), s, axis=-1, truncate=6.0 / s, mode="constant")
        np.testing.assert_allclose(out[b, :, 6:-6].numpy(), ref[:, 6:-6], atol=1e-5)


def test_frequency_noise_matches_numpy_fft(series: torch.Tensor) -> None:
    op = FrequencyNoise(sigma=0.2)
    out, params = op.augment(series, generator=make_generator(6))
    spec = np.fft.rfft(series.double().numpy(), axis=-1)
    log_amp = 0.2 * params["log_amplitude"].double().numpy()
    phase = np.pi * 0.2 * params["phase"].double().numpy()
    log_amp[..., 0] = 0
    phase[..., 0] = 0
    ref = np.fft.irfft(spec * np.exp(log_amp + 1j * phase), n=50, axis=-1)
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-4)
    torch.testing.assert_close(out.mean(-1), series.mean(-1), atol=1e-5, rtol=0)  # DC kept


def test_frequency_mask_zeroes_exactly_the_band(series: torch.Tensor) -> None:
    op = FrequencyMask(max_width=0.4)
    out, params = op.augment(series, generator=make_generator(7))
    mask = op.band_mask(50, params["band"])[:, 0]
    spec_in, spec_out = torch.fft.rfft(series.double(), dim=-1), torch.fft.rfft(out.double(), dim=-1)
    freq = np.arange(26) / 50 / 0.5
    for b in range(8):
        lo, hi = params["band"][b].tolist()
        expected = (freq >= lo) & (freq < hi)
        expected[0] = False
        np.testing.assert_array_equal(mask[b].numpy(), expected)
        assert bool((spec_out[b][:, mask[b]].abs() < 1e-4).all())
        torch.testing.assert_close(spec_out[b][:, ~mask[b]], spec_in[b][:, ~mask[b]], atol=1e-4, rtol=1e-4)


def test_frequency_ops_keep_padding(padded: SeriesBatch) -> None:
    for op in (FrequencyNoise(sigma=0.3), FrequencyMask(max_width=0.5)):
        out = op(padded, generator=make_generator(8))
        v = view_of(padded)
        for b, n in enumerate(v.lengths.tolist()):
            assert torch.equal(out.values[b, :, n:], padded.values[b, :, n:])


def test_channel_dropout_is_skipped_on_univariate_series_inside_policies() -> None:
    """Issue #20 §4: in RandAugment / TrivialAugment, channel dropout never blanks a univariate series."""
    import omniaug
    from omniaug_timeseries.datasets import load_dataset

    x = load_dataset("gunpoint").x_train[:16]
    wrapped = omniaug.SkipInapplicable(ChannelDropout(rate=0.5))
    out, params = wrapped.augment(x, generator=make_generator(0))
    assert torch.equal(out, x) and bool(params["skipped"].all()) and "univariate" in params["reason"]
    multi = torch.cat([x, x.flip(-1)], dim=1)
    out, params = wrapped.augment(multi, generator=make_generator(0))
    assert not bool(params["skipped"].any())
    blank = 0
    for policy in (omniaug.RandAugment("timeseries", n=2, m=9), omniaug.TrivialAugment("timeseries")):
        for seed in range(10):
            out = policy(x, generator=make_generator(seed))
            blank += int((out.abs().amax(dim=(1, 2)) == 0).sum())
    assert blank == 0
