"""Scale-out throughput: files/s of every engine on 1 and 2 workers vs `omniaug apply` on one process,
and the cost of keyed (per-item) draws vs unkeyed batched draws at B = 256. Same run, same machine.

    .venv/bin/python benchmarks/bench_scaleout.py [--files 2000] [--image-size 224] [--engines apply,ray,hf,dask] [--quick] [--draws-only]

Corpus: ``--files`` PNG crops (``--image-size`` and 8 px more, two batching groups; 224 and 232
by default, a training-size photo: at thumbnail size the worker processes' start-up hides the
scaling) of the two photos scikit-learn ships, written to a temporary folder; ``image.default``, one copy, seed 0,
batch 16. What each engine does per file:

* ``apply``: ``omniaug apply`` — read, probe, augment, encode PNG, write (``--workers``
  processes, each with ``cpu_count / workers`` torch threads; 1 worker = the plain command).
* ``ray``: ``omniaug apply --engine ray`` on a local Ray instance (2 CPUs) — the same work
  in ``map_batches`` actors (one CPU each); Ray's start-up is reported apart, actor start-up
  is included.
* ``hf``: ``datasets.Dataset.map(batched=True, num_proc=N)`` over an ``Image`` column of the
  files (decode, augment, encode into the Arrow cache).
* ``dask``: ``map_partitions`` over a frame of the decoded images on the threaded scheduler
  with N threads, one torch thread each (decoding is done before, not timed).

Every engine's outputs are checked equal to ``apply``'s (the same pixels per item).
Keyed draws: ``omniaug.rng`` draws with a :class:`omniaug.keyed.KeyedGenerator` over 256
string keys vs a ``torch.Generator``, per draw kind; one ``torch.Generator`` per row (the
naive per-item fix) for scale; for the large normal draw the floor of any hash-based keyed
draw (its hash words alone, no conversion to floats); whole presets at B = 256 keyed vs unkeyed.
"""

from __future__ import annotations

import argparse
import os

# Idle torch (OpenMP) threads busy-wait after every parallel op; on a shared, loaded
# machine that makes small ops (one sample sliced out of a batch) take milliseconds.
# Must be set before torch is imported (see bench_text.py); workers inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import omniaug  # noqa: E402
from omniaug import keyed, rng  # noqa: E402
from omniaug.cli import apply_folder, build_transform  # noqa: E402
from omniaug.keyed import KeyedGenerator  # noqa: E402
from tests.scaleout_files import write_images  # noqa: E402

PRESET = "image.default"


def _timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def _pixels_of_apply(src: Path, out: Path) -> dict[str, bytes]:
    from PIL import Image

    result = {}
    for p in sorted(src.rglob("*.png")):
        rel = p.relative_to(src)
        with Image.open(out / rel.with_name(f"{rel.stem}.aug0{rel.suffix}")) as im:
            result[rel.as_posix()] = np.asarray(im.convert("RGB")).tobytes()
    return result


