"""Integrated loudness (ITU-R BS.1770-4, LUFS / LKFS) of padded batches, vectorized.

Why our own and not ``torchaudio.functional.loudness``: torchaudio approximates the
K-weighting with a generic treble shelf (+4 dB at 1.5 kHz) and a 38 Hz high-pass,
which reads a 0 dBFS 997 Hz sine as about -3.28 LKFS instead of the standard's -3.01,
and it measures the whole tensor, so the zero padding of shorter clips in a batch
lowers their loudness. Here the two K-weighting biquads are derived from the
standard's analogue prototype for any sample rate (at 48 kHz they reproduce the
coefficients printed in BS.1770), torchaudio's ``lfilter`` runs them over the whole
batch, and the 400 ms gating blocks (75 % overlap) only count where they lie inside
each clip's valid length.
"""

from __future__ import annotations

import math

import torch
import torchaudio.functional as AF

__all__ = ["k_weighting_coefficients", "integrated_loudness", "BLOCK_SECONDS", "ABSOLUTE_GATE"]

#: gating block length (seconds) and the absolute gate (LKFS) of BS.1770-4
BLOCK_SECONDS = 0.4
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
#: the constant that makes a 997 Hz sine read its RMS level in dBFS minus 3.01
OFFSET = -0.691

# Analogue prototype of the K-weighting stages (the values the BS.1770 48 kHz
# coefficients were derived from): a high shelf and a second-order high-pass.
_SHELF_F0, _SHELF_GAIN_DB, _SHELF_Q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
_HIGHPASS_F0, _HIGHPASS_Q = 38.13547087602444, 0.5003270373238773


def k_weighting_coefficients(
    sample_rate: int,
) -> tuple[tuple[list[float], list[float]], tuple[list[float], list[float]]]:
    """``((b, a) of the shelf, (b, a) of the high-pass)`` by the bilinear transform at ``sample_rate``."""
    k = math.tan(math.pi * _SHELF_F0 / sample_rate)
    vh = 10.0 ** (_SHELF_GAIN_DB / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / _SHELF_Q + k * k
    shelf_b = [(vh + vb * k / _SHELF_Q + k * k) / a0, 2.0 * (k * k - vh) / a0, (vh - vb * k / _SHELF_Q + k * k) / a0]
    shelf_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / _SHELF_Q + k * k) / a0]
    k = math.tan(math.pi * _HIGHPASS_F0 / sample_rate)
    a0 = 1.0 + k / _HIGHPASS_Q + k * k
    hp_a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / _HIGHPASS_Q + k * k) / a0]
    return (shelf_b, shelf_a), ([1.0, -2.0, 1.0], hp_a)


def _channel_weights(c: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """BS.1770 channel weights: 1 for L, R, C (and any channel past the fifth), 1.41 for the surrounds."""
    w = torch.ones(c, dtype=dtype, device=device)
    w[3:5] = 1.41
    return w


def integrated_loudness(wave: torch.Tensor, sample_rate: int, lengths: torch.Tensor | None = None) -> torch.Tensor:
    """Gated integrated loudness in LKFS of each clip of ``wave (B, C, T)`` → ``(B,)``.

    Only the first ``lengths[b]`` samples of clip ``b`` count. A clip shorter than one
    400 ms block is measured as a single block over its valid part. Silence (every
    block below the absolute gate) gives ``-inf``.
    """
    b, c, t = wave.shape
    x = wave.to(torch.float64)  # the high-pass pole sits 0.005 from 1 at 16 kHz: filter in float64
    (sb, sa), (hb, ha) = k_weighting_coefficients(sample_rate)
    for bb, aa in ((sb, sa), (hb, ha)):
        x = AF.lfilter(
            x,
            torch.tensor(aa, dtype=x.dtype, device=x.device),
            torch.tensor(bb, dtype=x.dtype, device=x.device),
            clamp=False,
        )
    lens = (
        torch.full((b,), t, device=wave.device, dtype=torch.long) if lengths is None else lengths.to(wave.device).long()
    )
    # mean square over every block [start, start + block) from a cumulative sum (any block length)
    block = max(1, round(BLOCK_SECONDS * sample_rate))
    step = max(1, round(block * 0.25))
    block = min(block, t)
    csum = torch.nn.functional.pad(x.square().cumsum(-1), (1, 0))  # (B, C, T + 1)
    starts = torch.arange(0, t - block + 1, step, device=wave.device)
    energy = (csum[..., starts + block] - csum[..., starts]) / block  # (B, C, N)
    inside = (starts + block).unsqueeze(0) <= lens.unsqueeze(1)  # (B, N) blocks within the clip
    # a clip shorter than one block: one block over its whole valid part
    short = lens < block
    short_energy = csum.gather(-1, lens.view(b, 1, 1).expand(b, c, 1)).squeeze(-1) / lens.clamp_min(1).view(b, 1)
    weights = _channel_weights(c, x.dtype, x.device)
    block_power = (energy * weights.view(1, c, 1)).sum(1)  # (B, N)
    block_power = torch.where(
        short.view(b, 1) & (starts == 0).view(1, -1), (short_energy * weights).sum(1, keepdim=True), block_power
    )
    inside = inside | (short.view(b, 1) & (starts == 0).view(1, -1))
    block_lk = OFFSET + 10.0 * torch.log10(block_power.clamp_min(1e-300))
    gated = inside & (block_lk > ABSOLUTE_GATE)
    mean_abs = (block_power * gated).sum(1) / gated.sum(1).clamp_min(1)
    relative = OFFSET + 10.0 * torch.log10(mean_abs.clamp_min(1e-300)) + RELATIVE_GATE
    gated = gated & (block_lk > relative.unsqueeze(1))
    mean = (block_power * gated).sum(1) / gated.sum(1).clamp_min(1)
    loud = OFFSET + 10.0 * torch.log10(mean.clamp_min(1e-300))
    return torch.where(gated.any(1), loud, torch.full_like(loud, -math.inf)).to(
        wave.dtype if wave.is_floating_point() else torch.float32
    )
