"""Every learned-policy family on a second modality: the UCR GunPoint series bundled with omniaug-timeseries.

GunPoint: 50 training and 150 test series of length 150, two classes. A small
1-D CNN, the same steps and seeds for every method; each family prints its numbers:

* SPA — :class:`SelfPaced` around jitter + a strong time warp (σ = 1) vs no / always
  augmentation;
* Adversarial AutoAugment — trained alongside the model; test accuracy and the ops
  the policy pushed its mass to;
* proxy search — a model trained without augmentation scores the time-series ops
  (Fast-AutoAugment density matching) and a RandAugment (N, M) grid;
* differentiable magnitudes — :class:`DifferentiableMagnitudes` learns each op's
  magnitude and weight on a validation split; the learned magnitudes and the
  accuracy of a model trained with the exported policy.

    python examples/policy_gunpoint.py [--seeds 3] [--steps 300] [--family spa aaa search magnitudes]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import torch
import torch.nn as nn

import omniaug
from omniaug import ModelContext
from omniaug.registry import registry
from omniaug.rng import make_generator
from omniaug_policy import (
    AdversarialAutoAugment,
    DifferentiableMagnitudes,
    SelfPaced,
    randaugment_grid,
    search_policy,
)
from omniaug_timeseries.datasets import load_dataset

OPS = [
    "timeseries.jitter",
    "timeseries.scaling",
    "timeseries.magnitude_warp",
    "timeseries.time_warp",
    "timeseries.drift",
]


def make_model(seed: int) -> nn.Module:
    torch.manual_seed(seed)  # the example's own initialization (library code never seeds the global RNG)
    return nn.Sequential(
        nn.Conv1d(1, 16, 7, padding=3),
        nn.ReLU(),
        nn.MaxPool1d(2),
        nn.Conv1d(16, 32, 5, padding=2),
        nn.ReLU(),
        nn.AdaptiveAvgPool1d(1),
        nn.Flatten(),
        nn.Linear(32, 2),
    )


def normalize(x: torch.Tensor) -> torch.Tensor:
    return (x - x.mean(-1, keepdim=True)) / x.std(-1, keepdim=True).clamp_min(1e-6)


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        acc = float((model(x).argmax(1) == y).float().mean()) * 100
    model.train()
    return acc


def train(
    x: torch.Tensor,
    y: torch.Tensor,
    seed: int,
    steps: int,
    aug: Any = None,
    *,
    hook: Callable[[nn.Module, torch.Tensor, torch.Tensor, torch.Generator], None] | None = None,
) -> nn.Module:
    model = make_model(seed)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.CrossEntropyLoss(reduction="none")
    g_batch, g_aug = make_generator(100 + seed), make_generator(200 + seed)
    for _ in range(steps):
        idx = torch.randperm(len(y), generator=g_batch)[:16]
        if hook is not None:
            hook(model, x[idx], y[idx], g_aug)
        omniaug.train_step(model, opt, loss_fn, x[idx], y[idx], aug=aug, generator=g_aug)
    return model


def row(label: str, accs: list[float], extra: str = "") -> None:
    sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
    print(
        f"  {label:<34} {statistics.mean(accs):6.1f} ± {sd:4.1f}   "
        + " ".join(f"{a:.1f}" for a in accs)
        + (f"   {extra}" if extra else "")
    )


def base_pipeline(strength: float) -> omniaug.Compose:
    reg = registry()
    return omniaug.Compose(
        [reg.augmentation("timeseries.jitter")(0.03), reg.augmentation("timeseries.time_warp")(strength)]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--family", nargs="+", default=["spa", "aaa", "search", "magnitudes"])
    a = ap.parse_args()
    torch.set_num_threads(1)
    data = load_dataset("gunpoint")
    x, y, xt, yt = normalize(data.x_train), data.y_train, normalize(data.x_test), data.y_test
    seeds = range(a.seeds)
    start = time.perf_counter()
    print(f"GunPoint: {len(y)} train / {len(yt)} test, length {x.shape[-1]}; {a.seeds} seeds × {a.steps} steps of 16")
    print(f"  {'method':<34} {'test acc %':>13}   per seed")
    none = [accuracy(train(x, y, s, a.steps), xt, yt) for s in seeds]
    row("no augmentation", none)

    if "spa" in a.family:
        print("SPA (a strong time warp, σ = 1.0, that can distort the gun / point shapes)")
        row("always augment", [accuracy(train(x, y, s, a.steps, base_pipeline(1.0)), xt, yt) for s in seeds])
        for lam in (0.1, 0.3):
            row(
                f"SPA λ={lam}",
                [accuracy(train(x, y, s, a.steps, SelfPaced(base_pipeline(1.0), lam=lam)), xt, yt) for s in seeds],
            )

    if "aaa" in a.family:
        print("Adversarial AutoAugment (5 ops × 3 magnitude bins, REINFORCE on the training losses)")
        accs, masses = [], []
        for s in seeds:
            aaa = AdversarialAutoAugment("timeseries", bins=3, include=OPS, lr=0.05)
            accs.append(accuracy(train(x, y, s, a.steps, aaa), xt, yt))
            masses.append(aaa.op_mass())
        mean_mass = {op: statistics.mean(m[op] for m in masses) for op in masses[0]}
        top = ", ".join(f"{op.split('.')[1]} {v:.2f}" for op, v in sorted(mean_mass.items(), key=lambda kv: -kv[1]))
        row("Adversarial AutoAugment", accs, f"op mass: {top}")

    if "search" in a.family:
        print("proxy search (a model trained without augmentation scores the ops on a held-out fold)")
        fold = torch.arange(len(y)) % 5 == 0
        accs, kept = [], []
        for s in seeds:
            fixed = train(x[~fold], y[~fold], s, a.steps)
            fixed.eval()
            ctx = ModelContext(fixed, nn.CrossEntropyLoss(reduction="none"), y[fold])
            found = search_policy(
                "timeseries", ctx, x[fold], sampler="grid", bins=3, keep=4, include=OPS, generator=make_generator(s)
            )
            kept.append(", ".join(f"{c.steps[0][0].split('.')[1]}@{c.steps[0][2]:.2f}" for c in found.ranking[:4]))
            accs.append(accuracy(train(x, y, s, a.steps, found.policy), xt, yt))
        row("searched policy (4 best of 15)", accs, f"seed 0 kept: {kept[0]}")
        grid = randaugment_grid(
            "timeseries", ctx, x[fold], ns=(1, 2), ms=(3, 6, 9), include=OPS, generator=make_generator(0)
        )
        print(
            "  RandAugment grid, best first (N, M, held-out loss): "
            + "; ".join(f"({n}, {m:g}, {sc:.3f})" for n, m, sc in grid[:3])
        )

    if "magnitudes" in a.family:
        print("differentiable magnitudes (one-step-unrolled validation gradient; 40 train / 10 validation series)")
        val = torch.arange(len(y)) % 5 == 0
        accs, mags = [], []
        for s in seeds:
            pol = DifferentiableMagnitudes("timeseries", include=OPS, lr=0.02, xi=3e-3)

            def hook(model: nn.Module, xb: torch.Tensor, yb: torch.Tensor, g: torch.Generator, pol: Any = pol) -> None:
                pol.step(model, nn.CrossEntropyLoss(reduction="none"), xb, yb, x[val], y[val], generator=g)

            train(x[~val], y[~val], s, a.steps, pol, hook=hook)
            mags.append(pol.magnitudes())
            accs.append(accuracy(train(x, y, s, a.steps, pol.export()), xt, yt))
        mean_m = {op: statistics.mean(m[op] for m in mags) for op in mags[0]}
        row(
            "exported learned policy",
            accs,
            "magnitudes: " + ", ".join(f"{op.split('.')[1]} {v:.2f}" for op, v in mean_m.items()),
        )
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
