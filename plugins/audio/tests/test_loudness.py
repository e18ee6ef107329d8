"""BS.1770-4 integrated loudness and LUFS normalization, against the standard's own numbers."""

from __future__ import annotations

import math

import pytest
import torch

from omniaug.rng import make_generator
from omniaug_audio import AudioBatch
from omniaug_audio.loudness import integrated_loudness, k_weighting_coefficients
from omniaug_audio.ops.distortion import LoudnessNormalize


def _sine(freq: float, sr: int, seconds: float, amplitude: float = 1.0) -> torch.Tensor:
    t = torch.arange(int(sr * seconds), dtype=torch.float64) / sr
    return (amplitude * torch.sin(2 * math.pi * freq * t)).float().view(1, 1, -1)


def test_k_weighting_at_48k_reproduces_the_coefficients_printed_in_bs1770() -> None:
    (shelf_b, shelf_a), (hp_b, hp_a) = k_weighting_coefficients(48000)
    expected_shelf = (
        [1.53512485958697, -2.69169618940638, 1.19839281085285],
        [1.0, -1.69065929318241, 0.73248077421585],
    )
    expected_hp = ([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621])
    for got, want in zip((shelf_b, shelf_a, hp_b, hp_a), (*expected_shelf, *expected_hp)):
        assert got == pytest.approx(want, abs=1e-10)


@pytest.mark.parametrize("sr", [48000, 44100, 16000])
def test_full_scale_997hz_sine_reads_minus_3_01_lkfs(sr: int) -> None:
    # BS.1770-4: a 0 dBFS 997 Hz sine in one channel measures -3.01 LKFS
    assert float(integrated_loudness(_sine(997.0, sr, 3.0), sr)[0]) == pytest.approx(-3.01, abs=0.05)


def test_level_changes_shift_loudness_by_the_same_decibels_and_surrounds_weigh_more() -> None:
    sr = 16000
    loud = integrated_loudness(torch.cat([_sine(997.0, sr, 2.0, a) for a in (1.0, 0.1)]), sr)
    assert float(loud[0] - loud[1]) == pytest.approx(20.0, abs=1e-3)
    one = _sine(997.0, sr, 2.0, 0.5)
    five = torch.zeros(1, 5, one.shape[-1])
    five[:, 3] = one[:, 0]  # a surround channel: weight 1.41 → +1.49 dB
    assert float(integrated_loudness(five, sr)[0] - integrated_loudness(one, sr)[0]) == pytest.approx(
        10 * math.log10(1.41), abs=1e-3
    )


def test_padding_does_not_count_and_silence_is_minus_inf() -> None:
    sr = 16000
    g = make_generator(0)
    clip = torch.randn(1, 1, sr, generator=g) * 0.1
    padded = torch.cat([clip, torch.zeros(1, 1, sr)], dim=-1)
    batch = torch.cat([padded, torch.randn(1, 1, 2 * sr, generator=g) * 0.1])
    got = integrated_loudness(batch, sr, torch.tensor([sr, 2 * sr]))
    assert float(got[0]) == pytest.approx(float(integrated_loudness(clip, sr)[0]), abs=1e-4)
    assert float(integrated_loudness(padded, sr)[0]) < float(got[0]) - 0.5  # unmasked padding would bias it
    assert math.isinf(float(integrated_loudness(torch.zeros(1, 1, sr), sr)[0]))


def test_relative_gate_drops_a_quiet_passage_but_keeps_the_blocks_straddling_it() -> None:
    sr = 16000
    tone = _sine(997.0, sr, 2.0, 0.5)
    with_quiet = torch.cat([tone, _sine(997.0, sr, 2.0, 0.5 * 10 ** (-40 / 20))], dim=-1)  # 40 dB quieter
    # 400 ms blocks every 100 ms over 4 s: 17 blocks lie in the tone, 3 straddle the step
    # (75 %, 50 %, 25 % tone energy), 17 lie in the quiet part. The ungated mean is about
    # half the tone's energy, so the relative gate (-10 LU) drops the quiet blocks and
    # keeps the straddling ones: 18.5 tone-blocks' worth of energy over 20 blocks.
    expected = float(integrated_loudness(tone, sr)[0]) + 10 * math.log10(18.5 / 20)
    assert float(integrated_loudness(with_quiet, sr)[0]) == pytest.approx(expected, abs=0.01)
    ungated = float(integrated_loudness(tone, sr)[0]) + 10 * math.log10(18.5 / 37)
    assert float(integrated_loudness(with_quiet, sr)[0]) > ungated + 2.5


def test_lufs_normalize_hits_each_target_over_the_valid_region() -> None:
    sr = 16000
    g = make_generator(3)
    wave = torch.randn(3, 1, 2 * sr, generator=g) * torch.tensor([0.01, 0.1, 0.5]).view(3, 1, 1)
    lengths = torch.tensor([2 * sr, sr + 123, 7000])  # the last is shorter than one 400 ms block
    wave = wave * (torch.arange(2 * sr) < lengths.view(3, 1, 1))
    batch = AudioBatch(wave, sr, lengths)
    out, params = LoudnessNormalize((-30.0, -16.0)).augment(batch, generator=g)
    assert torch.allclose(integrated_loudness(out.waveform, sr, lengths), params["target_db"], atol=1e-3)
    assert torch.equal(out.waveform[:, :, 7000:][2], wave[2, :, 7000:])
