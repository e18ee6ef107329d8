"""Preview pictures and diff pages, drawn the same way for every modality.

A plugin's preview only draws **one cell**; this module lays out the grid, writes
the titles and labels and saves the file, so every preview reads alike and the
layout code exists once:

* :func:`render_grid` — a PNG grid of cells, by convention rows = samples and
  columns = the original then each augmented view (:func:`view_titles`). The plugin
  passes ``draw(ax, row, col)``, which draws into one matplotlib ``Axes`` and may
  return a short caption for that cell (a count, a factor).
* :func:`diff_page` — an HTML table of strings (rows = samples, columns = the
  original then each view) where each view shows its word diff against the
  original: removed text in ``<del>``, added text in ``<ins>``, everything escaped.
  :func:`diff_plain` is the same diff as text (``[-old-]{+new+}``, as
  ``git diff --word-diff`` prints it).

Matplotlib is imported only when a grid is drawn (extra ``omniaug[preview]``), with
the non-interactive Agg backend.
"""

from __future__ import annotations

import difflib
import html
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = [
    "CellDrawer",
    "CELL_SIZE",
    "DPI",
    "view_titles",
    "grid_figure",
    "save_figure",
    "render_grid",
    "diff_spans",
    "diff_html",
    "diff_plain",
    "diff_page",
    "diff_text",
]

CellDrawer = Callable[[Any, int, int], "str | None"]
"""``draw(ax, row, col) -> caption or None``: draws one cell into a matplotlib ``Axes``."""

CELL_SIZE = (2.4, 2.0)
"""Default cell size in inches (width, height)."""

DPI = 80
"""Default resolution of a saved grid: a cell of ``CELL_SIZE`` is 192 × 160 pixels."""

_TITLE_HEIGHT = 0.4  # inches added above the grid for a figure title
_FORMATS = (".png", ".jpg", ".jpeg", ".svg", ".pdf")


def view_titles(views: int, *, first: str = "original") -> list[str]:
    """Column titles of a preview: ``first`` then ``view 1`` … ``view N``."""
    return [first, *(f"view {k + 1}" for k in range(views))]


def grid_figure(
    rows: int,
    columns: Sequence[str],
    draw: CellDrawer,
    *,
    row_labels: Sequence[str] | None = None,
    title: str | None = None,
    cell_size: tuple[float, float] = CELL_SIZE,
    ticks: bool = False,
    share_y: bool = False,
) -> Any:
    """A matplotlib figure of ``rows`` × ``len(columns)`` cells, each drawn by ``draw(ax, row, col)``.

    ``columns`` are the titles of the top row; a caption returned by ``draw`` goes
    under it (or is the title of a cell below the top row). ``row_labels`` label
    the first column. The figure is exactly ``cell_size`` per cell (plus a title
    strip when ``title`` is given), so the picture's size in pixels is known in
    advance. ``ticks=False`` hides the axes' ticks (pictures, graphs); ``share_y``
    gives the cells of one row one y-range (line plots of one sample).
    """
    if rows < 1:
        raise InputError("rows", "at least one row", rows, where="render_grid")
    if len(columns) < 1:
        raise InputError("columns", "at least one column title", list(columns), where="render_grid")
    if row_labels is not None and len(row_labels) != rows:
        raise InputError("row_labels", f"{rows} labels, one per row", list(row_labels), where="render_grid")
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    cols = len(columns)
    width, height = cell_size[0] * cols, cell_size[1] * rows + (_TITLE_HEIGHT if title else 0.0)
    fig, axes = plt.subplots(rows, cols, figsize=(width, height), squeeze=False, sharey="row" if share_y else False)
    for r in range(rows):
        for c in range(cols):
            ax = axes[r][c]
            if ticks:
                ax.tick_params(labelsize=6)  # before drawing, so a cell may choose its own tick labels
            caption = draw(ax, r, c)
            heading = "\n".join(t for t in (columns[c] if r == 0 else "", caption or "") if t)
            if heading:
                ax.set_title(heading, fontsize=8)
            if not ticks:
                ax.set_xticks([])
                ax.set_yticks([])
        if row_labels is not None:
            axes[r][0].set_ylabel(row_labels[r], fontsize=8)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def save_figure(fig: Any, path: str | Path, *, dpi: int = DPI) -> Path:
    """Write ``fig`` to ``path`` and close it; returns the path written.

    The format follows the suffix (PNG, JPEG, SVG or PDF); any other suffix is
    replaced by ``.png``. Parent folders are created.
    """
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() not in _FORMATS:
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fig.savefig(path, dpi=dpi)
    finally:
        plt.close(fig)
    return path


