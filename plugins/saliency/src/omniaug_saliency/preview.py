"""Preview: sources, saliency, Puzzle Mix mask and mixed result, and SaliencyMix / CutMix for comparison.

    python -m omniaug_saliency.preview docs/images/saliency/puzzlemix.png
    python -m omniaug_saliency.preview docs/images/saliency/series.png series
    python -m omniaug_saliency.preview docs/images/saliency/randconv.png randconv

Uses sklearn's two sample photos with a caller saliency map: the hand-traced object
masks of :mod:`omniaug_saliency.photos`, so no model is needed. Needs matplotlib and
scikit-learn.
"""

from __future__ import annotations

import sys
from typing import Any

import torch
import torch.nn.functional as F

import omniaug

from .mixers import ImagePuzzleMix, ImageSaliencyMix
from .photos import object_photos


def sample_photos(size: tuple[int, int] = (96, 144)) -> tuple[torch.Tensor, torch.Tensor]:
    """sklearn's china / flower photos ``(2, 3, H, W)`` in ``[0, 1]`` and their object masks as saliency ``(2, H, W)``.

    The saliency is each pixel's coverage by the hand-traced object outline, normalised to sum 1.
    """
    imgs, masks = object_photos()
    imgs = F.interpolate(imgs[:, :, :426, :639], size=size, mode="area")
    sal = F.interpolate(masks[:, None, :426, :639], size=size, mode="area")[:, 0]
    return imgs, sal / sal.sum((1, 2), keepdim=True)


def _at_same_lambda(
    mixer: Any, x: torch.Tensor, sal: torch.Tensor, reference: omniaug.Params, seed: int
) -> tuple[omniaug.Params, torch.Tensor, torch.Tensor]:
    """``mixer``'s params (λ and partners taken from ``reference``), mixed batch and weights."""
    params = mixer.sample_params(x, generator=omniaug.rng.make_generator(seed), saliency=sal)
    params["lam"], params["partners"] = reference["lam"], reference["partners"]
    params.update(mixer.decide(x, sal, params))
    mixed, weights = mixer.mix_batch(x, params)
    return params, mixed, weights


def render(path: str, *, seed: int = 0) -> None:
    """Sources, saliency, partner, Puzzle Mix mask and mixed result, SaliencyMix and CutMix: a row per photo."""
    from omniaug.render import render_grid

    x, sal = sample_photos()
    pm = ImagePuzzleMix(block_size=16, xi=0.4)
    prm = pm.sample_params(x, generator=omniaug.rng.make_generator(seed), saliency=sal)
    mixed, w = pm.mix_batch(x, prm)
    sm = ImageSaliencyMix()
    srm, smixed, sw = _at_same_lambda(sm, x, sal, prm, seed)
    cut = omniaug.registry().mixer("image.cutmix")()
    crm = cut.sample_params(x, generator=omniaug.rng.make_generator(seed))
    crm["lam"], crm["partners"] = prm["lam"], prm["partners"]
    cmixed, cw = cut.mix_batch(x, crm)

    def kept(m: object, p: omniaug.Params) -> torch.Tensor:
        return m.mix_batch(sal.unsqueeze(1), p)[0].sum((1, 2, 3))  # type: ignore[attr-defined]

    z = prm["z"].repeat_interleave(16, 1).repeat_interleave(16, 2)
    panels = []
    for i in range(2):
        j = int(prm["partners"][i, 0])
        panels.append([
            (x[i].permute(1, 2, 0), f"source x{i}"),
            (sal[i], "saliency (caller's object mask)"),
            (x[j].permute(1, 2, 0), f"partner x{j}"),
            (z[i], f"mask z (white = x{i}), λ={float(prm['lam'][i]):.2f}"),
            (mixed[i].permute(1, 2, 0), f"Puzzle Mix: x{i} {float(w[i, 0]):.2f}, kept sal {float(kept(pm, prm)[i]):.2f}"),
            (smixed[i].permute(1, 2, 0), f"SaliencyMix: x{i} {float(sw[i, 0]):.2f}, kept {float(kept(sm, srm)[i]):.2f}"),
            (cmixed[i].permute(1, 2, 0), f"CutMix: x{i} {float(cw[i, 0]):.2f}, kept {float(kept(cut, crm)[i]):.2f}"),
        ])  # fmt: skip

    def draw(ax: Any, row: int, col: int) -> str:
        img, caption = panels[row][col]
        ax.imshow(img.clamp(0, 1).numpy() if img.dim() == 3 else img.numpy(), cmap=None if img.dim() == 3 else "magma")
        ax.axis("off")
        return caption

    render_grid(
        path, 2, [""] * 7, draw, cell_size=(2.45, 2.1), dpi=90,
        title="Puzzle Mix (batched solver, 16-px blocks, transport on) vs SaliencyMix vs CutMix at the same λ; "
        "kept sal = saliency kept out of 2 (each source's map sums to 1)",
    )  # fmt: skip


