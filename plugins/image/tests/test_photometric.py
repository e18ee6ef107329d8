"""Photometric ops: contract suite, torchvision oracle per kernel (float + uint8), colour fusion."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch
import torchvision.transforms.v2.functional as TF

from omniaug import Compose, InputError
from omniaug.rng import make_generator
from omniaug.testing import AugmentationContract
from omniaug_image import ImageBatch
from omniaug_image import functional_color as FC
from omniaug_image.color_fusion import COLOR_FUSION
from omniaug_image.ops import photometric as P


class TestPhotometricVariantsContract(AugmentationContract):
    # the defaults of every registered op run in test_contract.py; these are the other modes
    omniaug_ops = [
        P.Hue(hue=0.3, hue_mode="yiq"),
        P.ColorJitter(hue_mode="yiq"),
        P.Brightness(0.5, exact=True),
        P.Posterize(3, exact=True),
    ]


def _batch(dtype: torch.dtype, n: int = 5, seed: int = 0, size: tuple[int, int] = (13, 17)) -> torch.Tensor:
    g = make_generator(seed)
    x = torch.rand(n, 3, *size, generator=g)
    # a few flat and saturated regions exercise the clamps and the degenerate cases
    x[:, :, :3, :3] = 1.0
    x[0, 1] = 0.25
    return x if dtype == torch.float32 else (x * 255.999).to(torch.uint8)


def _oracle(
    x: torch.Tensor, params: dict[str, Any], ref: Callable[[torch.Tensor, int, dict[str, Any]], torch.Tensor]
) -> torch.Tensor:
    return torch.stack([ref(x[i], i, params) for i in range(x.shape[0])])


def _max_value(dtype: torch.dtype) -> float:
    return 1.0 if dtype.is_floating_point else 255.0


# Each case: op, torchvision reference called per sample with that sample's drawn params.
CASES: list[tuple[Any, Callable[[torch.Tensor, int, dict[str, Any]], torch.Tensor]]] = [
    (P.Brightness(0.8), lambda im, i, p: TF.adjust_brightness(im, float(p["factor"][i]))),
    (P.Contrast(0.8), lambda im, i, p: TF.adjust_contrast(im, float(p["factor"][i]))),
    (P.Saturation(0.8), lambda im, i, p: TF.adjust_saturation(im, float(p["factor"][i]))),
    (P.Sharpness(0.9), lambda im, i, p: TF.adjust_sharpness(im, float(p["factor"][i]))),
    (P.Hue(0.5), lambda im, i, p: TF.adjust_hue(im, float(p["factor"][i]))),
    (P.Gamma(1.0), lambda im, i, p: TF.adjust_gamma(im, float(p["gamma"][i]))),
    (P.Grayscale(), lambda im, i, p: TF.rgb_to_grayscale(im, num_output_channels=3)),
    (P.Invert(), lambda im, i, p: TF.invert(im)),
    (P.Posterize(0), lambda im, i, p: TF.posterize(im, int(p["bits"][i]))),
    (P.Solarize(0.0), lambda im, i, p: TF.solarize(im, float(p["threshold"][i]) * _max_value(im.dtype))),
    (P.Equalize(), lambda im, i, p: TF.equalize(im)),
    (P.AutoContrast(), lambda im, i, p: TF.autocontrast(im)),
    (P.ChannelShuffle(), lambda im, i, p: TF.permute_channels(im, p["permutation"][i].tolist())),
    (
        P.GaussianBlur(5, (0.2, 3.0)),
        lambda im, i, p: TF.gaussian_blur(im, [5, 5], [float(p["sigma"][i])] * 2),
    ),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8], ids=["float", "uint8"])
@pytest.mark.parametrize("op,ref", CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_kernel_matches_torchvision(op: Any, ref: Any, dtype: torch.dtype) -> None:
    """Same per-sample params ⇒ same output as torchvision.

    Tolerance: float atol 1e-5 (separable blur vs torchvision's 2-D kernel and the
    order of float operations differ by ~1e-7); uint8 exact, except Gaussian blur
    (separable vs 2-D kernel: within one level, see test_torchvision_photos.py).
    """
    x = _batch(dtype)
    out, params = op.augment(x, generator=make_generator(3))
    expected = _oracle(x, params, ref)
    assert out.dtype == dtype and out.shape == x.shape
    if dtype == torch.uint8 and isinstance(op, P.GaussianBlur):
        assert int((out.int() - expected.int()).abs().max()) <= 1
    elif dtype == torch.uint8:
        assert torch.equal(out, expected)
    else:
        torch.testing.assert_close(out, expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8], ids=["float", "uint8"])
def test_gaussian_noise_matches_torchvision_formula(dtype: torch.dtype) -> None:
    """torchvision draws its own noise; with the same standard-normal field the formula must agree."""
    x = _batch(dtype)
    op = P.GaussianNoise(sigma=0.2, mean=0.05)
    out, params = op.augment(x, generator=make_generator(4))
    noise, sigma = params["noise"], params["sigma"]
    for i in range(x.shape[0]):
        s = float(sigma[i])
        if dtype.is_floating_point:
            expected = (x[i] + (0.05 + noise[i] * s)).clamp(0, 1)
        else:
            expected = (x[i] + ((0.05 * 255) + noise[i] * (s * 255)).to(torch.int16)).clamp(0, 255).to(torch.uint8)
        torch.testing.assert_close(out[i], expected, rtol=0, atol=1e-6)
    assert torch.allclose(sigma, torch.full_like(sigma, 0.2))  # a number is the fixed σ (torchvision's reading)
    ranged = P.GaussianNoise(sigma=(0.0, 0.2)).sample_params(x, generator=make_generator(5))["sigma"]
    assert 0 <= float(ranged.min()) < float(ranged.max()) <= 0.2  # a pair is drawn per sample
    # the noise field really is standard normal
    assert abs(float(noise.mean())) < 0.05 and abs(float(noise.std()) - 1.0) < 0.05


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8], ids=["float", "uint8"])
def test_color_jitter_matches_torchvision_in_each_sample_order(dtype: torch.dtype) -> None:
    x = _batch(dtype, n=12)
    op = P.ColorJitter(0.5, 0.5, 0.5, 0.2)
    out, params = op.augment(x, generator=make_generator(5))
    order = params["order"]
    assert sorted(order[0].tolist()) == [0, 1, 2, 3]
    assert len({tuple(r) for r in order.tolist()}) > 1, "orders should differ between samples"
    refs = [TF.adjust_brightness, TF.adjust_contrast, TF.adjust_saturation, TF.adjust_hue]
    for i in range(x.shape[0]):
        im = x[i]
        for j in order[i].tolist():
            im = refs[j](im, float(params[P.JITTER_OPS[j]][i]))
        if dtype == torch.uint8:
            assert torch.equal(out[i], im)
        else:
            torch.testing.assert_close(out[i], im, rtol=0, atol=1e-5)


def test_posterize_and_solarize_ranges() -> None:
    x = _batch(torch.float32, n=64)
    bits = P.Posterize(3).augment(x, generator=make_generator(1)).params["bits"]
    assert int(bits.min()) >= 3 and int(bits.max()) <= 8 and len(set(bits.tolist())) > 2
    th = P.Solarize(0.4).augment(x, generator=make_generator(1)).params["threshold"]
    assert float(th.min()) >= 0.4 and float(th.max()) <= 1.0


def test_exact_strength_uses_plus_or_minus() -> None:
    x = _batch(torch.float32, n=64)
    f = P.Brightness(0.3, exact=True).augment(x, generator=make_generator(2)).params["factor"]
    assert torch.allclose((f - 1.0).abs(), torch.full_like(f, 0.3))
    assert bool((f > 1).any()) and bool((f < 1).any())


def test_photometric_ops_leave_targets_untouched() -> None:
    x = _batch(torch.float32, n=3)
    boxes = torch.tensor([[[1.0, 2.0, 6.0, 7.0]]]).repeat(3, 1, 1)
    mask = torch.zeros(3, 13, 17, dtype=torch.long)
    mask[:, 2:5, 3:9] = 1
    batch = ImageBatch(x, mask=mask, boxes=boxes, box_labels=torch.ones(3, 1, dtype=torch.long))
    for cls in P.OPS:
        out = cls()(batch, generator=make_generator(0))
        assert isinstance(out, ImageBatch)
        assert out.mask is batch.mask and out.boxes is batch.boxes and out.box_labels is batch.box_labels
        assert out.image.shape == x.shape


def test_identity_strengths_are_identity() -> None:
    x = _batch(torch.float32)
    for op in (P.Brightness(0.0), P.Contrast(0.0), P.Saturation(0.0), P.Sharpness(0.0), P.Gamma(0.0)):
        torch.testing.assert_close(op(x, generator=make_generator(0)), x, rtol=0, atol=1e-6)
    # 8 bits keep a uint8 image (a float image is quantized to 256 levels, as in torchvision)
    xu = _batch(torch.uint8)
    assert torch.equal(P.Posterize(8)(xu, generator=make_generator(0)), xu)


def test_bad_arguments_raise_input_error() -> None:
    with pytest.raises(InputError, match="hue"):
        P.Hue(0.7)
    with pytest.raises(InputError, match="kernel_size"):
        P.GaussianBlur(4)
    with pytest.raises(InputError, match="hue_mode"):
        P.ColorJitter(hue_mode="lab")
    with pytest.raises(InputError, match="channels"):
        P.Contrast()(torch.rand(2, 4, 8, 8), generator=make_generator(0))


# -- colour fusion ---------------------------------------------------------------


def _in_range_batch(n: int = 8) -> torch.Tensor:
    # values in [0.3, 0.6] and strengths ≤ 0.3 keep every intermediate step inside [0, 1]
    return 0.3 + 0.3 * torch.rand(n, 3, 12, 12, generator=make_generator(8))


def test_fused_color_chain_equals_unfused_chain_in_range() -> None:
    x = _in_range_batch()
    ops = [P.Brightness(0.3, p=0.7), P.Contrast(0.3, p=0.7), P.Saturation(0.3), P.Hue(0.1, hue_mode="yiq")]
    fused, unfused = Compose(ops, fuse=True), Compose(ops)
    assert fused._segments == [[0, 1, 2, 3]]
    out, params = fused.augment(x, generator=make_generator(1))
    ref = unfused.apply(x, params)
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-5)


def test_fused_color_jitter_follows_each_sample_order() -> None:
    x = _in_range_batch(16)
    jitter = P.ColorJitter(0.3, 0.3, 0.3, 0.05, hue_mode="yiq")
    assert jitter.fusion == "image.color"
    fused = Compose([jitter, P.Brightness(0.2)], fuse=True)
    out, params = fused.augment(x, generator=make_generator(2))
    ref = Compose([jitter, P.Brightness(0.2)]).apply(x, params)
    torch.testing.assert_close(out, ref, rtol=0, atol=1e-5)


def test_hsv_hue_is_not_fused() -> None:
    assert P.ColorJitter().fusion is None  # exact HSV hue is not linear
    assert P.ColorJitter(hue=0.0).fusion == "image.color"
    assert P.Hue().fusion is None and P.Hue(hue_mode="yiq").fusion == "image.color"


def test_yiq_hue_rotates_like_hsv_and_keeps_luma() -> None:
    x = _in_range_batch()
    red = torch.tensor([0.9, 0.1, 0.1]).view(1, 3, 1, 1)
    third = torch.tensor([1 / 3])
    # a third of a turn moves red towards green in both conventions
    assert (
        int(FC.adjust_hue_yiq(red, third).flatten().argmax()) == 1 == int(FC.adjust_hue(red, third).flatten().argmax())
    )
    assert int(FC.adjust_hue_yiq(red, -third).flatten().argmax()) == 2
    # the rotation keeps the luma (Y) where nothing clips
    f = torch.full((8,), 0.05)
    y = torch.tensor(FC.RGB_TO_YIQ[0]).view(1, 3, 1, 1)
    torch.testing.assert_close((FC.adjust_hue_yiq(x, f) * y).sum(1), (x * y).sum(1), rtol=0, atol=1e-5)
    # a full turn is the identity
    torch.testing.assert_close(FC.adjust_hue_yiq(x, torch.ones(8)), x, rtol=0, atol=1e-5)


def test_fused_uint8_close_to_unfused() -> None:
    x = (_in_range_batch() * 255).to(torch.uint8)
    ops = [P.Brightness(0.3), P.Contrast(0.3), P.Saturation(0.3)]
    out, params = Compose(ops, fuse=True).augment(x, generator=make_generator(3))
    ref = Compose(ops).apply(x, params)
    assert out.dtype == torch.uint8
    assert int((out.int() - ref.int()).abs().max()) <= 3  # per-step rounding in the unfused chain


def test_fusion_kind_identity_and_compose() -> None:
    x = _in_range_batch(4)
    ident = COLOR_FUSION.identity(x, 4)
    torch.testing.assert_close(COLOR_FUSION.apply(x, ident, []), x, rtol=0, atol=1e-6)
    b = P.Brightness(0.5).augment(x, generator=make_generator(0)).params
    m = P.Brightness(0.5).fusion_transform(x, b)
    out = COLOR_FUSION.apply(x, COLOR_FUSION.compose(ident, m), [])
    torch.testing.assert_close(out, FC.adjust_brightness(x, b["factor"]), rtol=0, atol=1e-6)


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_hsv_hue_chunks_equal_the_whole_batch_path(dtype: torch.dtype) -> None:
    """adjust_hue's cache-sized chunks (on the worker pool) give the bytes of the plain whole-batch path."""
    g = torch.Generator().manual_seed(4)
    x = torch.randint(0, 256, (11, 3, 96, 96), dtype=torch.uint8, generator=g)
    x = x if dtype == torch.uint8 else x.float() / 255
    factor = torch.rand(11, generator=g) - 0.5
    with_threads = torch.get_num_threads()
    for threads in (1, 2):
        torch.set_num_threads(threads)
        try:
            assert torch.equal(FC.adjust_hue(x, factor), FC.adjust_hue_whole(x, factor))
        finally:
            torch.set_num_threads(with_threads)


@pytest.mark.parametrize("hue_mode", ["hsv", "yiq"])
def test_color_jitter_chunks_equal_the_whole_batch_stages(hue_mode: str) -> None:
    """ColorJitter's cache-sized chunks give the bytes of its plain whole-batch stages."""
    x = torch.randint(0, 256, (19, 3, 64, 64), dtype=torch.uint8, generator=torch.Generator().manual_seed(5))
    op = P.ColorJitter(0.3, 0.3, 0.3, 0.1, hue_mode=hue_mode)
    params = op.sample_params(x, generator=make_generator(6))
    with_threads = torch.get_num_threads()
    for threads in (1, 2):
        torch.set_num_threads(threads)
        try:
            for img in (x, x.float() / 255):
                assert torch.equal(op.inner_kernel(img, params), op.stages(img, params))
        finally:
            torch.set_num_threads(with_threads)
