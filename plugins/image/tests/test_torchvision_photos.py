"""The torchvision agreement the docs state, on real photos as well as random tensors (issue #20 §4).

Stated (docs/modalities/image_photometric.md, image.md):

* photometric kernels: uint8 bit-identical to torchvision 0.29, except Gaussian blur
  (separable 1-D passes vs torchvision's 2-D kernel: a float sum landing next to .5
  rounds the other way — within one level, on a tiny fraction of pixels); float
  within 1e-5;
* geometric kernels: uint8 within one level; float within a bound that grows with the
  image size, because ``grid_sample`` reads normalized float32 coordinates: affine and
  perspective within ``1e-6 · max(H, W)``, random resized crop and crop-and-pad within
  ``2e-7 · max(H, W) + 1e-6`` (of ``F.interpolate`` on the crop / padded canvas).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as F
import torchvision.transforms.v2.functional as TF

from omniaug.rng import make_generator
from omniaug_image.ops import photometric as P
from omniaug_image.ops.geometric import Affine, CropAndPad, Perspective, RandomResizedCrop

BILINEAR = TF.InterpolationMode.BILINEAR


@pytest.fixture(scope="module")
def photos() -> torch.Tensor:
    """scikit-learn's sample photos (china, flower): uint8 ``(2, 3, 427, 640)``."""
    from sklearn.datasets import load_sample_images

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.stack([torch.from_numpy(a.copy()).permute(2, 0, 1) for a in load_sample_images().images])


def random_u8() -> torch.Tensor:
    """Random pixels of an odd size (vector-loop tails), with saturated corners."""
    x = (torch.rand(4, 3, 61, 67, generator=torch.Generator().manual_seed(0)) * 255.999).to(torch.uint8)
    x[:, :, :4, :4] = 255
    return x


def _mv(dtype: torch.dtype) -> float:
    return 1.0 if dtype.is_floating_point else 255.0


CASES: list[tuple[Any, Callable[[torch.Tensor, int, Any], torch.Tensor]]] = [
    (P.Brightness(0.8), lambda im, i, p: TF.adjust_brightness(im, float(p["factor"][i]))),
    (P.Contrast(0.8), lambda im, i, p: TF.adjust_contrast(im, float(p["factor"][i]))),
    (P.Saturation(0.8), lambda im, i, p: TF.adjust_saturation(im, float(p["factor"][i]))),
    (P.Sharpness(0.9), lambda im, i, p: TF.adjust_sharpness(im, float(p["factor"][i]))),
    (P.Hue(0.5), lambda im, i, p: TF.adjust_hue(im, float(p["factor"][i]))),
    (P.Gamma(1.0), lambda im, i, p: TF.adjust_gamma(im, float(p["gamma"][i]))),
    (P.Grayscale(), lambda im, i, p: TF.rgb_to_grayscale(im, num_output_channels=3)),
    (P.Posterize(0), lambda im, i, p: TF.posterize(im, int(p["bits"][i]))),
    (P.Solarize(0.0), lambda im, i, p: TF.solarize(im, float(p["threshold"][i]) * _mv(im.dtype))),
    (P.Equalize(), lambda im, i, p: TF.equalize(im)),
    (P.AutoContrast(), lambda im, i, p: TF.autocontrast(im)),
    (P.GaussianBlur(9, (0.2, 4.0)), lambda im, i, p: TF.gaussian_blur(im, [9, 9], [float(p["sigma"][i])] * 2)),
]