def bench_engines(n_files: int, engines: list[str], work: Path, size: int = 224) -> list[list[str]]:
    src = work / "in"
    write_images(src, count=n_files, size=size)
    rels = sorted(p.relative_to(src).as_posix() for p in src.rglob("*.png"))
    rows: list[list[str]] = []
    threads = torch.get_num_threads()

    def row(engine: str, workers: int, note: str, seconds: float, same: bool | None) -> None:
        rate = n_files / seconds
        rows.append(
            [
                engine,
                str(workers),
                note,
                f"{seconds:.1f}",
                f"{rate:.0f}",
                f"{rate / workers:.0f}",
                "—" if same is None else ("yes" if same else "NO"),
            ]
        )

    seconds, _ = _timed(lambda: apply_folder(build_transform(PRESET), src, work / "apply1", seed=0, progress=False))
    reference = _pixels_of_apply(src, work / "apply1")
    row("apply", 1, f"1 process, {threads} torch threads", seconds, None)
    if "apply" in engines:
        seconds, _ = _timed(
            lambda: apply_folder(build_transform(PRESET), src, work / "apply2", seed=0, progress=False, workers=2)
        )
        row("apply --workers", 2, "processes", seconds, _pixels_of_apply(src, work / "apply2") == reference)

    if "ray" in engines:
        from omniaug.integrations import ray as oa_ray

        start, _ = _timed(lambda: oa_ray.init(num_cpus=2))
        for w in (1, 2):
            seconds, _ = _timed(
                lambda w=w: oa_ray.apply_folder(PRESET, src, work / f"ray{w}", seed=0, workers=w, progress=False)
            )
            row(
                "ray (apply --engine ray)",
                w,
                f"actors; Ray start {start:.1f} s not counted",
                seconds,
                _pixels_of_apply(src, work / f"ray{w}") == reference,
            )
        import ray

        ray.shutdown()

    if "hf" in engines:
        import datasets
        from PIL import Image

        from omniaug.integrations import hf

        datasets.disable_progress_bars()
        ds = datasets.Dataset.from_dict({"image": [str(src / r) for r in rels], "path": rels}).cast_column(
            "image", datasets.Image()
        )
        for w in (1, 2):
            t = hf.transform(PRESET, column="image", key="path", seed=0, output_column="aug")
            seconds, out = _timed(
                lambda t=t, w=w: hf.map(
                    ds,
                    t,
                    num_proc=w if w > 1 else None,
                    batch_size=16,
                    cache_file_name=str(work / f"hf{w}.arrow"),
                    load_from_cache_file=False,
                )
            )
            got = {r: np.asarray(Image.Image.convert(im, "RGB")).tobytes() for r, im in zip(out["path"], out["aug"])}
            row("hf datasets map", w, "num_proc", seconds, got == reference)

    if "dask" in engines:
        import dask
        import dask.dataframe as dd
        import pandas as pd
        from PIL import Image

        from omniaug.integrations import dask as oa_dask

        frame = pd.DataFrame({"image": [np.asarray(Image.open(src / r).convert("RGB")) for r in rels], "path": rels})
        for w in (1, 2):
            torch.set_num_threads(1)
            try:
                with dask.config.set({"dataframe.convert-string": False}):
                    ddf = dd.from_pandas(frame, npartitions=8 * w)
                    out = oa_dask.map_partitions(ddf, PRESET, column="image", key="path", seed=0, output_column="aug")
                    seconds, result = _timed(lambda out=out, w=w: out.compute(scheduler="threads", num_workers=w))
            finally:
                torch.set_num_threads(threads)
            got = {r: np.asarray(a).tobytes() for r, a in zip(result["path"], result["aug"])}
            row("dask map_partitions", w, "threads, 1 torch thread each; decoded frame", seconds, got == reference)
    return rows


def _median_us(fn: Any, reps: int) -> float:
    fn()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def _paired_median_us(fa: Any, fb: Any, reps: int) -> tuple[float, float]:
    """Medians of ``fa`` and ``fb`` timed in alternation (a loaded machine's drift hits both alike)."""
    fa(), fb()
    ta, tb = [], []
    for _ in range(reps):
        for f, out in ((fa, ta), (fb, tb)):
            start = time.perf_counter()
            f()
            out.append(time.perf_counter() - start)
    return statistics.median(ta) * 1e6, statistics.median(tb) * 1e6


