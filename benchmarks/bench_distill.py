"""Benchmark of omniaug-distill: distribution matching (DM) on scikit-learn's digits, IPC 10, CPU.

Prints seconds per 100 DM iterations (median of repeats), the floor beside it (the
forward passes of the random embedding network on the same real and synthetic
batches that DM cannot avoid, plus the augmentation of both), and the wall time of
one full distillation with the example's settings. There is no installable peer
(the reference code is research scripts), so the ratio is against that floor.

Run: ``.venv/bin/python benchmarks/bench_distill.py [--repeats 3] [--iterations 100]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))

from distill_digits import digits_split, pipeline

from omniaug_distill import DistillSettings, distill, make_network
from omniaug_distill.methods import ClassSampler


def dm_seconds(x: torch.Tensor, y: torch.Tensor, iterations: int) -> float:
    t0 = time.perf_counter()
    distill(x, y, method="dm", ipc=10, pipeline=pipeline(), settings=DistillSettings(iterations=iterations),
            generator=torch.Generator().manual_seed(0))  # fmt: skip
    return time.perf_counter() - t0


def floor_seconds(x: torch.Tensor, y: torch.Tensor, iterations: int) -> float:
    """Per iteration: a fresh network, the Siamese augmentation of the real and synthetic batches,
    and one forward of each through the network (no backward, no matching): the unavoidable part."""
    g = torch.Generator().manual_seed(0)
    sampler = ClassSampler(y, 10)
    syn = x[sampler.draw(10, g).flatten()].clone()
    pipe = pipeline()
    t0 = time.perf_counter()
    for _ in range(iterations):
        net = make_network(x[:2], 10, generator=g)
        real = x[sampler.draw(64, g).flatten()]
        both = pipe(torch.cat([real, syn]), generator=g)
        with torch.no_grad():
            net.embed(both)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--full", type=int, default=300, help="iterations of the timed full run (the example's)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (1 on a busy machine)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    x, y, _, _ = digits_split()
    dm_seconds(x, y, 2)  # warm-up (first autograd / optimizer use)
    dm, floor = [], []
    for _ in range(args.repeats):
        dm.append(dm_seconds(x, y, args.iterations))
        floor.append(floor_seconds(x, y, args.iterations))
    per100 = 100 * statistics.median(dm) / args.iterations
    floor100 = 100 * statistics.median(floor) / args.iterations
    full = dm_seconds(x, y, args.full)
    print(f"machine: {os.cpu_count()} cores, torch threads {args.threads}, 1-min load average {os.getloadavg()[0]:.1f}")
    print("| DM on digits (1,437 train, IPC 10, batch 64 real/class) | s / 100 iterations | ratio vs floor |")
    print("|---------------------------------------------------------|-------------------:|---------------:|")
    print(f"| omniaug-distill DM (augment + embed + match + step)     | {per100:18.2f} | {per100 / floor100:14.2f} |")
    print(f"| floor: fresh net + Siamese augmentation + forward       | {floor100:18.2f} | {1.0:14.2f} |")
    print(f"\nfull DM run, {args.full} iterations (the example's setting): {full:.1f} s wall")


if __name__ == "__main__":
    main()
