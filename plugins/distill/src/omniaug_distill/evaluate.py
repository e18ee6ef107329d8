"""Train a fresh network on a (distilled) training set and measure held-out accuracy.

The evaluation protocol of the DC/DM papers, scaled down: SGD with momentum 0.9
and weight decay 5e-4, the learning rate halved halfway, full batches when the
set is small, and the same augmentation pipeline used while distilling (fresh
per-sample params every step). Several evaluation seeds give a mean and a spread.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from omniaug import InputError, Transform, args, rng

from .networks import make_network

__all__ = ["train_classifier", "accuracy", "evaluate", "Evaluation"]


def train_classifier(
    x: torch.Tensor,
    y: torch.Tensor,
    num_classes: int,
    *,
    pipeline: Transform | None = None,
    epochs: int = 300,
    lr: float = 0.01,
    batch_size: int = 256,
    width: int = 64,
    generator: torch.Generator | None = None,
    network: Callable[..., nn.Module] = make_network,
) -> nn.Module:
    """A fresh network (initialised from ``generator``) trained on ``(x, y)``."""
    args.integer("epochs", epochs, low=0, where="train_classifier")
    args.positive("lr", lr, where="train_classifier")
    net = network(x[:1], num_classes, width=width, generator=generator)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=max(1, epochs // 2), gamma=0.5)
    ce = nn.CrossEntropyLoss()
    n = x.shape[0]
    dev = generator.device if generator is not None else x.device
    net.train()
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator, device=dev).to(x.device)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            xb, yb = x[idx], y[idx]
            if pipeline is not None:
                xb = pipeline(xb, generator=generator)
            opt.zero_grad(set_to_none=True)
            ce(net(xb), yb).backward()
            opt.step()
        sched.step()
    return net.eval()


@torch.no_grad()
def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Top-1 accuracy of ``net`` on ``(x, y)``."""
    net.eval()
    return float((net(x).argmax(1) == y).float().mean())


@dataclass(frozen=True)
class Evaluation:
    """Accuracies over evaluation seeds."""

    accuracies: tuple[float, ...]

    @property
    def mean(self) -> float:
        return sum(self.accuracies) / len(self.accuracies)

    @property
    def std(self) -> float:
        m = self.mean
        return (sum((a - m) ** 2 for a in self.accuracies) / max(1, len(self.accuracies) - 1)) ** 0.5

    def __str__(self) -> str:
        return f"{100 * self.mean:.1f} ± {100 * self.std:.1f} %"


def evaluate(
    x: torch.Tensor,
    y: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    num_classes: int,
    *,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    **train: Any,
) -> Evaluation:
    """Held-out accuracy of fresh networks trained on ``(x, y)``, one per evaluation seed."""
    if not seeds:
        raise InputError("seeds", "at least one evaluation seed", seeds, where="evaluate")
    accs = []
    for seed in seeds:  # independent evaluation runs, not samples of a batch
        g = rng.make_generator(int(seed), x.device)
        net = train_classifier(x, y, num_classes, generator=g, **train)
        accs.append(accuracy(net, x_test, y_test))
    return Evaluation(tuple(accs))
