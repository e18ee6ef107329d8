"""An audio op gives a clip the same bits alone, in a batch of 8 or 64, and on 1 or 2 threads.

Per-item seeds (``omniaug.keyed``) make the params a clip's own; these tests check the
kernels: the FFT ops (batch-invariant transforms of ``omniaug.fft``, the phase vocoder's
complex arithmetic, the chunks of examples over the threads) and the level ops whose dB
conversions once used a float32 ``pow`` (it rounds a tensor's last elements differently).
Real-shaped clips: 1 s at 16 kHz, so the resampler's and filters' transforms are longer
than the lengths at which a lone row takes MKL's single-transform algorithm.
"""

from __future__ import annotations

import math

import pytest
import torch

import omniaug
from omniaug.keyed import KeyedGenerator
from omniaug_audio import dsp
from omniaug_audio.payload import AudioBatch

KEYS = [f"clips/speaker{i % 7}/utt{i:03d}.wav" for i in range(64)]

#: (op, kwargs): every op whose kernel goes through a transform, plus the dB-gain ops
OPS = [
    ("audio.pitch_shift", {}),
    ("audio.time_stretch", {}),
    ("audio.speed", {}),
    ("audio.resample", {}),
    ("audio.colored_noise", {}),
    ("audio.background_noise", {}),
    ("audio.low_pass", {}),
    ("audio.peaking_eq", {}),
    ("audio.synthetic_reverb", {}),
    ("audio.impulse_response", {}),
    ("audio.tanh_distortion", {}),
    ("audio.peak_normalize", {}),
    ("audio.loudness_normalize", {}),
    ("audio.gain_transition", {}),
]


def _clips() -> list[object]:
    """64 one-second clips (tones + noise): a plain tensor and a padded AudioBatch of odd lengths."""
    g = torch.Generator().manual_seed(5)
    t = torch.arange(16000) / 16000
    f0 = 100 + 400 * torch.rand(64, 1, 1, generator=g)
    x = 0.3 * torch.sin(2 * math.pi * f0 * t) + 0.05 * torch.randn(64, 1, 16000, generator=g)
    lengths = torch.randint(4000, 16001, (64,), generator=g) | 1
    padded = AudioBatch(x * (torch.arange(16000) < lengths[:, None, None]), 16000, lengths)
    return [x, padded]


def _subset(x: object, lo: int, hi: int) -> object:
    if isinstance(x, AudioBatch):
        assert x.lengths is not None
        return AudioBatch(x.waveform[lo:hi], x.sample_rate, x.lengths[lo:hi])
    assert isinstance(x, torch.Tensor)
    return x[lo:hi]


@pytest.mark.slow
@pytest.mark.parametrize("name,kwargs", OPS, ids=[n for n, _ in OPS])
def test_a_clip_gets_the_same_bits_alone_in_batches_of_8_and_64_and_on_1_or_2_threads(name, kwargs):
    op = omniaug.registry().augmentation(name)(**kwargs)

    def rows(x: object, lo: int, hi: int, size: int) -> list[torch.Tensor]:
        out: list[torch.Tensor] = []
        for s in range(lo, hi, size):
            y = op(_subset(x, s, s + size), generator=KeyedGenerator.from_keys(4, KEYS[s : s + size]))
            out += list(y.waveform if isinstance(y, AudioBatch) else y)
        return out

    threads = torch.get_num_threads()
    try:
        for x in _clips():
            torch.set_num_threads(2)
            ref = rows(x, 0, 64, 64)
            runs = {"batches of 8": (0, rows(x, 0, 64, 8)), "alone": (0, rows(x, 0, 12, 1))}
            torch.set_num_threads(1)
            runs["1 thread"] = (0, rows(x, 0, 64, 64))
            runs["alone, 1 thread"] = (52, rows(x, 52, 64, 1))
            for how, (start, got) in runs.items():
                same = [torch.equal(r, ref[start + i]) for i, r in enumerate(got)]
                assert all(same), (type(x).__name__, how, f"{sum(same)}/{len(same)} clips identical")
    finally:
        torch.set_num_threads(threads)


def test_stft_and_istft_match_torch():
    x = torch.randn(3, 5000, dtype=torch.float64)
    window = torch.hann_window(512, dtype=torch.float64)
    want = torch.stft(x, 512, 128, window=window, center=True, return_complex=True)
    spec = dsp.stft(x, 512, 128, window)
    assert torch.allclose(spec, want, atol=1e-10)
    assert torch.allclose(dsp.istft(spec, 512, 128, window, 5000), x, atol=1e-10)
    assert torch.allclose(
        dsp.istft(spec, 512, 128, window, 5000), torch.istft(want, 512, 128, window=window, length=5000), atol=1e-10
    )
    # a hop that does not divide the frame takes fold
    spec = dsp.stft(x, 500, 120, torch.hann_window(500, dtype=torch.float64))
    assert torch.allclose(dsp.istft(spec, 500, 120, torch.hann_window(500, dtype=torch.float64), 5000), x, atol=1e-9)


@pytest.mark.parametrize("n_in", [1, 2, 3, 40])
def test_host_phase_vocoder_equals_the_torch_path(n_in):
    """The CPU path (NumPy complex arithmetic, no gradient) and the autograd / device path agree."""
    g = torch.Generator().manual_seed(n_in)
    spec = torch.randn(4, n_in, 257, 2, generator=g)
    spec[1, : min(2, n_in), :10] = 0  # silent bins: no phase advance
    spec = torch.view_as_complex(spec)
    rate = torch.tensor([0.8, 1.0, 1.26, 0.5])
    host = dsp.phase_vocoder_frames(spec, rate, 2 * n_in + 3)
    grad = dsp.phase_vocoder_frames(spec.clone().requires_grad_(True), rate, 2 * n_in + 3).detach()
    assert torch.allclose(host, grad, atol=2e-5, rtol=1e-4)
    assert torch.equal(dsp.phase_vocoder(spec.transpose(1, 2), rate, 128, 2 * n_in + 3), host.transpose(1, 2))


def test_pitch_shift_is_differentiable_and_agrees_with_the_host_path():
    x = torch.randn(2, 1, 4000) * 0.1
    semis = torch.tensor([-3.0, 2.5])
    from omniaug_audio.ops.pitch import pitch_shift

    host = pitch_shift(x, semis, max_semitones=4.0)
    xg = x.clone().requires_grad_(True)
    y = pitch_shift(xg, semis, max_semitones=4.0)
    y.square().sum().backward()
    assert xg.grad is not None and bool(torch.isfinite(xg.grad).all())
    assert torch.allclose(y.detach(), host, atol=1e-5)
