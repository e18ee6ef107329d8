"""Masking ops: time cutout, time dropout and channel dropout.

References:
    DeVries & Taylor 2017 (cutout), applied to time series in Iwana & Uchida 2021's
    survey; Abbaspourazad et al. 2024 (cut-out of wearable segments).
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import Magnitude, Params, args, rng

from ..series import SeriesBatch, SeriesView, view_of
from .base import SeriesAugmentation

__all__ = ["TimeCutout", "TimeDropout", "ChannelDropout"]


class TimeCutout(SeriesAugmentation):
    """Overwrite one random window of every channel with ``fill``.

    The window length is drawn uniformly in ``[0, max_size]`` of the valid length,
    its start uniformly inside the valid part. Labels are unchanged (time does not move).

    Args:
        max_size: largest window, as a fraction of the valid length.
        fill: value written into the window.
    """

    name = "timeseries.time_cutout"
    differentiable = True
    magnitude = Magnitude("max_size", 0.0, 0.4)

    def __init__(
        self, max_size: float = 0.1, *, fill: float = 0.0, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.max_size = args.fraction("max_size", max_size, where=self.name)
        self.fill = args.finite("fill", fill, where=self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        size = rng.uniform(batch_size, 0.0, self.max_size, generator=generator, device=device)
        start = rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device)
        return {"size": size, "start": start}

    def window_mask(self, view: SeriesView, params: Params) -> torch.Tensor:
        """``(B, 1, T)`` True inside each sample's cut-out window."""
        lengths = view.lengths
        width = (params["size"].double() * lengths).round().long()
        start = (params["start"].double() * (lengths - width + 1)).floor().long().minimum(lengths - width)
        steps = torch.arange(view.values.shape[-1], device=lengths.device).unsqueeze(0)
        return ((steps >= start.unsqueeze(1)) & (steps < (start + width).unsqueeze(1))).unsqueeze(1)

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        return view.values.masked_fill(self.window_mask(view, params), self.fill)


class TimeDropout(SeriesAugmentation):
    """Overwrite each valid time step (all channels) with ``fill`` independently with probability ``rate``.

    Args:
        rate: per-step drop probability.
        fill: value written at dropped steps.
    """

    name = "timeseries.time_dropout"
    differentiable = True
    magnitude = Magnitude("rate", 0.0, 0.3)

    def __init__(self, rate: float = 0.05, *, fill: float = 0.0, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=self.name)
        self.fill = args.finite("fill", fill, where=self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        t = view_of(x).values.shape[-1]
        return {"drop": rng.bernoulli(batch_size, self.rate, shape=(1, t), generator=generator, device=device)}

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        return view.values.masked_fill(params["drop"].to(view.values.device), self.fill)


class ChannelDropout(SeriesAugmentation):
    """Overwrite whole channels with ``fill``, each independently with probability ``rate``.

    Models a missing or failed sensor. A sample may lose every channel when ``rate``
    is high; use ``OneOf``/``p`` to keep that rare.

    A univariate series has no other channel to fall back on: policies and presets
    (:class:`omniaug.SkipInapplicable`) skip the op on it, with the reason in the
    params, instead of blanking the whole series (:meth:`inapplicable`). Called on
    its own, the op still does what it is asked.

    Args:
        rate: per-channel drop probability.
        fill: value written into dropped channels.
    """

    name = "timeseries.channel_dropout"
    differentiable = True
    magnitude = Magnitude("rate", 0.0, 0.5)

    def __init__(self, rate: float = 0.2, *, fill: float = 0.0, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=self.name)
        self.fill = args.finite("fill", fill, where=self.name)

    def inapplicable(self, x: Any) -> tuple[torch.Tensor | None, str]:
        """Every sample of a univariate batch: dropping its only channel would blank it."""
        values = x.values if isinstance(x, SeriesBatch) else x
        if not isinstance(values, torch.Tensor) or values.dim() != 3 or values.shape[1] >= 2:
            return None, ""  # several channels, or a malformed payload the op's validation reports
        skip = torch.ones(values.shape[0], dtype=torch.bool, device=values.device)
        return skip, f"{self.name}: a univariate series has no channel to spare (dropping it blanks the series)"

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        c = view_of(x).values.shape[1]
        return {"drop": rng.bernoulli(batch_size, self.rate, shape=(c, 1), generator=generator, device=device)}

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        return view.values.masked_fill(params["drop"].to(view.values.device), self.fill)
