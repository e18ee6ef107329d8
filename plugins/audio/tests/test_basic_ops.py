"""Level and time-domain ops against direct per-example computations."""

from __future__ import annotations

import math

import pytest
import torch

from omniaug import InputError
from omniaug.rng import make_generator
from omniaug_audio import AudioBatch
from omniaug_audio.modality import synthetic_audio
from omniaug_audio.ops.basic import Fade, Gain, GainTransition, PolarityInversion, Reverse, TimeMask, TimeShift
from omniaug_audio.ops.distortion import BitCrush, Clipping, LoudnessNormalize, PeakNormalize, TanhDistortion


@pytest.fixture
def batch() -> AudioBatch:
    x = synthetic_audio(6, generator=make_generator(0))
    # non-zero padding makes "padding untouched" checks meaningful
    noise = 0.3 * torch.ones_like(x.waveform)
    assert x.lengths is not None
    pad = torch.arange(x.waveform.shape[-1]) >= x.lengths[:, None]
    return AudioBatch(torch.where(pad[:, None], noise, x.waveform), x.sample_rate, x.lengths)


def _valid(x: AudioBatch) -> torch.Tensor:
    assert x.lengths is not None
    return (torch.arange(x.waveform.shape[-1]) < x.lengths[:, None])[:, None]


def _padding_kept(x: AudioBatch, y: AudioBatch) -> bool:
    return bool(torch.equal(torch.where(_valid(x), 0.0, x.waveform), torch.where(_valid(x), 0.0, y.waveform)))


def test_gain_matches_db_formula(batch: AudioBatch) -> None:
    out, params = Gain((-10.0, 10.0)).augment(batch, generator=make_generator(1))
    expected = batch.waveform * 10 ** (params["gain_db"] / 20).reshape(-1, 1, 1)
    assert torch.allclose(
        torch.where(_valid(batch), out.waveform, 0.0), torch.where(_valid(batch), expected, 0.0), atol=1e-6
    )
    assert _padding_kept(batch, out)
    assert bool(((params["gain_db"] >= -10) & (params["gain_db"] <= 10)).all())


def test_polarity_inversion(batch: AudioBatch) -> None:
    out = PolarityInversion(p=1.0)(batch, generator=make_generator(0))
    assert torch.equal(torch.where(_valid(batch), out.waveform, 0.0), torch.where(_valid(batch), -batch.waveform, 0.0))
    assert _padding_kept(batch, out)


@pytest.mark.parametrize("mode", ["roll", "pad"])
def test_time_shift_matches_roll(batch: AudioBatch, mode: str) -> None:
    out, params = TimeShift((-0.4, 0.4), mode=mode).augment(batch, generator=make_generator(2))
    assert batch.lengths is not None
    for i in range(6):  # per-example oracle
        n = int(batch.lengths[i])
        s = round(float(params["shift"][i]) * n)
        clip = batch.waveform[i, :, :n]
        if mode == "roll":
            ref = torch.roll(clip, s, dims=-1)
        else:
            ref = torch.zeros_like(clip)
            if s >= 0:
                ref[:, s:] = clip[:, : n - s]
            else:
                ref[:, : n + s] = clip[:, -s:]
        assert torch.allclose(out.waveform[i, :, :n], ref), i
    assert _padding_kept(batch, out)


def test_reverse_flips_valid_region(batch: AudioBatch) -> None:
    out = Reverse()(batch, generator=make_generator(0))
    assert batch.lengths is not None
    for i in range(6):
        n = int(batch.lengths[i])
        assert torch.equal(out.waveform[i, :, :n], batch.waveform[i, :, :n].flip(-1))
    assert _padding_kept(batch, out)


def test_time_mask_width_bounds(batch: AudioBatch) -> None:
    op = TimeMask((0.05, 0.2))
    assert batch.lengths is not None
    for seed in range(5):
        out = op(batch, generator=make_generator(seed))
        zeroed = (out.waveform != batch.waveform) & _valid(batch)
        for i in range(6):
            n = int(batch.lengths[i])
            idx = zeroed[i, 0].nonzero().flatten()
            width = int(idx[-1] - idx[0] + 1)
            assert width == idx.numel()  # one contiguous span
            assert round(0.05 * n) - 1 <= width <= round(0.2 * n) + 1
            assert int(idx[-1]) < n
            assert bool((out.waveform[i, 0, idx] == 0).all())
        assert _padding_kept(batch, out)


def test_fade_envelope(batch: AudioBatch) -> None:
    x = AudioBatch(torch.ones(3, 1, 1000), 16000, torch.tensor([1000, 800, 500]))
    out, params = Fade((0.1, 0.1), (0.2, 0.2)).augment(x, generator=make_generator(0))
    env = out.waveform[:, 0]
    for i, n in enumerate([1000, 800, 500]):
        rise, fall = round(0.1 * n), round(0.2 * n)
        assert float(env[i, 0]) == pytest.approx(1 / rise, rel=1e-3)
        assert float(env[i, rise]) == pytest.approx(1.0)
        assert float(env[i, n - 1]) == pytest.approx(1 / fall, rel=1e-3)
        assert bool((env[i, :rise].diff() > 0).all()) and bool((env[i, n - fall : n].diff() < 0).all())
        assert bool((env[i, n:] == 1).all())  # padding untouched


