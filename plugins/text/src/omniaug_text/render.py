"""Preview of text augmentation: a side-by-side table of original and augmented strings.

Changes are found with :class:`difflib.SequenceMatcher` over word-and-gap tokens
and highlighted (``<del>``/``<ins>`` in HTML, ``[-old-]{+new+}`` in plain text, as
``git diff --word-diff`` prints them).
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Sequence
from pathlib import Path

__all__ = ["diff_html", "diff_plain", "render_html", "render_plain", "render_text"]

_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.4em .6em;vertical-align:top;text-align:left}
th{background:#f3f3f3}
del{background:#fdd;color:#900}
ins{background:#dfd;color:#060;text-decoration:none}
"""


def _opcodes(a: str, b: str) -> tuple[list[str], list[str], list[tuple[str, int, int, int, int]]]:
    ta: list[str] = _TOKENS.findall(a)
    tb: list[str] = _TOKENS.findall(b)
    return ta, tb, list(difflib.SequenceMatcher(a=ta, b=tb, autojunk=False).get_opcodes())


def diff_html(original: str, augmented: str) -> str:
    """``augmented`` as HTML with removed text in ``<del>`` and added text in ``<ins>``."""
    ta, tb, ops = _opcodes(original, augmented)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out.append(html.escape("".join(tb[j1:j2])))
            continue
        if i2 > i1:
            out.append(f"<del>{html.escape(''.join(ta[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{html.escape(''.join(tb[j1:j2]))}</ins>")
    return "".join(out)


def diff_plain(original: str, augmented: str) -> str:
    """``augmented`` with changes marked ``[-removed-]{+added+}``."""
    ta, tb, ops = _opcodes(original, augmented)
    out: list[str] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            out.append("".join(tb[j1:j2]))
            continue
        if i2 > i1:
            out.append(f"[-{''.join(ta[i1:i2])}-]")
        if j2 > j1:
            out.append(f"{{+{''.join(tb[j1:j2])}+}}")
    return "".join(out)


def render_html(original: Sequence[str], views: Sequence[Sequence[str]], title: str = "omniaug text preview") -> str:
    """An HTML page: one row per sample, the original then each augmented view with changes highlighted."""
    head = "".join(f"<th>view {k + 1}</th>" for k in range(len(views)))
    rows = []
    for i, text in enumerate(original):
        cells = "".join(f"<td>{diff_html(text, view[i])}</td>" for view in views)
        rows.append(f"<tr><td>{i}</td><td>{html.escape(text)}</td>{cells}</tr>")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<table><tr><th>#</th><th>original</th>{head}</tr>{''.join(rows)}</table></body></html>\n"
    )


def render_plain(original: Sequence[str], views: Sequence[Sequence[str]]) -> str:
    """Plain text: per sample the original and each view in word-diff notation."""
    lines = []
    for i, text in enumerate(original):
        lines.append(f"[{i}] original: {text}")
        for k, view in enumerate(views):
            lines.append(f"    view {k + 1}: {diff_plain(text, view[i])}")
    return "\n".join(lines) + "\n"


def render_text(original: Sequence[str], views: Sequence[Sequence[str]], path: Path) -> Path:
    """``Modality.render``: write ``path`` as plain text for ``.txt``/``.md``, HTML otherwise."""
    path = Path(path)
    if path.suffix.lower() in (".txt", ".md", ".diff"):
        path.write_text(render_plain(original, views), encoding="utf-8")
        return path
    if path.suffix.lower() not in (".html", ".htm"):
        path = path.with_suffix(".html")
    path.write_text(render_html(original, views), encoding="utf-8")
    return path
