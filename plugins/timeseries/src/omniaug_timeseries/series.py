"""The time-series payload: a ``(B, C, T)`` tensor or a :class:`SeriesBatch`.

Ops work on one internal view, :class:`SeriesView` (values, per-sample valid
lengths, optional per-timestep labels), and write their result back into the
type that came in, so a plain tensor stays a tensor and a ``SeriesBatch`` keeps
its lengths and label masks.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import Any, NamedTuple

import torch

__all__ = ["SeriesBatch", "SeriesView", "view_of", "rebuild", "valid_mask", "keep_padding"]


@dataclass(frozen=True)
class SeriesBatch:
    """A batch of (possibly padded, possibly labelled) multichannel series.

    Attributes:
        values: ``(B, C, T)`` float tensor, channels first (as ``Conv1d`` expects).
        lengths: ``(B,)`` integer tensor of valid lengths (``1 <= lengths <= T``);
            positions ``t >= lengths[b]`` are padding that ops leave untouched.
            ``None`` means every series uses all ``T`` steps.
        labels: ``(B, T)`` per-timestep labels (segmentation targets, any dtype);
            every time-axis op moves them with the values (nearest, never interpolated).
    """

    values: torch.Tensor
    lengths: torch.Tensor | None = None
    labels: torch.Tensor | None = None

    @property
    def batch_size(self) -> int:
        return int(self.values.shape[0])

    def valid_lengths(self) -> torch.Tensor:
        """``(B,)`` long lengths (``T`` for every sample when ``lengths`` is None)."""
        return view_of(self).lengths


class SeriesView(NamedTuple):
    """What a kernel works on: values, lengths (always set) and labels (maybe None)."""

    values: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor | None
    padded: bool  # whether the input declared lengths


def view_of(x: torch.Tensor | SeriesBatch) -> SeriesView:
    """The :class:`SeriesView` of a payload (lengths filled with ``T`` when absent)."""
    if isinstance(x, SeriesBatch):
        v = x.values
        if x.lengths is None:
            return SeriesView(v, _full_lengths(v.shape[0], v.shape[-1], v.device), x.labels, False)
        return SeriesView(v, x.lengths.to(device=v.device, dtype=torch.long), x.labels, True)
    return SeriesView(x, _full_lengths(x.shape[0], x.shape[-1], x.device), None, False)


@functools.lru_cache(maxsize=64)
def _full_lengths(b: int, t: int, device: torch.device) -> torch.Tensor:
    """``(B,)`` lengths all ``T`` for an unpadded batch, cached: a view is built several
    times per op, and a fresh tensor each time was a measurable share of small calls.
    Never modified in place (ops derive new lengths out of place)."""
    return torch.full((b,), t, dtype=torch.long, device=device)


def rebuild(
    x: torch.Tensor | SeriesBatch,
    values: torch.Tensor,
    *,
    lengths: torch.Tensor | None = None,
    labels: torch.Tensor | None = None,
) -> Any:
    """Put new ``values`` (and optionally lengths / labels) back into the payload type of ``x``."""
    if not isinstance(x, SeriesBatch):
        return values
    changes: dict[str, Any] = {"values": values}
    if lengths is not None and x.lengths is not None:
        changes["lengths"] = lengths.to(x.lengths.dtype)
    if labels is not None and x.labels is not None:
        changes["labels"] = labels
    return dataclasses.replace(x, **changes)


def valid_mask(lengths: torch.Tensor, t: int) -> torch.Tensor:
    """``(B, 1, T)`` bool mask of valid time steps."""
    return (torch.arange(t, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(1)


def keep_padding(new: torch.Tensor, old: torch.Tensor, lengths: torch.Tensor, padded: bool) -> torch.Tensor:
    """``new`` on the valid part, ``old`` on the padding (a no-op for unpadded batches)."""
    if not padded:
        return new
    return torch.where(valid_mask(lengths, old.shape[-1]), new, old)
