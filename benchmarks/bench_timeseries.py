"""Throughput of omniaug-timeseries vs tsaug and a plain clone (run with .venv-bench/bin/python).

Workload (issue 4): 256 series, 3 channels, length 1000, CPU, 2 threads; time warp +
drift (or magnitude warp) + jitter, each sample its own parameters. Candidates are
timed round-robin in the same run (so machine noise hits all of them alike) and the
median of the repeats is reported, with same-run ratios. A second table shows the
per-sample cost of the omniaug pipeline from batch 16 to 1024.

    .venv-bench/bin/python benchmarks/bench_timeseries.py [--repeats 15] [--threads 2] [--default-malloc] [--passive-omp]

Process environment. Every fresh multi-megabyte buffer that glibc maps from (and
returns to) the OS costs page faults (~10 ms for a 1024-series batch); unless
``--default-malloc`` is given, the script re-executes itself once with
``MALLOC_MMAP_THRESHOLD_`` / ``MALLOC_TRIM_THRESHOLD_`` raised, so freed buffers are
reused — for every candidate alike (tsaug's NumPy buffers too). OpenMP keeps its
default (spinning) wait policy, which is what users get: ``OMP_WAIT_POLICY=PASSIVE``
(``--passive-omp``) makes every parallel region pay a thread wake-up (~10–30 µs),
which swamps small batches on a quiet machine, but it helps when other processes
occupy the cores (spinning threads then wait for a scheduler slice). The header
prints the setting and the load average: quote runs from a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable

import numpy as np
import torch

from omniaug import Compose, rng
from omniaug.rng import make_generator
from omniaug_timeseries import Drift, Jitter, MagnitudeWarp, TimeWarp

CHANNELS, LENGTH, BATCH = 3, 1000, 256
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(64 << 20), "MALLOC_TRIM_THRESHOLD_": str(256 << 20)}
PASSIVE_ENV = {"OMP_WAIT_POLICY": "PASSIVE"}
REEXEC_FLAG = "OMNIAUG_BENCH_ENV_SET"


def _median_seconds(
    fns: dict[str, Callable[[], object]], repeats: int, warmup: int = 2
) -> tuple[dict[str, float], dict[str, float]]:
    """Median wall-clock and median process-CPU seconds per call of each candidate."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    names = list(fns)
    for r in range(repeats):  # round-robin, rotating: noise and cold starts spread over every candidate
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn = fns[name]
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {k: statistics.median(v) for k, v in wall.items()}, {k: statistics.median(v) for k, v in cpu.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--default-malloc", action="store_true", help="keep glibc's default mmap / trim thresholds")
    parser.add_argument("--passive-omp", action="store_true", help="OMP_WAIT_POLICY=PASSIVE (for a loaded machine)")
    args = parser.parse_args()
    if REEXEC_FLAG not in os.environ:
        env = {**os.environ, REEXEC_FLAG: "1"}
        env.update({} if args.default_malloc else MALLOC_ENV)
        env.update(PASSIVE_ENV if args.passive_omp else {})
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
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
    med, cpu = _median_seconds(fns, args.repeats)
    ts_rate = BATCH / med["tsaug TimeWarp+Drift+AddNoise"]
    clone_rate = BATCH / med["torch clone()"]
    print(
        f"# omniaug-timeseries benchmark — torch {torch.__version__}, tsaug {tsaug.__version__}, "
        f"{platform.machine()}, {torch.get_num_threads()} threads, median of {args.repeats}, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    env = ", ".join(f"{k}={os.environ[k]}" for k in (*MALLOC_ENV, *PASSIVE_ENV) if k in os.environ) or "defaults"
    print(f"# environment: {env}")
    print(f"# batch {BATCH} × {CHANNELS} channels × {LENGTH} steps, float32, per-sample params")
    print()
    print(
        f"| {'pipeline':42} | {'ms / batch':>10} | {'series / s':>11} | {'vs tsaug':>8} | {'vs clone':>8} | {'CPU ms / batch':>14} |"
    )
    print(f"|{'-' * 44}|{'-' * 12}|{'-' * 13}|{'-' * 10}|{'-' * 10}|{'-' * 16}|")
    for name, sec in med.items():
        rate = BATCH / sec
        print(
            f"| {name:42} | {sec * 1e3:10.2f} | {rate:11.0f} | {rate / ts_rate:7.1f}× | {rate / clone_rate:7.3f}× "
            f"| {cpu[name] * 1e3:14.2f} |"
        )

    print()
    print("Per-sample cost vs batch size (time_warp+drift+jitter; tsaug in the same run).")
    print("Steady state: per size, blocks of back-to-back calls after 3 untimed ones, the sizes swept")
    print("3 times (as a training loop calls it). Interleaved: each call right after a tsaug call on")
    print("the same batch (rotating order) — caches cold, which costs small batches most. Noise alone:")
    print("jitter's draw by itself (`rng.normal`, 3 × 1000 numbers per series), steady state — a floor")
    print("that no pipeline containing it can go below.")
    print()
    print(
        f"| {'batch':>5} | {'omniaug µs/series':>17} | {'tsaug µs/series':>15} | {'speed-up':>8} "
        f"| {'omniaug CPU µs/series':>21} | {'interleaved omniaug µs/series':>29} | {'noise alone µs/series':>21} |"
    )
    print(f"|{'-' * 7}|{'-' * 19}|{'-' * 17}|{'-' * 10}|{'-' * 23}|{'-' * 31}|{'-' * 23}|")
    sizes = (16, 64, 256, 1024)
    batches = {n: torch.randn(n, CHANNELS, LENGTH, generator=g) for n in sizes}
    batches_np = {n: np.ascontiguousarray(xb.permute(0, 2, 1).numpy()) for n, xb in batches.items()}
    steady: dict[str, dict[int, list[float]]] = {name: {n: [] for n in sizes} for name in ("omniaug", "tsaug", "noise")}
    steady_cpu: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(3):
        for n in sizes:
            calls = {
                "omniaug": lambda n=n: drift_pipe(batches[n], generator=g),
                "tsaug": lambda n=n: ts_pipe.augment(batches_np[n]),
                "noise": lambda n=n: rng.normal(n, 0.0, 0.03, shape=(CHANNELS, LENGTH), generator=g),
            }
            block = max(3, args.repeats // (3 if n <= 256 else 6))
            for name, fn in calls.items():
                for _ in range(3):
                    fn()
                for _ in range(block):
                    start, start_cpu = time.perf_counter(), time.process_time()
                    fn()
                    steady[name][n].append(time.perf_counter() - start)
                    if name == "omniaug":
                        steady_cpu[n].append(time.process_time() - start_cpu)
    per_series: list[float] = []
    noise_series: list[float] = []
    for n in sizes:
        reps = max(5, args.repeats // (1 if n <= 256 else 3))
        inter, _ = _median_seconds(
            {
                "omniaug": lambda n=n: drift_pipe(batches[n], generator=g),
                "tsaug": lambda n=n: ts_pipe.augment(batches_np[n]),
            },
            reps,
        )
        ours = statistics.median(steady["omniaug"][n]) / n * 1e6
        theirs = statistics.median(steady["tsaug"][n]) / n * 1e6
        noise = statistics.median(steady["noise"][n]) / n * 1e6
        per_series.append(ours)
        noise_series.append(noise)
        print(
            f"| {n:5d} | {ours:17.1f} | {theirs:15.1f} | {theirs / ours:7.1f}× "
            f"| {statistics.median(steady_cpu[n]) / n * 1e6:21.1f} | {inter['omniaug'] / n * 1e6:29.1f} | {noise:21.1f} |"
        )
    print()
    print(
        f"steady-state per-series cost, max/min over batch 16 → 1024: {max(per_series) / min(per_series):.2f}× "
        f"(noise draw alone: {max(noise_series) / min(noise_series):.2f}×)"
    )


if __name__ == "__main__":
    main()
