"""Reverb (RT60 of the synthetic IRs, convolution oracle), SpecAugment bounds and the mixers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch
from scipy import signal

from omniaug import Params
from omniaug.rng import make_generator
from omniaug_audio import SpectrogramBatch
from omniaug_audio.analysis import snr_db
from omniaug_audio.mixers import MixUp, SnrMix, TimeCutMix
from omniaug_audio.modality import synthetic_audio, synthetic_spectrogram
from omniaug_audio.ops.reverb import ImpulseResponse, SyntheticReverb, synthetic_rir
from omniaug_audio.ops.specaugment import FrequencyMask, SpecTimeMask, TimeWarp

SR = 16000


def _rt60_schroeder(ir: np.ndarray) -> float:
    """RT60 from the Schroeder backward-integrated energy decay, fitted between -5 and -25 dB (T20)."""
    edc = np.cumsum(ir[::-1] ** 2)[::-1]
    edc_db = 10 * np.log10(edc / edc[0])
    idx = np.nonzero((edc_db <= -5) & (edc_db >= -25))[0]
    slope = np.polyfit(idx / SR, edc_db[idx], 1)[0]
    return -60.0 / slope


def test_synthetic_rir_has_requested_rt60() -> None:
    rt60 = torch.tensor([0.2, 0.5, 0.9])
    noise = torch.randn(3, int(1.5 * SR), generator=make_generator(0), dtype=torch.float64)
    irs = synthetic_rir(noise, rt60, SR, torch.tensor([-20.0, -20.0, -20.0]))
    for i in range(3):
        assert _rt60_schroeder(irs[i].numpy()) == pytest.approx(float(rt60[i]), rel=0.1)


def test_reverb_equals_scipy_convolution() -> None:
    x = synthetic_audio(3, generator=make_generator(1))
    out, params = SyntheticReverb().augment(x, generator=make_generator(2))
    irs = synthetic_rir(params["noise"], params["rt60"], SR, params["direct_ratio_db"])
    assert x.lengths is not None
    for i in range(3):
        n = int(x.lengths[i])
        ref = signal.fftconvolve(x.waveform[i, 0, :n].double().numpy(), irs[i].double().numpy())[:n]
        ref *= np.sqrt((x.waveform[i, 0, :n].double().numpy() ** 2).sum() / (ref**2).sum())
        assert np.allclose(out.waveform[i, 0, :n].numpy(), ref, atol=1e-4)
        assert bool((out.waveform[i, 0, n:] == x.waveform[i, 0, n:]).all())


def test_impulse_response_from_user_folder(tmp_path: Path) -> None:
    ir = np.zeros(400)
    ir[100] = 1.0  # leading silence is trimmed: a pure delay becomes the identity
    sf.write(tmp_path / "delta.wav", ir, SR)
    x = synthetic_audio(2, generator=make_generator(3))
    y = ImpulseResponse([str(tmp_path)])(x, generator=make_generator(0))
    assert torch.allclose(y.waveform, x.waveform, atol=1e-6)
    assert len(ImpulseResponse()._irs) == 2  # the bundled rooms


def _spec_valid(x: SpectrogramBatch) -> torch.Tensor:
    assert x.lengths is not None
    return (torch.arange(x.spec.shape[-1]) < x.lengths[:, None])[:, None, None, :]


def test_frequency_mask_bounds_and_padding() -> None:
    x = synthetic_spectrogram(6, generator=make_generator(0))
    x = SpectrogramBatch(x.spec + 1.0, x.lengths)  # strictly positive so masked bins are visible
    for seed in range(5):
        out = FrequencyMask(max_width=10, num_masks=2)(x, generator=make_generator(seed))
        changed = out.spec != x.spec
        assert not bool((changed & ~_spec_valid(x)).any())  # never in the padding
        bins = changed.any(-1)[:, 0]  # (B, F)
        assert bool((bins.sum(-1) <= 20).all())
        # a masked bin is masked over every valid frame of that example
        for i in range(6):
            n = int(x.lengths[i])  # type: ignore[index]
            assert bool((out.spec[i, 0, bins[i], :n] == 0).all())


def test_time_mask_bounds_mean_value_per_example() -> None:
    x = synthetic_spectrogram(6, generator=make_generator(1))
    x = SpectrogramBatch(x.spec + 1.0, x.lengths)
    op = SpecTimeMask(max_width=30, num_masks=1, max_fraction=0.2, fill="mean")
    out, params = op.augment(x, generator=make_generator(2))
    valid = _spec_valid(x)
    assert x.lengths is not None
    for i in range(6):
        n = int(x.lengths[i])
        frames = (out.spec[i, 0] != x.spec[i, 0]).any(0).nonzero().flatten()
        assert frames.numel() <= min(30, int(0.2 * n)) and (frames.numel() == 0 or int(frames[-1]) < n)
        mean = float(x.spec[i][valid[i].expand_as(x.spec[i])].mean())
        if frames.numel():
            assert torch.allclose(out.spec[i, 0, :, frames], torch.full_like(out.spec[i, 0, :, frames], mean))
    # the mean is that example's own: changing another example does not change it
    other = SpectrogramBatch(torch.cat([x.spec[:1], x.spec[1:] * 5]), x.lengths)
    again = op(other, params=params)
    assert torch.equal(again.spec[0], out.spec[0])


def test_time_warp_fixes_ends_and_padding() -> None:
    ramp = torch.arange(100, dtype=torch.float32).expand(4, 1, 8, 100).contiguous()
    x = SpectrogramBatch(ramp, torch.tensor([100, 80, 60, 10]))
    out = TimeWarp(max_warp=8)(x, generator=make_generator(0))
    for i, n in enumerate([100, 80, 60, 10]):
        row = out.spec[i, 0, 0, :n]
        assert float(row[0]) == 0 and float(row[-1]) == pytest.approx(n - 1, abs=1e-4)
        assert bool((row.diff() >= 0).all())  # a monotone warp of the time axis
        assert torch.equal(out.spec[i, ..., n:], x.spec[i, ..., n:])
    assert torch.equal(out.spec[3], x.spec[3])  # too short to warp
    same = TimeWarp(max_warp=0)(x, generator=make_generator(0))
    assert torch.allclose(same.spec, x.spec)


def _mix_params(n: int, lam: torch.Tensor, partners: torch.Tensor, **extra: torch.Tensor) -> Params:
    p = Params(extra)
    p["lam"], p["partners"], p["apply"] = lam, partners.reshape(n, 1), torch.ones(n, dtype=torch.bool)
    return p


def test_mixup_oracle_and_labels() -> None:
    x = synthetic_audio(4, generator=make_generator(0), padded=False)
    lam = torch.tensor([0.2, 0.5, 0.9, 0.7])
    partners = torch.tensor([1, 2, 3, 0])
    labels = torch.tensor([0, 1, 2, 3])
    mixed, soft = MixUp(num_classes=4)(x, labels, params=_mix_params(4, lam, partners))
    expected = lam.reshape(-1, 1, 1) * x.waveform + (1 - lam.reshape(-1, 1, 1)) * x.waveform[partners]
    assert torch.allclose(mixed.waveform, expected)
    assert torch.allclose(soft[torch.arange(4), labels], lam)
    assert torch.allclose(soft[torch.arange(4), labels[partners]], 1 - lam)


def test_snr_mix_achieves_snr_and_energy_share() -> None:
    x = synthetic_audio(6, generator=make_generator(1))
    mixer = SnrMix(snr_db=(-5.0, 15.0), num_classes=6)
    res = mixer.augment_with_labels(x, torch.arange(6), generator=make_generator(2))
    assert x.lengths is not None
    valid = (torch.arange(x.waveform.shape[-1]) < x.lengths[:, None])[:, None]
    assert torch.allclose(snr_db(x.waveform, res.output.waveform, valid), res.params["snr_db"], atol=0.5)
    share = 1 / (1 + 10 ** (-res.params["snr_db"] / 10))
    assert torch.allclose(res.labels[torch.arange(6), torch.arange(6)], share, atol=1e-4)


def test_time_cutmix_pastes_partner_segment() -> None:
    x = synthetic_audio(4, generator=make_generator(3))
    partners = torch.tensor([3, 0, 1, 2])
    lam = torch.tensor([0.75, 0.5, 0.1, 1.0])
    params = _mix_params(4, lam, partners, offset=torch.tensor([0.0, 0.5, 1.0, 0.3]))
    mixed, soft = TimeCutMix(num_classes=4)(x, torch.arange(4), params=params)
    assert x.lengths is not None
    for i in range(4):
        n = int(x.lengths[i])
        from_partner = (mixed.waveform[i, 0, :n] != x.waveform[i, 0, :n]) & (
            mixed.waveform[i, 0, :n] == x.waveform[int(partners[i]), 0, :n]
        )
        cut = round((1 - float(lam[i])) * n)
        assert int(from_partner.sum()) <= cut
        assert float(soft[i, i]) == pytest.approx(1 - cut / n, abs=1e-6)
    assert math.isclose(float(soft[3, 3]), 1.0)
