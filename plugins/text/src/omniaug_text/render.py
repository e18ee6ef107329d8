"""Preview of text augmentation: a table of original and augmented strings, changes highlighted.

The page and the word diff are the core's (:mod:`omniaug.render`): removed text in
``<del>``, added text in ``<ins>`` (HTML), or ``[-old-]{+new+}`` (plain text, as
``git diff --word-diff`` prints it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from omniaug.render import diff_page, diff_text

__all__ = ["render_text"]


def render_text(original: Sequence[str], views: Sequence[Sequence[str]], path: Path) -> Path:
    """``Modality.render``: write ``path`` as plain text for ``.txt``/``.md``/``.diff``, HTML otherwise."""
    path = Path(path)
    if path.suffix.lower() in (".txt", ".md", ".diff"):
        path.write_text(diff_text(original, views), encoding="utf-8")
        return path
    if path.suffix.lower() not in (".html", ".htm"):
        path = path.with_suffix(".html")
    path.write_text(diff_page(original, views, title="omniaug text preview"), encoding="utf-8")
    return path
