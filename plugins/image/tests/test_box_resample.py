"""Differential tests: the separable box resample against the grid path (issue #22).

:mod:`omniaug_image._box_resample` resizes per-sample boxes row pass then column
pass; the reference is the 2-D grid of :func:`FG.crop_box_grid` through
``grid_sample`` (:func:`FG.sample_image`, :func:`sample_mask`), which the box ops
run under ``omniaug.using_reference_kernels()``. Real photos
(``sklearn.datasets.load_sample_images``), a batch of mixed boxes (whole image,
1×1, down- and upscaling, odd sizes, boxes reaching past the image).

Stated tolerances (measured on these cases: float max |Δ| ≈ 1.8e-5 against the
grid, ≈ 4.3e-6 against ``F.interpolate``; uint8 99.82–99.99 % of values equal per
batch, ≥ 99.17 % per sample):

* float32: max |Δ| ≤ ``2e-7 · max(H, W, Ho, Wo) + 2e-6`` against the grid path —
  the grid's normalized float32 coordinates are off by up to about
  ``1e-7 · size`` pixels (the module docstring of ``ops.geometric``); ≤ 1e-5 against
  ``F.interpolate`` of the cropped sample, whose source coordinates the fast
  path computes the same way;
* uint8: max |Δ| ≤ 1 level and ≥ 99.5 % of a batch exactly equal. Both round
  the same float32 value up to those coordinate differences; the differing
  values are ties: where the box scales by a simple ratio the fast path's
  weights are exactly 0.5 and a blend lands exactly on ``k + 0.5`` (rounded to
  even), while the grid path's coordinate is a few ulp off and rounds either way;
* masks, and images in nearest mode: exactly equal (the fast path reads its
  nearest indices off the grid path's own coordinates).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F

import omniaug
from omniaug_image import CropAndPad, ImageBatch, Mask, RandomResizedCrop
from omniaug_image import _box_resample as BR
from omniaug_image import functional_geometric as FG
from omniaug_image.targets import sample_mask

SIZES = [((97, 113), (64, 80)), ((120, 160), (160, 120)), ((64, 64), (31, 97)), ((143, 214), (143, 214))]


def crop_boxes(h: int, w: int, n: int, seed: int) -> torch.Tensor:
    """Integer boxes inside ``h × w``: the whole image, a 1×1 box, then random sizes and places."""
    g = torch.Generator().manual_seed(seed)
    cw = torch.randint(1, w + 1, (n,), generator=g).float()
    ch = torch.randint(1, h + 1, (n,), generator=g).float()
    cw[0], ch[0], cw[1], ch[1] = w, h, 1, 1
    left = torch.floor(torch.rand(n, generator=g) * (w - cw + 1))
    top = torch.floor(torch.rand(n, generator=g) * (h - ch + 1))
    return torch.stack([left, top, left + cw, top + ch], 1)


def padded_boxes(h: int, w: int, n: int, seed: int) -> torch.Tensor:
    """Integer boxes each side of which is moved by up to 10 px in or out (``CropAndPad``)."""
    g = torch.Generator().manual_seed(seed)
    d = torch.randint(-10, 11, (n, 4), generator=g).float()
    return torch.stack([-d[:, 0], -d[:, 1], w + d[:, 2], h + d[:, 3]], 1)


def check_float(fast: torch.Tensor, ref: torch.Tensor, size: int, where: str) -> None:
    assert fast.dtype == ref.dtype and fast.shape == ref.shape, where
    tol = 2e-7 * size + 2e-6
    d = (fast - ref).abs().max().item()
    assert d <= tol, f"{where}: max |Δ| {d:.2e} > {tol:.2e}"


def check_uint8(fast: torch.Tensor, ref: torch.Tensor, where: str) -> None:
    assert fast.dtype == ref.dtype == torch.uint8 and fast.shape == ref.shape, where
    d = (fast.int() - ref.int()).abs()
    assert d.max().item() <= 1, f"{where}: max |Δ| {d.max().item()} levels"
    equal = (d == 0).double().mean().item()
    assert equal >= 0.995, f"{where}: only {equal:.5f} of values equal"


@pytest.mark.parametrize(("in_size", "out_size"), SIZES)
@pytest.mark.parametrize("kind", ["crop", "pad"])
def test_image_matches_the_grid_path(photo_crops, in_size, out_size, kind):
    (h, w), (ho, wo) = in_size, out_size
    n = 10
    img = photo_crops(h, w, n)
    boxes = crop_boxes(h, w, n, seed=h * w) if kind == "crop" else padded_boxes(h, w, n, seed=h + w)
    grid = FG.crop_box_grid(boxes, out_size, in_size)
    size = max(h, w, ho, wo)
    fills = [0.0] if kind == "crop" else [0.0, 0.5, [0.2, 0.4, 1.0]]
    for fill in fills:
        where = f"{kind} {in_size}→{out_size} fill {fill}"
        check_uint8(BR.resample_image(img, boxes, out_size, fill=fill), FG.sample_image(img, grid, fill=fill), where)
        flt = img.float() / 255
        fast = BR.resample_image(flt, boxes, out_size, fill=fill)
        check_float(fast, FG.sample_image(flt, grid, fill=fill), size, where)
        f64 = flt.double()
        check_float(
            BR.resample_image(f64, boxes, out_size, fill=fill), FG.sample_image(f64, grid, fill=fill), size, where
        )
        # nearest: the same source pixels; uint8 bit-exact, float within the grid path's (x - f) + f round-off
        near = BR.resample_image(img, boxes, out_size, mode="nearest", fill=fill)
        assert torch.equal(near, FG.sample_image(img, grid, mode="nearest", fill=fill)), where
        near_f = BR.resample_image(flt, boxes, out_size, mode="nearest", fill=fill)
        assert (near_f - FG.sample_image(flt, grid, mode="nearest", fill=fill)).abs().max().item() <= 1e-7, where


@pytest.mark.parametrize(("in_size", "out_size"), SIZES)
@pytest.mark.parametrize("kind", ["crop", "pad"])
def test_masks_equal_the_grid_path_exactly(photo_crops, in_size, out_size, kind):
    (h, w) = in_size
    n = 10
    img = photo_crops(h, w, n)
    boxes = crop_boxes(h, w, n, seed=h * w + 1) if kind == "crop" else padded_boxes(h, w, n, seed=h + w + 1)
    grid = FG.crop_box_grid(boxes, out_size, in_size)
    labels = img[:, 0] // 40  # 7 labels following the photo's edges
    for mask in (labels, labels.long() * 1000, labels > 3, labels.float(), torch.stack([labels, 6 - labels], 1)):
        fast = BR.resample_mask(mask, boxes, out_size)
        ref = sample_mask(mask, grid)
        assert fast.dtype == ref.dtype == mask.dtype
        assert torch.equal(fast, ref), f"{kind} {in_size}→{out_size} {mask.dtype} {tuple(mask.shape)}"


@pytest.mark.parametrize(("in_size", "out_size"), SIZES)
def test_float_bilinear_is_interpolate_of_the_crop(photo_crops, in_size, out_size):
    """The op docstring's promise: crop, then ``F.interpolate(bilinear, align_corners=False)`` per sample."""
    h, w = in_size
    n = 10
    img = photo_crops(h, w, n).float() / 255
    boxes = crop_boxes(h, w, n, seed=h * w + 2)
    fast = BR.resample_image(img, boxes, out_size)
    for b in range(n):  # the reference, one sample at a time
        x1, y1, x2, y2 = (int(v) for v in boxes[b].tolist())
        ref = F.interpolate(img[b : b + 1, :, y1:y2, x1:x2], size=out_size, mode="bilinear", align_corners=False)
        d = (fast[b] - ref[0]).abs().max().item()
        assert d <= 1e-5, f"sample {b} box {boxes[b].tolist()}: max |Δ| {d:.2e}"


