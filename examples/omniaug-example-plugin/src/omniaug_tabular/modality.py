"""The ``tabular`` modality: feature rows ``(B, F)``, optionally with labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

import omniaug


@dataclass(frozen=True)
class Rows:
    """A batch of feature rows with optional integer class labels ``(B,)``."""

    features: torch.Tensor
    labels: torch.Tensor | None = None


def features_of(x: Any) -> torch.Tensor:
    return x.features if isinstance(x, Rows) else x


def with_features(x: Any, features: torch.Tensor) -> Any:
    return Rows(features, x.labels) if isinstance(x, Rows) else features


def validate(x: Any) -> None:
    f = features_of(x)
    if not isinstance(f, torch.Tensor) or f.dim() != 2:
        raise omniaug.InputError("x", "a tabular batch: a float tensor (B, F) or Rows(features, labels)", f)
    if not f.is_floating_point():
        raise omniaug.InputError("x", "floating-point features", f)
    if isinstance(x, Rows) and x.labels is not None:
        if not isinstance(x.labels, torch.Tensor) or x.labels.shape != (f.shape[0],) or x.labels.is_floating_point():
            raise omniaug.InputError("x.labels", f"integer class labels of shape ({f.shape[0]},)", x.labels)


def example(batch_size: int = 8, generator: torch.Generator | None = None, device: Any = "cpu") -> Rows:
    """Two Gaussian classes in 5 dimensions."""
    labels = torch.arange(batch_size, device=device) % 2
    centers = torch.tensor([[-1.0] * 5, [1.0] * 5], device=device)
    noise = omniaug.rng.normal(batch_size, shape=(5,), generator=generator, device=device)
    return Rows(centers[labels] + 0.5 * noise, labels)


def example_variants(
    batch_size: int = 8, generator: torch.Generator | None = None, device: Any = "cpu"
) -> dict[str, Any]:
    """Valid tabular payloads: labelled rows, a plain tensor, one feature, rows with a missing (NaN) value."""
    rows = example(batch_size, generator=generator, device=device)
    missing = rows.features.clone()
    missing[0, 1] = float("nan")
    return {
        "rows": rows,
        "tensor": rows.features,
        "one feature": Rows(rows.features[:, :1].contiguous(), rows.labels),
        "missing value": Rows(missing, rows.labels),
    }


def bad_examples() -> list[Any]:
    return [
        torch.zeros(3),
        torch.zeros(2, 3, dtype=torch.long),
        Rows(torch.zeros(2, 3), torch.zeros(3, dtype=torch.long)),
    ]


TABULAR = omniaug.Modality(
    name="tabular",
    payload="Tensor (B, F) float, or Rows(features (B, F), labels (B,))",
    validate=validate,
    example=example,
    bad_examples=bad_examples,
    example_variants=example_variants,
    description="Rows of numeric features (example third-party plugin).",
)