def test_gain_transition_reaches_both_gains() -> None:
    x = AudioBatch(torch.ones(4, 1, 2000), 16000, None)
    out, params = GainTransition((-20.0, 0.0), (0.3, 0.3)).augment(x, generator=make_generator(0))
    first = 20 * torch.log10(out.waveform[:, 0, 0])
    last = 20 * torch.log10(out.waveform[:, 0, -1])
    assert torch.allclose(first, params["start_db"], atol=1e-3)
    assert torch.allclose(last, params["end_db"], atol=1e-3)


def test_clipping_threshold(batch: AudioBatch) -> None:
    out, params = Clipping((0.5, 0.5)).augment(batch, generator=make_generator(0))
    valid = _valid(batch)
    peak = (batch.waveform.abs() * valid).amax(dim=(1, 2))
    threshold = 0.5 * peak
    got = (out.waveform.abs() * valid).amax(dim=(1, 2))
    assert torch.allclose(got, threshold, rtol=1e-6)
    below = (batch.waveform.abs() <= threshold.reshape(-1, 1, 1)) & valid
    assert torch.equal(out.waveform[below], batch.waveform[below])


def test_tanh_distortion_keeps_power_and_saturates(batch: AudioBatch) -> None:
    out = TanhDistortion((20.0, 20.0))(batch, generator=make_generator(0))
    valid = _valid(batch)
    p_in = (batch.waveform**2 * valid).sum((1, 2))
    p_out = (out.waveform**2 * valid).sum((1, 2))
    assert torch.allclose(p_in, p_out, rtol=1e-4)
    crest_in = (batch.waveform.abs() * valid).amax((1, 2)) / p_in.sqrt()
    crest_out = (out.waveform.abs() * valid).amax((1, 2)) / p_out.sqrt()
    assert bool((crest_out < crest_in).all())  # saturation lowers the crest factor


def test_bit_crush_levels(batch: AudioBatch) -> None:
    out, params = BitCrush((3, 6)).augment(batch, generator=make_generator(0))
    for i in range(6):
        q = 2.0 ** (int(params["bits"][i]) - 1)
        n = int(batch.lengths[i])  # type: ignore[index]
        y = out.waveform[i, :, :n]
        assert torch.allclose(y * q, torch.round(y * q), atol=1e-4)
        assert float((y - batch.waveform[i, :, :n]).abs().max()) <= 0.5 / q + 1e-6


def test_peak_and_loudness_normalize(batch: AudioBatch) -> None:
    valid = _valid(batch)
    out, params = PeakNormalize((-3.0, -1.0)).augment(batch, generator=make_generator(0))
    peak_db = 20 * torch.log10((out.waveform.abs() * valid).amax((1, 2)))
    assert torch.allclose(peak_db, params["target_db"], atol=1e-4)
    out, params = LoudnessNormalize((-25.0, -20.0), measure="rms").augment(batch, generator=make_generator(0))
    rms = ((out.waveform**2 * valid).sum((1, 2)) / valid.sum((1, 2))).sqrt()
    assert torch.allclose(20 * torch.log10(rms), params["target_db"], atol=1e-3)
    assert _padding_kept(batch, out)


def test_silence_stays_finite() -> None:
    x = torch.zeros(3, 1, 400)
    for op in (PeakNormalize(), LoudnessNormalize(), LoudnessNormalize(measure="rms"), TanhDistortion(), Clipping()):
        y = op(x, generator=make_generator(0))
        assert bool(torch.isfinite(y).all()) and bool((y == 0).all()), op.name


def test_bad_arguments_raise_input_error() -> None:
    with pytest.raises(InputError, match="gain_db"):
        Gain((6.0, -6.0))
    with pytest.raises(InputError, match="mode"):
        TimeShift(mode="wrap")
    with pytest.raises(InputError, match="bits"):
        BitCrush((0, 4))
    with pytest.raises(InputError, match="measure"):
        LoudnessNormalize(measure="lkfs-ish")
    with pytest.raises(InputError, match="x"):
        Gain()(torch.zeros(2, 100), generator=make_generator(0))
    assert math.isfinite(Gain.at_magnitude(0.5).gain_db[0])


def test_finiteness_check_not_skipped_after_in_place_change() -> None:
    """Kernel outputs skip the next op's NaN scan only while they are unmodified."""
    x = torch.randn(2, 1, 300, generator=make_generator(0))
    y = Gain()(x, generator=make_generator(1))
    Gain()(y, generator=make_generator(2))  # trusted, fine
    y[0, 0, 5] = float("nan")  # in-place: bumps the version counter
    with pytest.raises(InputError, match="finite"):
        Gain()(y, generator=make_generator(3))
