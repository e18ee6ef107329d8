"""The mixer of the tabular example: rows mixed within their class."""

from __future__ import annotations

from typing import Any

import torch

import omniaug
from omniaug import rng

from .modality import TABULAR, Rows, features_of, with_features


class WithinClassMix(omniaug.Mixer):
    """Interpolate each row with a random row of the same class (SMOTE-like).

    Partners come from the same class (labels from the call, or from ``Rows.labels``);
    a sample alone in its class is paired with itself and left unchanged. The
    effective weight is λ, and since both rows share a class the soft label stays
    that class. A missing (NaN) value of the partner is not mixed in: the row
    keeps its own value there, so NaN never spreads to another row.
    """

    name = "tabular.within_class_mix"
    differentiable = True
    modality = TABULAR

    def __init__(
        self, alpha: float = 0.2, *, p: float = 1.0, num_classes: int | None = None, label_smoothing: float = 0.0
    ) -> None:
        # α = 0.2: the MixUp default of every omniaug plugin (Zhang et al. 2018, ImageNet setting)
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)

    def draw_partners(
        self,
        x: Any,
        batch_size: int,
        *,
        generator: torch.Generator | None,
        device: torch.device,
        labels: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if labels is None and isinstance(x, Rows):
            labels = x.labels
        if labels is None:
            return super().draw_partners(x, batch_size, generator=generator, device=device)
        cls = labels.argmax(1) if labels.dim() == 2 else labels
        cls = cls.to(device)
        # Sort by (class, random key); pair each row with the next one inside its class group.
        key = rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device, dtype=torch.float64)
        order = torch.argsort(cls.to(torch.float64) * 2.0 + key)
        sorted_cls = cls[order]
        pos = torch.arange(batch_size, device=device)
        starts = torch.ones(batch_size, dtype=torch.bool, device=device)
        starts[1:] = sorted_cls[1:] != sorted_cls[:-1]
        group_start = torch.cummax(torch.where(starts, pos, torch.zeros_like(pos)), 0).values
        counts = torch.bincount(torch.cumsum(starts.long(), 0) - 1)
        group_len = counts[torch.cumsum(starts.long(), 0) - 1]
        nxt = group_start + (pos - group_start + 1) % group_len
        partner = torch.empty_like(order)
        partner[order] = order[nxt]
        return partner.unsqueeze(1)

    def mix(self, x: Any, partners: list[Any], params: omniaug.Params) -> tuple[Any, torch.Tensor]:
        lam = params["lam"].to(features_of(x).dtype)
        own, other = features_of(x), features_of(partners[0])
        mixed = lam.unsqueeze(1) * own + (1 - lam.unsqueeze(1)) * other
        mixed = torch.where(other.isnan(), own, mixed)
        return with_features(x, mixed), lam
