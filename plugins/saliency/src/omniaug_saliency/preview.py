"""Preview: sources, saliency, Puzzle Mix mask and mixed result, and SaliencyMix / CutMix for comparison.

    python -m omniaug_saliency.preview docs/images/saliency/puzzlemix.png

Uses sklearn's two sample photos with a caller saliency map: the hand-traced object
masks of :mod:`omniaug_saliency.photos`, so no model is needed. Needs matplotlib and
scikit-learn.
"""

from __future__ import annotations

import sys

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


def render(path: str, *, seed: int = 0) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, sal = sample_photos()
    pm = ImagePuzzleMix(block_size=16, xi=0.4)
    prm = pm.sample_params(x, generator=omniaug.rng.make_generator(seed), saliency=sal)
    mixed, w = pm.mix_batch(x, prm)
    sm = ImageSaliencyMix()
    srm = sm.sample_params(x, generator=omniaug.rng.make_generator(seed), saliency=sal)
    srm["lam"], srm["partners"] = prm["lam"], prm["partners"]
    srm.update(sm.decide(x, sal, srm))
    smixed, sw = sm.mix_batch(x, srm)
    cut = omniaug.registry().mixer("image.cutmix")()
    crm = cut.sample_params(x, generator=omniaug.rng.make_generator(seed))
    crm["lam"], crm["partners"] = prm["lam"], prm["partners"]
    cmixed, cw = cut.mix_batch(x, crm)

    def kept(m: object, p: omniaug.Params) -> torch.Tensor:
        return m.mix_batch(sal.unsqueeze(1), p)[0].sum((1, 2, 3))  # type: ignore[attr-defined]

    z = prm["z"].repeat_interleave(16, 1).repeat_interleave(16, 2)
    fig, ax = plt.subplots(2, 7, figsize=(17, 4.6))
    for i in range(2):
        j = int(prm["partners"][i, 0])
        panels = [
            (x[i].permute(1, 2, 0), f"source x{i}"),
            (sal[i], "saliency (caller's object mask)"),
            (x[j].permute(1, 2, 0), f"partner x{j}"),
            (z[i], f"mask z (white = x{i}), λ={float(prm['lam'][i]):.2f}"),
            (mixed[i].permute(1, 2, 0), f"Puzzle Mix: x{i} {float(w[i, 0]):.2f}, kept sal {float(kept(pm, prm)[i]):.2f}"),
            (smixed[i].permute(1, 2, 0), f"SaliencyMix: x{i} {float(sw[i, 0]):.2f}, kept {float(kept(sm, srm)[i]):.2f}"),
            (cmixed[i].permute(1, 2, 0), f"CutMix: x{i} {float(cw[i, 0]):.2f}, kept {float(kept(cut, crm)[i]):.2f}"),
        ]
        for k, (img, title) in enumerate(panels):
            a = ax[i, k]
            a.imshow(img.clamp(0, 1).numpy() if img.dim() == 3 else img.numpy(), cmap=None if img.dim() == 3 else "magma")
            a.set_title(title, fontsize=7.5)
            a.axis("off")
    fig.suptitle("Puzzle Mix (batched solver, 16-px blocks, transport on) vs SaliencyMix vs CutMix at the same λ; "
                 "kept sal = saliency kept out of 2 (each source's map sums to 1)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


if __name__ == "__main__":
    render(sys.argv[1] if len(sys.argv) > 1 else "puzzlemix.png")
