"""Throughput of omniaug-timeseries vs tsaug and a plain clone (run with .venv-bench/bin/python).

Workload (issue 4): 256 series, 3 channels, length 1000, CPU, 2 threads; time warp +
drift (or magnitude warp) + jitter, each sample its own parameters. Candidates are
timed round-robin in the same run (so machine noise hits all of them alike) and the
median of the repeats is reported, with same-run ratios. A second table shows the
per-sample cost of the omniaug pipeline from batch 16 to 1024.

    .venv-bench/bin/python benchmarks/bench_timeseries.py [--repeats 15]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch

from omniaug import Compose
from omniaug.rng import make_generator
from omniaug_timeseries import Drift, Jitter, MagnitudeWarp, TimeWarp

CHANNELS, LENGTH, BATCH = 3, 1000, 256


def _median_seconds(fns: dict[str, Callable[[], object]], repeats: int, warmup: int = 2) -> dict[str, float]:
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():  # round-robin: noise spreads over every candidate
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    import tsaug

    g = make_generator(0)
    x = torch.randn(BATCH, CHANNELS, LENGTH, generator=g)
    x_np = np.ascontiguousarray(x.permute(0, 2, 1).numpy())  # tsaug wants (N, T, C)
    drift_pipe = Compose([TimeWarp(), Drift(), Jitter()])
    mag_pipe = Compose([TimeWarp(), MagnitudeWarp(), Jitter()])
    ts_pipe = tsaug.TimeWarp() + tsaug.Drift() + tsaug.AddNoise()

    fns: dict[str, Callable[[], object]] = {
        "omniaug time_warp+drift+jitter": lambda: drift_pipe(x, generator=g),
        "omniaug time_warp+magnitude_warp+jitter": lambda: mag_pipe(x, generator=g),
        "tsaug TimeWarp+Drift+AddNoise": lambda: ts_pipe.augment(x_np),
        "torch clone()": lambda: x.clone(),
    }
    med = _median_seconds(fns, args.repeats)
    ts_rate = BATCH / med["tsaug TimeWarp+Drift+AddNoise"]
    clone_rate = BATCH / med["torch clone()"]
    print(f"# omniaug-timeseries benchmark — torch {torch.__version__}, tsaug {tsaug.__version__}, "
          f"{platform.machine()}, {torch.get_num_threads()} threads, median of {args.repeats}, "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"# batch {BATCH} × {CHANNELS} channels × {LENGTH} steps, float32, per-sample params")
    print()
    print(f"| {'pipeline':42} | {'ms / batch':>10} | {'series / s':>11} | {'vs tsaug':>8} | {'vs clone':>8} |")
    print(f"|{'-' * 44}|{'-' * 12}|{'-' * 13}|{'-' * 10}|{'-' * 10}|")
    for name, sec in med.items():
        rate = BATCH / sec
        print(f"| {name:42} | {sec * 1e3:10.2f} | {rate:11.0f} | {rate / ts_rate:7.1f}× | {rate / clone_rate:7.3f}× |")

    print()
    print("Per-sample cost vs batch size (time_warp+drift+jitter; tsaug in the same run):")
    print()
    print(f"| {'batch':>5} | {'omniaug µs/series':>17} | {'tsaug µs/series':>15} | {'speed-up':>8} |")
    print(f"|{'-' * 7}|{'-' * 19}|{'-' * 17}|{'-' * 10}|")
    base = None
    for n in (16, 64, 256, 1024):
        xb = torch.randn(n, CHANNELS, LENGTH, generator=g)
        xb_np = np.ascontiguousarray(xb.permute(0, 2, 1).numpy())
        reps = max(5, args.repeats // (1 if n <= 256 else 3))
        m = _median_seconds(
            {"omniaug": lambda xb=xb: drift_pipe(xb, generator=g), "tsaug": lambda xb_np=xb_np: ts_pipe.augment(xb_np)},
            reps,
        )
        ours, theirs = m["omniaug"] / n * 1e6, m["tsaug"] / n * 1e6
        base = ours if base is None else base
        print(f"| {n:5d} | {ours:17.1f} | {theirs:15.1f} | {theirs / ours:7.1f}× |")


if __name__ == "__main__":
    main()
