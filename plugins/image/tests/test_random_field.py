"""Random-field ops: contract, field statistics, constant fields == torchvision affine / colour ops."""

from __future__ import annotations

import math

import torch
import torchvision.transforms.v2.functional as TF
from torchvision.transforms import InterpolationMode

from omniaug.rng import make_generator
from omniaug.testing import AugmentationContract
from omniaug_image import ImageBatch
from omniaug_image import functional_color as FC
from omniaug_image.ops import random_field as R


class TestRandomFieldVariantsContract(AugmentationContract):
    # defaults run in test_contract.py; this is the nearest-neighbour mode
    omniaug_ops = [R.RandomFieldAffine(interpolation="nearest", length_scale=0.1)]


def _smooth_image(n: int = 2, h: int = 40, w: int = 48) -> torch.Tensor:
    ys = torch.linspace(0, 1, h).view(1, 1, h, 1)
    xs = torch.linspace(0, 1, w).view(1, 1, 1, w)
    phase = torch.arange(n * 3, dtype=torch.float32).view(n, 3, 1, 1)
    return 0.5 + 0.4 * torch.sin(4 * xs + 3 * ys + phase) * torch.cos(2 * ys - xs)


def test_fields_are_unit_std_and_smooth() -> None:
    noise = torch.randn(4, 3, 64, 64, generator=make_generator(0))
    for ell, min_corr in ((2.0, 0.8), (8.0, 0.98)):
        f = R.gaussian_random_field(noise, ell)
        torch.testing.assert_close(f.std(dim=(-2, -1)), torch.ones(4, 3), rtol=0, atol=1e-4)
        torch.testing.assert_close(f.mean(dim=(-2, -1)), torch.zeros(4, 3), rtol=0, atol=1e-5)
        corr = (f[..., 1:, :] * f[..., :-1, :]).mean() / (f * f).mean()
        # neighbour correlation of a Gaussian-smoothed white noise is exp(-1 / (4 ℓ²))
        assert abs(float(corr) - math.exp(-1 / (4 * ell * ell))) < 0.05 and float(corr) > min_corr


def test_field_filter_equals_circular_gaussian_convolution() -> None:
    noise = torch.randn(1, 32, 32, generator=make_generator(1))
    ell = 3.0
    d = torch.arange(32, dtype=torch.float64)
    d = torch.minimum(d, 32 - d)
    g1 = torch.exp(-(d**2) / (2 * ell**2))
    g1 = g1 / g1.sum()
    kernel = g1.view(-1, 1) * g1.view(1, -1)  # periodic, separable, normalized
    direct = torch.fft.irfft2(torch.fft.rfft2(noise.double()) * torch.fft.rfft2(kernel), s=(32, 32))
    via_filter = R.gaussian_random_field(noise, ell, normalize=False)
    torch.testing.assert_close(via_filter.double(), direct, rtol=0, atol=1e-3)


def test_constant_fields_equal_torchvision_affine() -> None:
    x = _smooth_image()
    n, _, h, w = x.shape
    for angle, scale, tx in ((12.0, 1.0, 0.0), (-20.0, 1.2, 0.0), (0.0, 0.9, 0.1)):
        grid = R.field_affine_grid(
            torch.full((n, h, w), angle),
            torch.full((n, h, w), math.log(scale)),
            torch.tensor([tx, 0.0]).view(1, 2, 1, 1).expand(n, 2, h, w),
            h,
            w,
        )
        out = torch.nn.functional.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)
        ref = TF.affine(
            x,
            angle=angle,
            translate=[tx * w, 0.0],
            scale=scale,
            shear=[0.0, 0.0],
            interpolation=InterpolationMode.BILINEAR,
        )
        inner = (slice(None), slice(None), slice(8, -8), slice(8, -8))  # away from the fill border
        torch.testing.assert_close(out[inner], ref[inner], rtol=0, atol=2e-3)


def test_constant_color_fields_equal_global_ops() -> None:
    x = 0.3 + 0.4 * torch.rand(3, 3, 10, 12, generator=make_generator(2))
    ones = torch.ones(3, 10, 12)
    out = R.field_color(x, 1.2 * ones, ones, 0 * ones)
    torch.testing.assert_close(out, FC.adjust_brightness(x, torch.full((3,), 1.2)), rtol=0, atol=1e-6)
    out = R.field_color(x, ones, 0.6 * ones, 0 * ones)
    torch.testing.assert_close(out, FC.adjust_saturation(x, torch.full((3,), 0.6)), rtol=0, atol=1e-5)
    out = R.field_color(x, ones, ones, 0.1 * ones)
    torch.testing.assert_close(out, FC.adjust_hue_yiq(x, torch.full((3,), 0.1)), rtol=0, atol=1e-5)


def test_parameters_vary_across_the_image() -> None:
    x = torch.full((2, 3, 64, 64), 0.5)
    x[:, 0] = 0.7
    op = R.RandomFieldColor(brightness=0.3, saturation=0.0, hue=0.0, length_scale=0.2)
    out, params = op.augment(x, generator=make_generator(3))
    ratio = out[:, 1] / x[:, 1]  # the per-pixel brightness factor
    assert float(ratio.std(dim=(-2, -1)).min()) > 0.01  # not one factor per image
    # smooth: neighbouring pixels have nearly the same factor
    assert float((ratio[:, 1:] - ratio[:, :-1]).abs().mean()) < 0.02


def test_zero_strength_is_identity_and_targets_follow() -> None:
    x = _smooth_image(2, 32, 32)
    ident = R.RandomFieldAffine(rotation=0.0, scale=0.0, translation=0.0)
    torch.testing.assert_close(ident(x, generator=make_generator(4)), x, rtol=0, atol=1e-5)
    boxes = torch.tensor([[[8.0, 8.0, 20.0, 20.0]]]).repeat(2, 1, 1)
    mask = torch.zeros(2, 32, 32, dtype=torch.long)
    mask[:, 8:20, 8:20] = 1
    batch = ImageBatch(x, mask=mask, boxes=boxes, box_labels=torch.ones(2, 1, dtype=torch.long))
    out = R.RandomFieldAffine(rotation=10.0, translation=0.05)(batch, generator=make_generator(5))
    assert out.mask.shape == mask.shape and out.boxes.shape == boxes.shape
    # the box still encloses the moved mask region
    for i in range(2):
        ys, xs = torch.nonzero(out.mask[i], as_tuple=True)
        x1, y1, x2, y2 = out.boxes[i, 0].tolist()
        assert x1 - 1 <= float(xs.min()) and float(xs.max()) + 1 <= x2 + 1
        assert y1 - 1 <= float(ys.min()) and float(ys.max()) + 1 <= y2 + 1
