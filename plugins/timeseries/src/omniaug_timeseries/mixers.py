"""Mixers over time: MixUp and CutMix of time windows, with soft labels.

Partners may have a different valid length than the sample they mix into; a
sample's own length, padding and time axis are kept, and at steps where the partner
has no data the sample keeps its own values. The reported weight is the sample's
**effective** share over its valid steps, which the core turns into soft labels.
Per-timestep label masks come from whichever source dominates each step.

References:
    Zhang et al. 2018, "mixup: Beyond empirical risk minimization".
    Yun et al. 2019, "CutMix" (here over a time window instead of an image box).
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import Mixer, Params, rng

from .modality import TIMESERIES
from .series import SeriesBatch, rebuild, view_of

__all__ = ["TimeMixUp", "TimeCutMix"]


def _steps(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    return torch.arange(x.shape[-1], device=x.device).unsqueeze(0) < lengths.unsqueeze(1)


class TimeMixUp(Mixer):
    """MixUp: ``λ·x + (1-λ)·partner`` step by step, λ ~ Beta(α, α) per sample.

    Weight reported = mean over the sample's valid steps of its own coefficient
    (1 where the partner is shorter and has no data).
    """

    name = "timeseries.mixup"
    differentiable = True
    modality = TIMESERIES

    def __init__(
        self, alpha: float = 0.2, *, p: float = 1.0, num_classes: int | None = None, label_smoothing: float = 0.0
    ) -> None:
        # α = 0.2: the MixUp default of every plugin (Zhang et al. 2018, ImageNet setting)
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)

    def mix(self, x: torch.Tensor | SeriesBatch, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        own, other = view_of(x), view_of(partners[0])
        valid = _steps(own.values, own.lengths)
        partner_valid = _steps(own.values, other.lengths)
        lam = params["lam"].to(own.values.device, own.values.dtype).unsqueeze(1)
        w = torch.where(partner_valid, lam, torch.ones_like(lam))  # (B, T) own coefficient per step
        mixed = w.unsqueeze(1) * own.values + (1 - w.unsqueeze(1)) * other.values
        values = torch.where(valid.unsqueeze(1), mixed, own.values)
        share = (w * valid).sum(1) / own.lengths.to(w.dtype)
        labels = None
        if own.labels is not None and other.labels is not None:
            labels = torch.where(valid & (w < 0.5), other.labels, own.labels)
        return rebuild(x, values, labels=labels), share


class TimeCutMix(Mixer):
    """CutMix over time: paste the partner's steps inside one random window.

    The window covers ``round((1-λ)·L)`` of the sample's valid length ``L`` at a
    uniformly random start; steps where the partner has no data are not pasted. The
    reported weight is 1 − (steps actually pasted) / L.
    """

    name = "timeseries.cutmix"
    differentiable = True
    modality = TIMESERIES

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"start": rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device)}

    def window(self, lengths: torch.Tensor, t: int, params: Params) -> torch.Tensor:
        """``(B, T)`` True inside each sample's paste window."""
        lam = params["lam"].to(lengths.device).double()
        width = ((1.0 - lam) * lengths).round().long().clamp(0).minimum(lengths)
        start = (
            (params["start"].to(lengths.device).double() * (lengths - width + 1))
            .floor()
            .long()
            .minimum(lengths - width)
        )
        steps = torch.arange(t, device=lengths.device).unsqueeze(0)
        return (steps >= start.unsqueeze(1)) & (steps < (start + width).unsqueeze(1))

    def mix(self, x: torch.Tensor | SeriesBatch, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        own, other = view_of(x), view_of(partners[0])
        pasted = self.window(own.lengths, own.values.shape[-1], params) & _steps(own.values, other.lengths)
        values = torch.where(pasted.unsqueeze(1), other.values, own.values)
        share = 1.0 - pasted.sum(1).to(torch.float32) / own.lengths.to(torch.float32)
        labels = None
        if own.labels is not None and other.labels is not None:
            labels = torch.where(pasted, other.labels, own.labels)
        return rebuild(x, values, labels=labels), share
