"""Ops that reorder time: segment permutation and reversal.

References:
    Um et al. 2017 ("permutation": split into segments and shuffle them).
    Iwana & Uchida 2021 (permutation and flipping, benchmarked).
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import Magnitude, Params, rng

from .base import SeriesAugmentation, check_count, keep_label_padding
from .series import SeriesView

__all__ = ["SegmentPermutation", "Reverse", "gather_time"]


def gather_time(view: SeriesView, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Values and labels at integer source steps ``src (B, T)`` (positions past the length keep theirs)."""
    b, c, t = view.values.shape
    steps = torch.arange(t, device=src.device).unsqueeze(0)
    src = torch.where(steps < view.lengths.unsqueeze(1), src, steps)
    values = view.values.gather(2, src.unsqueeze(1).expand(b, c, t))
    labels = None
    if view.labels is not None:
        labels = keep_label_padding(view.labels.gather(1, src), view.labels, view.lengths)
    return values, labels


class SegmentPermutation(SeriesAugmentation):
    """Cut the valid part into ``segments`` pieces at random points and shuffle them.

    Cut points are uniform over the valid part; the order is a uniformly random
    permutation per sample. Each output step reads one input step (no interpolation),
    found with one batched ``searchsorted``.

    Args:
        segments: number of pieces (1 = identity).
    """

    name = "timeseries.segment_permutation"
    differentiable = True
    magnitude = Magnitude("segments", 1, 8, integer=True)
    moves_time = True

    def __init__(self, segments: int = 4, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.segments = check_count("segments", segments, self.name)

    def draw(self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device) -> dict[str, Any]:
        k = self.segments
        cuts = rng.uniform(batch_size, 0.0, 1.0, shape=(k - 1,), generator=generator, device=device).sort(-1).values
        keys = rng.uniform(batch_size, 0.0, 1.0, shape=(k,), generator=generator, device=device)
        return {"cuts": cuts, "order": keys.argsort(-1)}

    def source_steps(self, view: SeriesView, params: Params) -> torch.Tensor:
        """``(B, T)`` input step read at each output step."""
        lengths = view.lengths
        b, t = lengths.shape[0], view.values.shape[-1]
        cuts = (params["cuts"].double() * lengths.unsqueeze(1)).round().long()
        zero = torch.zeros(b, 1, dtype=torch.long, device=lengths.device)
        bounds = torch.cat([zero, cuts, lengths.unsqueeze(1)], dim=1)  # (B, K+1) segment boundaries
        seg_start, seg_len = bounds[:, :-1], bounds[:, 1:] - bounds[:, :-1]
        order = params["order"].to(lengths.device)
        out_len = seg_len.gather(1, order)
        out_start = out_len.cumsum(1) - out_len  # where the k-th output segment begins
        steps = torch.arange(t, device=lengths.device).unsqueeze(0).expand(b, t).contiguous()
        k = torch.searchsorted(out_start, steps, right=True) - 1
        src_seg = order.gather(1, k)
        return seg_start.gather(1, src_seg) + steps - out_start.gather(1, k)

    def transform(self, view: SeriesView, params: Params) -> tuple[torch.Tensor, None, torch.Tensor | None]:
        values, labels = gather_time(view, self.source_steps(view, params))
        return values, None, labels


class Reverse(SeriesAugmentation):
    """Play the valid part backwards (labels too); padding stays where it is."""

    name = "timeseries.reverse"
    differentiable = True

    def transform(self, view: SeriesView, params: Params) -> tuple[torch.Tensor, None, torch.Tensor | None]:
        t = view.values.shape[-1]
        steps = torch.arange(t, device=view.values.device).unsqueeze(0)
        values, labels = gather_time(view, (view.lengths.unsqueeze(1) - 1 - steps).clamp_min(0))
        return values, None, labels
