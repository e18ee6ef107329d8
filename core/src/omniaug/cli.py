"""The ``omniaug`` command line: plugins, list, describe, preview, apply, demo, new-plugin."""

from __future__ import annotations

import argparse
import errno
import inspect
import json
import os
import sys
import textwrap
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import __version__
from .errors import OmniaugError

__all__ = ["main", "build_parser"]


def _registry() -> Any:
    from .registry import registry

    return registry()


def _print_table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    print(line)
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))


def _first_line(doc: str | None) -> str:
    return (inspect.cleandoc(doc).splitlines() or [""])[0] if doc else ""


# ------------------------------------------------------------------ plugins / list / describe
def cmd_plugins(args: argparse.Namespace) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # failures are listed in the table below
        reg = _registry()
    rows = []
    for info in sorted(reg.plugins.values(), key=lambda i: i.name):
        reason = "; ".join([*([info.error] if info.error else []), *(f"conflict: {c}" for c in info.conflicts)])
        status = "conflict" if info.status == "ok" and info.conflicts else info.status
        rows.append([info.name, info.distribution or "-", info.version or "-", status, str(info.num_ops), reason])
    if not rows:
        print("no omniaug plugins installed (pip install omniaug-image, …)")
        return 0
    print(f"omniaug {__version__}")
    _print_table(rows, ["plugin", "distribution", "version", "status", "ops", "reason"])
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    reg = _registry()
    modalities = [args.modality] if args.modality else sorted(reg.modalities)
    for m in modalities:
        spec = reg.modality(m)
        print(f"[{m}] {spec.payload}")
        for name, cls in sorted(reg.augmentations.items()):
            if cls.modality_name() == m:
                flag = " (policy)" if cls.magnitude is not None and cls.in_policies else ""
                if getattr(cls, "wrapped", False):  # omniaug.interop: a peer library's transform, run per sample
                    flag += f" (wrapped {cls.peer}: {cls.cost})"
                print(f"  op      {name:<36} {_capabilities(cls)} {_first_line(cls.__doc__)}{flag}")
        for name, cls in sorted(reg.mixers.items()):
            if cls.modality_name() == m:
                print(f"  mixer   {name:<36} {_capabilities(cls)} {_first_line(cls.__doc__)}")
        for name, preset in sorted(reg.presets.items()):
            if preset.modality == m:
                print(f"  preset  {name:<36} {preset.description}")
    return 0


def _capabilities(cls: Any) -> str:
    """Two flags: ``grad`` (differentiable in its input) and ``model`` (needs a ModelContext)."""
    grad = "grad" if getattr(cls, "differentiable", False) is True else "    "
    model = "model" if getattr(cls, "requires_model", False) is True else "     "
    return f"[{grad} {model}]"


def describe_text(name: str) -> str:
    """The text ``omniaug describe NAME`` prints: signature, defaults, magnitude and doc."""
    reg = _registry()
    kind, found = reg.resolve(name)
    if kind == "preset":
        preset = found
        return f"{name} (preset, modality {preset.modality})\n  {preset.description}\n\n{inspect.getdoc(preset.factory) or ''}"
    cls = reg.transform_class(name)
    lines = [f"{name} — {cls.__module__}.{cls.__qualname__}"]
    modality = getattr(cls, "modality", None)
    if modality:
        lines.append(f"modality: {getattr(modality, 'name', modality)}")
    mag = getattr(cls, "magnitude", None)
    if mag is not None:
        lines.append(
            f"policy magnitude: {mag.arg} from {mag.low} (m=0) to {mag.high} (m=10, RandAugment's scale [0, 10])"
        )
    if getattr(cls, "fusion", None):
        lines.append(f"fusable: {cls.fusion}")  # type: ignore[attr-defined]
    if isinstance(getattr(cls, "differentiable", None), bool):
        lines.append(f"differentiable in its input: {'yes' if cls.differentiable else 'no'}")
    if getattr(cls, "requires_model", False) is True:
        lines.append("model-aware: yes — call with model=omniaug.ModelContext(model, loss_fn, targets)")
    lines.append("parameters:")
    for p in list(inspect.signature(cls.__init__).parameters.values())[1:]:
        default = "" if p.default is inspect.Parameter.empty else f" = {p.default!r}"
        ann = p.annotation if isinstance(p.annotation, str) else getattr(p.annotation, "__name__", "")
        lines.append(f"  {p.name}{': ' + ann if ann else ''}{default}")
    doc = inspect.getdoc(cls)
    if doc:
        lines += ["", doc]
    return "\n".join(lines)


def cmd_describe(args: argparse.Namespace) -> int:
    print(describe_text(args.name))
    return 0