def bench_keyed(reps: int, batch: int = 256, *, presets: bool = True) -> list[list[str]]:
    keys = [f"photos/img{i:05d}.png" for i in range(batch)]
    draws = {
        "uniform (1 per row)": lambda g: rng.uniform(batch, -1.0, 1.0, generator=g),
        "normal (1 per row)": lambda g: rng.normal(batch, generator=g),
        "bernoulli (1 per row)": lambda g: rng.bernoulli(batch, 0.5, generator=g),
        "randint (1 per row)": lambda g: rng.randint(batch, 0, 10, generator=g),
        "uniform (3 per row)": lambda g: rng.uniform(batch, -1.0, 1.0, shape=(3,), generator=g),
        "normal (3×32×32 per row)": lambda g: rng.normal(batch, shape=(3, 32, 32), generator=g),
    }
    rows = []
    tg, kg = torch.Generator().manual_seed(0), KeyedGenerator.from_keys(0, keys)
    for name, draw in draws.items():
        small = "32" not in name
        u, k = _paired_median_us(
            lambda draw=draw: draw(tg), lambda draw=draw: draw(kg), reps if small else max(3, reps // 50)
        )
        per_row, floor = "—", "—"
        if name.startswith("uniform (1"):
            gens = [torch.Generator().manual_seed(i) for i in range(batch)]
            p = _median_us(lambda gens=gens: [rng.uniform(1, -1.0, 1.0, generator=g) for g in gens], max(3, reps // 50))
            per_row = f"{p:.0f} µs ({p / u:.0f}×)"
        if not small or name.startswith("uniform (3"):
            # the floor: only the hash words this draw needs (one word per two normals), no conversion,
            # timed in alternation with the unkeyed draw (a 3-number draw: three words per row, where
            # NumPy's per-call cost of the eight hash passes is most of the time)
            state, words = kg._root.seed, 3 if small else (3 * 32 * 32 + 1) // 2
            u2, f = _paired_median_us(
                lambda draw=draw: draw(tg),
                lambda state=state, words=words: keyed._hashed(state, words),
                reps if small else max(3, reps // 50),
            )
            floor = f"{f:.0f} µs ({f / u2:.2f}×, {words} words per row)"
        rows.append([name, f"{u:.1f}", f"{k:.1f}", f"{k / u:.2f}×", floor, per_row])
    make = _median_us(lambda: KeyedGenerator.from_keys(0, keys), reps)
    rows.append(["KeyedGenerator.from_keys (256 paths, cached hashes)", "—", f"{make:.1f}", "—", "—", "—"])
    if not presets:
        return rows
    reg = omniaug.registry()
    for preset in ("image.default", "audio.default", "text.default", "timeseries.default", "tokens.default"):
        if preset not in reg.presets:
            continue
        p = reg.preset(preset)
        t, spec = p.build(), reg.modality(p.modality)
        x = (
            torch.rand(batch, 3, 64, 64)
            if p.modality == "image"
            else spec.example(batch_size=batch, generator=torch.Generator().manual_seed(1))
        )
        few = 5 if preset == "audio.default" else 20
        u = _median_us(lambda t=t, x=x: t(x, generator=torch.Generator().manual_seed(0)), few)
        k = _median_us(lambda t=t, x=x: t(x, generator=KeyedGenerator.from_keys(0, keys)), few)
        rows.append(
            [
                f"pipeline {preset} (B={batch}, generator made per call)",
                f"{u / 1000:.2f} ms",
                f"{k / 1000:.2f} ms",
                f"{k / u:.2f}×",
                "—",
                "—",
            ]
        )
    return rows


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="corpus size (≥ 2000 for the issue's scaling claim)")
    parser.add_argument(
        "--engines",
        default="apply,ray,hf,dask",
        help="comma-separated subset of apply,ray,hf,dask (empty: keyed draws and presets only)",
    )
    parser.add_argument("--reps", type=int, default=500, help="repetitions of each small keyed-draw timing")
    parser.add_argument(
        "--image-size", type=int, default=224, help="side of the photo crops (px; every third is 8 px larger)"
    )
    parser.add_argument("--quick", action="store_true", help="200 files, fewer repetitions (a smoke run)")
    parser.add_argument(
        "--draws-only", action="store_true", help="only the keyed vs unkeyed draw kinds (no engines, no presets)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=os.cpu_count() or 1,
        help="torch intra-op threads of this process (1: the DataLoader-worker case)",
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.quick:
        args.files, args.reps = 200, 100
    warnings.simplefilter("ignore")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    stamp = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    print(
        f"bench_scaleout {stamp} UTC, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}, torch threads {torch.get_num_threads()}\n"
    )
    header = [
        "keyed draws at B = 256",
        "unkeyed µs",
        "keyed µs",
        "keyed / unkeyed",
        "floor: hash words alone (/ unkeyed)",
        "one torch.Generator per row",
    ]
    if args.draws_only or not engines:  # --engines "": the draw kinds and the presets, no corpus
        print(_table(header, bench_keyed(args.reps, presets=not args.draws_only)))
        return
    with tempfile.TemporaryDirectory(prefix="omniaug-bench-scaleout-") as tmp:
        rows = bench_engines(args.files, engines, Path(tmp), args.image_size)
    print(
        f"{args.files} PNG files ({args.image_size} and {args.image_size + 8} px crops of real photos), {PRESET}, 1 copy, batch 16\n"
    )
    print(_table(["engine", "workers", "how", "s", "files/s", "files/s per worker", "same pixels as apply"], rows))
    print()
    print(_table(header, bench_keyed(args.reps)))


if __name__ == "__main__":
    main()
