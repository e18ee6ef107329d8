"""Preview: a side-by-side HTML diff of the original and each transformed version."""

from __future__ import annotations

import difflib
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .payload import CodeBatch

__all__ = ["render_diff"]

_MAX_SAMPLES = 8


def render_diff(original: CodeBatch, views: Sequence[Any], path: Path) -> Path:
    """Write an HTML page with, per sample, a side-by-side diff against every view and its status."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        path = path.with_suffix(".html")
    differ = difflib.HtmlDiff(tabsize=4, wrapcolumn=100)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>omniaug code preview</title>",
        "<style>body{font-family:sans-serif} table.diff{font-family:monospace;font-size:12px;border:1px solid #ccc}"
        " .diff_add{background:#aaffaa} .diff_chg{background:#ffff77} .diff_sub{background:#ffaaaa}"
        " .status{font-family:monospace;color:#444;margin:4px 0 12px}</style></head><body>",
        "<h1>omniaug — code preview</h1>",
    ]
    for i in range(min(len(original.sources), _MAX_SAMPLES)):
        parts.append(f"<h2>sample {i} ({html.escape(original.language_of(i))})</h2>")
        for v, view in enumerate(views):
            before = original.sources[i].splitlines()
            after = view.sources[i].splitlines()
            parts.append(f"<h3>view {v}</h3>")
            parts.append("<div class='status'>" + html.escape("; ".join(str(s) for s in view.history(i)) or "untouched") + "</div>")
            parts.append(differ.make_table(before, after, "original", f"view {v}", context=False))
    parts.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
