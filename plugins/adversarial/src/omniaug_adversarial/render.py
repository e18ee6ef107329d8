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
    surface says which values it perturbed and how to draw them).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    a = op.surface(clean).values.detach().float()
    b = op.surface(adversarial).values.detach().float()
    if a.shape != b.shape:
        raise InputError("adversarial", f"the attacked batch of {tuple(a.shape)} values", b, where="render_attack")
    delta = b - a
    modality = op.modality_name()
    rows = min(int(a.shape[0]), MAX_ROWS)
    fig, axes = plt.subplots(rows, 3, figsize=(9.0, 2.4 * rows), squeeze=False)
    for i in range(rows):
        ax_clean, ax_delta, ax_adv = axes[i]
        if modality == "image":
            amp, k = _amplify(delta[i], 1.0)
            ax_clean.imshow(_image(a[i]), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax_delta.imshow(_image(0.5 + amp), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax_adv.imshow(_image(b[i]), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            for ax in axes[i]:
                ax.set_xticks([])
                ax.set_yticks([])
        elif a.dim() == 3 and modality in ("timeseries", "audio"):  # (B, C, T): a line per channel
            span = float(a[i].max() - a[i].min()) or 1.0
            amp, k = _amplify(delta[i], span)
            for c in range(a.shape[1]):
                ax_clean.plot(a[i, c].cpu().numpy(), lw=0.8)
                ax_delta.plot(amp[c].cpu().numpy(), lw=0.8)
                ax_adv.plot(a[i, c].cpu().numpy(), lw=0.8, color="0.8")
                ax_adv.plot(b[i, c].cpu().numpy(), lw=0.8, color=f"C{c % 10}")
            ax_delta.set_ylim(ax_clean.get_ylim())
        elif a.dim() == 2:  # (B, F) rows: a bar per feature
            span = float(a[i].max() - a[i].min()) or 1.0
            amp, k = _amplify(delta[i], span)
            f = list(range(a.shape[1]))
            ax_clean.bar(f, a[i].cpu().numpy())
            ax_delta.bar(f, amp.cpu().numpy(), color="C3")
            ax_adv.bar(f, a[i].cpu().numpy(), color="0.8")
            ax_adv.bar(f, b[i].cpu().numpy(), width=0.5)
        else:  # token embeddings (L, D), graph node features (N, F), …: heatmaps
            ai, bi = a[i].reshape(a.shape[1], -1), b[i].reshape(b.shape[1], -1)
            lo, hi = float(torch.minimum(ai.min(), bi.min())), float(torch.maximum(ai.max(), bi.max()))
            span = (hi - lo) or 1.0
            amp, k = _amplify(bi - ai, span)
            ax_clean.imshow(ai.cpu().numpy(), vmin=lo, vmax=hi, aspect="auto", interpolation="nearest")
            ax_delta.imshow(amp.cpu().numpy(), cmap="coolwarm", vmin=-span / 2, vmax=span / 2, aspect="auto",
                            interpolation="nearest")  # fmt: skip
            ax_adv.imshow(bi.cpu().numpy(), vmin=lo, vmax=hi, aspect="auto", interpolation="nearest")
        ax_clean.set_title("clean", fontsize=9)
        ax_delta.set_title(f"perturbation ×{k:.3g}", fontsize=9)
        ax_adv.set_title("adversarial", fontsize=9)
        ax_clean.set_ylabel(f"sample {i}")
    if title is None:
        lo, hi = op.eps
        eps = f"{lo:.3g}" if lo == hi else f"[{lo:.3g}, {hi:.3g}]"
        title = f"{op.name}: ε={eps} ({op.norm}), {op.steps} step{'s' if op.steps > 1 else ''}"
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