def _payload(
    photo_crops: Callable[[int, int, int], torch.Tensor], dtype: torch.dtype, n: int = 8, size: int = 96
) -> ImageBatch:
    img = photo_crops(size, size, n)
    img = img if dtype == torch.uint8 else img.to(dtype) / 255
    boxes = torch.tensor([[10.0, 12.0, 60.0, 70.0], [40.0, 30.0, 95.0, 90.0]]).expand(n, 2, 4).contiguous()
    return ImageBatch(
        img,
        mask=(photo_crops(size, size, n)[:, 1] // 64),
        boxes=boxes,
        box_labels=torch.tensor([1, 2]).expand(n, 2).contiguous(),
        box_valid=torch.ones(n, 2, dtype=torch.bool),
        keypoints=torch.tensor([[20.0, 30.0], [70.0, 50.0]]).expand(n, 2, 2).contiguous(),
        keypoint_visible=torch.ones(n, 2, dtype=torch.bool),
    )


OPS = [
    lambda: RandomResizedCrop(size=[64, 80], scale=(0.05, 1.0)),
    lambda: RandomResizedCrop(size=[121, 77], scale=(0.05, 1.0), p=0.5),  # unapplied samples resized whole
    lambda: RandomResizedCrop(scale=(0.05, 0.5), p=0.6),  # same size: unapplied samples unchanged
    lambda: RandomResizedCrop(size=[50, 50], interpolation="nearest"),
    lambda: CropAndPad(amount=(-0.3, 0.3), fill=[0.1, 0.5, 0.9]),
    lambda: CropAndPad(amount=0.2, interpolation="nearest", p=0.7),
]


@pytest.mark.parametrize("make", OPS)
@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_ops_fast_path_matches_their_reference(photo_crops, make, dtype, monkeypatch):
    op = make()
    x = _payload(photo_crops, dtype)
    calls: list[int] = []
    real = BR.resample_image
    monkeypatch.setattr(BR, "resample_image", lambda *a, **k: calls.append(1) or real(*a, **k))
    fast = op(x, generator=omniaug.rng.make_generator(5))
    assert calls, "the fast kernel ran"
    with omniaug.using_reference_kernels():
        ref = op(x, generator=omniaug.rng.make_generator(5))
    assert len(calls) == 1, "the reference path does not use the fast kernel"
    where = f"{type(op).__name__} {dtype}"
    if dtype == torch.uint8:
        check_uint8(fast.image, ref.image, where)
    else:
        check_float(fast.image, ref.image, 128, where)
    if op.interpolation == "nearest":
        assert torch.equal(fast.image, ref.image), where
    assert torch.equal(fast.mask, ref.mask), where
    for field in ("boxes", "box_valid", "box_labels", "keypoints", "keypoint_visible"):  # the same matrices
        assert torch.equal(getattr(fast, field), getattr(ref, field)), f"{where}: {field}"
    # a Mask payload alone takes the fast path too, with the same draw
    alone = op(Mask(x.mask), generator=omniaug.rng.make_generator(5))
    with omniaug.using_reference_kernels():
        alone_ref = op(Mask(x.mask), generator=omniaug.rng.make_generator(5))
    assert torch.equal(alone.tensor, alone_ref.tensor), where


def test_grad_and_other_dtypes_keep_the_grid_path(photo_crops):
    img = photo_crops(40, 40, 2).float() / 255
    assert BR.supports(img, "bilinear") and BR.supports(img.to(torch.uint8), "nearest")
    assert not BR.supports(img.requires_grad_(), "bilinear")
    assert not BR.supports(img.detach().half(), "bilinear")
    assert not BR.supports(img.detach(), "bicubic")
    # the op still works (and stays differentiable) through the grid path
    out = RandomResizedCrop(size=[20, 24])(img, generator=omniaug.rng.make_generator(0))
    out.sum().backward()
    assert img.grad is not None and img.grad.abs().sum() > 0
