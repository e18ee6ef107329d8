"""A picture of a distilled set: one row per class, one cell per synthetic sample."""

from __future__ import annotations

from pathlib import Path

import torch

from omniaug.render import render_grid

from .synthetic import SyntheticSet

__all__ = ["render_set"]


def render_set(synthetic: SyntheticSet, out: str | Path, *, max_per_class: int = 10) -> Path:
    """Write a PNG grid of ``synthetic`` (the core's :func:`omniaug.render.render_grid`): one row per class;
    images drawn as images, series and waveforms as lines, rows as bars."""
    rows = synthetic.class_rows()[:, :max_per_class].detach().float().cpu()
    k, n = rows.shape[0], rows.shape[1]
    return render_grid(
        out, k, [""] * n, lambda ax, c, j: _draw(ax, rows[c, j]), row_labels=[f"class {c}" for c in range(k)],
        title=f"{synthetic.method.upper()} · {synthetic.ipc} per class", cell_size=(1.3, 1.2), dpi=100,
    )  # fmt: skip


def _draw(ax: object, sample: torch.Tensor) -> None:
    """One cell: the sample drawn as what it is."""
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
