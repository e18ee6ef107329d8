"""Preview rendering: the picture in one cell of the core's preview grid (rows = samples, columns = views)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omniaug import render

from .image_io import to_uint8_hwc
from .modality import ImageBatch, is_unbatched

__all__ = ["render_grid"]

#: samples drawn (one row each)
MAX_ROWS = 6


def _draw_targets(ax: Any, x: ImageBatch, i: int) -> None:
    from matplotlib.patches import Rectangle

    if x.boxes is not None:
        valid = x.box_valid[i] if x.box_valid is not None else [True] * x.boxes.shape[1]
        for box, ok in zip(x.boxes[i].tolist(), list(valid)):
            if bool(ok):
                x1, y1, x2, y2 = box
                # pixel (i, j) covers [j, j+1]: imshow centres it at j, hence the -0.5
                ax.add_patch(
                    Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, color="yellow", linewidth=1.2)
                )
    if x.keypoints is not None:
        vis = x.keypoint_visible[i] if x.keypoint_visible is not None else None
        pts = x.keypoints[i]
        if vis is not None:
            pts = pts[vis]
        ax.scatter(
            (pts[:, 0] - 0.5).tolist(), (pts[:, 1] - 0.5).tolist(), s=12, c="cyan", edgecolors="black", linewidths=0.5
        )


def render_grid(original: Any, views: Sequence[Any], path: Path) -> Path:
    """Write a PNG: one row per sample (up to :data:`MAX_ROWS`), the original then each view; boxes and keypoints drawn.

    The grid is the core's (:func:`omniaug.render.render_grid`); this module draws one picture per cell.
    """
    payloads = [p.unsqueeze(0) if is_unbatched(p) else p for p in (original, *views)]
    images = [p.image if isinstance(p, ImageBatch) else p for p in payloads]

    def draw(ax: Any, r: int, c: int) -> None:
        arr = to_uint8_hwc(images[c][r])
        ax.imshow(arr, cmap="gray" if arr.ndim == 2 else None, interpolation="nearest")
        if isinstance(payloads[c], ImageBatch):
            _draw_targets(ax, payloads[c], r)

    rows = min(int(images[0].shape[0]), MAX_ROWS)
    labels = [f"sample {i}" for i in range(rows)]
    return render.render_grid(path, rows, render.view_titles(len(views)), draw, row_labels=labels, cell_size=(2.0, 2.0))
