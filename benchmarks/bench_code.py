"""Benchmark of omniaug-code: 1000 standard-library functions through the NatGen-style chain.

Each function goes through local-variable renaming + dead-code insertion + loop
exchange + operand swap (every op at p=1), in one process and spread over worker
processes. Prints functions per second (median of several repeats) and the share
of functions each op applied to. There is no peer library to compare with (the
survey's tools are research scripts), so the ratio column compares the worker
counts of this run.

Then the cost against file size, from 10 kB to 5 MB, for the ops that walk the whole file.

Run: ``.venv/bin/python benchmarks/bench_code.py [--repeats 3] [--functions 1000] [--scaling-kb 10 100 1000 5000]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

import omniaug
from omniaug_code import (
    CodeBatch,
    ExchangeLoops,
    InsertDeadCode,
    RenameVariables,
    ShuffleNames,
    SwapOperands,
    shutdown_pools,
)
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
    parser.add_argument(
        "--scaling-kb", type=int, nargs="+", default=[10, 100, 1000, 5000], help="file sizes of the scaling table"
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="torch intra-op threads (the ops are Python: same either way)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
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
    print(
        f"machine: {os.cpu_count()} cores, torch threads {torch.get_num_threads()}, "
        f"1-min load average {os.getloadavg()[0]:.1f} at the end of the run"
    )
    print()
    print(
        "| pipeline (4 ops, p=1)                  | workers | functions/s (wall) | ratio vs 1 worker | main-process CPU ms/function |"
    )
    print(
        "|----------------------------------------|--------:|-------------------:|------------------:|-----------------------------:|"
    )
    for workers, rate in rates.items():
        print(
            f"| rename + dead code + loops + operands   | {workers:7d} | {rate:18.0f} | {rate / base:17.2f} "
            f"| {cpu_ms[workers]:28.2f} |"
        )
    print(
        f"\nin-process CPU cost {cpu_ms[args.workers[0]]:.2f} ms/function → {1e3 / cpu_ms[args.workers[0]]:.0f} functions per CPU-second per core"
    )
    print()
    n = len(funcs)
    print("| op                    | applied | not applicable | failed |")
    print("|-----------------------|--------:|---------------:|-------:|")
    for k, name in enumerate(
        ["code.rename_variables", "code.insert_dead_code", "code.exchange_loops", "code.swap_operands"]
    ):
        outcomes = [out.history(i)[k].outcome for i in range(n)]
        print(
            f"| {name:21s} | {outcomes.count('applied') / n:7.1%} | {outcomes.count('not_applicable') / n:14.1%} "
            f"| {outcomes.count('failed') / n:6.1%} |"
        )
    any_applied = sum(any(s.outcome == "applied" for s in out.history(i)) for i in range(n)) / n
    print(f"\nfunctions changed by at least one op: {any_applied:.1%}")
    scaling(tuple(args.scaling_kb))


def scaling(sizes_kb: tuple[int, ...] = (10, 100, 1000, 5000)) -> None:
    """Cost against file size, 10 kB → 5 MB: each 10× larger module should cost about 10× (quadratic
    walks made 1.6 MB take 44 s and 5 MB over 400 s). Python modules of N small functions and a C file
    of N small functions, every op that renames or walks the whole file, no time budget."""
    py_unit = "def f{i}(a, b):\n    c = a + b\n    d = c * 2\n    if c > 0:\n        c -= d\n    return c\n\n\n"
    c_unit = "static int f{i}(int a, int b) {{\n    int c = a + b;\n    if (c > 0) {{\n        c -= 1;\n    }}\n    return c;\n}}\n\n"
    cases = [(RenameVariables, "python", py_unit), (ShuffleNames, "python", py_unit), (InsertDeadCode, "python", py_unit),
             (RenameVariables, "c", c_unit)]  # fmt: skip
    labels = " | ".join(f"{k / 1000:g} MB (CPU s)" if k >= 1000 else f"{k} kB (CPU s)" for k in sizes_kb)
    print(f"\n| op | language | {labels} | time per MB, largest / smallest |")
    print("|---|---|" + "---:|" * len(sizes_kb) + "---:|")
    for op_cls, language, unit in cases:
        times, sizes = [], []
        for kb in sizes_kb:
            n = max(1, kb * 1000 // len(unit.format(i=1000)))
            src = "".join(unit.format(i=i) for i in range(n))
            t0 = time.process_time()  # CPU time of this process: other load on the machine does not count
            out = op_cls(time_budget=None)(CodeBatch([src], language), generator=omniaug.rng.make_generator(0))
            times.append(time.process_time() - t0)
            sizes.append(len(src))
            assert out.last_status(0).outcome == "applied", out.last_status(0)  # type: ignore[union-attr]
        per_mb = [t / (s / 1e6) for t, s in zip(times, sizes)]
        cells = " | ".join(f"{t:.2f}" for t in times)
        print(f"| {op_cls.name} | {language} | {cells} | {per_mb[-1] / per_mb[0]:.2f} |")


if __name__ == "__main__":
    main()
