"""Pitch shift, time stretch, speed and round-trip resampling, measured on sines and tone bursts."""

from __future__ import annotations

import math

import pytest
import torch
import torchaudio.functional as AF

from omniaug import Params
from omniaug.rng import make_generator
from omniaug_audio import AudioBatch
from omniaug_audio.analysis import cents, peak_frequency
from omniaug_audio.modality import synthetic_audio
from omniaug_audio.ops.pitch import PitchShift, Resample, Speed, TimeStretch

SR = 16000


def _sines(freqs: list[float], n: int = 16000) -> torch.Tensor:
    t = torch.arange(n, dtype=torch.float64) / SR
    return (0.5 * torch.sin(2 * math.pi * torch.tensor(freqs, dtype=torch.float64)[:, None] * t))[:, None].float()


def _replay(op: object, x: object, n: int, **values: torch.Tensor) -> object:
    params = Params(values)
    params["apply"] = torch.ones(n, dtype=torch.bool)
    return op(x, params=params)  # type: ignore[operator]


def test_pitch_shift_moves_spectral_peak() -> None:
    semitones = torch.tensor([-4.0, -2.5, -1.0, 0.5, 1.0, 3.0, 4.0, -3.3])
    f0 = [220.0, 330.0, 440.0, 523.0, 660.0, 300.0, 410.0, 880.0]
    x = _sines(f0)
    y = _replay(PitchShift((-4.0, 4.0)), x, 8, semitones=semitones)
    assert isinstance(y, torch.Tensor) and y.shape == x.shape
    measured = peak_frequency(y[:, 0, 2000:-2000].double(), SR)
    expected = torch.tensor(f0, dtype=torch.float64) * 2 ** (semitones.double() / 12)
    assert bool((cents(measured, expected).abs() < 5).all()), cents(measured, expected)
    rms = y[:, 0, 2000:-2000].pow(2).mean(-1).sqrt()
    assert torch.allclose(rms, torch.full_like(rms, 0.5 / math.sqrt(2)), rtol=0.05)  # level kept


def test_pitch_shift_zero_is_identity() -> None:
    x = synthetic_audio(4, generator=make_generator(0))
    y = _replay(PitchShift(), x, 4, semitones=torch.zeros(4))
    assert isinstance(y, AudioBatch) and torch.equal(y.waveform, x.waveform)


def test_pitch_shift_respects_lengths() -> None:
    x = synthetic_audio(4, generator=make_generator(5))
    y = PitchShift()(x, generator=make_generator(6))
    assert x.lengths is not None and torch.equal(y.lengths, x.lengths)
    pad = torch.arange(x.waveform.shape[-1]) >= x.lengths[:, None]
    assert bool((y.waveform[:, 0][pad] == 0).all())


def _burst(n_valid: list[int], total: int, freq: float = 440.0) -> AudioBatch:
    t = torch.arange(total) / SR
    tone = 0.5 * torch.sin(2 * math.pi * freq * t)
    lengths = torch.tensor(n_valid)
    wave = (tone * (torch.arange(total) < lengths[:, None]))[:, None]
    return AudioBatch(wave.float(), SR, lengths)


def _active_end(wave: torch.Tensor) -> torch.Tensor:
    """Index of the last sample of each row whose 256-sample RMS exceeds half the tone's RMS."""
    rms = wave.pow(2).unfold(-1, 256, 1).mean(-1).sqrt()
    above = rms > 0.5 * (0.5 / math.sqrt(2))
    idx = torch.arange(rms.shape[-1]).expand_as(rms)
    return torch.where(above, idx, 0).amax(-1) + 256


def test_time_stretch_changes_duration_keeps_pitch() -> None:
    rates = torch.tensor([0.8, 1.0, 1.25, 0.9])
    x = _burst([12000, 12000, 16000, 8000], 20000)
    y = _replay(TimeStretch((0.8, 1.25)), x, 4, factor=rates)
    assert isinstance(y, AudioBatch) and y.lengths is not None
    expected_len = torch.ceil(x.lengths / rates).long().clamp_max(20000)  # type: ignore[operator]
    assert torch.equal(y.lengths, expected_len)
    ends = _active_end(y.waveform[:, 0])
    assert torch.allclose(ends.float(), expected_len.float(), atol=600)  # within ~2 STFT frames
    for i in range(4):
        seg = y.waveform[i, 0, 1000 : int(expected_len[i]) - 1000].double()
        assert abs(float(cents(peak_frequency(seg[None], SR), torch.tensor([440.0])))) < 5


def test_speed_matches_torchaudio_resample() -> None:
    """Speed 1.25 is resampling 20 kHz → 16 kHz; compare with torchaudio's polyphase resampler."""
    t = torch.arange(16000) / SR
    x = (0.3 * torch.sin(2 * math.pi * 300 * t) + 0.2 * torch.sin(2 * math.pi * 1700 * t + 1))[None, None]
    y = _replay(Speed((0.8, 1.25)), AudioBatch(x, SR, torch.tensor([16000])), 1, factor=torch.tensor([1.25]))
    ref = AF.resample(x, 5, 4)
    n = ref.shape[-1]
    assert y.lengths is not None and int(y.lengths[0]) == 12800 == n
    assert torch.allclose(y.waveform[..., 200 : n - 200], ref[..., 200 : n - 200], atol=2e-3)
    assert bool((y.waveform[..., n:] == 0).all())


def test_speed_scales_frequency_and_lengths() -> None:
    factors = torch.tensor([0.9, 1.1, 1.0])
    x = _burst([10000, 10000, 10000], 16000, freq=500.0)
    y = _replay(Speed(), x, 3, factor=factors)
    assert torch.equal(y.lengths, torch.ceil(10000 / factors).long())
    measured = peak_frequency(y.waveform[:, 0, 500:8000].double(), SR)
    assert bool((cents(measured, 500 * factors.double()).abs() < 3).all())


def test_resample_round_trip_band_limits() -> None:
    x = _sines([1000.0, 5000.0])
    y = _replay(Resample(), x, 2, rate_hz=torch.tensor([8000.0, 8000.0]))
    gain = 10 * torch.log10(y[:, 0, 1000:-1000].pow(2).mean(-1) / x[:, 0, 1000:-1000].pow(2).mean(-1))
    assert float(gain[0]) > -0.5  # below the 4 kHz Nyquist of 8 kHz: kept
    assert float(gain[1]) < -30  # above it: removed


@pytest.mark.parametrize("op", [PitchShift(), TimeStretch(), Speed(), Resample()])
def test_length_ops_on_plain_tensors_keep_shape(op: object) -> None:
    x = synthetic_audio(3, generator=make_generator(0), padded=False).waveform
    y = op(x, generator=make_generator(1))  # type: ignore[operator]
    assert y.shape == x.shape and bool(torch.isfinite(y).all())
