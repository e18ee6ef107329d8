"""PGD-10 (L∞) of omniaug-adversarial vs torchattacks' PGD and vs the floor of 10 forward+backward passes.

Run with the benchmark venv (torchattacks is a bench-only peer)::

    .venv-bench/bin/python benchmarks/bench_adversarial.py [--rounds 15] [--threads 2]

Workload (issue 15 §6): 256 held-out 8×8 digits (scikit-learn), the small CNN of
``examples/adversarial_digits.py`` (Conv 32 → Conv 64 → max-pool → Linear 128 →
Linear 10) trained here for a few epochs with a fixed seed, CPU, 2 threads.
PGD-10 L∞, ε = 0.1, step α = 0.025 (a quarter of ε), uniform random start, the
model in eval mode.

* **floor**: 10 × (forward on the batch with the input requiring grad + ``autograd.grad``
  of the summed loss to the input), parameters frozen — the passes any PGD-10 must make.
* **torchattacks**: ``torchattacks.PGD(model, eps, alpha, steps=10, random_start=True)``.
* **omniaug, same algorithm**: ``ImagePGD(eps, steps=10, step_size=0.25, keep_best=False)``
  — the iterate torchattacks returns.
* **omniaug, default**: ``ImagePGD(eps, steps=10, step_size=0.25)``: keeps each sample's
  highest-loss iterate, one more forward pass.

Every method runs once per round, rounds interleaved (order rotated each round),
median over rounds (the machine is shared; interleaving exposes all methods to the
same load). The attack success rate is the share of samples the model classified
correctly that the attack makes it misclassify (one fixed draw per method).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import torch
from sklearn.datasets import load_digits
from torch import nn

import omniaug
from omniaug_adversarial import ImagePGD

EPS, ALPHA, STEPS, BATCH = 0.1, 0.025, 10, 256
CE = nn.CrossEntropyLoss(reduction="none")


def cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 16, 128), nn.ReLU(), nn.Linear(128, 10),
    )  # fmt: skip


def trained_model(x: torch.Tensor, y: torch.Tensor, epochs: int = 10) -> nn.Module:
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(0)
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), 64):
            idx = order[i : i + 64]
            loss = CE(model(x[idx]), y[idx]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


def floor(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """10 forward + backward-to-the-input passes, nothing else (the parameters frozen, as in omniaug)."""
    flags = [p.requires_grad_(False) for p in model.parameters()]
    try:
        for _ in range(STEPS):
            xg = x.detach().requires_grad_(True)
            (grad,) = torch.autograd.grad(CE(model(xg), y).sum(), xg)
    finally:
        for p in flags:
            p.requires_grad_(True)
    return grad


def methods(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> dict[str, Callable[[], torch.Tensor]]:
    import torchattacks

    ta = torchattacks.PGD(model, eps=EPS, alpha=ALPHA, steps=STEPS, random_start=True)
    same = ImagePGD(eps=EPS, steps=STEPS, step_size=ALPHA / EPS, keep_best=False)
    default = ImagePGD(eps=EPS, steps=STEPS, step_size=ALPHA / EPS)
    ctx = omniaug.ModelContext(model, CE, y)
    g = torch.Generator().manual_seed(1)
    return {
        "floor: 10 × (forward + backward to the input)": lambda: floor(model, x, y),
        "torchattacks.PGD": lambda: ta(x, y),
        "omniaug image.pgd, keep_best=False (same algorithm)": lambda: same(x, generator=g, model=ctx),
        "omniaug image.pgd, default (best iterate kept)": lambda: default(x, generator=g, model=ctx),
    }


def success_rate(model: nn.Module, x: torch.Tensor, adv: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        right = model(x).argmax(1) == y
        fooled = model(adv).argmax(1) != y
    return float((fooled & right).sum()) / max(int(right.sum()), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=10, help="training epochs of the attacked CNN")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import torchattacks

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    y = torch.tensor(d.target)
    model = trained_model(x[:1500], y[:1500], args.epochs)
    xb, yb = x[1500 : 1500 + BATCH], y[1500 : 1500 + BATCH]
    with torch.no_grad():
        clean = float((model(xb).argmax(1) == yb).float().mean())
    load = os.getloadavg()[0]
    print(
        f"# omniaug-adversarial benchmark: torch {torch.__version__}, torchattacks {torchattacks.__version__}, "
        f"{torch.get_num_threads()} thread(s), median of {args.rounds} interleaved rounds, "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(
        f"PGD-{STEPS} L∞ ε={EPS} α={ALPHA} random start, {BATCH} digits (8×8), small CNN in eval mode, "
        f"clean accuracy {clean:.3f}\n"
    )
    runs = methods(model, xb, yb)
    names = list(runs)
    for name in names:  # warm-up, and the success rates of one fixed draw
        runs[name]()
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            t0 = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - t0)
    med = {n: statistics.median(t) for n, t in times.items()}
    base, peer = med[names[0]], med[names[1]]
    print("| method | ms / batch | × floor | × torchattacks | attack success rate |")
    print("|---|---:|---:|---:|---:|")
    fresh = methods(model, xb, yb)  # fresh generators: each attack's first draw
    with torch.random.fork_rng():
        torch.manual_seed(0)  # torchattacks draws its random start from the global RNG
        for name in names:
            rate = "—" if name == names[0] else f"{success_rate(model, xb, fresh[name](), yb):.3f}"
            print(f"| {name} | {1e3 * med[name]:.1f} | {med[name] / base:.2f} | {med[name] / peer:.2f} | {rate} |")
    print(f"\n# load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
