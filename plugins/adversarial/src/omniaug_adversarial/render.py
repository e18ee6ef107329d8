"""Preview of an attack: clean / perturbation (amplified) / adversarial, side by side, one row per sample.

``omniaug preview image.pgd`` calls :meth:`AdversarialOp.render_preview` with the
op's example model (a tiny classifier with random weights, see
``AdversarialOp.example_context``): the picture shows where and how the op
perturbs each modality, not what a trained model is vulnerable to. For your own
model, attack with it and call :func:`render_attack`::

    adv = op(x, generator=g, model=omniaug.ModelContext(model, loss_fn, y))
    render_attack(op, x, adv, "attack.png")

What is drawn follows the op's surface (the values it perturbs): images as
images, time series and waveforms as one line per channel, tabular rows as
bars, token embeddings and graph node features as heatmaps. The perturbation δ
is scaled per sample to the clean values' range; its factor is in the column
title.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from omniaug import InputError
from omniaug.render import render_grid

__all__ = ["render_attack", "MAX_ROWS"]

#: samples drawn (one row each)
MAX_ROWS = 4


def _amplify(delta: torch.Tensor, span: float) -> tuple[torch.Tensor, float]:
    """``δ·k`` with ``k`` making ``max|δ·k|`` half of ``span`` (``k = 1`` when δ is 0)."""
    peak = float(delta.abs().max())
    k = 0.5 * span / peak if peak > 0 else 1.0
    return delta * k, k


def _image(t: torch.Tensor) -> Any:
    arr = t.detach().float().clamp(0.0, 1.0).permute(1, 2, 0).cpu().numpy()
    return arr[..., 0] if arr.shape[-1] == 1 else arr


def render_attack(op: Any, clean: Any, adversarial: Any, path: str | Path, *, title: str | None = None) -> Path:
    """Write a PNG of up to :data:`MAX_ROWS` samples: clean | perturbation ×k | adversarial.

    ``op`` is the adversarial op that produced ``adversarial`` from ``clean`` (its
    surface says which values it perturbed and how to draw them). The grid is the
    core's (:func:`omniaug.render.render_grid`); this module draws the cells.
    """
    a = op.surface(clean).values.detach().float()
    b = op.surface(adversarial).values.detach().float()
    if a.shape != b.shape:
        raise InputError("adversarial", f"the attacked batch of {tuple(a.shape)} values", b, where="render_attack")
    modality = op.modality_name()
    if modality == "image":
        kind = "image"
    elif a.dim() == 3 and modality in ("timeseries", "audio"):
        kind = "lines"
    else:
        kind = "bars" if a.dim() == 2 else "heatmap"
    rows = min(int(a.shape[0]), MAX_ROWS)
    if kind == "heatmap":  # token embeddings (L, D), graph node features (N, F), …
        a, b = a.reshape(a.shape[0], a.shape[1], -1), b.reshape(b.shape[0], b.shape[1], -1)
    scale = []  # per row: (low, high) of the clean and adversarial values, the amplified δ and its factor
    for i in range(rows):
        if kind == "image":
            lo, hi = 0.0, 1.0
        elif kind == "heatmap":  # one colour scale for clean and adversarial
            lo, hi = float(torch.minimum(a[i].min(), b[i].min())), float(torch.maximum(a[i].max(), b[i].max()))
        else:
            lo, hi = float(a[i].min()), float(a[i].max())
        amp, k = _amplify(b[i] - a[i], (hi - lo) or 1.0)
        scale.append((lo, hi, amp, k))

    def draw(ax: Any, i: int, c: int) -> str | None:
        lo, hi, amp, k = scale[i]
        span = (hi - lo) or 1.0
        if kind == "image":
            shown = (a[i], 0.5 + amp, b[i])[c]
            ax.imshow(_image(shown), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        elif kind == "lines":  # (C, T): a line per channel
            for ch in range(a.shape[1]):
                if c == 0:
                    ax.plot(a[i, ch].cpu().numpy(), lw=0.8)
                elif c == 1:
                    ax.plot(amp[ch].cpu().numpy(), lw=0.8)
                else:
                    ax.plot(a[i, ch].cpu().numpy(), lw=0.8, color="0.8")
                    ax.plot(b[i, ch].cpu().numpy(), lw=0.8, color=f"C{ch % 10}")
            if c == 1:  # the clean panel's y-range (matplotlib's 5% margins)
                ax.set_ylim(lo - 0.05 * span, hi + 0.05 * span)
        elif kind == "bars":  # (F,) rows: a bar per feature
            f = list(range(a.shape[1]))
            if c == 1:
                ax.bar(f, amp.cpu().numpy(), color="C3")
            else:
                ax.bar(f, a[i].cpu().numpy(), color="C0" if c == 0 else "0.8")
                if c == 2:
                    ax.bar(f, b[i].cpu().numpy(), width=0.5)
        elif c == 1:
            ax.imshow(amp.cpu().numpy(), cmap="coolwarm", vmin=-span / 2, vmax=span / 2, aspect="auto",
                      interpolation="nearest")  # fmt: skip
        else:
            ax.imshow(
                (a[i] if c == 0 else b[i]).cpu().numpy(), vmin=lo, vmax=hi, aspect="auto", interpolation="nearest"
            )
        return f"×{k:.3g}" if c == 1 else None

    if title is None:
        lo, hi = op.eps
        eps = f"{lo:.3g}" if lo == hi else f"[{lo:.3g}, {hi:.3g}]"
        title = f"{op.name}: ε={eps} ({op.norm}), {op.steps} step{'s' if op.steps > 1 else ''}"
    return render_grid(
        path, rows, ("clean", "perturbation", "adversarial"), draw, row_labels=[f"sample {i}" for i in range(rows)],
        title=title, cell_size=(3.0, 2.4), ticks=kind in ("lines", "bars"),
    )  # fmt: skip
