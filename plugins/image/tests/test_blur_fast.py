"""Differential tests: the shifted-slice Gaussian blur vs the grouped-convolution reference.

:mod:`omniaug_image._blur` runs ``image.gaussian_blur`` on uint8/float32 CPU batches
as weighted sums of shifted slices; the reference is
:func:`functional_color.gaussian_blur_reference` (two grouped ``conv2d``), which the
op takes under ``omniaug.using_reference_kernels()``. Real photos
(``sklearn.datasets.load_sample_images`` crops), odd sizes, several kernel sizes,
per-sample sigmas down to 1e-6.

Stated tolerances (measured on these cases: float max |Δ| = 0, uint8 100 % equal —
both paths add the taps in the same order, tap 0 first, one FMA each; a
convolution library free to reorder the sum would still stay within these):

* float32 in [0, 1]: max |Δ| ≤ 2e-6 (a few float32 ulp of a sum of ``k`` products);
* uint8: max |Δ| ≤ 1 and at least 99.9 % of the values equal (a value can only
  differ where the float sum sits within rounding error of ``n + 0.5``).
"""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug_image import GaussianBlur, ImageBatch
from omniaug_image import _blur as BL
from omniaug_image import functional_color as FC

SIZES = [(97, 113), (160, 160), (31, 64), (224, 201)]
KERNELS = [1, 3, 5, 7, 15]


def sigmas(n: int, seed: int) -> torch.Tensor:
    """Per-sample sigmas: a tiny one (one-hot taps), a small one, then uniform in [0.1, 5]."""
    s = torch.rand(n, generator=torch.Generator().manual_seed(seed)) * 4.9 + 0.1
    s[0] = 1e-6
    s[1] = 0.05
    return s


def check(fast: torch.Tensor, ref: torch.Tensor, where: str) -> None:
    assert fast.dtype == ref.dtype and fast.shape == ref.shape, where
    if fast.dtype == torch.uint8:
        diff = (fast.int() - ref.int()).abs()
        assert int(diff.max()) <= 1, where
        equal = float((diff == 0).double().mean())
        assert equal >= 0.999, f"{where}: only {equal:.5f} of values equal"
    else:
        err = float((fast - ref).abs().max())
        assert err <= 2e-6, f"{where}: max |Δ| {err}"


@pytest.mark.parametrize("size", SIZES, ids=[f"{h}x{w}" for h, w in SIZES])
@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32], ids=["uint8", "float32"])
def test_fast_matches_reference(photo_crops, size, dtype) -> None:
    h, w = size
    img = photo_crops(h, w, 7)
    if dtype == torch.float32:
        img = img.float() / 255
    for k in KERNELS:
        sigma = sigmas(img.shape[0], k)
        assert BL.usable(img, k)
        fast = FC.gaussian_blur(img, k, sigma)
        ref = FC.gaussian_blur_reference(img, k, sigma)
        check(fast, ref, f"{dtype} {size} k={k}")


@pytest.mark.parametrize("chunk_bytes", [1, 3 * 1024 * 1024])
def test_chunking_does_not_change_values(photo_crops, monkeypatch, chunk_bytes) -> None:
    """Chunks of one image and of several give the same bytes as the whole batch at once."""
    img = photo_crops(97, 113, 9)
    sigma = sigmas(9, 1)
    whole = FC.gaussian_blur(img, 5, sigma)
    monkeypatch.setattr(BL, "BLUR_CHUNK_BYTES", chunk_bytes)
    assert torch.equal(FC.gaussian_blur(img, 5, sigma), whole)


def test_tiny_sigma_is_the_identity(photo_crops) -> None:
    """σ = 1e-6: the taps are one-hot, so both paths return the input."""
    img = photo_crops(64, 80, 4)
    sigma = torch.full((4,), 1e-6)
    assert torch.equal(FC.gaussian_blur(img, 7, sigma), img)
    f = img.float() / 255
    assert torch.equal(FC.gaussian_blur(f, 7, sigma), f)


def test_radius_up_to_the_image_edge_and_odd_layouts(photo_crops) -> None:
    """Radius h − 1 (the largest reflect allows), one channel, a channels-last input."""
    img = photo_crops(8, 40, 3)
    sigma = sigmas(3, 2)
    check(FC.gaussian_blur(img, 15, sigma), FC.gaussian_blur_reference(img, 15, sigma), "radius 7 on 8 rows")
    gray = img[:, :1].contiguous()
    check(FC.gaussian_blur(gray, 5, sigma), FC.gaussian_blur_reference(gray, 5, sigma), "one channel")
    cl = img.float().div(255).contiguous(memory_format=torch.channels_last)
    check(FC.gaussian_blur(cl, 5, sigma), FC.gaussian_blur_reference(cl, 5, sigma), "channels last")


def test_other_inputs_take_the_reference_path(photo_crops, monkeypatch) -> None:
    img = photo_crops(32, 32, 2).float() / 255
    sigma = torch.tensor([0.7, 2.0])
    calls: list[int] = []
    real = BL.gaussian_blur
    monkeypatch.setattr(BL, "gaussian_blur", lambda *a, **k: calls.append(1) or real(*a, **k))
    grad = img.clone().requires_grad_(True)
    FC.gaussian_blur(grad, 5, sigma).sum().backward()
    assert grad.grad is not None
    FC.gaussian_blur(img.double(), 5, sigma)
    with omniaug.using_reference_kernels():
        FC.gaussian_blur(img, 5, sigma)
    assert not calls
    FC.gaussian_blur(img, 5, sigma)
    assert calls == [1]


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32], ids=["uint8", "float32"])
def test_op_at_p_below_one_matches_reference(photo_crops, monkeypatch, dtype) -> None:
    """The op with p = 0.6 and per-sample sigmas: the fast path runs, same draw, same image."""
    img = photo_crops(97, 113, 10)
    if dtype == torch.float32:
        img = img.float() / 255
    op = GaussianBlur(7, (0.1, 4.0), p=0.6)
    calls: list[int] = []
    real = BL.gaussian_blur
    monkeypatch.setattr(BL, "gaussian_blur", lambda *a, **k: calls.append(1) or real(*a, **k))
    fast = op(ImageBatch(img), generator=omniaug.rng.make_generator(11))
    assert calls, "the fast kernel ran"
    with omniaug.using_reference_kernels():
        ref = op(ImageBatch(img), generator=omniaug.rng.make_generator(11))
    assert len(calls) == 1, "the reference path does not use the fast kernel"
    check(fast.image, ref.image, f"op {dtype}")
    assert not torch.equal(fast.image, img), "some samples were blurred"
