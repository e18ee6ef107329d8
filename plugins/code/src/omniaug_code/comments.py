"""Comment removal (all languages).

Source: "comment removal" in the code-augmentation survey (Zhuo et al., 2023) and
ReCode's docstring/comment perturbations. A comment alone on its line(s) is
removed with its line; a trailing comment with the spaces before it. Python
shebang and encoding lines are kept (they are directives, not comments).
"""

from __future__ import annotations

import re

import tree_sitter as ts

from .base import NotApplicable, Result
from .edits import Edit, apply_edits, is_line_start, line_start
from .keys import Keys
from .syntax import ErrorRegions, find, parse

__all__ = ["remove_comments"]

_CODING = re.compile(rb"^#.*coding[:=]")


def remove_comments(source: str, language: str, keys: Keys, sites: int) -> Result:
    """Remove ``sites`` comments."""
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    errors = ErrorRegions(root, language, data)
    cands = []
    types = ("line_comment", "block_comment") if language == "java" else ("comment",)
    for n in find(root, language, *types):
        body = n.text or b""
        if language == "python" and n.start_point[0] < 2 and (body.startswith(b"#!") or _CODING.match(body)):
            continue
        if errors and (errors.overlaps(n.start_byte, n.end_byte) or _in_error(n)):
            continue  # never edit inside a region tree-sitter could not parse
        if language in ("c", "cpp") and _continued(data, n):
            continue  # inside a multi-line macro (`\` continuations): tree-sitter reads those bodies loosely
        cands.append(n)
    if not cands:
        raise NotApplicable("no comment")
    picked = keys.sample(cands, sites, "sites")
    edits = []
    for n in picked:
        end = n.end_byte
        if is_line_start(data, n.start_byte) and (end == len(data) or data[end : end + 1] == b"\n"):
            start = line_start(data, n.start_byte)
            edits.append(Edit(start, min(end + 1, len(data)), ""))
        else:
            start = n.start_byte
            while start > 0 and data[start - 1 : start] in (b" ", b"\t"):
                start -= 1
            # keep tokens apart (`a/**/b`), and JavaScript's line break inside a block comment (ASI)
            glue = " " if _word(data[start - 1 : start]) and _word(data[end : end + 1]) else ""
            if language == "javascript" and b"\n" in (n.text or b"") and not _ends_line(n, data):
                glue = "\n"
            edits.append(Edit(start, end, glue))
    return Result(apply_edits(data, edits), len(picked))


def _continued(data: bytes, n: ts.Node) -> bool:
    """Whether the comment's line ends with a backslash or continues a line that does."""
    end = data.find(b"\n", n.end_byte)
    end = len(data) if end == -1 else end
    if data[n.end_byte : end].rstrip(b" \t\r").endswith(b"\\"):
        return True
    start = line_start(data, n.start_byte)  # the previous line ends at start - 1 (its newline)
    prev_end = start - 2 if data[start - 2 : start - 1] == b"\r" else start - 1
    return start > 0 and data[prev_end - 1 : prev_end] == b"\\"


def _word(ch: bytes) -> bool:
    return bool(ch) and (ch.isalnum() or ch in (b"_", b"$"))


def _ends_line(n: ts.Node, data: bytes) -> bool:
    return data[n.end_byte : n.end_byte + 1] in (b"\n", b"")


def _in_error(n: ts.Node) -> bool:
    p = n.parent
    while p is not None:
        if p.is_error:
            return True
        p = p.parent
    return False
