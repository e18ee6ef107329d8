"""Tabular ops: feature noise, swap noise, and a within-class interpolation mixer."""

from __future__ import annotations

from typing import Any

import torch

import omniaug
from omniaug import rng

from .rows import TABULAR, Rows, features_of, with_features


def _present_std(f: torch.Tensor) -> torch.Tensor:
    """Population std of each column over its non-NaN entries (0 for a column with none)."""
    mean = torch.nanmean(f, 0, keepdim=True)
    var = torch.nanmean((f - mean).square(), 0)
    return var.sqrt().nan_to_num(0.0)


class FeatureNoise(omniaug.Augmentation):
    """Add Gaussian noise of ``sigma`` × each feature's std (over the batch) per sample.

    Missing values (NaN) stay missing and never reach other rows: the std of a
    feature is taken over its present values only (0 when none is present).

    Args:
        sigma: noise standard deviation, in feature standard deviations: a ``(low, high)``
            range each sample draws its own level from, or one fixed number.
    """

    name = "tabular.feature_noise"
    differentiable = True
    modality = TABULAR
    magnitude = omniaug.Magnitude("sigma", (0.0, 0.0), (0.0, 0.5))

    def __init__(self, sigma: Any = (0.0, 0.1), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        # an amount: a number is the fixed σ, a pair is drawn per sample (omniaug's argument vocabulary)
        self.sigma = omniaug.args.value_range("sigma", sigma, bounds=(0.0, 100.0), scalar="fixed", where=self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        f = features_of(x)
        return {
            "level": rng.uniform(batch_size, self.sigma[0], self.sigma[1], generator=generator, device=device),
            "noise": rng.normal(batch_size, shape=(f.shape[1],), generator=generator, device=device, dtype=f.dtype),
            # the reference scale is data, so replaying on a subset uses the batch's own std
            "std": _present_std(f).expand(batch_size, -1).clone() if batch_size > 1 else torch.ones_like(f),
        }

    def kernel(self, x: Any, params: omniaug.Params) -> Any:
        f = features_of(x)
        noisy = f + params["level"].unsqueeze(1) * params["std"] * params["noise"]
        return with_features(x, noisy.to(f.dtype))  # float16 / bfloat16 features stay in their dtype


class SwapNoise(omniaug.Augmentation):
    """Replace each entry, with probability ``rate``, by the same feature of another row.

    The donor rows are drawn per entry from the batch at sampling time and stored
    in the params as values, so a replay on any subset gives the same result. A
    missing (NaN) donor value is not copied: the entry keeps its own value.
    """

    name = "tabular.swap_noise"
    differentiable = True
    modality = TABULAR
    magnitude = omniaug.Magnitude("rate", 0.0, 0.3)

    def __init__(self, rate: float = 0.15, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rate = omniaug.args.fraction("rate", rate, where=self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        f = features_of(x)
        donors = rng.randint(batch_size, 0, batch_size, shape=(f.shape[1],), generator=generator, device=device)
        swapped = torch.gather(f, 0, donors)
        return {
            "mask": rng.bernoulli(batch_size, self.rate, shape=(f.shape[1],), generator=generator, device=device),
            "donor_values": swapped,
        }

    def kernel(self, x: Any, params: omniaug.Params) -> Any:
        f = features_of(x)
        donor = params["donor_values"]
        return with_features(x, torch.where(params["mask"] & ~donor.isnan(), donor, f))


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
