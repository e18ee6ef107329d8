"""Measurements used by the tests, benchmark and docs: spectral peak, SNR, f0.

Vectorized over the batch like the ops, so they also serve as quick quality checks
on augmented batches.
"""

from __future__ import annotations

import torch

__all__ = ["peak_frequency", "snr_db", "estimate_f0", "cents"]


def peak_frequency(wave: torch.Tensor, sample_rate: int) -> torch.Tensor:
    """Frequency (Hz) of the strongest spectral peak of each row of ``wave (B, T)``.

    Hann-windowed FFT zero-padded 4×, refined by parabolic interpolation of the log
    magnitude around the maximum bin (sub-bin accuracy on a steady tone).
    """
    n = wave.shape[-1]
    n_fft = 4 * n
    spec = torch.fft.rfft(wave * torch.hann_window(n, dtype=wave.dtype, device=wave.device), n=n_fft).abs()
    spec = spec.clamp_min(1e-20).log()
    k = spec[..., 1:-1].argmax(-1, keepdim=True) + 1
    a, b, c = spec.gather(-1, k - 1), spec.gather(-1, k), spec.gather(-1, k + 1)
    offset = 0.5 * (a - c) / (a - 2 * b + c).clamp_max(-1e-12)
    return ((k + offset).squeeze(-1) * sample_rate / n_fft).to(wave.dtype)


def snr_db(clean: torch.Tensor, noisy: torch.Tensor, valid: torch.Tensor | None = None) -> torch.Tensor:
    """Per-example SNR (dB) of ``noisy`` against ``clean`` over the valid samples (``(B, ..., T)``)."""
    noise = noisy - clean
    if valid is None:
        valid = torch.ones_like(clean, dtype=torch.bool)
    dims = tuple(range(1, clean.dim()))
    p_sig = (clean * clean * valid).sum(dims)
    p_noise = (noise * noise * valid).sum(dims)
    return 10 * torch.log10(p_sig / p_noise)


def estimate_f0(
    wave: torch.Tensor, sample_rate: int, *, fmin: float = 60.0, fmax: float = 500.0, frame: int = 1024, hop: int = 256
) -> torch.Tensor:
    """Median f0 (Hz) of the voiced frames of each row of ``wave (B, T)``.

    Normalized autocorrelation per frame (via FFT); a frame is voiced when its best
    peak in ``[sr/fmax, sr/fmin]`` exceeds 0.5 and its energy is within 30 dB of the
    loudest frame. The lag is refined by parabolic interpolation. Rows without voiced
    frames give NaN.
    """
    frames = wave.unfold(-1, frame, hop)  # (B, N, frame)
    frames = frames - frames.mean(-1, keepdim=True)
    energy = (frames * frames).sum(-1)
    spec = torch.fft.rfft(frames, n=2 * frame)
    ac = torch.fft.irfft(spec.abs() ** 2, n=2 * frame)[..., :frame]
    ac = ac / ac[..., :1].clamp_min(1e-12)
    lo, hi = int(sample_rate / fmax), min(frame - 2, int(sample_rate / fmin))
    region = ac[..., lo:hi]
    best = region.argmax(-1, keepdim=True)
    peak = region.gather(-1, best).squeeze(-1)
    lag = best + lo
    a, b, c = ac.gather(-1, lag - 1), ac.gather(-1, lag), ac.gather(-1, lag + 1)
    offset = 0.5 * (a - c) / (a - 2 * b + c).clamp_max(-1e-12)
    f0 = sample_rate / (lag + offset).squeeze(-1)
    loud = energy > energy.amax(-1, keepdim=True) * 1e-3
    voiced = (peak > 0.5) & loud
    f0 = torch.where(voiced, f0, torch.full_like(f0, float("nan")))
    return torch.nanmedian(f0, dim=-1).values


def cents(measured: torch.Tensor, expected: torch.Tensor) -> torch.Tensor:
    """Pitch error in cents (1200 · log2(measured / expected))."""
    return 1200 * torch.log2(measured / expected)
