"""Tabular ops: feature noise, swap noise, and a within-class interpolation mixer."""

from __future__ import annotations

from typing import Any

import torch

import omniaug
from omniaug import rng

from .modality import TABULAR, features_of, with_features


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