def render_series(path: str, *, seed: int = 1, segment: int = 10) -> None:
    """1-D Puzzle Mix and SaliencyMix on two GunPoint series (Gun, Point): sources, saliency, labels, results.

    The caller's saliency is the hand's distance from its resting position, ``|x − x[0]|``
    (the gesture), so no model is needed. Needs omniaug-timeseries (bundled GunPoint).
    """
    from omniaug.render import render_grid
    from omniaug_timeseries.datasets import load_dataset

    from .mixers import TimeSeriesPuzzleMix, TimeSeriesSaliencyMix

    data = load_dataset("gunpoint")
    first = [int(torch.nonzero(data.y_train == k)[0]) for k in (0, 1)]
    x = data.x_train[first].to(torch.float32)  # (2, 1, 150): a Gun and a Point
    sal = (x[:, 0] - x[:, 0, :1]).abs()
    sal = sal / sal.sum(1, keepdim=True)
    pm = TimeSeriesPuzzleMix(block_size=segment)
    prm = pm.sample_params(x, generator=omniaug.rng.make_generator(seed), saliency=sal)
    mixed, w = pm.mix_batch(x, prm)
    _, smixed, sw = _at_same_lambda(TimeSeriesSaliencyMix(), x, sal, prm, seed)
    t = torch.arange(x.shape[-1])
    z = prm["z"].reshape(2, -1).repeat_interleave(segment, 1)[:, : x.shape[-1]]
    names = [data.classes[int(data.y_train[i])] for i in first]

    def draw(ax: Any, row: int, col: int) -> str | None:
        j = int(prm["partners"][row, 0])
        if col == 0:
            ax.plot(t, x[row, 0], color="C0", lw=1.2)
            base = x[row, 0].min()
            ax.fill_between(t, base, base + sal[row] / sal[row].max() * 0.6 * x[row, 0].std(), color="C1", alpha=0.4)
            return f"x{row}: class {names[row]}"
        if col == 1:
            ax.plot(t, x[j, 0], color="C3", lw=1.2)
            return f"x{j}: class {names[j]}"
        if col == 2:
            ax.step(t, z[row], where="post", color="k")
            ax.set_ylim(-0.1, 1.1)
            return f"z (1 = x{row}), λ = {float(prm['lam'][row]):.2f}"
        out, share = (mixed, w) if col == 3 else (smixed, sw)
        ax.plot(t, x[row, 0], color="C0", lw=0.6, alpha=0.35)
        ax.plot(t, x[j, 0], color="C3", lw=0.6, alpha=0.35)
        ax.plot(t, out[row, 0], color="k", lw=1.2)
        return f"share of x{row}: {float(share[row, 0]):.2f}"

    render_grid(
        path, 2, ["source (saliency shaded)", "partner", "Puzzle Mix labels", "Puzzle Mix", "SaliencyMix"], draw,
        title=f"1-D Puzzle Mix vs SaliencyMix on GunPoint (class 1 = gun draw, 2 = point; {segment}-step segments; "
        "faint: the two sources)",
        cell_size=(3.0, 2.0), ticks=True,
    )  # fmt: skip


def render_randconv(path: str, *, seed: int = 0, views: int = 4) -> None:
    """RandConv on sklearn's two photos: the original, then ``views`` draws (kernel size and blend in the caption)."""
    from omniaug.render import render_grid

    from .ops import RandConv

    x, _ = sample_photos()
    op = RandConv(kernel_sizes=(1, 3, 5, 7), mix_range=(0.0, 0.5))
    outs = [op.augment(x, generator=omniaug.rng.make_generator(seed + k)) for k in range(views)]

    def draw(ax: Any, row: int, col: int) -> str | None:
        if col == 0:
            ax.imshow(x[row].permute(1, 2, 0).numpy())
            return None
        out, prm = outs[col - 1]
        ax.imshow(out[row].permute(1, 2, 0).numpy())
        return f"k={int(prm['size'][row])}, w={float(prm['mix'][row]):.2f}"

    render_grid(
        path, 2, ["original", *(f"RandConv {k + 1}" for k in range(views))], draw,
        title="RandConv: a random k × k filter per sample, blended with the input by w",
    )  # fmt: skip


if __name__ == "__main__":
    _out = sys.argv[1] if len(sys.argv) > 1 else "puzzlemix.png"
    _what = sys.argv[2] if len(sys.argv) > 2 else "puzzlemix"
    {"puzzlemix": render, "series": render_series, "randconv": render_randconv}[_what](_out)
