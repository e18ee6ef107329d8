"""Reading and writing source files for ``omniaug apply`` (language from the extension)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omniaug import InputError
from omniaug.files import check_paths, file_error, read_text_file, require_paths

from .payload import EXTENSIONS, CodeBatch

__all__ = ["FILE_PATTERNS", "FILES", "load_sources", "save_sources", "language_of_path"]

FILE_PATTERNS: tuple[str, ...] = ("*.py", "*.java", "*.js", "*.c", "*.cpp", "*.go")


def language_of_path(path: Path) -> str:
    """The language of a source file, from its extension."""
    lang = EXTENSIONS.get(Path(path).suffix.lower())
    if lang is None:
        raise InputError(
            "path", f"a source file ending in {', '.join(sorted(EXTENSIONS))}", str(path), where="code.load"
        )
    return lang


def load_sources(paths: Sequence[Path]) -> CodeBatch:
    """Read ``paths`` (UTF-8) into one batch with a per-file language."""
    paths = require_paths(paths, "source file", where="code.load")
    langs = [language_of_path(p) for p in paths]
    sources = [p.read_text(encoding="utf-8") for p in paths]
    return CodeBatch(sources, langs)


def save_sources(batch: CodeBatch, paths: Sequence[Path]) -> None:
    """Write each sample of ``batch`` to the matching path (parents created)."""
    for source, path in zip(batch.sources, check_paths(paths, len(batch.sources), where="code.save")):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")


# ----------------------------------------------------------------------------- omniaug apply
def _python_encoding(path: Path, raw: bytes) -> str:
    """A Python file's declared encoding (PEP 263 cookie or BOM; UTF-8 by default)."""
    import io
    import tokenize

    try:
        enc, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        raise file_error(path, "a Python file with a valid coding declaration", exc, where="code.load") from None
    return "utf-8-sig" if enc == "utf-8-sig" else enc


def _decode(path: Path, options: Any) -> tuple[str, Any]:
    raw = path.read_bytes()
    encoding = options.get("encoding") or (_python_encoding(path, raw) if path.suffix == ".py" else None)
    return read_text_file(path, encoding, raw=raw, what="source code", where="code.load")


def _probe(path: Path, options: Any) -> tuple[Any, int]:
    language_of_path(path)
    return None, 1  # sources of any length batch together


def _read(path: Path, options: Any) -> tuple[list[Any], dict[str, Any]]:
    text, layout = _decode(path, options)
    return [(text, language_of_path(path))], {"layout": layout}


def _collate(samples: list[Any]) -> CodeBatch:
    return CodeBatch([s for s, _ in samples], [lang for _, lang in samples])


def _encode(samples: list[Any], meta: dict[str, Any], target: Path, options: Any) -> bytes:
    (sample,) = samples
    return meta["layout"].encode(sample.sources[0])


def _code_files() -> Any:
    from omniaug.files import FileCodec

    return FileCodec(
        patterns=FILE_PATTERNS,
        probe=_probe,
        read=_read,
        collate=_collate,
        encode=_encode,
        options={"encoding": "the sources' encoding (default: a .py file's coding declaration, else UTF-8)"},
        preserves=(
            "Encoding (a .py file's PEP 263 coding declaration or byte-order mark, else UTF-8, or "
            "--option encoding=…), line endings (LF, CRLF or CR) and the final newline. A file an op cannot "
            "transform keeps its code and says why in the report's status."
        ),
    )


FILES = _code_files()