# ------------------------------------------------------------------ building transforms
def build_transform(spec: str) -> Any:
    """A transform from a config file, inline JSON/YAML, a preset name or an op name."""
    from .config import from_config

    path = Path(spec)
    if path.suffix in {".json", ".yaml", ".yml"}:
        return from_config(path)
    if spec.lstrip().startswith("{"):
        return from_config(spec)
    kind, found = _registry().resolve(spec)
    return found.build() if kind == "preset" else found()


def _modality_of(transform: Any) -> Any:
    if hasattr(transform, "modality_spec"):
        return transform.modality_spec()
    raise OmniaugError(f"cannot tell the modality of {type(transform).__name__}; preview a single-modality pipeline")


def _augment(transform: Any, x: Any, generator: Any, model: Any = None) -> Any:
    if model is None:
        return transform(x, generator=generator)
    return transform(x, generator=generator, model=model)


def _preview_model(transform: Any, x: Any) -> Any:
    """The model a model-aware transform is previewed with: its (first model-aware child's) ``example_context``
    — a tiny classifier with random weights, so the preview shows where and how the op acts, not what a
    trained model is sensitive to. ``None`` for blind transforms."""
    if not getattr(transform, "requires_model", False):
        return None
    op = transform
    while getattr(op, "transforms", None):
        op = next((t for t in op.transforms if getattr(t, "requires_model", False)), op)
        if op is transform or not getattr(op, "transforms", None):
            break
    return type(op).example_context(x)


# ------------------------------------------------------------------ preview
def preview(transform: Any, out: Path, *, views: int = 3, seed: int = 0, data: Any = None) -> Path:
    """Apply ``transform`` ``views`` times to sample data and render original vs views to ``out``.

    A model-aware transform runs with a tiny example model (:func:`_preview_model`); a transform
    with its own ``render_preview(original, views, path)`` (an attack's clean / perturbation /
    adversarial) draws with it instead of the modality's renderer. A modality's
    ``extra["preview_input"]`` (``x -> x``) prepares the original first, e.g. the graph
    modality tags every node with its index so each view is drawn in the original layout.
    """
    from .rng import make_generator

    spec = _modality_of(transform)
    render = getattr(transform, "render_preview", None) or spec.render
    if render is None:
        raise OmniaugError(f"modality {spec.name!r} has no preview renderer")
    x = _registry().example_data(spec.name) if data is None else data
    prepare = spec.extra.get("preview_input")
    x = prepare(x) if prepare is not None else x
    g = make_generator(seed)
    model = _preview_model(transform, x)
    results = [_augment(transform, x, g, model) for _ in range(views)]
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(render(x, results, out))


def load_inputs(spec: Any, path: Path, *, limit: int = 8, options: dict[str, Any] | None = None) -> Any:
    """A batch of the user's own files for ``preview``: ``path`` (a file) or up to ``limit``
    files of ``path`` (a folder) that batch together (the first file's group)."""
    from .files import codec_of

    codec, options = codec_of(spec), dict(options or {})
    path = Path(path)
    if path.is_dir():
        files = _list_inputs(path, codec.patterns)
    elif path.is_file():
        files = [path]
    else:
        raise OmniaugError(f"--input {str(path)!r} does not exist")
    if not files:
        raise OmniaugError(f"no files matching {', '.join(codec.patterns)} under {str(path)!r}")
    samples: list[Any] = []
    group: Any = None
    errors: list[str] = []
    for f in files:
        try:
            g, _ = codec.probe(f, options)
            if samples and g != group:
                continue
            read, _ = codec.read(f, options)
        except Exception as exc:  # an unreadable file is skipped here too
            errors.append(f"{f.name}: {_short(exc)}")
            continue
        group = g
        samples.extend(read[: limit - len(samples)])
        if len(samples) >= limit:
            break
    if not samples:
        raise OmniaugError(f"none of the files under {str(path)!r} could be read ({'; '.join(errors[:3])})")
    return codec.collate(samples)


def _preview_command(path: Path) -> Any:
    """The plugin command that draws files like ``path`` (``omniaug preview set.pt``), or None."""
    if not path.is_file() or path.suffix in {".json", ".yaml", ".yml"}:
        return None
    for command in _registry().commands.values():
        if path.suffix in command.preview_suffixes and command.preview_file is not None:
            return command
    return None


def cmd_preview(args: argparse.Namespace) -> int:
    command = _preview_command(Path(args.config))
    if command is not None:  # a file a plugin wrote (a distilled set, …): the plugin draws it
        source = Path(args.config)
        written = command.preview_file(source, Path(args.out) if args.out else source.with_suffix(".png"))
        print(f"wrote {written}")
        return 0
    transform = build_transform(args.config)
    spec = _modality_of(transform)
    out = Path(args.out) if args.out else Path(f"preview-{spec.name}.png")
    data = None
    if args.input:
        data = load_inputs(spec, Path(args.input), limit=args.max_files, options=_parse_options(args.option))
    path = preview(transform, out, views=args.views, seed=args.seed, data=data)
    print(f"wrote {path}")
    return 0


