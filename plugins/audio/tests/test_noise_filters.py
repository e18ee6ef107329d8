"""Noise at a target SNR and biquad filters, measured on sines against analytic responses."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from scipy import signal

from omniaug import InputError
from omniaug.rng import make_generator
from omniaug_audio import AudioBatch
from omniaug_audio.analysis import snr_db
from omniaug_audio.dsp import random_int16
from omniaug_audio.modality import synthetic_audio
from omniaug_audio.ops.filters import BandPass, BandStop, HighPass, LowPass, PeakingEQ
from omniaug_audio.ops.noise import BackgroundNoise, ColoredNoise

SR = 16000


def _valid(x: AudioBatch) -> torch.Tensor:
    assert x.lengths is not None
    return (torch.arange(x.waveform.shape[-1]) < x.lengths[:, None])[:, None]


@pytest.mark.parametrize("color", ["white", "pink", "brown"])
def test_colored_noise_snr_within_half_db(color: str) -> None:
    x = synthetic_audio(8, generator=make_generator(1))
    out, params = ColoredNoise((0.0, 30.0), color=color).augment(x, generator=make_generator(2))
    achieved = snr_db(x.waveform, out.waveform, _valid(x))
    assert torch.allclose(achieved, params["snr_db"], atol=0.5)
    assert torch.equal(out.waveform * ~_valid(x), x.waveform * ~_valid(x))  # no noise in the padding


@pytest.mark.parametrize(("color", "slope"), [("white", 0.0), ("pink", -10.0), ("brown", -20.0)])
def test_noise_colour_spectral_slope(color: str, slope: float) -> None:
    """PSD slope in dB/decade between 100 Hz and 4 kHz: 0, -10, -20 for β = 0, 1, 2."""
    x = 0.1 * torch.ones(16, 1, 32000)
    out = ColoredNoise((0.0, 0.0), color=color)(x, generator=make_generator(0))
    noise = (out - x)[:, 0].numpy()
    f, psd = signal.welch(noise, fs=SR, nperseg=4096)
    psd = psd.mean(0)
    band = (f >= 100) & (f <= 4000)
    fitted = np.polyfit(np.log10(f[band]), 10 * np.log10(psd[band]), 1)[0]
    assert fitted == pytest.approx(slope, abs=1.5)


def test_random_int16_is_uniform_over_the_full_range() -> None:
    values = random_int16((64, 1000), generator=make_generator(0)).flatten().to(torch.float64)
    assert values.shape == (64000,)
    assert float(values.min()) < -32000 and float(values.max()) > 32000  # both signs, full 16 bits
    assert abs(float(values.mean())) < 3 * 32768 / math.sqrt(3 * 64000)  # zero mean within 3 standard errors
    assert float(values.std()) == pytest.approx(32768 / math.sqrt(3), rel=0.01)  # uniform's spread
    assert torch.equal(
        random_int16((5, 3), generator=make_generator(1)), random_int16((5, 3), generator=make_generator(1))
    )


def test_white_noise_is_gaussian_and_independent_per_example() -> None:
    """The 16-bit uniform spectrum still gives Gaussian time samples, independent across examples."""
    x = 1e-3 * torch.ones(32, 1, 16000)
    noise = (ColoredNoise((0.0, 0.0), color="white")(x, generator=make_generator(5)) - x)[:, 0].double()
    z = (noise - noise.mean(-1, keepdim=True)) / noise.std(-1, keepdim=True)
    skew, excess_kurtosis = float(z.pow(3).mean()), float(z.pow(4).mean() - 3)
    assert abs(skew) < 0.05 and abs(excess_kurtosis) < 0.1
    corr = torch.corrcoef(z) - torch.eye(32, dtype=torch.float64)
    assert float(corr.abs().max()) < 0.05  # ~4.5 standard errors of a correlation over 16000 samples


def test_noise_on_silence_is_finite() -> None:
    x = AudioBatch(torch.zeros(3, 1, 500), SR, torch.tensor([500, 300, 0]))
    for op in (ColoredNoise(), BackgroundNoise()):
        y = op(x, generator=make_generator(0))
        assert bool(torch.isfinite(y.waveform).all()) and bool((y.waveform == 0).all())


def test_background_noise_from_folder(tmp_path: Path) -> None:
    t = np.arange(4000) / SR
    sf.write(tmp_path / "hum.wav", 0.5 * np.sin(2 * np.pi * 1000 * t), SR)
    sf.write(tmp_path / "hiss.wav", np.random.default_rng(0).normal(0, 0.1, 3000), 8000)  # resampled on load
    x = synthetic_audio(6, generator=make_generator(3))
    out, params = BackgroundNoise([str(tmp_path)], snr_db=(0.0, 20.0)).augment(x, generator=make_generator(4))
    achieved = snr_db(x.waveform, out.waveform, _valid(x))
    assert torch.allclose(achieved, params["snr_db"], atol=0.5)
    assert set(params["clip"].tolist()) <= {0, 1}
    with pytest.raises(InputError, match="paths"):
        BackgroundNoise([str(tmp_path / "missing")])


def _sine_batch(freqs: list[float], n: int = 16000) -> torch.Tensor:
    t = torch.arange(n, dtype=torch.float64) / SR
    return torch.sin(2 * math.pi * torch.tensor(freqs, dtype=torch.float64)[:, None] * t)[:, None].float()


def _gain_db(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    mid = slice(2000, -2000)  # away from the zero-phase filter's edge transients
    return 10 * torch.log10(y[:, 0, mid].pow(2).mean(-1) / x[:, 0, mid].pow(2).mean(-1))


def _replay(op: object, x: torch.Tensor, **values: torch.Tensor) -> torch.Tensor:
    from omniaug import Params

    params = Params({k: v for k, v in values.items()})
    params["apply"] = torch.ones(x.shape[0], dtype=torch.bool)
    return op(x, params=params)  # type: ignore[operator]


@pytest.mark.parametrize("kind", ["lowpass", "highpass"])
def test_low_and_high_pass_match_butterworth(kind: str) -> None:
    """Per-example cutoffs in one batch; the gain on each sine equals a 2nd-order Butterworth's."""
    cutoffs = torch.tensor([300.0, 1000.0, 2500.0, 4000.0])
    for ratio in (0.25, 1.0, 4.0):
        freqs = (cutoffs * ratio).clamp_max(7000.0)
        x = _sine_batch(freqs.tolist())
        op = LowPass() if kind == "lowpass" else HighPass()
        y = _replay(op, x, freq_hz=cutoffs, q=torch.full((4,), 1 / math.sqrt(2)))
        got = _gain_db(x, y)
        for i in range(4):
            b, a = signal.butter(2, float(cutoffs[i]), btype="low" if kind == "lowpass" else "high", fs=SR)
            _, h = signal.freqz(b, a, worN=[float(freqs[i])], fs=SR)
            assert float(got[i]) == pytest.approx(20 * math.log10(abs(h[0])), abs=0.1), (kind, ratio, i)
        if ratio == 1.0:
            assert torch.allclose(got, torch.full_like(got, -3.01), atol=0.1)


