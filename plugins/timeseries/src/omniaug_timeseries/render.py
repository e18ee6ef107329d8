"""Preview: a PNG grid of original vs augmented series, every channel drawn."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .series import view_of

__all__ = ["render"]

MAX_SAMPLES = 4


def render(original: Any, views: Sequence[Any], path: Path, *, max_samples: int = MAX_SAMPLES) -> Path:
    """Plot up to ``max_samples`` series: one row each, original then each augmented view.

    Each panel draws every channel of the valid part; per-timestep labels (if any)
    are shaded underneath. Written with matplotlib's Agg backend.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    payloads = [original, *views]
    rows = min(max_samples, view_of(original).values.shape[0])
    cols = len(payloads)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 1.9 * rows), squeeze=False, sharey="row")
    for c, payload in enumerate(payloads):
        v = view_of(payload)
        values = v.values.detach().float().cpu()
        lengths = v.lengths.cpu().tolist()
        labels = v.labels.detach().cpu() if v.labels is not None else None
        for r in range(rows):
            ax = axes[r][c]
            n = lengths[r]
            for ch in range(values.shape[1]):
                ax.plot(values[r, ch, :n].numpy(), lw=0.9, label=f"ch{ch}")
            if labels is not None:
                lab = labels[r, :n].float().numpy()
                ymin, ymax = ax.get_ylim()
                ax.imshow(lab[None, :], aspect="auto", extent=(0, n - 1, ymin, ymax), alpha=0.15, cmap="tab10", zorder=0)
            ax.set_xlim(0, max(lengths) - 1)
            ax.tick_params(labelsize=6)
            if r == 0:
                ax.set_title("original" if c == 0 else f"augmented {c}", fontsize=8)
    if values.shape[1] <= 8:
        axes[0][0].legend(fontsize=5, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