# ------------------------------------------------------------------ apply
REPORT_NAME = "omniaug-apply-report.jsonl"
_FOLDER_ERRORS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}
MANIFEST_NAME = "omniaug-apply.json"


def _is_within(a: Path, b: Path) -> bool:
    try:
        a.relative_to(b)
        return True
    except ValueError:
        return False


def batch_generator(seed: int, batch: int, copy: int, *item: int) -> Any:
    """The generator of one ``omniaug apply`` call: batch ``batch`` (or one item of it), copy ``copy``.

    Every random draw of ``apply`` comes from here, so the outputs depend only on
    ``seed``, the batch layout and the copy number.
    """
    from .rng import make_generator, seed_for

    return make_generator(seed_for(seed, batch, copy, *item))


#: how ``apply`` seeds its draws (recorded in the manifest: a folder seeded otherwise is not resumed)
SEEDING = "per-item-v2"  # v2: large per-row draws prefix-stable (numbers past 8 192 per row changed)


def item_key(rel: str, sample: int) -> str:
    """The stable key of sample ``sample`` of the input file at relative path ``rel`` (POSIX)."""
    return rel if sample == 0 else f"{rel}#{sample}"


def item_generator(seed: int, keys: Sequence[str], copy: int) -> Any:
    """The generator of one ``omniaug apply`` call over items ``keys``, copy ``copy``.

    Every random draw of ``apply`` comes from here: a keyed generator
    (:class:`omniaug.keyed.KeyedGenerator`), so an item's output depends only on
    ``seed``, its key (relative path) and the copy — not on ``--batch-size``,
    ``--workers``, the engine or which other files share its batch.
    """
    from .keyed import KeyedGenerator

    return KeyedGenerator.from_keys(seed, keys, copy=copy)


def _list_inputs(input_dir: Path, patterns: Sequence[str]) -> list[Path]:
    """Files matching ``patterns``, sorted; hidden files and folders and partial writes are left out."""
    from .files import is_partial

    found = set()
    for pat in patterns:
        for p in input_dir.rglob(pat):
            rel = p.relative_to(input_dir)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts) and not is_partial(p):
                found.add(p)
    return sorted(found)


