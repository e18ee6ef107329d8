"""Puzzle Mix cost: one training step with it vs the plain step, and the solver's per-sample time vs batch size.

    .venv/bin/python benchmarks/bench_saliency.py [--rounds 15] [--threads 2]

1. **Training step**, 64 images 3 × 32 × 32, a small CNN (Conv 32 → Conv 64 → pool →
   Conv 128 → pool → Linear 10, BatchNorm), Adam, CPU. *plain*: forward + backward +
   step. *puzzle*: ``ImagePuzzleMix(block_size=8)`` (4 × 4 grid) with gradient
   saliency through ``ModelContext`` (one extra forward+backward to the input), the
   batched label solve and transport, the mix, then the same step. *floor*: what
   Puzzle Mix cannot avoid — the gradient saliency (forward + backward to the
   input, :func:`~omniaug_saliency.gradient_saliency`) and the plain step, no
   mixing. Rounds interleaved, median (the machine is shared).
2. **Solver alone** (labels + transport, no model), 4 × 4 grids, random saliency:
   per-sample time for batch 32, 64, 128, 256.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

import omniaug
from omniaug_saliency import ImagePuzzleMix, gradient_saliency, puzzle


def cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(), nn.MaxPool2d(2),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 10),
    )  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.rand(64, 3, 32, 32)
    y = torch.randint(0, 10, (64,))
    model = cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    ce = nn.CrossEntropyLoss(reduction="none")
    mixer = ImagePuzzleMix(block_size=8, num_classes=10)
    g = omniaug.rng.make_generator(0)

    def soft(logits: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return -(t * logits.log_softmax(1)).sum(1)

    def plain() -> None:
        model.train()
        loss = ce(model(x), y).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    def with_puzzle() -> None:
        xm, t = mixer(x, y, generator=g, model=omniaug.ModelContext(model, ce, y))
        model.train()
        loss = soft(model(xm), t).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()

    def floor() -> None:
        gradient_saliency(omniaug.ModelContext(model, ce, y), x)
        plain()

    times: dict[str, list[float]] = {"plain": [], "floor": [], "puzzle": []}
    fns = {"plain": plain, "floor": floor, "puzzle": with_puzzle}
    for fn in fns.values():
        fn()  # warm-up
    for r in range(a.rounds):
        for name in list(fns) if r % 2 == 0 else list(fns)[::-1]:
            t0 = time.perf_counter()
            fns[name]()
            times[name].append(time.perf_counter() - t0)
    p, q = statistics.median(times["plain"]), statistics.median(times["puzzle"])
    f = statistics.median(times["floor"])
    print(f"training step, 64 × 3 × 32 × 32, {a.threads} threads, median of {a.rounds}")
    print(f"  plain step            {p * 1e3:8.1f} ms")
    print(f"  floor: saliency + step {f * 1e3:7.1f} ms   ({f / p:.2f}× plain)")
    print(f"  puzzle mix + step     {q * 1e3:8.1f} ms   ({q / p:.2f}× plain, {q / f:.2f}× floor)")

    print("solver alone (labels + transport, 4 × 4 grid), per sample")
    for b in (32, 64, 128, 256):
        s0 = torch.rand(b, 4, 4) ** 4
        s1 = torch.rand(b, 4, 4) ** 4
        s0, s1 = s0 / s0.sum((1, 2), keepdim=True), s1 / s1.sum((1, 2), keepdim=True)
        lam = torch.rand(b)
        puzzle.solve(s0, s1, lam)
        ts = []
        for _ in range(max(3, a.rounds // 3)):
            t0 = time.perf_counter()
            puzzle.solve(s0, s1, lam)
            ts.append(time.perf_counter() - t0)
        m = statistics.median(ts)
        print(f"  batch {b:4d}   {m * 1e3:8.1f} ms total   {m / b * 1e6:8.1f} µs / sample")


if __name__ == "__main__":
    main()