@pytest.mark.parametrize("source", ["photos", "random"])
@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32], ids=["uint8", "float"])
@pytest.mark.parametrize("op,ref", CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_photometric_kernels_agree_with_torchvision(
    photos: torch.Tensor, source: str, dtype: torch.dtype, op: Any, ref: Any
) -> None:
    x = photos if source == "photos" else random_u8()
    x = x if dtype == torch.uint8 else x.float() / 255
    blur = isinstance(op, P.GaussianBlur)
    for seed in range(2):  # several draws: a mismatch (e.g. saturation before the fix) shows on some factors only
        out, params = op.augment(x, generator=make_generator(seed))
        expected = torch.stack([ref(x[i], i, params) for i in range(x.shape[0])])
        if dtype == torch.uint8 and not blur:
            assert torch.equal(out, expected), (type(op).__name__, seed, int((out != expected).sum()))
        elif dtype == torch.uint8:
            diff = (out.int() - expected.int()).abs()
            assert int(diff.max()) <= 1 and float((diff > 0).float().mean()) < 1e-4
        else:
            torch.testing.assert_close(out, expected, rtol=0, atol=1e-5)


def test_the_saturation_pixel_of_the_issue_is_now_torchvision_s() -> None:
    """Pixel [248, 242, 234] at factor 1.4292: torchvision gives green 241 (a fused multiply-add)."""
    px = torch.tensor([248, 242, 234], dtype=torch.uint8).view(1, 3, 1, 1)
    factor = torch.tensor([1.4292])
    ours = P.Saturation(0.5)(px, params=_params(factor))
    theirs = TF.adjust_saturation(px[0], float(factor[0]))
    assert torch.equal(ours[0], theirs)


def _params(factor: torch.Tensor) -> Any:
    from omniaug import Params

    return Params({"factor": factor, "apply": torch.ones(1, dtype=torch.bool)})


def _geometric_cases(x: torch.Tensor, seed: int) -> list[tuple[str, torch.Tensor, torch.Tensor]]:
    """``(name, ours, reference)`` for each geometric op on batch ``x`` (float or uint8)."""
    h, w = x.shape[-2:]
    cases = []
    op = Affine(degrees=40, translate=[0.2, 0.1], scale=[0.7, 1.3], shear=[-15, 15, -10, 10])
    out, p = op.augment(x, generator=make_generator(seed))
    for i in range(x.shape[0]):
        t = p["translate"][i] * torch.tensor([w, h])
        ref = TF.affine(
            x[i],
            angle=float(p["angle"][i]),
            translate=[float(t[0]), float(t[1])],
            scale=float(p["scale"][i]),
            shear=[float(s) for s in p["shear"][i]],
            interpolation=BILINEAR,
        )
        cases.append(("affine", out[i], ref))
    op = Perspective(distortion_scale=0.6)
    out, p = op.augment(x, generator=make_generator(seed))
    src, dst = Perspective.corner_points(p["offsets"], h, w)
    for i in range(x.shape[0]):
        ref = TF.perspective(x[i], startpoints=src[i].tolist(), endpoints=dst[i].tolist(), interpolation=BILINEAR)
        cases.append(("perspective", out[i], ref))
    op = RandomResizedCrop(size=[224, 224])
    out, p = op.augment(x, generator=make_generator(seed))
    for i in range(x.shape[0]):
        left, top, right, bottom = (int(v) for v in p["box"][i])
        ref = TF.resized_crop(
            x[i], top, left, bottom - top, right - left, [224, 224], interpolation=BILINEAR, antialias=False
        )
        cases.append(("crop", out[i], ref))
    op = CropAndPad(amount=[-0.3, 0.3])
    out, p = op.augment(x, generator=make_generator(seed))
    px = torch.round(p["amount"] * torch.tensor([w, h, w, h])).long()
    for i in range(x.shape[0]):
        le, to, ri, bo = px[i].tolist()
        canvas = F.pad(x[i : i + 1].float(), (le, ri, to, bo))
        ref = F.interpolate(canvas, size=(h, w), mode="bilinear", align_corners=False)[0]
        ref = ref.round().to(torch.uint8) if x.dtype == torch.uint8 else ref
        cases.append(("crop", out[i], ref))
    return cases


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8], ids=["float", "uint8"])
def test_geometric_kernels_agree_with_torchvision_on_photos(photos: torch.Tensor, dtype: torch.dtype) -> None:
    x = photos if dtype == torch.uint8 else photos.float() / 255
    size = max(x.shape[-2:])
    # crops run the separable box kernel (measured 7.5e-6 here; its grid reference path: within 2e-7 · size + 1e-6)
    bound = {"affine": 1e-6 * size, "perspective": 1e-6 * size, "crop": 1.5e-5}
    worst: dict[str, float] = {}
    for seed in range(2):
        for name, ours, ref in _geometric_cases(x, seed):
            d = float((ours.float() - ref.float()).abs().max())
            worst[name] = max(worst.get(name, 0.0), d)
            if dtype == torch.uint8:
                assert d <= 1, (name, d)
            else:
                assert d <= bound[name], (name, d, bound[name])
    if dtype == torch.float32:
        # the documented 1e-5 of the old docs does not hold at 640 px: the bound is real, not slack
        assert worst["affine"] > 1e-5, worst
