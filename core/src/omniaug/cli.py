"""The ``omniaug`` command line: plugins, list, describe, preview, apply, demo, new-plugin."""

from __future__ import annotations

import argparse
import inspect
import json
import os
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Sequence
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
        reason = info.error or ""
        rows.append([info.name, info.distribution or "-", info.version or "-", info.status, str(info.num_ops), reason])
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
                print(f"  op      {name:<36} {_first_line(cls.__doc__)}{flag}")
        for name, cls in sorted(reg.mixers.items()):
            if cls.modality_name() == m:
                print(f"  mixer   {name:<36} {_first_line(cls.__doc__)}")
        for name, preset in sorted(reg.presets.items()):
            if preset.modality == m:
                print(f"  preset  {name:<36} {preset.description}")
    return 0


def describe_text(name: str) -> str:
    """The text ``omniaug describe NAME`` prints: signature, defaults, magnitude and doc."""
    reg = _registry()
    if name in reg.presets:
        preset = reg.preset(name)
        return f"{name} (preset, modality {preset.modality})\n  {preset.description}\n\n{inspect.getdoc(preset.factory) or ''}"
    cls = reg.transform_class(name)
    lines = [f"{name} — {cls.__module__}.{cls.__qualname__}"]
    modality = getattr(cls, "modality", None)
    if modality:
        lines.append(f"modality: {getattr(modality, 'name', modality)}")
    mag = getattr(cls, "magnitude", None)
    if mag is not None:
        lines.append(f"policy magnitude: {mag.arg} from {mag.low} (m=0) to {mag.high} (m=1)")
    if getattr(cls, "fusion", None):
        lines.append(f"fusable: {cls.fusion}")  # type: ignore[attr-defined]
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

    reg = _registry()
    path = Path(spec)
    if path.suffix in {".json", ".yaml", ".yml"}:
        return from_config(path)
    if spec.lstrip().startswith("{"):
        return from_config(spec)
    if spec in reg.presets:
        return reg.preset(spec).build()
    return reg.transform_class(spec)()


def _modality_of(transform: Any) -> Any:
    if hasattr(transform, "modality_spec"):
        return transform.modality_spec()
    raise OmniaugError(f"cannot tell the modality of {type(transform).__name__}; preview a single-modality pipeline")


def _augment(transform: Any, x: Any, generator: Any) -> Any:
    from .mixing import Mixer

    if isinstance(transform, Mixer):
        return transform(x, generator=generator)
    return transform(x, generator=generator)


# ------------------------------------------------------------------ preview
def preview(transform: Any, out: Path, *, views: int = 3, seed: int = 0, data: Any = None) -> Path:
    """Apply ``transform`` ``views`` times to sample data and render original vs views to ``out``."""
    from .rng import make_generator

    spec = _modality_of(transform)
    if spec.render is None:
        raise OmniaugError(f"modality {spec.name!r} has no preview renderer")
    x = _registry().example_data(spec.name) if data is None else data
    g = make_generator(seed)
    results = [_augment(transform, x, g) for _ in range(views)]
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(spec.render(x, results, out))


def cmd_preview(args: argparse.Namespace) -> int:
    transform = build_transform(args.config)
    spec = _modality_of(transform)
    out = Path(args.out) if args.out else Path(f"preview-{spec.name}.png")
    path = preview(transform, out, views=args.views, seed=args.seed)
    print(f"wrote {path}")
    return 0


# ------------------------------------------------------------------ apply
def _is_within(a: Path, b: Path) -> bool:
    try:
        a.relative_to(b)
        return True
    except ValueError:
        return False


