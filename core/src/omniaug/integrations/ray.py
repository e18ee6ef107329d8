"""Ray Data: augment a folder or a table on a local Ray instance or a cluster, seeded per item.

Needs ``pip install 'omniaug[ray]'``. Two entry points, both seeded by item
(:mod:`omniaug.keyed`), so the bytes do not depend on the number of workers, the
block boundaries or which node runs what:

* :func:`apply_folder` — ``omniaug apply --engine ray``: the files of a folder are
  rows of a dataset keyed by relative path; ``map_batches`` actors (each loads the
  pipeline once) run :func:`omniaug.cli.apply_folder` on their files and write the
  outputs through a partial file and a rename, exactly as the local command does.
  The driver writes the per-item status report. On a cluster the input and output
  folders must be on storage every node sees (a shared or network file system).
* :func:`map_batches` — a column of a Ray dataset (images as ``read_images`` gives
  them, audio arrays, strings, numeric arrays) augmented with seeds from a key column.

Failure handling is Ray's: a worker that dies mid-run is restarted and its batch
retried; outputs already written are skipped (an output is only ever complete or
absent), so the run completes with the outputs of an undisturbed one. A file that
cannot be read or augmented is reported, never fatal.

```python
from omniaug.integrations import ray as oa_ray

stats = oa_ray.apply_folder("pipeline.yaml", "photos/", "augmented/", copies=2, workers=8)

ds = ray.data.read_images("s3://bucket/photos", include_paths=True)
out = oa_ray.map_batches(ds, "image.default", column="image", key="path", seed=0)
```
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from ..errors import InputError, OmniaugError
from . import require
from ._rows import KeyedTransform

__all__ = ["init", "apply_folder", "map_batches", "FolderAugmenter", "RowAugmenter"]

#: files per Ray task of :func:`apply_folder` (each task is a call of an actor)
FILES_PER_TASK = 32


def init(address: str | None = None, *, num_cpus: int | None = None, quiet: bool = True) -> bool:
    """Connect to Ray unless connected: ``address`` of a cluster, or a local instance (no network needed).

    Returns True when this call started or connected Ray (the caller then shuts it
    down), False when Ray was already initialized (e.g. by the user or a test).
    """
    ray = require("ray", "ray")
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # no usage report over the network
    kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": not quiet, "configure_logging": not quiet}
    if address:
        ray.init(address=address, **kwargs)
    else:
        ray.init(num_cpus=num_cpus, **kwargs)
    return True


def _quiet_data(progress: bool) -> None:
    ctx = require("ray.data", "ray").DataContext.get_current()
    ctx.enable_progress_bars = progress
    ctx.print_on_execution_start = progress
    if not progress:
        logging.getLogger("ray.data").setLevel(logging.ERROR)


def _recipe(transform: Any) -> tuple[str, Any]:
    """How actors rebuild the pipeline: its YAML config, or a pickle for an unserializable one."""
    from ..config import to_yaml

    try:
        return ("yaml", to_yaml(transform))
    except OmniaugError:
        import pickle

        return ("pickle", pickle.dumps(transform))


def _rebuild(recipe: tuple[str, Any]) -> Any:
    if recipe[0] == "yaml":
        from ..config import from_config

        return from_config(recipe[1])
    import pickle

    return pickle.loads(recipe[1])


class FolderAugmenter:
    """A Ray Data actor: loads the pipeline once, then augments the files of each batch it gets.

    A batch is ``{"path": relative paths}``; the result has one row per file: its
    path, its outputs written and already present, the error (empty if none) and
    its report lines (JSON), which the driver appends to the report. An output
    found present but written since the run started (``started_at``) comes from an
    attempt of this batch on a worker that died: it is reported as written.
    """

    def __init__(
        self, recipe: tuple[str, Any], input_dir: str, output_dir: str, settings: dict[str, Any], started_at: float
    ) -> None:
        self.transform = _rebuild(recipe)
        self.input_dir, self.output_dir = Path(input_dir), Path(output_dir)
        self.settings = settings
        self.started_at = started_at

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from ..cli import apply_folder as run_folder

        paths = [str(p) for p in batch["path"]]
        stats = run_folder(
            self.transform,
            self.input_dir,
            self.output_dir,
            only=paths,
            progress=False,
            write_report=False,
            **self.settings,
        )
        lines: dict[str, list[dict[str, Any]]] = {p: [] for p in paths}
        for entry in stats["report"]:
            lines.setdefault(entry["input"], []).append(entry)
        errors = dict(stats["failures"])
        skipped = dict.fromkeys(paths, 0)
        for p in paths:
            if p in errors:
                continue
            done = {e.get("copy") for e in lines[p] if "output" in e}
            rel = Path(p)
            for k in range(self.settings["copies"]):
                target = rel.with_name(f"{rel.stem}.aug{k}{rel.suffix}")
                if k in done:
                    continue
                try:
                    mtime = (self.output_dir / target).stat().st_mtime
                except OSError:
                    continue
                if mtime >= self.started_at:  # written by an earlier attempt of this run
                    lines[p].append({"input": p, "output": target.as_posix(), "copy": k})
                else:  # by an earlier run: kept, as a resumed `omniaug apply` keeps it
                    skipped[p] += 1
        return {
            "path": np.array(paths, dtype=object),
            "written": np.array([sum(1 for e in lines[p] if "output" in e) for p in paths], dtype=np.int64),
            "skipped": np.array([skipped[p] for p in paths], dtype=np.int64),
            "error": np.array([errors.get(p, "") for p in paths], dtype=object),
            "report": np.array([json.dumps(lines[p]) for p in paths], dtype=object),
        }


def apply_folder(
    transform: Any,
    input_dir: Path | str,
    output_dir: Path | str,
    *,
    copies: int = 1,
    seed: int = 0,
    batch_size: int = 16,
    progress: bool = True,
    options: dict[str, Any] | None = None,
    overwrite: bool = False,
    workers: int = 1,
    address: str | None = None,
    files_per_task: int = FILES_PER_TASK,
) -> dict[str, Any]:
    """:func:`omniaug.cli.apply_folder` on Ray Data: the same outputs, report and resume.

    ``transform``: a pipeline, a YAML/JSON config (text or file) or a preset name.
    ``workers``: actors (one CPU each). ``address``: an existing cluster (default:
    a local Ray started here, on ``workers`` CPUs, and stopped at the end). Returns
    the counts of :func:`omniaug.cli.apply_folder`.
    """
    from .. import cli
    from ..files import codec_of, is_partial

    ray = require("ray", "ray")  # before anything is written
    if isinstance(transform, (str, Path)):
        transform = KeyedTransform(transform, column="_").transform
    if workers < 1 or files_per_task < 1:
        raise OmniaugError(f"workers and files_per_task must be at least 1 (got {workers}, {files_per_task})")
    options = dict(options or {})
    if copies < 1 or batch_size < 1:
        raise OmniaugError(f"--copies and --batch-size must be at least 1 (got {copies}, {batch_size})")
    spec = cli._modality_of(transform)
    codec = codec_of(spec)
    unknown = sorted(set(options) - set(codec.options))
    if unknown:
        known = ", ".join(sorted(codec.options)) or "none"
        raise OmniaugError(f"unknown --option {', '.join(unknown)} for modality {spec.name!r} (known: {known})")
    input_dir, output_dir = Path(input_dir).resolve(), Path(output_dir).resolve()
    if not input_dir.is_dir():
        raise OmniaugError(f"input folder {str(input_dir)!r} does not exist")
    if cli._is_within(output_dir, input_dir) or cli._is_within(input_dir, output_dir):
        raise OmniaugError("the output folder must not overlap the input folder (inputs are never overwritten)")
    files = cli._list_inputs(input_dir, codec.patterns)
    if not files:
        raise OmniaugError(f"no files matching {', '.join(codec.patterns)} under {str(input_dir)!r}")
    cli._check_writable(output_dir)
    settings = cli._settings(transform, seed, batch_size, options)
    cli._prepare_output(output_dir, settings, overwrite)
    output_dir.mkdir(parents=True, exist_ok=True)
    cli.write_manifest(output_dir, settings, copies)

    started = init(address, num_cpus=None if address else workers, quiet=not progress)
    stats: dict[str, Any] = {"files": len(files), "written": 0, "skipped": 0, "failed": 0, "failures": [], "report": []}
    try:
        _quiet_data(progress)
        rels = [f.relative_to(input_dir).as_posix() for f in files]
        tasks = max(-(-len(rels) // files_per_task), min(len(rels), workers))  # at least one task per worker
        per_task = -(-len(rels) // tasks)
        ds = ray.data.from_items([{"path": r} for r in rels], override_num_blocks=tasks)
        run_settings = {
            "copies": copies,
            "seed": seed,
            "batch_size": batch_size,
            "options": options,
            "overwrite": overwrite,
        }
        out = ds.map_batches(
            FolderAugmenter,
            fn_constructor_args=(_recipe(transform), str(input_dir), str(output_dir), run_settings, time.time()),
            batch_size=per_task,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=workers),
            num_cpus=1,
        )  # Ray Data's actors default to max_restarts = max_task_retries = -1: a killed worker is
        # replaced and its batch retried (finished outputs are skipped, the rest written)
        seen: set[str] = set()
        pending: list[dict[str, Any]] = []
        for row in out.iter_rows():
            path = str(row["path"])
            if path in seen:  # never twice, even if a batch were reported by two attempts
                continue
            seen.add(path)
            lines = json.loads(row["report"])
            stats["written"] += int(row["written"])
            stats["skipped"] += int(row["skipped"])
            pending += lines
            stats["report"] += lines
            if row["error"]:
                stats["failed"] += 1
                stats["failures"].append((path, str(row["error"])))
            if len(pending) >= 256:  # the report grows as the run goes (a killed driver loses little)
                cli.append_lines(output_dir / cli.REPORT_NAME, pending)
                pending = []
        if pending:
            cli.append_lines(output_dir / cli.REPORT_NAME, pending)
    finally:
        if started:
            ray.shutdown()
    for p in output_dir.rglob("*"):
        if p.is_file() and is_partial(p):
            p.unlink(missing_ok=True)  # left by a worker killed while writing (its batch was retried)
    return stats


class RowAugmenter:
    """A Ray Data actor for :func:`map_batches`: a :class:`~omniaug.integrations.KeyedTransform` over one column."""

    def __init__(self, transform: KeyedTransform) -> None:
        self.t = transform

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        t = self.t
        key = t.key or ""
        for name in (t.column, key):
            if name not in batch:
                raise InputError(
                    "column", f"a column of the batch ({sorted(batch)})", name, where="omniaug ray.map_batches"
                )
        values = t.augment(list(batch[t.column]), list(batch[key]))
        out = dict(batch)
        try:
            stacked = np.stack([np.asarray(v) for v in values]) if values and not isinstance(values[0], str) else None
        except ValueError:  # ragged rows (images of several sizes)
            stacked = None
        if stacked is None:
            stacked = np.empty(len(values), dtype=object)
            stacked[:] = values
        out[t.output_column] = stacked
        return out


def map_batches(
    dataset: Any,
    pipeline: Any,
    *,
    column: str,
    key: str,
    seed: int = 0,
    copy: int = 0,
    output_column: str | None = None,
    batch_size: int = 64,
    workers: int | None = None,
    **ray_kwargs: Any,
) -> Any:
    """``dataset.map_batches`` augmenting ``column`` with seeds from ``(seed, row[key], copy)``.

    ``key`` names a column of stable item keys (a path, an id): Ray blocks have no
    stable row index. ``workers``: actors (default: Ray's autoscaling pool). Images
    are ``uint8`` ``(H, W, C)`` arrays as ``ray.data.read_images`` yields them; the
    same bytes come out for any ``batch_size``, block count or number of workers.
    """
    ray = require("ray", "ray")
    if not key:
        raise InputError(
            "key", "a key column (Ray blocks have no stable row index)", key, where="omniaug ray.map_batches"
        )
    t = (
        pipeline
        if isinstance(pipeline, KeyedTransform)
        else KeyedTransform(pipeline, column=column, key=key, seed=seed, copy=copy, output_column=output_column)
    )
    compute = (
        ray.data.ActorPoolStrategy(size=workers) if workers else ray.data.ActorPoolStrategy(min_size=1, max_size=None)
    )
    return dataset.map_batches(
        RowAugmenter,
        fn_constructor_args=(t,),
        batch_size=batch_size,
        batch_format="numpy",
        compute=compute,
        **ray_kwargs,
    )
