"""Crops: random crop (optionally resized back) and window slicing.

References:
    Le Guennec, Malinowski & Tavenard 2016 (window slicing: a 90 % window resized to
    the full length). Abbaspourazad et al. 2024 (random cropping of wearable segments).
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import InputError, Magnitude, Params, args, rng

from ..resample import interpolate, nearest
from ..series import SeriesBatch, SeriesView
from .base import SeriesAugmentation, keep_label_padding

__all__ = ["Crop", "WindowSlice"]


class Crop(SeriesAugmentation):
    """Keep a random window of each series' valid part.

    The window covers ``size`` of the valid length (a fixed fraction, or drawn per
    sample uniformly from ``[low, high]``) at a uniformly random start. With
    ``resize=True`` it is stretched back to the original valid length (linear
    interpolation for values, nearest for labels); with ``resize=False`` it is moved
    to the start, the rest becomes padding (``fill`` / ``label_fill``) and ``lengths``
    become the window length — that needs a :class:`SeriesBatch` with lengths.

    Args:
        size: window length as a fraction of the valid length, or ``[low, high]``.
        resize: resample the window back to the original length.
        fill: value of the new padding (``resize=False``).
        label_fill: label of the new padding (``resize=False``).
    """

    name = "timeseries.crop"
    differentiable = True
    magnitude = Magnitude("size", 1.0, 0.5)
    moves_time = True

    @classmethod
    def example_instances(cls) -> list[Any]:
        return [cls(), cls(size=[0.5, 0.9], resize=False)]

    def __init__(
        self,
        size: float | list[float] = 0.9,
        *,
        resize: bool = True,
        fill: float = 0.0,
        label_fill: int = -1,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        lo, hi = args.value_range("size", size, bounds=(0.0, 1.0), low_open=True, scalar="fixed", where=self.name)
        self.size: float | list[float] = [lo, hi] if isinstance(size, (list, tuple)) else lo
        self._low, self._high = lo, hi
        self.resize = bool(resize)
        self.fill = args.finite("fill", fill, where=self.name)
        self.label_fill = args.integer("label_fill", label_fill, where=self.name)

    def check(self, x: Any) -> None:
        if not self.resize and not (isinstance(x, SeriesBatch) and x.lengths is not None):
            raise InputError(
                "x",
                "a SeriesBatch with lengths when resize=False (the crop shortens the series; lengths record it)",
                x.values if isinstance(x, SeriesBatch) else x,
                where=self.name,
            )

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        size = rng.uniform(batch_size, self._low, self._high, generator=generator, device=device)
        start = rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device)
        return {"size": size, "start": start}

    def window(self, view: SeriesView, params: Params) -> tuple[torch.Tensor, torch.Tensor]:
        """Integer ``(start, length)`` of each sample's window, both ``(B,)``."""
        lengths = view.lengths
        width = (params["size"].double() * lengths).round().long().clamp(min=2).minimum(lengths)
        start = (params["start"].double() * (lengths - width + 1)).floor().long().minimum(lengths - width)
        return start, width

    def inner_kernel(
        self, view: SeriesView, params: Params
    ) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
        start, width = self.window(view, params)
        b, _, t = view.values.shape
        steps = torch.arange(t, device=view.values.device, dtype=torch.float64).unsqueeze(0)
        if self.resize:
            scale = (width - 1).double() / (view.lengths - 1).double()
            path = (start.double().unsqueeze(1) + steps * scale.unsqueeze(1)).unsqueeze(1).float()
            values = interpolate(view.values, path, view.lengths, padded=view.padded)
            labels = None
            if view.labels is not None:
                labels = keep_label_padding(nearest(view.labels, path[:, 0], view.lengths), view.labels, view.lengths)
            return values, None, labels
        src = (start.unsqueeze(1) + steps.long()).clamp_max(t - 1)  # (B, T)
        inside = steps < width.unsqueeze(1)
        values = view.values.gather(2, src.unsqueeze(1).expand(b, view.values.shape[1], t))
        values = torch.where(inside.unsqueeze(1), values, torch.full_like(values, self.fill))
        labels = None
        if view.labels is not None:
            moved = view.labels.gather(1, src)
            labels = torch.where(inside, moved, torch.full_like(moved, self.label_fill))
        return values, width, labels


class WindowSlice(Crop):
    """Window slicing (Le Guennec et al. 2016): a random window of ``size`` (a fraction of the length) resized to full length."""

    name = "timeseries.window_slice"
    differentiable = True
    magnitude = Magnitude("size", 1.0, 0.7)

    @classmethod
    def example_instances(cls) -> list[Any]:
        return [cls()]

    def __init__(self, size: float = 0.9, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(size=size, resize=True, p=p, same_on_batch=same_on_batch)