def render_grid(
    path: str | Path,
    rows: int,
    columns: Sequence[str],
    draw: CellDrawer,
    *,
    dpi: int = DPI,
    **layout: Any,
) -> Path:
    """Draw a grid (:func:`grid_figure`, same keyword arguments) and save it (:func:`save_figure`)."""
    return save_figure(grid_figure(rows, columns, draw, **layout), path, dpi=dpi)


# ----------------------------------------------------------------------------- diffs of strings
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]")

_STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em}
table{border-collapse:collapse;width:100%}
td,th{border:1px solid #ccc;padding:.4em .6em;vertical-align:top;text-align:left}
th{background:#f3f3f3}
pre{margin:0;font-size:12px;white-space:pre-wrap}
del{background:#fdd;color:#900}
ins{background:#dfd;color:#060;text-decoration:none}
.note{font-family:monospace;font-size:11px;color:#555;margin-bottom:.3em}
"""


def diff_spans(original: str, augmented: str) -> list[tuple[str, str]]:
    """The word diff of two strings as ``(kind, text)`` spans, kind ``"equal"``, ``"delete"`` or ``"insert"``.

    Words, runs of white space and single punctuation marks are the units
    (:class:`difflib.SequenceMatcher`, no junk heuristic); a replacement is a
    deletion followed by an insertion. Joining the equal and inserted spans gives
    ``augmented``; joining the equal and deleted ones gives ``original``.
    """
    ta: list[str] = _TOKENS.findall(original)
    tb: list[str] = _TOKENS.findall(augmented)
    spans: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ta, b=tb, autojunk=False).get_opcodes():
        if tag == "equal":
            spans.append(("equal", "".join(tb[j1:j2])))
            continue
        if i2 > i1:
            spans.append(("delete", "".join(ta[i1:i2])))
        if j2 > j1:
            spans.append(("insert", "".join(tb[j1:j2])))
    return spans


def diff_html(original: str, augmented: str) -> str:
    """``augmented`` as escaped HTML with removed text in ``<del>`` and added text in ``<ins>``."""
    tags = {"delete": "del", "insert": "ins"}
    out = []
    for kind, text in diff_spans(original, augmented):
        escaped = html.escape(text)
        out.append(escaped if kind == "equal" else f"<{tags[kind]}>{escaped}</{tags[kind]}>")
    return "".join(out)


def diff_plain(original: str, augmented: str) -> str:
    """``augmented`` with changes marked ``[-removed-]{+added+}``."""
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return "".join(marks[kind].format(text) for kind, text in diff_spans(original, augmented))


def _check_views(original: Sequence[str], views: Sequence[Sequence[str]], where: str) -> None:
    for k, view in enumerate(views):
        if len(view) != len(original):
            raise InputError(f"views[{k}]", f"{len(original)} strings, one per sample", list(view), where=where)


def diff_page(
    original: Sequence[str],
    views: Sequence[Sequence[str]],
    *,
    title: str = "omniaug preview",
    row_labels: Sequence[str] | None = None,
    notes: Sequence[Sequence[str]] | None = None,
    preformatted: bool = False,
) -> str:
    """An HTML page: one row per sample, the original then each view with its word diff highlighted.

    ``row_labels[i]`` heads row ``i`` (default: its index); ``notes[k][i]`` is shown
    above view ``k`` of sample ``i`` (what the ops did, for example);
    ``preformatted`` keeps white space and line breaks (source code).
    """
    _check_views(original, views, "diff_page")
    labels = [str(i) for i in range(len(original))] if row_labels is None else list(row_labels)
    if len(labels) != len(original):
        raise InputError("row_labels", f"{len(original)} labels, one per sample", list(labels), where="diff_page")

    def cell(body: str, note: str | None = None) -> str:
        inner = f"<pre>{body}</pre>" if preformatted else body
        head = f"<div class='note'>{html.escape(note)}</div>" if note else ""
        return f"<td>{head}{inner}</td>"

    head = "".join(f"<th>{html.escape(t)}</th>" for t in view_titles(len(views)))
    rows = []
    for i, text in enumerate(original):
        cells = [cell(html.escape(text))]
        for k, view in enumerate(views):
            cells.append(cell(diff_html(text, view[i]), notes[k][i] if notes is not None else None))
        rows.append(f"<tr><td>{html.escape(labels[i])}</td>{''.join(cells)}</tr>")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>"
        f"<table><tr><th>#</th>{head}</tr>{''.join(rows)}</table></body></html>\n"
    )


def diff_text(original: Sequence[str], views: Sequence[Sequence[str]]) -> str:
    """Plain text: per sample the original and each view in word-diff notation (:func:`diff_plain`)."""
    _check_views(original, views, "diff_text")
    lines = []
    for i, text in enumerate(original):
        lines.append(f"[{i}] original: {text}")
        for k, view in enumerate(views):
            lines.append(f"    view {k + 1}: {diff_plain(text, view[i])}")
    return "\n".join(lines) + "\n"
