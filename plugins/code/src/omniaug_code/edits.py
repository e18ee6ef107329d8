"""Byte-range text edits: how every transformation rewrites a source.

Edits replace ``[start, end)`` byte spans of the UTF-8 source (tree-sitter's
offsets). Applying them in one pass keeps everything outside the spans intact,
which is what preserves formatting and comments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Edit", "apply_edits", "line_start", "indent_at", "is_line_start"]


@dataclass(frozen=True, order=True)
class Edit:
    """Replace bytes ``[start, end)`` with ``text`` (an insertion when ``start == end``)."""

    start: int
    end: int
    text: str


def apply_edits(source: bytes, edits: Iterable[Edit]) -> str:
    """``source`` with every edit applied; overlapping edits raise ``ValueError``."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    out: list[bytes] = []
    pos = 0
    for e in ordered:
        if e.start < pos:
            raise ValueError(f"overlapping edits at byte {e.start}")
        out.append(source[pos : e.start])
        out.append(e.text.encode("utf-8"))
        pos = e.end
    out.append(source[pos:])
    return b"".join(out).decode("utf-8")


def line_start(source: bytes, pos: int) -> int:
    """Byte offset of the start of the line holding ``pos``."""
    return source.rfind(b"\n", 0, pos) + 1


def is_line_start(source: bytes, pos: int) -> bool:
    """Whether only spaces/tabs precede ``pos`` on its line."""
    start = line_start(source, pos)
    return source[start:pos].strip(b" \t") == b""


def indent_at(source: bytes, pos: int) -> str:
    """The leading whitespace of the line holding ``pos``."""
    start = line_start(source, pos)
    end = start
    while end < len(source) and source[end : end + 1] in (b" ", b"\t"):
        end += 1
    return source[start:end].decode("utf-8")
