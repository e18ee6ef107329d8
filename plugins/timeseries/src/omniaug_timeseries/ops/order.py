"""Ops that reorder time: segment permutation and reversal.

References:
    Um et al. 2017 ("permutation": split into segments and shuffle them).
    Iwana & Uchida 2021 (permutation and flipping, benchmarked).
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import Magnitude, Params, args, rng

from ..series import SeriesView, view_of
from .base import SeriesAugmentation, keep_label_padding

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

    The ``segments - 1`` cut points are distinct steps drawn uniformly without
    replacement among ``1 … L - 1`` (the smallest of per-step random keys), so no piece
    is ever empty: a series of length ``L >= segments`` is cut into exactly
    ``segments`` non-empty pieces (a shorter one into ``L``). The order is a uniformly
    random permutation per sample, so a series comes out unchanged only when the
    permutation is the identity (probability ``1 / segments!``). Each output step
    reads one input step (no interpolation), found with one batched ``searchsorted``.

    Args:
        segments: number of pieces (1 = identity); with ``random_count``, the most.
        random_count: draw each series' number of pieces uniformly in ``1 … segments``
            (as the reference implementation of Iwana & Uchida 2021 does, which draws
            ``1 … max_segments - 1``; pass ``segments = max_segments - 1`` to match it).
    """

    name = "timeseries.segment_permutation"
    differentiable = True
    magnitude = Magnitude("segments", 1, 8, integer=True)
    moves_time = True

    def __init__(
        self, segments: int = 4, *, random_count: bool = False, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.segments = args.integer("segments", segments, low=1, high=256, where=self.name)
        self.random_count = bool(random_count)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        k = self.segments
        view = view_of(x)
        t = view.values.shape[-1]
        lengths = view.lengths.to(device)
        m = min(k - 1, t - 1)  # cuts to draw (T >= 2 is guaranteed by validation)
        # distinct cut steps: the m smallest of uniform keys over the candidates 1 … L - 1
        keys = rng.uniform(batch_size, 0.0, 1.0, shape=(t - 1,), generator=generator, device=device)
        candidates = torch.arange(1, t, device=device).unsqueeze(0)
        keys = keys.masked_fill(candidates >= lengths.unsqueeze(1), 2.0)  # past the valid part: never first
        picked = keys.topk(m, dim=1, largest=False)
        cuts = torch.where(picked.values < 2.0, picked.indices + 1, lengths.unsqueeze(1))  # too short: empty tail
        if self.random_count:
            count = rng.randint(batch_size, 1, k + 1, generator=generator, device=device)
            cuts = torch.where(
                torch.arange(m, device=device).unsqueeze(0) < (count - 1).unsqueeze(1), cuts, lengths.unsqueeze(1)
            )
        if m < k - 1:
            cuts = torch.cat([cuts, lengths.unsqueeze(1).expand(-1, k - 1 - m)], dim=1)
        order = rng.uniform(batch_size, 0.0, 1.0, shape=(k,), generator=generator, device=device).argsort(-1)
        return {"cuts": cuts.sort(-1).values, "order": order}

    def source_steps(self, view: SeriesView, params: Params) -> torch.Tensor:
        """``(B, T)`` input step read at each output step."""
        lengths = view.lengths
        b, t = lengths.shape[0], view.values.shape[-1]
        # cut steps (B, K-1); clamped so replayed params fit a shorter series
        cuts = params["cuts"].to(lengths.device).minimum(lengths.unsqueeze(1))
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

    def inner_kernel(self, view: SeriesView, params: Params) -> tuple[torch.Tensor, None, torch.Tensor | None]:
        values, labels = gather_time(view, self.source_steps(view, params))
        return values, None, labels


class Reverse(SeriesAugmentation):
    """Play the valid part backwards (labels too); padding stays where it is."""

    name = "timeseries.reverse"
    differentiable = True

    def inner_kernel(self, view: SeriesView, params: Params) -> tuple[torch.Tensor, None, torch.Tensor | None]:
        t = view.values.shape[-1]
        steps = torch.arange(t, device=view.values.device).unsqueeze(0)
        values, labels = gather_time(view, (view.lengths.unsqueeze(1) - 1 - steps).clamp_min(0))
        return values, None, labels
