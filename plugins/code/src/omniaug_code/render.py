"""Preview: a table of the original and each transformed version, changes highlighted, with each view's status.

The page and the diff are the core's (:func:`omniaug.render.diff_page`, source kept
preformatted); this module only says what each row and note is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omniaug.render import diff_page

from .payload import CodeBatch

__all__ = ["render_diff"]

_MAX_SAMPLES = 8


def render_diff(original: CodeBatch, views: Sequence[Any], path: Path) -> Path:
    """Write an HTML page with, per sample (up to 8), the original, every view's diff and its status."""
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        path = path.with_suffix(".html")
    n = min(len(original.sources), _MAX_SAMPLES)
    notes = [["; ".join(str(s) for s in view.history(i)) or "untouched" for i in range(n)] for view in views]
    page = diff_page(
        original.sources[:n], [view.sources[:n] for view in views], title="omniaug code preview",
        row_labels=[f"{i} ({original.language_of(i)})" for i in range(n)], notes=notes, preformatted=True,
    )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
