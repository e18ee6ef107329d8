"""Real photos (sklearn's sample images) with a caller saliency map marking the object: saliency kept vs random CutMix."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import omniaug
from omniaug_saliency import ImagePuzzleMix, ImageSaliencyMix

pytest.importorskip("sklearn")


def photos() -> tuple[torch.Tensor, torch.Tensor]:
    """china.jpg and flower.jpg (and their mirror images) at 96 × 144, and an object map per photo.

    The caller's map marks the object by colour contrast: the distance of each pixel's
    colour from the photo's median colour, smoothed and cubed (the temple and the
    flower stand out from sky / foliage).
    """
    import numpy as np
    from sklearn.datasets import load_sample_images

    imgs = torch.from_numpy(np.stack(load_sample_images().images)).to(torch.float32).permute(0, 3, 1, 2) / 255.0
    imgs = F.interpolate(imgs[:, :, :426, :639], size=(96, 144), mode="area")
    median = imgs.flatten(2).median(2).values.view(2, 3, 1, 1)
    contrast = (imgs - median).pow(2).sum(1, keepdim=True).sqrt()
    sal = F.avg_pool2d(contrast, 9, stride=1, padding=4).pow(3)[:, 0]
    x = torch.cat([imgs, imgs.flip(-1)])
    s = torch.cat([sal, sal.flip(-1)])
    return x, s / s.sum((1, 2), keepdim=True)


def kept(mixer: object, sal: torch.Tensor, params: omniaug.Params) -> torch.Tensor:
    """Saliency each mixed image keeps: the saliency maps mixed with the same params (both maps sum to 1)."""
    return mixer.mix_batch(sal.unsqueeze(1), params)[0].sum((1, 2, 3))  # type: ignore[attr-defined]


def test_puzzle_and_saliency_mix_keep_more_saliency_than_cutmix() -> None:
    x, sal = photos()
    cutmix = omniaug.registry().mixer("image.cutmix")()
    totals = {"puzzle": 0.0, "saliencymix": 0.0, "cutmix": 0.0}
    wins = 0
    for seed in range(8):
        pm = ImagePuzzleMix(block_size=16)
        prm = pm.sample_params(x, generator=omniaug.rng.make_generator(seed), saliency=sal)
        sm = ImageSaliencyMix()
        srm = sm.sample_params(x, generator=omniaug.rng.make_generator(seed), saliency=sal)
        crm = cutmix.sample_params(x, generator=omniaug.rng.make_generator(seed))
        crm["lam"] = prm["lam"]  # the same λ and partners for all three
        crm["partners"] = prm["partners"]
        srm["lam"], srm["partners"] = prm["lam"], prm["partners"]
        srm.update(sm.decide(x, sal, srm))
        k_p, k_s, k_c = kept(pm, sal, prm), kept(sm, sal, srm), kept(cutmix, sal, crm)
        totals["puzzle"] += float(k_p.mean())
        totals["saliencymix"] += float(k_s.mean())
        totals["cutmix"] += float(k_c.mean())
        wins += int((k_p >= k_c - 1e-6).sum())
    assert totals["puzzle"] >= totals["cutmix"]
    assert totals["saliencymix"] >= totals["cutmix"]
    assert wins >= 0.75 * 8 * x.shape[0]  # per sample, Puzzle Mix keeps at least CutMix's saliency in most draws
    print(totals)


def test_real_photo_mix_shares_match_labels() -> None:
    x, sal = photos()
    pm = ImagePuzzleMix(block_size=16, num_classes=4)
    res = pm.augment_with_labels(x, torch.arange(4), generator=omniaug.rng.make_generator(1), saliency=sal)
    own = res.labels[torch.arange(4), torch.arange(4)]
    ones = pm.mix_batch(torch.ones(4, 1, 96, 144), res.params)[0]  # own = 1
    zeros_partner = pm.mix(torch.ones(4, 1, 96, 144), [torch.zeros(4, 1, 96, 144)], res.params)[0].mean((1, 2, 3))
    assert torch.allclose(own, zeros_partner, atol=1e-6) and torch.allclose(ones, torch.ones_like(ones))
