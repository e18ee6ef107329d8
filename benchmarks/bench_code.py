"""Benchmark of omniaug-code: 1000 standard-library functions through the NatGen-style chain.

Each function goes through local-variable renaming + dead-code insertion + loop
exchange + operand swap (every op at p=1), in one process and spread over worker
processes. Prints functions per second (median of several repeats) and the share
of functions each op applied to. There is no peer library to compare with (the
survey's tools are research scripts), so the ratio column compares the worker
counts of this run.

Run: ``.venv/bin/python benchmarks/bench_code.py [--repeats 3] [--functions 1000]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

import omniaug
from omniaug_code import CodeBatch, ExchangeLoops, InsertDeadCode, RenameVariables, SwapOperands, shutdown_pools
from omniaug_code.corpus import stdlib_functions
from omniaug_code.syntax import forget_verified


def build(workers: int) -> omniaug.Compose:
    kw = {"workers": workers}
    return omniaug.Compose(
        [RenameVariables(max_sites=3, **kw), InsertDeadCode(max_sites=1, **kw), ExchangeLoops(max_sites=1, **kw),
         SwapOperands(max_sites=2, **kw)]
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--functions", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    torch.set_num_threads(2)
    funcs = stdlib_functions(args.functions)
    batch = CodeBatch([f.source for f in funcs], "python")
    print(f"workload: {len(funcs)} stdlib functions, {sum(len(f.source) for f in funcs) / 1e3:.0f} kB of source")
    rates: dict[int, float] = {}
    cpu_ms: dict[int, float] = {}
    pipes = {w: build(w) for w in args.workers}
    for pipe in pipes.values():
        pipe(CodeBatch(batch.sources[:64]), generator=omniaug.rng.make_generator(0))  # warm-up (starts the pool)
    times: dict[int, list[float]] = {w: [] for w in args.workers}
    cpu: dict[int, list[float]] = {w: [] for w in args.workers}
    out = batch
    # interleave the worker counts so that load from other processes hits them alike
    for r in range(args.repeats):
        for workers, pipe in pipes.items():
            forget_verified()  # every run parses its inputs from scratch
            t0, c0 = time.perf_counter(), time.process_time()
            out = pipe(batch, generator=omniaug.rng.make_generator(r))
            times[workers].append(time.perf_counter() - t0)
            cpu[workers].append(time.process_time() - c0)
    for workers in args.workers:
        rates[workers] = len(funcs) / statistics.median(times[workers])
        cpu_ms[workers] = 1e3 * statistics.median(cpu[workers]) / len(funcs)
    shutdown_pools()
    base = rates[args.workers[0]]
    print(f"machine: {os.cpu_count()} cores, 1-min load average {os.getloadavg()[0]:.1f} at the end of the run")
    print()
    print("| pipeline (4 ops, p=1)                  | workers | functions/s (wall) | ratio vs 1 worker | main-process CPU ms/function |")
    print("|----------------------------------------|--------:|-------------------:|------------------:|-----------------------------:|")
    for workers, rate in rates.items():
        print(
            f"| rename + dead code + loops + operands   | {workers:7d} | {rate:18.0f} | {rate / base:17.2f} "
            f"| {cpu_ms[workers]:28.2f} |"
        )
    print(f"\nin-process CPU cost {cpu_ms[args.workers[0]]:.2f} ms/function → {1e3 / cpu_ms[args.workers[0]]:.0f} functions per CPU-second per core")
    print()
    n = len(funcs)
    print("| op                    | applied | not applicable | failed |")
    print("|-----------------------|--------:|---------------:|-------:|")
    for k, name in enumerate(["code.rename_variables", "code.insert_dead_code", "code.exchange_loops", "code.swap_operands"]):
        outcomes = [out.history(i)[k].outcome for i in range(n)]
        print(
            f"| {name:21s} | {outcomes.count('applied') / n:7.1%} | {outcomes.count('not_applicable') / n:14.1%} "
            f"| {outcomes.count('failed') / n:6.1%} |"
        )
    any_applied = sum(any(s.outcome == "applied" for s in out.history(i)) for i in range(n)) / n
    print(f"\nfunctions changed by at least one op: {any_applied:.1%}")
    scaling()


def scaling() -> None:
    """Cost against file size: a 4× larger module should cost about 4× (quadratic walks made 1.6 MB take 44 s)."""
    unit = "def f{i}(a, b):\n    c = a + b\n    if c > 0:\n        c -= 1\n    return c\n\n\n"
    print("\n| op (one module of N functions) | N = 1500 (s) | N = 6000 (s) | ratio (4× size) |")
    print("|--------------------------------|-------------:|-------------:|----------------:|")
    for op_cls in (RenameVariables, InsertDeadCode):
        times = []
        for n in (1500, 6000):
            src = "".join(unit.format(i=i) for i in range(n))
            t0 = time.perf_counter()
            op_cls()(CodeBatch([src]), generator=omniaug.rng.make_generator(0))
            times.append(time.perf_counter() - t0)
        print(f"| {op_cls.name:30s} | {times[0]:12.2f} | {times[1]:12.2f} | {times[1] / times[0]:15.1f} |")


if __name__ == "__main__":
    main()
