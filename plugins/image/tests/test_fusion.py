"""The ``image.geometric`` fusion kind: a fused Compose equals the unfused chain."""

from __future__ import annotations

import torch
import torchvision.transforms.v2.functional as TF

from omniaug import Compose, registry
from omniaug.rng import make_generator
from omniaug_image import ImageBatch
from omniaug_image.ops.geometric import (
    Affine,
    Dihedral,
    HorizontalFlip,
    Perspective,
    Rot90,
    VerticalFlip,
    example_image_batch,
)


def smooth_images(b: int = 6, h: int = 40, w: int = 40) -> torch.Tensor:
    # low-frequency content: the interpolation error of an extra bilinear pass stays small
    ys = torch.linspace(0, 1, h).view(1, 1, h, 1)
    xs = torch.linspace(0, 1, w).view(1, 1, 1, w)
    phase = torch.rand(b, 3, 1, 1, generator=torch.Generator().manual_seed(0))
    return 0.5 + 0.5 * torch.sin(3.0 * xs + 2.0 * ys + 6.28 * phase) * torch.cos(2.0 * ys * (1 + phase))


def test_kind_is_registered() -> None:
    kind = registry().fusion("image.geometric")
    assert kind.name == "image.geometric"


def test_fused_flips_and_turns_are_exact() -> None:
    x = torch.rand(8, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    ops = [HorizontalFlip(p=0.5), Rot90(), VerticalFlip(p=0.5), Dihedral()]
    fused, params = Compose(ops, fuse=True).augment(x, generator=make_generator(2))
    unfused = Compose(ops).apply(x, params)
    torch.testing.assert_close(fused, unfused, atol=1e-6, rtol=0)


def test_flip_then_affine_fused_equals_torchvision_single_warp() -> None:
    x = smooth_images()
    flip, affine = HorizontalFlip(p=0.5), Affine(degrees=30, translate=[0.1, 0.1], scale=[0.8, 1.2])
    out, params = Compose([flip, affine], fuse=True).augment(x, generator=make_generator(3))
    a = params["1"]
    for i in range(x.shape[0]):
        src = x[i].flip(-1) if params["0"]["apply"][i] else x[i]
        t = a["translate"][i] * 40
        ref = TF.affine(
            src,
            angle=float(a["angle"][i]),
            translate=[float(t[0]), float(t[1])],
            scale=float(a["scale"][i]),
            shear=[float(s) for s in a["shear"][i]],
            interpolation=TF.InterpolationMode.BILINEAR,
        )
        torch.testing.assert_close(out[i], ref, atol=1e-4, rtol=0)


def test_fused_chain_equals_unfused_within_the_kind_tolerance() -> None:
    x = smooth_images()
    ops = [HorizontalFlip(p=0.5), Affine(degrees=20, scale=[0.9, 1.0]), Perspective(distortion_scale=0.2)]
    fused, params = Compose(ops, fuse=True).augment(x, generator=make_generator(4))
    unfused = Compose(ops).apply(x, params)
    rtol, atol = registry().fusion("image.geometric").tolerance
    # where a warp reaches the fill, the unfused chain blends with it once per step: compare
    # on pixels whose (exactly mapped) source footprint lies fully inside the image
    ones = torch.ones_like(x)
    inside = (Compose(ops).apply(ones, params) > 1 - 1e-6) & (Compose(ops, fuse=True).apply(ones, params) > 1 - 1e-6)
    assert inside.float().mean() > 0.5
    diff = (fused - unfused).abs()[inside]
    assert diff.max() <= atol + rtol, float(diff.max())
    assert diff.mean() < 0.01
    assert not torch.allclose(fused, x, atol=1e-2)


def test_fused_replay_and_batch_equals_per_sample() -> None:
    x = smooth_images()
    pipe = Compose([HorizontalFlip(), Affine(p=0.7), Perspective(p=0.5)], fuse=True)
    out, params = pipe.augment(x, generator=make_generator(5))
    torch.testing.assert_close(pipe.apply(x, params), out)
    for i in range(x.shape[0]):
        idx = torch.tensor([i])
        torch.testing.assert_close(pipe.apply(x[i : i + 1], params.subset(idx)), out[i : i + 1], atol=1e-5, rtol=0)


def test_fused_targets_follow_the_composed_transform() -> None:
    x = example_image_batch(6, generator=make_generator(6), size=40)
    ops = [HorizontalFlip(p=0.5), Affine(degrees=15, translate=[0.05, 0.05], scale=[0.95, 1.05])]
    fused, params = Compose(ops, fuse=True).augment(x, generator=make_generator(7))
    unfused = Compose(ops).apply(x, params)
    assert isinstance(fused, ImageBatch)
    # a flip is axis-aligned, so composing before or after taking enclosing boxes agrees
    torch.testing.assert_close(fused.boxes, unfused.boxes, atol=1e-3, rtol=0)
    assert torch.equal(fused.box_valid, unfused.box_valid)
    torch.testing.assert_close(fused.keypoints, unfused.keypoints, atol=1e-3, rtol=0)
    agree = (fused.mask == unfused.mask).float().mean()
    assert agree > 0.99


def test_fused_single_image_and_uint8() -> None:
    x = (smooth_images(1)[0] * 255).round().to(torch.uint8)
    pipe = Compose([HorizontalFlip(p=1.0), Affine()], fuse=True)
    out = pipe(x, generator=make_generator(8))
    assert out.dtype == torch.uint8 and out.shape == x.shape


def test_color_jitter_alone_is_fused_in_each_samples_order_and_equals_its_kernel():
    import omniaug
    from omniaug_image import ColorJitter

    x = torch.rand(8, 3, 24, 24) * 0.3 + 0.35  # stays inside [0, 1] at every step: no clipping
    jitter = ColorJitter(0.2, 0.2, 0.2, 0.05, hue_mode="yiq")
    fused = omniaug.Compose([jitter], fuse=True)
    out, params = fused.augment(x, generator=omniaug.rng.make_generator(0))
    plain = jitter(x, params=params["0"])  # the unfused four-stage kernel, same draws and order
    kind = omniaug.registry().fusion("image.color")
    assert torch.allclose(out, plain, rtol=kind.tolerance[0], atol=kind.tolerance[1])
    assert not torch.allclose(out, x)


def test_hsv_color_jitter_alone_under_fuse_runs_its_own_kernel():
    # HSV hue has no colour matrix (fusion kind None): fuse=True must fall back, not crash
    import omniaug
    from omniaug_image import ColorJitter

    x = torch.rand(4, 3, 16, 16, generator=torch.Generator().manual_seed(3))
    jitter = ColorJitter(0.2, 0.2, 0.2, 0.05)  # hue_mode="hsv"
    out, params = omniaug.Compose([jitter], fuse=True).augment(x, generator=omniaug.rng.make_generator(1))
    assert torch.equal(out, jitter(x, params=params["0"]))
    assert not torch.allclose(out, x)


def _geo_color_ops() -> list:
    from omniaug_image.ops.photometric import Brightness, Contrast, Hue, Saturation

    return [
        HorizontalFlip(p=0.5),
        Affine(degrees=30, translate=[0.1, 0.1], scale=[0.8, 1.2]),
        Brightness(0.4),
        Contrast(0.4),
        Saturation(0.4),
        Hue(0.1, hue_mode="yiq"),
    ]


def _two_pass(x, ops, params):
    """The geometric run and the colour run as two separately fused Composes, replaying ``params``."""
    from omniaug import Params

    geo = Compose(ops[:2], fuse=True).apply(x, Params({"0": params["0"], "1": params["1"]}))
    color = Params({str(i - 2): params[str(i)] for i in range(2, 6)})
    return Compose(ops[2:], fuse=True).apply(geo, color)


def test_geometric_then_color_runs_as_one_chained_kernel(monkeypatch) -> None:
    import omniaug_image.fusion as fusion_module

    calls = []
    chained = fusion_module.apply_geometric_then_color
    monkeypatch.setitem(
        registry().fusion("image.geometric").chain, "image.color", lambda *a: (calls.append(1), chained(*a))[1]
    )
    x = torch.rand(14, 3, 224, 224, generator=torch.Generator().manual_seed(5))  # several warp chunks
    before = x.clone()
    ops = _geo_color_ops()
    out, params = Compose(ops, fuse=True).augment(x, generator=make_generator(8))
    assert calls == [1]
    torch.testing.assert_close(out, _two_pass(x, ops, params), rtol=0, atol=1e-5)
    assert torch.equal(x, before)
    # single image and uint8 (the two-pass chain rounds after the warp too: within a grey level)
    one, p1 = Compose(ops, fuse=True).augment(x[0], generator=make_generator(9))
    torch.testing.assert_close(one, _two_pass(x[:1], ops, p1)[0], rtol=0, atol=1e-5)
    color_only = Compose(ops[2:], fuse=True)  # a single image through the colour kind alone
    c1, pc = color_only.augment(x[0], generator=make_generator(12))
    assert c1.shape == x[0].shape
    torch.testing.assert_close(c1, color_only.apply(x[:1], pc)[0], rtol=0, atol=1e-6)
    x8 = (x * 255).to(torch.uint8)
    out8, p8 = Compose(ops, fuse=True).augment(x8, generator=make_generator(10))
    ref8 = _two_pass(x8, ops, p8)
    assert out8.dtype == torch.uint8 and int((out8.int() - ref8.int()).abs().max()) <= 1


def test_chained_kernel_keeps_targets_aligned() -> None:
    batch = example_image_batch(6, generator=make_generator(0), size=48)
    ops = _geo_color_ops()
    out, params = Compose(ops, fuse=True).augment(batch, generator=make_generator(11))
    ref = _two_pass(batch, ops, params)
    torch.testing.assert_close(out.image, ref.image, rtol=0, atol=1e-5)
    assert torch.equal(out.mask, ref.mask)
    torch.testing.assert_close(out.boxes, ref.boxes)
    assert torch.equal(out.box_valid, ref.box_valid)
    torch.testing.assert_close(out.keypoints, ref.keypoints)
