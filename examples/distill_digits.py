"""Dataset distillation on scikit-learn's digits: random real samples vs DM vs DC+DSA, IPC 1 and 10.

A fresh small ConvNet is trained only on each set (with the same augmentation
pipeline, fresh params per step) and evaluated on held-out digits, over several
evaluation seeds. Everything runs on the CPU in a few minutes; every random
choice comes from seeded generators.

    python examples/distill_digits.py            # the full table
    python examples/distill_digits.py --quick    # a smoke run (seconds)
"""

from __future__ import annotations

import argparse
import time

import torch
from sklearn.datasets import load_digits

import omniaug
from omniaug_distill import DistillSettings, distill, evaluate


def digits_split(seed: int = 0) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The 1,797 digits as (N, 1, 8, 8) in [0, 1]; a fixed 80 / 20 split."""
    data = load_digits()
    x = torch.tensor(data.data, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
    y = torch.tensor(data.target, dtype=torch.long)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    cut = int(0.8 * len(y))
    return x[order[:cut]], y[order[:cut]], x[order[cut:]], y[order[cut:]]


def pipeline() -> omniaug.Transform:
    """DSA-style augmentation for digits (no flips: they change the class)."""
    reg = omniaug.registry()
    return omniaug.Compose(
        [
            reg.augmentation("image.affine")(degrees=15, translate=(0.125, 0.125), scale=(0.9, 1.1)),
            reg.augmentation("image.brightness")(0.2),
            reg.augmentation("image.contrast")(0.2),
        ]
    )


def random_real(x: torch.Tensor, y: torch.Tensor, ipc: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    idx = torch.cat(
        [(y == c).nonzero().flatten()[torch.randperm(int((y == c).sum()), generator=g)[:ipc]] for c in range(10)]
    )
    return x[idx], y[idx]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations only (smoke test)")
    parser.add_argument("--seeds", type=int, default=5, help="evaluation seeds")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (1 on a busy machine)")
    opts = parser.parse_args()
    torch.set_num_threads(opts.threads)
    x, y, x_test, y_test = digits_split()
    pipe = pipeline()
    seeds = tuple(range(2 if opts.quick else opts.seeds))
    epochs = 20 if opts.quick else 300
    dm_iters = 5 if opts.quick else 300
    dc_iters = 2 if opts.quick else 40
    print(f"digits: {len(y)} train / {len(y_test)} test; evaluation: {len(seeds)} seeds × {epochs} epochs")
    print(f"{'IPC':>4}  {'set':<10} {'accuracy':>16}  {'distil time':>11}")
    for ipc in (1, 10):
        rows = []
        xr, yr = random_real(x, y, ipc, seed=0)
        rows.append(("random", evaluate(xr, yr, x_test, y_test, 10, seeds=seeds, epochs=epochs, pipeline=pipe), 0.0))
        for method, iters in (("dm", dm_iters), ("dc", dc_iters)):
            settings = DistillSettings(
                iterations=iters,
                lr=1.0 if method == "dm" else 0.1,
                batch_real=64,
                outer_loop=None if ipc == 1 else 5,
                inner_loop=None if ipc == 1 else 10,
            )
            t0 = time.perf_counter()
            syn = distill(
                x,
                y,
                method=method,
                ipc=ipc,
                pipeline=pipe,
                settings=settings,
                generator=torch.Generator().manual_seed(ipc),
            )
            spent = time.perf_counter() - t0
            acc = evaluate(syn.x, syn.y, x_test, y_test, 10, seeds=seeds, epochs=epochs, pipeline=pipe)
            rows.append((method.upper() + ("+DSA" if method == "dc" else ""), acc, spent))
        for name, acc, spent in rows:
            print(f"{ipc:>4}  {name:<10} {acc!s:>16}  {spent:>10.1f}s")
    print("published direction (MNIST, IPC 10): DM ≈ 97.3 %, random real ≈ 94–95 %")


if __name__ == "__main__":
    main()