def test_low_pass_stages_steepen() -> None:
    x = _sine_batch([4000.0])
    one = _gain_db(x, _replay(LowPass(stages=1), x, freq_hz=torch.tensor([1000.0]), q=torch.tensor([0.7071])))
    two = _gain_db(x, _replay(LowPass(stages=2), x, freq_hz=torch.tensor([1000.0]), q=torch.tensor([0.7071])))
    assert float(one) < -20 and float(two) == pytest.approx(2 * float(one), abs=0.1)


def test_band_pass_and_band_stop() -> None:
    centre = torch.tensor([500.0, 2000.0])
    q = torch.tensor([2.0, 2.0])
    at_centre = _sine_batch(centre.tolist())
    far = _sine_batch([4000.0, 250.0])  # three octaves above / below the centres
    assert torch.allclose(
        _gain_db(at_centre, _replay(BandPass(), at_centre, freq_hz=centre, q=q)), torch.zeros(2), atol=0.05
    )
    assert bool((_gain_db(far, _replay(BandPass(), far, freq_hz=centre, q=q)) < -20).all())
    assert bool((_gain_db(at_centre, _replay(BandStop(), at_centre, freq_hz=centre, q=q)) < -40).all())
    assert torch.allclose(_gain_db(far, _replay(BandStop(), far, freq_hz=centre, q=q)), torch.zeros(2), atol=0.3)


def test_peaking_eq_gain_at_centre() -> None:
    centre = torch.tensor([300.0, 1200.0, 3000.0])
    gain = torch.tensor([-9.0, 4.0, 12.0])
    x = _sine_batch(centre.tolist())
    y = _replay(PeakingEQ(), x, freq_hz=centre, q=torch.ones(3), gain_db=gain)
    assert torch.allclose(_gain_db(x, y), gain, atol=0.05)


def test_filter_respects_padding() -> None:
    x = synthetic_audio(4, generator=make_generator(0))
    pad = AudioBatch(torch.where(_valid(x), x.waveform, torch.full_like(x.waveform, 0.7)), SR, x.lengths)
    out = LowPass()(pad, generator=make_generator(1))
    assert torch.equal(torch.where(_valid(x), 0, out.waveform), torch.where(_valid(x), 0, pad.waveform))


@pytest.mark.parametrize("n", [8000, 1001])
def test_colored_noise_fast_path_equals_general_path(n: int) -> None:
    """Unpadded tensors take a mask-free shortcut (norms, one addcmul); it must equal the masked path."""
    x = 0.1 * torch.randn(5, 2, n, generator=make_generator(0))
    op = ColoredNoise((0.0, 30.0), (0.0, 2.0))
    fast, params = op.augment(x, generator=make_generator(1))
    general = op(AudioBatch(x, SR, torch.full((5,), n)), params=params).waveform
    assert torch.allclose(fast, general, atol=1e-6)
    assert torch.allclose(snr_db(x, fast), params["snr_db"], atol=0.01)
