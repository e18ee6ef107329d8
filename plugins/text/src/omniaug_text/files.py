"""Text files for ``omniaug apply``: one sample per file, or one per line (``text_mode=lines``).

Each output keeps its input's encoding (UTF-8 by default, ``--option encoding=NAME``
for others; a byte-order mark is kept), line endings (``\\n``, ``\\r\\n`` or ``\\r``) and
final newline. In ``lines`` mode every non-blank line is a sample; blank lines stay
where they were, and the file's lines are written back in order.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from omniaug import InputError
from omniaug.files import FileCodec, read_text_file

__all__ = ["FILES", "MODES"]

MODES = ("file", "lines")


def _mode(options: Mapping[str, Any]) -> str:
    mode = str(options.get("text_mode", "file"))
    if mode not in MODES:
        raise InputError("--option text_mode", f"one of {', '.join(MODES)}", mode)
    return mode


def _decode(path: Path, options: Mapping[str, Any]) -> tuple[str, Any]:
    return read_text_file(path, options.get("encoding"), where="text.load")


def _probe(path: Path, options: Mapping[str, Any]) -> tuple[Hashable, int]:
    if _mode(options) == "file":
        return None, 1
    text, _ = _decode(path, options)
    return None, sum(1 for line in text.split("\n") if line.strip())


def _read(path: Path, options: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    text, layout = _decode(path, options)
    if _mode(options) == "file":
        return [text], {"layout": layout, "lines": None}
    lines = text.split("\n")
    samples = [line for line in lines if line.strip()]
    return samples, {"layout": layout, "lines": [None if line.strip() else line for line in lines]}


def _collate(samples: list[Any]) -> list[str]:
    return list(samples)


def _encode(samples: list[Any], meta: dict[str, Any], target: Path, options: Mapping[str, Any]) -> bytes:
    texts = [s[0] if isinstance(s, list) else s for s in samples]
    if meta["lines"] is None:
        (text,) = texts
    else:
        fill = iter(t.replace("\r", " ").replace("\n", " ") for t in texts)  # one line stays one line
        text = "\n".join(next(fill) if line is None else line for line in meta["lines"])
    return meta["layout"].encode(text)


FILES = FileCodec(
    patterns=("*.txt",),
    probe=_probe,
    read=_read,
    collate=_collate,
    encode=_encode,
    options={
        "text_mode": "file (default: one sample per file) or lines (one sample per non-blank line)",
        "encoding": "the files' encoding (default UTF-8); outputs are written in it",
    },
    preserves=(
        "Encoding (UTF-8 unless --option encoding=…; a byte-order mark is kept), line endings (LF, CRLF or CR) "
        "and the final newline; with text_mode=lines, every non-blank line is augmented on its own and blank "
        "lines stay in place, so the output has the input's line count."
    ),
)