def _check_writable(folder: Path) -> None:
    """Raise a one-line error when ``folder`` cannot be created or written (nothing is created here)."""
    probe = folder
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OmniaugError(f"cannot write to {str(folder)!r}: {str(probe)!r} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OmniaugError(f"cannot write to {str(folder)!r}: {str(probe)!r} is read-only")


def _versions() -> dict[str, Any]:
    import platform

    import torch

    reg = _registry()
    plugins = {n: i.version for n, i in sorted(reg.loaded_plugins().items()) if i.status == "ok"}
    return {"omniaug": __version__, "plugins": plugins, "torch": torch.__version__, "python": platform.python_version()}


def _settings(transform: Any, seed: int, batch_size: int, options: dict[str, Any]) -> dict[str, Any]:
    """What decides the outputs of a run (a re-run into the same folder must match)."""
    from .config import to_config, to_yaml

    try:
        pipeline = to_yaml(transform)
        node = to_config(transform)["pipeline"]
    except OmniaugError:
        pipeline, node = f"<unserializable {type(transform).__name__}>", None
    return {
        "pipeline": pipeline,
        "pipeline_config": node,
        "seed": seed,
        "seeding": SEEDING,
        "batch_size": batch_size,
        "options": options,
    }


def _prepare_output(output_dir: Path, settings: dict[str, Any], overwrite: bool) -> None:
    """Refuse a folder written with other settings (unless ``overwrite``), clean interrupted writes."""
    from .files import is_partial

    if not output_dir.exists():
        return
    manifest = output_dir / MANIFEST_NAME
    old: dict[str, Any] | None = None
    if manifest.exists():
        try:
            old = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            old = None
    keys = ("pipeline_config", "seed", "seeding", "options")  # outputs do not depend on the batch size
    same = old is not None and all(old.get(k) == settings[k] for k in keys)
    non_empty = any(output_dir.iterdir())
    if non_empty and not same:
        if not overwrite:
            if old is None:
                why = f"it is not empty and holds no {MANIFEST_NAME}"
            else:
                diff = [k.replace("_config", "") for k in keys if old.get(k) != settings[k]]
                why = f"it holds outputs of a run with another {', '.join(diff)}"
            raise OmniaugError(f"refusing to write into {str(output_dir)!r}: {why}; use another folder or --overwrite")
        _remove_previous_outputs(output_dir)
    for p in output_dir.rglob("*"):
        if p.is_file() and is_partial(p):
            p.unlink(missing_ok=True)  # left by a killed run


def _remove_previous_outputs(output_dir: Path) -> None:
    """Delete the outputs an earlier run recorded in its report (``--overwrite``), and the report."""
    report = output_dir / REPORT_NAME
    if report.exists():
        for line in report.read_text(encoding="utf-8").splitlines():
            try:
                out = json.loads(line).get("output")
            except ValueError:
                continue
            if out:
                target = (output_dir / out).resolve()
                if _is_within(target, output_dir):
                    target.unlink(missing_ok=True)
        report.unlink()
    (output_dir / MANIFEST_NAME).unlink(missing_ok=True)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if not isinstance(exc, OmniaugError):
        text = f"{type(exc).__name__}: {text}"
    return text if len(text) <= 300 else text[:297] + "..."


def apply_folder(
    transform: Any,
    input_dir: Path,
    output_dir: Path,
    *,
    copies: int = 1,
    seed: int = 0,
    batch_size: int = 16,
    progress: bool = True,
    options: dict[str, Any] | None = None,
    overwrite: bool = False,
    workers: int = 1,
    shard: tuple[int, int] | None = None,
    only: Sequence[str] | None = None,
    write_report: bool = True,
) -> dict[str, Any]:
    """Augment every matching file of ``input_dir`` into ``copies`` variants under ``output_dir``.

    Output names are ``<stem>.aug<k><suffix>`` mirroring the input tree, each in its
    input's format (the modality's :class:`~omniaug.files.FileCodec`; see
    ``docs/cli.md``). Files are batched only with files of the same group (same
    size, rate, channels, …), so nothing is padded, resampled or truncated to fit.
    Existing outputs are skipped (resumable); every draw is keyed by item
    (:func:`item_generator`: seed, relative path, copy), so a resumed run writes what
    an uninterrupted one would have, and identical runs write identical bytes
    whatever ``batch_size`` and ``workers``. A file that cannot be
    read, augmented or written is skipped and recorded in the report; the others
    go on. Inputs are never overwritten: the output folder may not overlap the
    input. ``omniaug-apply.json`` records the pipeline (YAML), seed, options and
    versions; a folder holding another run's outputs is refused unless
    ``overwrite`` (which deletes that run's recorded outputs first).
    ``omniaug-apply-report.jsonl`` gets one line per output or failure.

    Returns counts (``files``, ``written``, ``skipped``, ``failed``) and ``failures``
    (``[(input, reason), …]``).

    ``workers > 1`` runs that many local processes, each on every ``workers``-th
    file (``shard=(i, workers)``, output folder and manifest prepared once by the
    caller); the outputs are those of one process, since draws are keyed by item
    (:func:`item_generator`). ``only`` (relative paths) restricts a run to those
    inputs, also on a folder prepared by the caller (the Ray engine's actors use
    it). The report's lines are also returned (``report``); ``write_report=False``
    leaves writing them to the caller.
    """
    from tqdm import tqdm

    from .files import codec_of, write_atomic

    options = dict(options or {})
    if copies < 1 or batch_size < 1:
        raise OmniaugError(f"--copies and --batch-size must be at least 1 (got {copies}, {batch_size})")
    spec = _modality_of(transform)
    codec = codec_of(spec)
    unknown = sorted(set(options) - set(codec.options))
    if unknown:
        known = ", ".join(sorted(codec.options)) or "none"
        raise OmniaugError(f"unknown --option {', '.join(unknown)} for modality {spec.name!r} (known: {known})")
    input_dir, output_dir = Path(input_dir).resolve(), Path(output_dir).resolve()
    if not input_dir.is_dir():
        raise OmniaugError(f"input folder {str(input_dir)!r} does not exist")
    if _is_within(output_dir, input_dir) or _is_within(input_dir, output_dir):
        raise OmniaugError("the output folder must not overlap the input folder (inputs are never overwritten)")
    if only is not None:
        files = [
            input_dir / r
            for r in only
            if (input_dir / r).is_file() and _is_within((input_dir / r).resolve(), input_dir)
        ]
    else:
        files = _list_inputs(input_dir, codec.patterns)
    if not files:
        raise OmniaugError(f"no files matching {', '.join(codec.patterns)} under {str(input_dir)!r}")
    _check_writable(output_dir)
    settings = _settings(transform, seed, batch_size, options)
    prepared = shard is not None or only is not None
    if not prepared:
        _prepare_output(output_dir, settings, overwrite)
        if workers > 1:
            output_dir.mkdir(parents=True, exist_ok=True)
            write_manifest(output_dir, settings, copies)
            return _apply_with_workers(
                transform,
                input_dir,
                output_dir,
                workers=workers,
                progress=progress,
                copies=copies,
                seed=seed,
                batch_size=batch_size,
                options=options,
                overwrite=overwrite,
            )
    if shard is not None:
        files = files[shard[0] :: shard[1]]

    stats: dict[str, Any] = {"files": len(files), "written": 0, "skipped": 0, "failed": 0, "failures": []}
    failed: dict[Path, str] = {}
    bar = tqdm(total=len(files) * copies, desc=f"omniaug apply ({spec.name})", unit="file", disable=not progress)
    report_lines: list[dict[str, Any]] = []
    started = False

    def rel(f: Path) -> str:
        return f.relative_to(input_dir).as_posix()

    def fail(f: Path, reason: str, copy: int | None = None) -> None:
        if f in failed:
            return
        failed[f] = reason
        stats["failures"].append((rel(f), reason))
        report_lines.append({"input": rel(f), "copy": copy, "error": reason})
        bar.write(f"omniaug apply: skipped {rel(f)}: {reason}", file=sys.stderr)
        bar.update(copies)

    def start_output() -> None:
        nonlocal started
        if started:
            return
        output_dir.mkdir(parents=True, exist_ok=True)
        if not prepared:  # a caller that shards the run wrote the manifest once, before its workers
            write_manifest(output_dir, settings, copies)
        started = True

    def target_of(f: Path, k: int) -> Path:
        return output_dir / f.relative_to(input_dir).with_name(f"{f.stem}.aug{k}{f.suffix}")

    # -- probe every file: its batching group and sample count
    groups: dict[Any, list[tuple[Path, int]]] = {}
    for f in files:
        try:
            group, n = codec.probe(f, options)
            groups.setdefault(group, []).extend((f, j) for j in range(int(n)))
            if int(n) == 0:
                fail(f, "the file holds no sample")
        except Exception as exc:  # one bad file never aborts the run
            fail(f, _short(exc))
    batches = [items[i : i + batch_size] for items in groups.values() for i in range(0, len(items), batch_size)]
    counts: dict[Path, int] = {}
    for items in groups.values():
        for f, _ in items:
            counts[f] = counts.get(f, 0) + 1

    pending: dict[tuple[Path, int], dict[int, Any]] = {}
    metas: dict[Path, dict[str, Any]] = {}

    def finish(f: Path, k: int) -> None:
        samples = pending.pop((f, k))
        if f in failed:
            return
        target = target_of(f, k)
        if target.exists() and not overwrite:
            stats["skipped"] += 1
            bar.update(1)
            return
        try:
            data = codec.encode([samples[j] for j in range(counts[f])], metas[f], target, options)
        except Exception as exc:
            fail(f, f"cannot encode {target.name}: {_short(exc)}", k)
            return
        try:
            start_output()
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, data)
        except OSError as exc:
            if exc.errno in _FOLDER_ERRORS:  # the folder is unwritable: no use going on, one line
                raise OmniaugError(f"cannot write to {str(output_dir)!r}: {exc.strerror or exc}") from None
            fail(f, f"cannot write {target.name}: {_short(exc)}", k)
            return
        entry: dict[str, Any] = {"input": rel(f), "output": target.relative_to(output_dir).as_posix(), "copy": k}
        status = [getattr(samples[j], "status", None) for j in range(counts[f])]  # per-sample logs (code plugin)
        if any(isinstance(st, (list, tuple)) and st for st in status):
            logs = [str(st[0]) if isinstance(st, (list, tuple)) and st else None for st in status]
            entry["status"] = logs[0] if len(logs) == 1 else logs
        report_lines.append(entry)
        stats["written"] += 1
        bar.update(1)

    try:
        for b, chunk in enumerate(batches):
            chunk = [(f, j) for f, j in chunk if f not in failed]
            cache: dict[Path, list[Any]] = {}
            for k in range(copies):
                live = [(f, j) for f, j in chunk if f not in failed]
                todo = [(f, j) for f, j in live if overwrite or not target_of(f, k).exists()]
                if not todo:
                    done = {f for f, _ in live}
                    stats["skipped"] += len(done)
                    bar.update(len(done))
                    continue
                for f in dict.fromkeys(f for f, _ in live):
                    if f not in cache and f not in failed:
                        try:
                            samples, meta = codec.read(f, options)
                            cache[f], metas[f] = samples, meta
                        except Exception as exc:
                            fail(f, _short(exc))
                live = [(f, j) for f, j in live if f not in failed]
                if not live:
                    continue
                outputs = _augment_items(transform, spec, codec, live, cache, seed, b, k, fail, root=input_dir)
                for (f, j), out in zip(live, outputs):
                    if out is None or f in failed:
                        continue
                    slot = pending.setdefault((f, k), {})
                    slot[j] = out
                    if len(slot) == counts[f]:
                        finish(f, k)
    finally:
        bar.close()
        if write_report and report_lines and (started or output_dir.exists()):
            append_lines(output_dir / REPORT_NAME, report_lines)
    stats["failed"] = len(failed)
    stats["report"] = report_lines
    return stats