def apply_folder(
    transform: Any,
    input_dir: Path,
    output_dir: Path,
    *,
    copies: int = 1,
    seed: int = 0,
    batch_size: int = 16,
    progress: bool = True,
) -> dict[str, int]:
    """Augment every matching file of ``input_dir`` into ``copies`` variants under ``output_dir``.

    Output names are ``<stem>.aug<k><suffix>`` mirroring the input tree. Existing
    outputs are skipped (resumable); each (batch, copy) uses its own seed derived
    from ``seed``, so a resumed run writes what an uninterrupted one would have.
    Inputs are never overwritten: the output folder may not overlap the input.
    Files are written to a temporary name and renamed, so a killed run leaves no
    half-written output. Per-sample statuses (when the payload carries a
    ``status`` list) are appended to ``omniaug-apply-report.jsonl``.
    """
    from tqdm import tqdm

    from .rng import make_generator, seed_for

    spec = _modality_of(transform)
    if spec.load is None or spec.save is None or not spec.file_patterns:
        raise OmniaugError(f"modality {spec.name!r} cannot read/write files (no load/save/file_patterns)")
    input_dir, output_dir = input_dir.resolve(), output_dir.resolve()
    if not input_dir.is_dir():
        raise OmniaugError(f"input folder {str(input_dir)!r} does not exist")
    if _is_within(output_dir, input_dir) or _is_within(input_dir, output_dir):
        raise OmniaugError("the output folder must not overlap the input folder (inputs are never overwritten)")
    files = sorted({p for pat in spec.file_patterns for p in input_dir.rglob(pat) if p.is_file()})
    if not files:
        raise OmniaugError(f"no files matching {', '.join(spec.file_patterns)} under {str(input_dir)!r}")
    stats = {"files": len(files), "written": 0, "skipped": 0}
    report = output_dir / "omniaug-apply-report.jsonl"
    output_dir.mkdir(parents=True, exist_ok=True)
    batches = [files[i : i + batch_size] for i in range(0, len(files), batch_size)]
    bar = tqdm(total=len(files) * copies, desc=f"omniaug apply ({spec.name})", unit="file", disable=not progress)
    for b, chunk in enumerate(batches):
        x = None
        for k in range(copies):
            targets = [output_dir / f.relative_to(input_dir).with_name(f"{f.stem}.aug{k}{f.suffix}") for f in chunk]
            if all(t.exists() for t in targets):
                stats["skipped"] += len(chunk)
                bar.update(len(chunk))
                continue
            if x is None:
                x = spec.load(chunk)
            out = _augment(transform, x, make_generator(seed_for(seed, b, k)))
            tmp = []
            for t in targets:
                t.parent.mkdir(parents=True, exist_ok=True)
                fd, name = tempfile.mkstemp(prefix=".tmp-", suffix=t.suffix, dir=t.parent)
                os.close(fd)
                tmp.append(Path(name))
            try:
                spec.save(out, tmp)
                for src, dst in zip(tmp, targets):
                    os.replace(src, dst)
            finally:
                for src in tmp:
                    src.unlink(missing_ok=True)
            status = getattr(out, "status", None)
            with report.open("a", encoding="utf-8") as fh:
                for i, (f, t) in enumerate(zip(chunk, targets)):
                    entry = {
                        "input": str(f.relative_to(input_dir)),
                        "output": str(t.relative_to(output_dir)),
                        "copy": k,
                    }
                    if isinstance(status, (list, tuple)) and i < len(status):
                        entry["status"] = str(status[i])
                    fh.write(json.dumps(entry) + "\n")
            stats["written"] += len(chunk)
            bar.update(len(chunk))
    bar.close()
    return stats


def cmd_apply(args: argparse.Namespace) -> int:
    transform = build_transform(args.config)
    stats = apply_folder(
        transform,
        Path(args.input),
        Path(args.output),
        copies=args.copies,
        seed=args.seed,
        batch_size=args.batch_size,
        progress=not args.quiet,
    )
    print(f"{stats['files']} files: {stats['written']} outputs written, {stats['skipped']} already present")
    return 0


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


# ------------------------------------------------------------------ new-plugin
def cmd_new_plugin(args: argparse.Namespace) -> int:
    from .template import render_plugin

    root = render_plugin(args.name, Path(args.dir), modality=args.modality)
    print(f"created {root}")
    print(f"next: pip install -e {root} && pytest {root / 'tests'} && omniaug plugins")
    return 0


# ------------------------------------------------------------------ entry point
def build_parser() -> argparse.ArgumentParser:
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
              omniaug apply pipeline.yaml wavs/ augmented/ --copies 4
              omniaug demo --out demo-output
              omniaug new-plugin my-modality --dir ."""
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

    p = sub.add_parser("preview", help="apply a pipeline to sample data and write a preview image")
    p.add_argument("config", help="config file (.yaml/.json), inline JSON, preset or op name")
    p.add_argument("--out", "-o", help="output file (default preview-<modality>.png)")
    p.add_argument("--views", type=int, default=3, help="augmented views per sample")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("apply", help="augment a folder of files into N copies (resumable)")
    p.add_argument("config", help="config file (.yaml/.json), inline JSON, preset or op name")
    p.add_argument("input", help="input folder (never modified)")
    p.add_argument("output", help="output folder (must not overlap the input)")
    p.add_argument("--copies", "-n", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=16)
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # torch-geometric / torchaudio still call torch.jit.script at import; not the user's concern here
    warnings.filterwarnings("ignore", message=r"`torch\.jit\.script` is deprecated", category=FutureWarning)
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except OmniaugError as exc:
        print(f"omniaug {args.command}: error: {exc}", file=sys.stderr)
        return 2
