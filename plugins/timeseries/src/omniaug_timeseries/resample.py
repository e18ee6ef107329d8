"""Read series at fractional positions: batched gather + linear interpolation.

One gather per neighbour over every sample and channel (no ``grid_sample``, whose
fixed normalization would need per-sample rescaling for padded batches). Labels
follow positions by nearest neighbour and are never interpolated.
"""

from __future__ import annotations

import torch

__all__ = ["interpolate", "nearest"]


def interpolate(
    values: torch.Tensor, positions: torch.Tensor, lengths: torch.Tensor, *, padded: bool = True
) -> torch.Tensor:
    """``values (B, C, T)`` read at ``positions (B, 1|C, T')`` (input time steps) → ``(B, C, T')``.

    Positions are clamped to each sample's valid part ``[0, L - 1]``, so padding is
    never read; ``padded=False`` promises ``L = T`` for every sample (cheaper clamps).
    """
    b, c, t = values.shape
    shape = (b, c, positions.shape[-1])
    if padded:
        last = (lengths - 1).view(b, 1, 1)
        pos = positions.clamp(min=0.0).minimum(last.to(positions.dtype))
        i0 = pos.floor()
        frac = (pos - i0).to(values.dtype)
        i0 = i0.long()
        i1 = torch.minimum(i0 + 1, last)
    else:  # every sample spans [0, T - 1]: scalar clamps
        pos = positions.clamp(0.0, t - 1)
        i0 = pos.long().clamp_max_(t - 2)  # pos >= 0, so truncation is floor
        frac = (pos - i0).to(values.dtype)
        i1 = i0 + 1
    v0 = values.gather(2, i0.expand(shape))
    v1 = values.gather(2, i1.expand(shape))
    return v0.lerp_(v1, frac.expand(shape))  # v0 is fresh: reuse it (fewer large allocations)


def nearest(labels: torch.Tensor, positions: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """``labels (B, T)`` read at the nearest valid step to ``positions (B, T')``."""
    last = (lengths - 1).view(-1, 1)
    idx = torch.minimum(positions.round().long().clamp(min=0), last)
    return labels.gather(1, idx)
