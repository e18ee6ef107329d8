"""The core preview renderer (a grid of cells) and the HTML/plain word diff every text-like preview uses."""

from __future__ import annotations

import pytest

from omniaug import InputError
from omniaug.render import (
    CELL_SIZE,
    DPI,
    diff_html,
    diff_page,
    diff_plain,
    diff_spans,
    diff_text,
    grid_figure,
    render_grid,
    save_figure,
    view_titles,
)

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")


def _solid(ax, r: int, c: int) -> str:
    """Fill a cell with a colour that encodes its (row, column)."""
    import numpy as np

    ax.imshow(np.full((4, 4, 3), (40 * r + 20, 40 * c + 20, 200), dtype=np.uint8), aspect="auto")
    return f"cell {r},{c}"


@pytest.mark.parametrize(("rows", "cols", "title"), [(1, 1, None), (3, 4, None), (2, 5, "a title")])
def test_grid_is_exactly_cell_size_per_cell_in_pixels(tmp_path, rows, cols, title) -> None:
    path = render_grid(tmp_path / "g.png", rows, view_titles(cols - 1), _solid, title=title)
    with Image.open(path) as im:
        w, h = im.size
    assert w == round(cols * CELL_SIZE[0] * DPI)
    assert h == round((rows * CELL_SIZE[1] + (0.4 if title else 0.0)) * DPI)


def test_every_cell_is_drawn_once_where_its_axes_are(tmp_path) -> None:
    import numpy as np

    calls: list[tuple[int, int]] = []

    def draw(ax, r, c):  # type: ignore[no-untyped-def]
        calls.append((r, c))
        return _solid(ax, r, c)

    fig = grid_figure(3, view_titles(3), draw)
    centres = []
    for ax in fig.axes:  # row-major, as created
        box = ax.get_position()
        centres.append(((box.x0 + box.x1) / 2, 1 - (box.y0 + box.y1) / 2))
    path = save_figure(fig, tmp_path / "cells.whatever")
    assert path.suffix == ".png" and sorted(calls) == [(r, c) for r in range(3) for c in range(4)]
    with Image.open(path) as im:
        arr = np.asarray(im.convert("RGB"))
    h, w = arr.shape[:2]
    for (r, c), (fx, fy) in zip([(r, c) for r in range(3) for c in range(4)], centres):
        assert tuple(arr[int(fy * h), int(fx * w)]) == (40 * r + 20, 40 * c + 20, 200)


def test_titles_captions_and_row_labels_are_on_the_figure() -> None:
    fig = grid_figure(2, ["original", "view 1"], _solid, row_labels=["a", "b"], title="T")
    axes = fig.axes
    assert axes[0].get_title() == "original\ncell 0,0" and axes[1].get_title() == "view 1\ncell 0,1"
    assert axes[2].get_title() == "cell 1,0"  # below the top row: the caption only
    assert [axes[0].get_ylabel(), axes[2].get_ylabel()] == ["a", "b"]
    assert fig._suptitle.get_text() == "T"
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_grid_arguments_are_checked() -> None:
    with pytest.raises(InputError, match=r"`row_labels` must be 2 labels, one per row"):
        grid_figure(2, ["original"], _solid, row_labels=["only one"])
    with pytest.raises(InputError, match="`rows` must be at least one row"):
        grid_figure(0, ["original"], _solid)


def test_diff_marks_deleted_and_inserted_words_and_escapes_html() -> None:
    assert diff_html("a <b> & c", "a <i> & c") == "a &lt;<del>b</del><ins>i</ins>&gt; &amp; c"
    assert diff_plain("the big dog", "the large dog") == "the [-big-]{+large+} dog"
    assert diff_plain("a b c", "a c") == "a [-b -]c"
    assert diff_html("<script>", "<script>") == "&lt;script&gt;"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("", "x"),
        ("x", ""),
        ("The quick brown fox.", "quick, the brown fox!"),
        ("def f(a):\n    return a", "def g(b):\n  return b"),
    ],
)
def test_diff_spans_rebuild_both_strings(a: str, b: str) -> None:
    spans = diff_spans(a, b)
    assert "".join(t for k, t in spans if k != "insert") == a
    assert "".join(t for k, t in spans if k != "delete") == b
    assert all(k in ("equal", "delete", "insert") and t for k, t in spans)


def test_diff_page_has_a_row_per_sample_escaped_notes_and_highlights() -> None:
    page = diff_page(
        ["x < y", "same"], [["x > y", "same"]], title="<T>", notes=[["op: <applied>", "untouched"]], preformatted=True
    )
    assert page.startswith("<!doctype html>") and "<title>&lt;T&gt;</title>" in page
    assert page.count("<tr>") == 3 and "<th>original</th><th>view 1</th>" in page
    assert "<del>&lt;</del><ins>&gt;</ins>" in page and "op: &lt;applied&gt;" in page and "<pre>" in page
    assert "<script" not in diff_page(["<script>alert(1)</script>"], [])


def test_diff_views_must_have_one_string_per_sample() -> None:
    with pytest.raises(InputError, match=r"`views\[1\]` must be 2 strings, one per sample; got list"):
        diff_page(["a", "b"], [["a", "b"], ["a"]])
    assert diff_text(["a b"], [["a c"]]) == "[0] original: a b\n    view 1: a [-b-]{+c+}\n"
