"""Shared helpers for the policy plugin tests."""

from __future__ import annotations

import torch

from omniaug import ModelContext


def linear_context(x: torch.Tensor, y: torch.Tensor, classes: int = 3, seed: int = 0) -> ModelContext:
    """A fixed linear classifier over flattened samples (weights from a local generator)."""
    g = torch.Generator().manual_seed(seed)
    d = int(x[0].numel())
    lin = torch.nn.utils.skip_init(torch.nn.Linear, d, classes)
    with torch.no_grad():
        lin.weight.copy_(torch.randn(classes, d, generator=g) / d**0.5 * 4)
        lin.bias.zero_()
    model = torch.nn.Sequential(torch.nn.Flatten(), lin)
    return ModelContext(model, torch.nn.CrossEntropyLoss(reduction="none"), y)
