"""A picture of a distilled set: one row per class, one cell per synthetic sample."""

from __future__ import annotations

from pathlib import Path

import torch

from .synthetic import SyntheticSet

__all__ = ["render_set"]


def render_set(synthetic: SyntheticSet, out: str | Path, *, max_per_class: int = 10) -> Path:
    """Write a PNG grid of ``synthetic``: images drawn as images, series and waveforms as lines, rows as bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = synthetic.class_rows()[:, :max_per_class].detach().float().cpu()
    k, n = rows.shape[0], rows.shape[1]
    fig, axes = plt.subplots(k, n, figsize=(1.3 * n + 0.6, 1.2 * k + 0.4), squeeze=False)
    for c in range(k):
        for j in range(n):
            ax = axes[c][j]
            _draw(ax, rows[c, j])
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(f"class {c}", fontsize=8)
    fig.suptitle(f"{synthetic.method.upper()} · {synthetic.ipc} per class", fontsize=9)
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def _draw(ax: object, sample: torch.Tensor) -> None:
    if sample.dim() == 3:  # (C, H, W): an image or a spectrogram
        img = sample[:3] if sample.shape[0] >= 3 else sample[:1].expand(3, -1, -1)
        lo, hi = float(img.min()), float(img.max())
        img = (img - lo) / (hi - lo + 1e-8)
        ax.imshow(img.permute(1, 2, 0).numpy(), interpolation="nearest")  # type: ignore[attr-defined]
    elif sample.dim() == 2:  # (C, T): a series or a waveform
        for ch in sample:
            ax.plot(ch.numpy(), linewidth=0.8)  # type: ignore[attr-defined]
    else:  # (F,): a table row
        ax.bar(range(sample.numel()), sample.numpy())  # type: ignore[attr-defined]