def write_manifest(output_dir: Path, settings: dict[str, Any], copies: int) -> None:
    """Write ``omniaug-apply.json`` (the run's settings, versions and copy count) through a rename."""
    from .files import write_atomic

    manifest = {**settings, "versions": _versions(), "copies": copies}
    write_atomic(output_dir / MANIFEST_NAME, (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def append_lines(path: Path, entries: Sequence[dict[str, Any]]) -> None:
    """Append JSON lines to ``path`` in one ``O_APPEND`` write, so concurrent workers never interleave a line."""
    data = "".join(json.dumps(e) + "\n" for e in entries).encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _apply_with_workers(
    transform: Any, input_dir: Path, output_dir: Path, *, workers: int, progress: bool, **kwargs: Any
) -> dict[str, Any]:
    """``apply_folder`` on ``workers`` local processes.

    The processes come from a fork server on Linux (spawned elsewhere): a plain fork
    of a process whose OpenMP thread pool has run (any earlier torch work) can hang in
    the child's first parallel region. Each process gets ``cpu_count // workers``
    intra-op threads; outputs do not depend on it.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .config import to_yaml

    try:
        recipe: tuple[str, Any] = ("yaml", to_yaml(transform))
    except OmniaugError:
        import pickle

        recipe = ("pickle", pickle.dumps(transform))
    threads = max(1, (os.cpu_count() or 1) // workers)
    jobs = [(recipe, str(input_dir), str(output_dir), (i, workers), threads, kwargs) for i in range(workers)]
    total: dict[str, Any] = {"files": 0, "written": 0, "skipped": 0, "failed": 0, "failures": [], "report": []}
    if sys.platform.startswith("linux"):
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["torch", "omniaug.cli"])
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for stats in pool.map(_apply_shard, jobs):
            for name in ("files", "written", "skipped", "failed"):
                total[name] += stats[name]
            total["failures"] += stats["failures"]
            total["report"] += stats["report"]
            if progress:
                print(
                    f"omniaug apply: worker done ({stats['written']} written, {stats['skipped']} present)",
                    file=sys.stderr,
                )
    return total


def _apply_shard(job: tuple[Any, ...]) -> dict[str, Any]:
    """One ``--workers`` process: rebuild the pipeline and run its share of the files."""
    import torch

    recipe, input_dir, output_dir, shard, threads, kwargs = job
    torch.set_num_threads(threads)
    if recipe[0] == "yaml":
        from .config import from_config

        transform = from_config(recipe[1])
    else:
        import pickle

        transform = pickle.loads(recipe[1])
    return apply_folder(transform, Path(input_dir), Path(output_dir), shard=shard, progress=False, **kwargs)


def _augment_items(
    transform: Any,
    spec: Any,
    codec: Any,
    items: list[tuple[Path, int]],
    cache: dict[Path, list[Any]],
    seed: int,
    b: int,
    k: int,
    fail: Any,
    *,
    root: Path,
) -> list[Any]:
    """Augment the samples ``items`` as one batch; if that fails, file by file, to find the bad one.

    Draws are keyed by item (:func:`item_generator`): a file retried alone gets
    what it would have got in the batch.
    """
    from .files import split_samples

    samples = [cache[f][j] for f, j in items]
    keys = [item_key(f.relative_to(root).as_posix(), j) for f, j in items]
    try:
        out = _run_batch(transform, codec, samples, lambda: item_generator(seed, keys, k))
        return list(split_samples(spec, out, len(items)))
    except Exception:  # retried file by file below
        pass
    results: list[Any] = [None] * len(items)
    for f in dict.fromkeys(f for f, _ in items):
        idx = [i for i, (g, _) in enumerate(items) if g == f]
        try:
            part = [samples[i] for i in idx]
            part_keys = [keys[i] for i in idx]
            out = _run_batch(transform, codec, part, lambda part_keys=part_keys: item_generator(seed, part_keys, k))
            for i, s in zip(idx, split_samples(spec, out, len(idx))):
                results[i] = s
        except Exception as exc:
            fail(f, f"augmentation failed: {_short(exc)}", k)
    return results


MAX_ROOM = 16.0


def _run_batch(transform: Any, codec: Any, samples: list[Any], generator: Any) -> Any:
    """Augment one batch; with a lengthening codec, give outputs room and double it until nothing is cut."""
    if codec.lengthen is None or codec.truncated is None:
        return _augment(transform, codec.collate(samples), generator())
    room = 1.5  # room for a 0.67× slow-down at the first try
    while True:
        out = _augment(transform, codec.lengthen(samples, room), generator())  # same draws each try
        if not codec.truncated(out):
            return out
        if room >= MAX_ROOM:
            raise OmniaugError(f"an output would be more than {MAX_ROOM:g}× its input's length and was not written")
        room *= 2


def cmd_apply(args: argparse.Namespace) -> int:
    options = _parse_options(args.option)
    transform = build_transform(args.config)
    if args.workers < 1:
        raise OmniaugError(f"--workers must be at least 1 (got {args.workers})")
    if args.address and args.engine != "ray":
        raise OmniaugError("--address needs --engine ray")
    run: Callable[..., Any] = apply_folder
    extra: dict[str, Any] = {"workers": args.workers}
    if args.engine == "ray":
        import importlib

        try:  # omniaug[ray]: the engine module is optional
            ray_engine = importlib.import_module(".integrations.ray", __package__)
        except ModuleNotFoundError as e:
            raise OmniaugError(f"--engine ray is not available here ({e}); use --engine local") from e
        run = ray_engine.apply_folder

        extra["address"] = args.address
    stats = run(
        transform,
        Path(args.input),
        Path(args.output),
        copies=args.copies,
        seed=args.seed,
        batch_size=args.batch_size,
        progress=not args.quiet,
        options=options,
        overwrite=args.overwrite,
        **extra,
    )
    print(
        f"{stats['files']} files: {stats['written']} outputs written, {stats['skipped']} already present"
        + (f", {stats['failed']} failed" if stats["failed"] else "")
    )
    if stats["failed"]:
        print(
            f"omniaug apply: error: {stats['failed']} of {stats['files']} files could not be augmented "
            f"(reasons in {REPORT_NAME})",
            file=sys.stderr,
        )
        return 1
    return 0


def _parse_options(items: Sequence[str] | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise OmniaugError(f"--option expects NAME=VALUE, got {item!r}")
        options[name.strip()] = value.strip()
    return options


# ------------------------------------------------------------------ demo
def run_demo(out: Path, *, seed: int = 0, progress: bool = True) -> list[Path]:
    """For every installed modality with a ``<modality>.default`` preset: save its sample
    data, augment it with ``omniaug apply`` into copies, and write a preview image."""
    from tqdm import tqdm

    from .config import save_config

    reg = _registry()
    written: list[Path] = []
    names = [m for m in sorted(reg.modalities) if f"{m}.default" in reg.presets]
    if not names:
        raise OmniaugError("no modality with a '<modality>.default' preset is installed")
    for m in tqdm(names, desc="omniaug demo", unit="modality", disable=not progress):
        spec = reg.modality(m)
        transform = reg.preset(f"{m}.default").build()
        folder = out / m
        folder.mkdir(parents=True, exist_ok=True)
        written.append(save_config(transform, folder / "pipeline.yaml"))
        data = reg.example_data(m)
        if spec.render is not None:
            written.append(preview(transform, folder / f"preview.{_preview_suffix(spec)}", seed=seed, data=data))
        if spec.save is not None and spec.load is not None and spec.file_patterns:
            n = spec.batch_size(data)
            ext = spec.file_patterns[0].lstrip("*")
            inputs = [folder / "input" / f"sample{i:02d}{ext}" for i in range(n)]
            for p in inputs:
                p.parent.mkdir(parents=True, exist_ok=True)
            spec.save(data, inputs)
            apply_folder(transform, folder / "input", folder / "augmented", copies=2, seed=seed, progress=False)
            written.append(folder / "augmented")
    return written


def _preview_suffix(spec: Any) -> str:
    return str(spec.extra.get("preview_suffix", "png"))


def cmd_demo(args: argparse.Namespace) -> int:
    for path in run_demo(Path(args.out), seed=args.seed, progress=not args.quiet):
        print(f"wrote {path}")
    return 0


# ------------------------------------------------------------------ convert
def cmd_convert(args: argparse.Namespace) -> int:
    """Convert a saved albumentations / audiomentations pipeline; print what became native or wrapped."""
    from .config import save_config
    from .interop import convert

    kwargs = {"sample_rate": args.sample_rate} if args.source == "audiomentations" else {}
    pipeline, report = convert(Path(args.pipeline), args.source, **kwargs)
    print(report)
    if args.out:
        print(f"wrote {save_config(pipeline, args.out)}")
    return 0


# ------------------------------------------------------------------ new-plugin
def cmd_new_plugin(args: argparse.Namespace) -> int:
    from .template import render_plugin

    root = render_plugin(args.name, Path(args.dir), modality=args.modality)
    print(f"created {root}")
    print(f"next: pip install -e {root} && pytest {root / 'tests'} && omniaug plugins")
    return 0


# ------------------------------------------------------------------ entry point
def build_parser(commands: Mapping[str, Any] | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="omniaug",
        description="Batched, seeded, pluggable data augmentation for PyTorch.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=textwrap.dedent(
            """\
            examples:
              omniaug plugins
              omniaug list --modality image
              omniaug describe image.affine
              omniaug preview image.default --out grid.png
              omniaug preview image.default --input photos/ --out mine.png
              omniaug apply pipeline.yaml wavs/ augmented/ --copies 4
              omniaug demo --out demo-output
              omniaug new-plugin my-modality --dir .
              omniaug convert albu.json --from albumentations -o pipeline.yaml"""
        ),
    )
    parser.add_argument("--version", action="version", version=f"omniaug {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plugins", help="installed plugins: version, status, number of ops")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("list", help="registered ops, mixers and presets")
    p.add_argument("--modality", "-m", help="only this modality")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("describe", help="parameters, ranges, defaults and doc of an op")
    p.add_argument("name")
    p.set_defaults(func=cmd_describe)

    p = sub.add_parser("preview", help="apply a pipeline to sample data (or --input files) and write a preview")
    p.add_argument(
        "config",
        help="config file (.yaml/.json), inline JSON, preset or op name; or a file a plugin wrote (a distilled set .pt)",
    )
    p.add_argument("--out", "-o", help="output file (default preview-<modality>.png)")
    p.add_argument("--views", type=int, default=3, help="augmented views per sample")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--input", "-i", help="your own file, or a folder (its first files that batch together)")
    p.add_argument("--max-files", type=int, default=8, help="at most this many samples from --input")
    p.add_argument("--option", "-O", action="append", metavar="NAME=VALUE", help="file-format option (as for apply)")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("apply", help="augment a folder of files into N copies (resumable)")
    p.add_argument("config", help="config file (.yaml/.json), inline JSON, preset or op name")
    p.add_argument("input", help="input folder (never modified)")
    p.add_argument("output", help="output folder (must not overlap the input)")
    p.add_argument("--copies", "-n", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=16, help="files per batch (only files of one group share a batch)")
    p.add_argument("--workers", type=int, default=1, help="local worker processes (or Ray workers with --engine ray)")
    p.add_argument(
        "--engine", choices=["local", "ray"], default="local", help="local processes, or Ray Data (omniaug[ray])"
    )
    p.add_argument("--address", help="with --engine ray: an existing cluster (default: a local Ray started offline)")
    p.add_argument(
        "--option",
        "-O",
        action="append",
        metavar="NAME=VALUE",
        help="a file-format option of the modality (see docs/cli.md), e.g. jpeg_quality=90, text_mode=lines",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="write into a folder holding another run's outputs (deletes the outputs that run recorded)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_apply)

    p = sub.add_parser("demo", help="run every modality's default pipeline on bundled sample data")
    p.add_argument("--out", default="demo-output")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("new-plugin", help="create a plugin package from the template")
    p.add_argument("name", help="plugin / modality name, e.g. 'tabular' or 'point-cloud'")
    p.add_argument("--modality", help="modality name (default: the plugin name)")
    p.add_argument("--dir", default=".", help="parent folder of the new package")
    p.set_defaults(func=cmd_new_plugin)

    p = sub.add_parser("convert", help="convert a saved albumentations / audiomentations pipeline to omniaug")
    p.add_argument("pipeline", help="the peer's saved pipeline (.json / .yaml)")
    p.add_argument("--from", dest="source", required=True, choices=["albumentations", "audiomentations"])
    p.add_argument("--out", "-o", help="write the omniaug pipeline here (.yaml / .json)")
    p.add_argument("--sample-rate", type=int, default=16000, help="audio: the sample rate of plain-tensor batches")
    p.set_defaults(func=cmd_convert)
    builtin = set(sub.choices)
    for name, command in sorted((commands or {}).items()):
        if name in builtin:
            warnings.warn(f"plugin command {name!r} would shadow a built-in command; left out", stacklevel=2)
            continue
        p = sub.add_parser(name, help=command.help)
        command.configure(p)
        p.set_defaults(func=command.run)
    return parser


BUILTIN_COMMANDS = ("plugins", "list", "describe", "preview", "apply", "demo", "new-plugin", "convert")


def _plugin_commands(argv: Sequence[str]) -> dict[str, Any]:
    """Plugins' subcommands, looked up only when the command line names no built-in command."""
    first = next((a for a in argv if not a.startswith("-")), None)
    if first in BUILTIN_COMMANDS:
        return {}
    return dict(_registry().commands)


def main(argv: Sequence[str] | None = None) -> int:
    # torch-geometric / torchaudio still call torch.jit.script at import; not the user's concern here
    warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning)
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(_plugin_commands(argv)).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except OmniaugError as exc:
        print(f"omniaug {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only folder, a full disk: one line, not a traceback
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(f"omniaug {args.command}: error:{where} {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"omniaug {args.command}: interrupted", file=sys.stderr)
        return 130


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
