"""Differential test: the fast fused image kernels against their plain references (issue #16 §4).

``omniaug.using_reference_kernels()`` routes ``Compose(fuse=True)`` through
:mod:`omniaug_image.reference` (one ``grid_sample`` for the warp, one ``einsum`` for
the colour matrix, whole batch, float64). The same params are replayed through
both paths on the two photos of ``sklearn.datasets.load_sample_images``.

Stated tolerances (measured: float max |Δ| ≈ 6e-5; uint8 ≤ 2 levels on < 0.1 % of pixels):

* float32 images: max |Δ| ≤ 2e-4 (float32 vs float64 grid and colour arithmetic);
* uint8 images: max |Δ| ≤ 2 grey levels and at most 0.5 % of values off by more
  than one — the fast warp → colour chain rounds once, the reference after each kind.
"""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug.registry import registry
from omniaug_image import reference


@pytest.fixture(scope="module")
def photos() -> torch.Tensor:
    from sklearn.datasets import load_sample_images

    imgs = torch.stack([torch.from_numpy(a.copy()).permute(2, 0, 1) for a in load_sample_images().images])
    imgs = imgs[:, :, ::3, ::3].contiguous()  # two 143×214 photos, and their mirror images
    return torch.cat([imgs, imgs.flip(-1)])


def _ops(kind: str) -> list[omniaug.Augmentation]:
    r = registry().augmentations
    geo = [
        r["image.affine"](degrees=20, translate=(0.1, 0.1), scale=(0.8, 1.2), p=0.8),
        r["image.perspective"](p=0.8),
        r["image.horizontal_flip"](),
    ]
    color = [r["image.brightness"](), r["image.contrast"](), r["image.saturation"]()]
    return {"geometric": geo, "color": color, "chain": geo + color, "color then geometric": color + geo}[kind]


def _check(out: torch.Tensor, ref: torch.Tensor, where: str) -> None:
    assert out.dtype == ref.dtype and out.shape == ref.shape, where
    d = (out.double() - ref.double()).abs()
    if out.is_floating_point():
        assert d.max().item() <= 2e-4, f"{where}: max |Δ| {d.max().item():.2e}"
    else:
        assert d.max().item() <= 2, f"{where}: max |Δ| {d.max().item()} grey levels"
        assert (d > 1).double().mean().item() <= 0.005, f"{where}: {(d > 1).double().mean().item():.4f} off by > 1"


@pytest.mark.parametrize("kind", ["geometric", "color", "chain", "color then geometric"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
def test_fast_fused_kernels_match_the_reference_on_photos(photos, kind, dtype, monkeypatch):
    x = photos.float() / 255 if dtype == torch.float32 else photos
    calls: list[str] = []
    for name in ("_warp_image", "_color_image"):
        real = getattr(reference, name)
        monkeypatch.setattr(reference, name, lambda *a, _f=real, _n=name: (calls.append(_n), _f(*a))[1])
    for seed in range(2):
        pipe = omniaug.Compose(_ops(kind), fuse=True)
        out, params = pipe.augment(x, generator=omniaug.rng.make_generator(seed))
        assert not calls, "the fast path used a reference kernel"
        with omniaug.using_reference_kernels():
            assert omniaug.reference_kernels()
            ref = pipe(x, params=params)
        assert not omniaug.reference_kernels()
        assert calls, "the reference switch did not reach the reference kernels"
        calls.clear()
        _check(out, ref, f"{kind} {dtype} seed {seed}")
        assert not torch.equal(out.double(), x.double())  # the pipelines really changed the photos


def test_reference_geometric_is_the_identity_for_identity_matrices(photos):
    from omniaug_image import functional_geometric as FG

    eye = FG.identity_matrices(photos.shape[0])
    op = registry().augmentations["image.affine"]()
    assert torch.equal(reference.reference_geometric(photos, eye, [op]), photos)
    x = photos.float() / 255
    assert torch.allclose(reference.reference_geometric(x, eye, [op]), x, atol=1e-6)
