"""Preview rendering: a PNG grid of the original batch and its augmented views (matplotlib Agg)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .image_io import to_uint8_hwc
from .modality import ImageBatch, is_unbatched

__all__ = ["render_grid"]

MAX_COLUMNS = 6


def _draw_targets(ax: Any, x: ImageBatch, i: int) -> None:
    from matplotlib.patches import Rectangle

    if x.boxes is not None:
        valid = x.box_valid[i] if x.box_valid is not None else [True] * x.boxes.shape[1]
        for box, ok in zip(x.boxes[i].tolist(), list(valid)):
            if bool(ok):
                x1, y1, x2, y2 = box
                # pixel (i, j) covers [j, j+1]: imshow centres it at j, hence the -0.5
                ax.add_patch(Rectangle((x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, color="yellow", linewidth=1.2))
    if x.keypoints is not None:
        vis = x.keypoint_visible[i] if x.keypoint_visible is not None else None
        pts = x.keypoints[i]
        if vis is not None:
            pts = pts[vis]
        ax.scatter((pts[:, 0] - 0.5).tolist(), (pts[:, 1] - 0.5).tolist(), s=12, c="cyan", edgecolors="black", linewidths=0.5)


def render_grid(original: Any, views: Sequence[Any], path: Path, row_labels: Sequence[str] | None = None) -> Path:
    """Write a PNG: row 0 the original samples, then one row per augmented view; boxes and keypoints drawn."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    rows = [original, *views]
    rows = [r.unsqueeze(0) if is_unbatched(r) else r for r in rows]
    first = rows[0].image if isinstance(rows[0], ImageBatch) else rows[0]
    cols = min(int(first.shape[0]), MAX_COLUMNS)
    fig, axes = plt.subplots(len(rows), cols, figsize=(2.0 * cols, 2.0 * len(rows)), squeeze=False)
    for r, payload in enumerate(rows):
        img = payload.image if isinstance(payload, ImageBatch) else payload
        for c in range(cols):
            ax = axes[r][c]
            arr = to_uint8_hwc(img[c])
            ax.imshow(arr, cmap="gray" if arr.ndim == 2 else None, interpolation="nearest")
            if isinstance(payload, ImageBatch):
                _draw_targets(ax, payload, c)
            ax.set_xticks([])
            ax.set_yticks([])
        label = row_labels[r] if row_labels is not None and r < len(row_labels) else ("original" if r == 0 else f"view {r}")
        axes[r][0].set_ylabel(label)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
