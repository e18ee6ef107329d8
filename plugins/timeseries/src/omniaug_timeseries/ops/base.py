"""Shared base of the time-series ops: payload unpacking, channel-group checks, padding.

Argument checks are ``omniaug.args`` (one error shape for every plugin).
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch

from omniaug import Augmentation, InputError, Params

from ..modality import TIMESERIES
from ..series import SeriesBatch, SeriesView, keep_padding, rebuild, view_of

__all__ = [
    "SeriesAugmentation",
    "channel_range",
    "channel_std",
    "check_groups",
    "keep_label_padding",
]


class SeriesAugmentation(Augmentation):
    """An op on ``(B, C, T)`` tensors and :class:`SeriesBatch` payloads.

    Subclasses implement :meth:`inner_kernel` on a :class:`SeriesView` and return new
    values (and, for time-axis ops, lengths and labels); the padding of values is
    restored afterwards, so a subclass may compute garbage there.
    """

    modality = TIMESERIES
    #: whether the op moves samples along time (then labels must follow)
    moves_time: ClassVar[bool] = False

    def inner_kernel(
        self, view: SeriesView, params: Params
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        """The op on the unwrapped batch (:meth:`kernel` builds the view and rebuilds the payload)."""
        raise NotImplementedError(f"{type(self).__name__}.inner_kernel")

    def kernel(self, x: torch.Tensor | SeriesBatch, params: Params) -> Any:
        view = view_of(x)
        result = self.inner_kernel(view, params)
        if isinstance(result, tuple):
            values, lengths, labels = result
        else:
            values, lengths, labels = result, None, None
        if lengths is None:
            values = keep_padding(values, view.values, view.lengths, view.padded)
        return rebuild(x, values.to(view.values.dtype), lengths=lengths, labels=labels)

    def check_channels(self, x: Any, needed: int, what: str) -> None:
        c = view_of(x).values.shape[1]
        if c < needed:
            raise InputError(
                "x", f"a series with at least {needed} channels ({what})", view_of(x).values, where=self.name
            )


def check_groups(name: str, groups: Any, size: int | None, where: str) -> list[list[int]] | None:
    """``None`` or a list of disjoint lists of channel indices (each of ``size`` channels when given)."""
    if groups is None:
        return None
    expected = "None or a list of disjoint lists of channel indices" + (f", {size} per group" if size else "")
    if not isinstance(groups, (list, tuple)) or not groups:
        raise InputError(name, expected, groups, where=where)
    out: list[list[int]] = []
    seen: set[int] = set()
    for grp in groups:
        if not isinstance(grp, (list, tuple)) or not all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in grp
        ):
            raise InputError(name, expected, groups, where=where)
        if (size is not None and len(grp) != size) or seen.intersection(grp) or len(set(grp)) != len(grp):
            raise InputError(name, expected, groups, where=where)
        seen.update(grp)
        out.append([int(i) for i in grp])
    return out


def keep_label_padding(new: torch.Tensor, old: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Per-timestep labels: ``new`` on the valid part, ``old`` on the padding."""
    valid = torch.arange(old.shape[-1], device=old.device).unsqueeze(0) < lengths.unsqueeze(1)
    return torch.where(valid, new, old)


def channel_std(view: SeriesView) -> torch.Tensor:
    """``(B, C, 1)`` standard deviation (population) of each channel over its valid part.

    The sum of squares is accumulated in float64 (``vector_norm(dtype=float64)``), so it
    does not overflow where the squares would in the input's dtype: float16 values above
    256, float32 values above ~1e19 (a finite input then gave an infinite std and NaN noise).
    """
    values = view.values
    if not view.padded:  # two plain passes: much faster than Tensor.std's Welford loop on CPU
        centred = values - values.mean(-1, keepdim=True)
        norm = torch.linalg.vector_norm(centred, dim=-1, keepdim=True, dtype=torch.float64)
        return (norm / values.shape[-1] ** 0.5).to(values.dtype)  # out of place: autograd saved the norm
    valid = (torch.arange(values.shape[-1], device=values.device) < view.lengths.unsqueeze(1)).unsqueeze(1)
    n = view.lengths.view(-1, 1, 1).to(values.dtype)
    x = torch.where(valid, values, torch.zeros((), dtype=values.dtype, device=values.device))
    mean = x.sum(-1, keepdim=True) / n
    centred = torch.where(valid, values - mean, torch.zeros((), dtype=x.dtype, device=x.device))
    norm = torch.linalg.vector_norm(centred, dim=-1, keepdim=True, dtype=torch.float64)
    return (norm / n.to(torch.float64).sqrt()).to(values.dtype)


def channel_range(view: SeriesView) -> tuple[torch.Tensor, torch.Tensor]:
    """``(B, C, 1)`` minimum and maximum of each channel over its valid part."""
    if not view.padded:  # amin + amax: much faster than aminmax along the last dim on CPU
        return view.values.amin(-1, keepdim=True), view.values.amax(-1, keepdim=True)
    valid = (torch.arange(view.values.shape[-1], device=view.values.device) < view.lengths.unsqueeze(1)).unsqueeze(1)
    inf = torch.tensor(float("inf"), dtype=view.values.dtype, device=view.values.device)
    lo = torch.where(valid, view.values, inf).amin(-1, keepdim=True)
    hi = torch.where(valid, view.values, -inf).amax(-1, keepdim=True)
    return lo, hi
