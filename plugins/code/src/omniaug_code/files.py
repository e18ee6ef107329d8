"""Reading and writing source files for ``omniaug apply`` (language from the extension)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from omniaug import InputError

from .payload import EXTENSIONS, CodeBatch

__all__ = ["FILE_PATTERNS", "load_sources", "save_sources", "language_of_path"]

FILE_PATTERNS: tuple[str, ...] = ("*.py", "*.java", "*.js", "*.c", "*.cpp", "*.go")


def language_of_path(path: Path) -> str:
    """The language of a source file, from its extension."""
    lang = EXTENSIONS.get(Path(path).suffix.lower())
    if lang is None:
        raise InputError("path", f"a source file ending in {', '.join(sorted(EXTENSIONS))}", str(path), where="code load")
    return lang


def load_sources(paths: Sequence[Path]) -> CodeBatch:
    """Read ``paths`` (UTF-8) into one batch with a per-file language."""
    paths = [Path(p) for p in paths]
    langs = [language_of_path(p) for p in paths]
    sources = [p.read_text(encoding="utf-8") for p in paths]
    return CodeBatch(sources, langs)


def save_sources(batch: CodeBatch, paths: Sequence[Path]) -> None:
    """Write each sample of ``batch`` to the matching path (parents created)."""
    if len(paths) != len(batch.sources):
        raise InputError("paths", f"{len(batch.sources)} paths, one per sample", list(paths), where="code save")
    for source, path in zip(batch.sources, paths):
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
