"""Contrastive use: two independently augmented views of one batch in one call (GraphCL)."""

from __future__ import annotations

from typing import Any, NamedTuple

import torch

from omniaug import InputError, Params, Transform

__all__ = ["TwoViews", "Views"]


class Views(NamedTuple):
    """What :meth:`TwoViews.augment` returns: both views and the params that made them."""

    first: Any
    second: Any
    first_params: Params
    second_params: Params


class TwoViews:
    """Make two views of a batch with independent draws (You et al. 2020, GraphCL).

    ``TwoViews(pipeline)`` applies the same pipeline twice; ``TwoViews(a, b)``
    applies ``a`` for the first view and ``b`` for the second (GraphCL's
    augmentation pairs). Both views are drawn from the caller's generator one after
    the other, so they are independent and reproducible; graph ``i`` of each view
    comes from graph ``i`` of the input (positive pairs are aligned by index).

    Example::

        views = TwoViews(Compose([DropEdge(0.2), MaskFeature(0.2)]))
        v1, v2 = views(batch, generator=g)
        loss = nt_xent(encoder(v1), encoder(v2))
    """

    def __init__(self, first: Transform, second: Transform | None = None) -> None:
        for arg, t in (("first", first), ("second", second)):
            if t is not None and not isinstance(t, Transform):
                raise InputError(arg, "an omniaug transform (op, container or preset)", t, where="TwoViews")
        self.first = first
        self.second = first if second is None else second

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Views:
        """Both views and their params (replayable with ``transform.apply(x, params)``)."""
        a = self.first.augment(x, generator=generator)
        b = self.second.augment(x, generator=generator)
        return Views(a.output, b.output, a.params, b.params)

    def __call__(self, x: Any, *, generator: torch.Generator | None = None) -> tuple[Any, Any]:
        """``(view_1, view_2)``."""
        views = self.augment(x, generator=generator)
        return views.first, views.second

    def __repr__(self) -> str:
        return f"TwoViews({self.first!r}, {self.second!r})"
