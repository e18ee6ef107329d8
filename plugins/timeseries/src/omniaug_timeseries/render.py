"""Preview: the line plot in one cell of the core's preview grid (rows = samples, columns = views)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omniaug.render import render_grid, view_titles

from .series import view_of

__all__ = ["render"]

MAX_SAMPLES = 4


def render(original: Any, views: Sequence[Any], path: Path, *, max_samples: int = MAX_SAMPLES) -> Path:
    """Plot up to ``max_samples`` series: one row each, the original then each augmented view.

    Each cell draws every channel of the valid part; per-timestep labels (if any)
    are shaded underneath. The grid is the core's (:func:`omniaug.render.render_grid`).
    """
    parts = [view_of(p) for p in (original, *views)]
    values = [v.values.detach().float().cpu() for v in parts]
    lengths = [v.lengths.cpu().tolist() for v in parts]
    labels = [v.labels.detach().cpu() if v.labels is not None else None for v in parts]
    rows = min(max_samples, values[0].shape[0])
    longest = max(max(n[:rows]) for n in lengths)

    def draw(ax: Any, r: int, c: int) -> None:
        n = lengths[c][r]
        for ch in range(values[c].shape[1]):
            ax.plot(values[c][r, ch, :n].numpy(), lw=0.9, label=f"ch{ch}")
        if labels[c] is not None:
            ymin, ymax = ax.get_ylim()
            lab = labels[c][r, :n].float().numpy()
            ax.imshow(lab[None, :], aspect="auto", extent=(0, n - 1, ymin, ymax), alpha=0.15, cmap="tab10", zorder=0)
        ax.set_xlim(0, longest - 1)
        if r == 0 and c == 0 and values[c].shape[1] <= 8:
            ax.legend(fontsize=5, loc="upper right")

    titles = view_titles(len(views))
    return render_grid(
        path, rows, titles, draw, row_labels=[f"sample {i}" for i in range(rows)],
        cell_size=(3.2, 1.9), ticks=True, share_y=True, dpi=100,
    )  # fmt: skip
