"""Replaying an image's params on its label map is safe (issue #20 §2), on real photos.

A :class:`Mask` is warped by geometric ops with nearest-neighbour and left alone by
every other op; a raw label tensor, a ``(B, H, W)`` batch and a channels-last photo
passed where an image is expected are clear ``InputError``s.
"""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F

import omniaug
from omniaug import Compose, InputError
from omniaug.rng import make_generator
from omniaug_image import ImageBatch, Mask
from omniaug_image.ops.geometric import Affine, HorizontalFlip, Rot90
from omniaug_image.ops.photometric import ColorJitter

LABELS = (0, 3)


@pytest.fixture(scope="module")
def photos() -> torch.Tensor:
    """scikit-learn's two sample photos (china, flower), uint8 ``(2, 3, 427, 640)``."""
    from sklearn.datasets import load_sample_images

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return torch.stack([torch.from_numpy(a.copy()).permute(2, 0, 1) for a in load_sample_images().images])


@pytest.fixture(scope="module")
def small(photos: torch.Tensor) -> torch.Tensor:
    """The photos shrunk to ``96 × 96`` (quick to run every registered op on; square for quarter turns)."""
    return (
        F.interpolate(photos.float(), size=(96, 96), mode="bilinear", antialias=True)
        .round()
        .clamp(0, 255)
        .to(torch.uint8)
    )


def label_map(b: int, h: int, w: int) -> torch.Tensor:
    """Labels {0, 3}: an off-centre rectangle and a disc, so warps visibly move them."""
    ys = torch.arange(h).view(h, 1).float()
    xs = torch.arange(w).view(1, w).float()
    inside = ((ys - 0.3 * h) ** 2 + (xs - 0.6 * w) ** 2 < (0.2 * h) ** 2) | (
        (ys > 0.55 * h) & (ys < 0.9 * h) & (xs > 0.1 * w) & (xs < 0.45 * w)
    )
    return (inside.long() * 3).expand(b, h, w).clone()


def pipelines() -> list[tuple[str, Compose]]:
    default = omniaug.registry().preset("image.default").build()
    return [("default fused", default), ("default unfused", Compose(list(default.transforms), fuse=False))]


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8], ids=["float", "uint8"])
@pytest.mark.parametrize("name,pipe", pipelines(), ids=[n for n, _ in pipelines()])
def test_default_replayed_on_a_mask_keeps_the_labels(
    photos: torch.Tensor, name: str, pipe: Compose, dtype: torch.dtype
) -> None:
    x = photos if dtype == torch.uint8 else photos.float() / 255
    seg = label_map(*photos.shape[:1], *photos.shape[-2:])
    out, params = pipe.augment(x, generator=make_generator(0))
    moved = pipe(Mask(seg), params=params)
    assert isinstance(moved, Mask) and moved.tensor.dtype == torch.long and moved.tensor.shape == seg.shape
    assert set(moved.tensor.unique().tolist()) == set(LABELS)
    assert not torch.equal(moved.tensor, seg)  # it was warped, not passed through
    # the same warp as the mask an ImageBatch carries through the same params
    carried = pipe(ImageBatch(x, mask=seg), params=params)
    assert torch.equal(carried.mask, moved.tensor)
    torch.testing.assert_close(carried.image, out)
    # and the same pixels as the image moved: the warped mask's region is where the image is unchanged
    # by the warp — checked through an indicator image warped bilinearly (agrees away from edges)
    indicator = (seg == 3).float().unsqueeze(1).expand(-1, 3, -1, -1).contiguous()
    warped_ind = Compose([t for t in pipe.transforms if getattr(t, "moves_pixels", False)], fuse=pipe.fuse)
    geo_params = omniaug.Params(
        {
            str(i): params[str(k)]
            for i, k in enumerate(k for k, t in enumerate(pipe.transforms) if getattr(t, "moves_pixels", False))
        }
    )
    ind = warped_ind(indicator, params=geo_params)[:, 0]
    sure = (ind - 0.5).abs() > 0.45
    assert torch.equal((ind > 0.5)[sure], (moved.tensor == 3)[sure])


def test_image_batch_mask_through_default_keeps_the_labels(photos: torch.Tensor) -> None:
    seg = label_map(2, *photos.shape[-2:]).to(torch.uint8)
    for name, pipe in pipelines():
        out = pipe(ImageBatch(photos, mask=seg), generator=make_generator(1))
        assert set(out.mask.unique().tolist()) == set(LABELS), name
        assert out.mask.dtype == torch.uint8


def _registered_ops(own: bool = True) -> list[str]:
    """Registered image ops of this plugin (``own``) or of the others (interop wrappers, attacks, ...)."""
    ops = omniaug.registry().augmentations
    return sorted(
        n for n, cls in ops.items() if n.startswith("image.") and cls.__module__.startswith("omniaug_image.") == own
    )


@pytest.mark.parametrize("name", _registered_ops())
def test_every_op_replays_on_a_mask_like_on_the_imagebatch_mask(small: torch.Tensor, name: str) -> None:
    """Geometric ops move the Mask exactly as they move an ImageBatch's mask; all others return it as it is."""
    op = omniaug.registry().augmentation(name)()
    seg = label_map(2, *small.shape[-2:])
    b = ImageBatch(small, mask=seg)
    out, params = op.augment(b, generator=make_generator(2))
    replayed = op(Mask(seg), params=params)
    assert isinstance(replayed, Mask)
    assert torch.equal(replayed.tensor, out.mask), name
    if not getattr(op, "moves_pixels", False):
        assert replayed.tensor is seg, name  # untouched, not even copied
    assert set(replayed.tensor.unique().tolist()) <= set(LABELS)
    # drawing directly on a Mask works too (params from its shape)
    drawn, p2 = op.augment(Mask(seg), generator=make_generator(2))
    assert isinstance(drawn, Mask) and drawn.tensor.shape[0] == 2


def test_ops_of_other_plugins_refuse_a_mask_clearly(small: torch.Tensor) -> None:
    """An image op that does not know about masks (a wrapper, an attack) refuses one instead of recolouring it."""
    seg = label_map(2, *small.shape[-2:])
    names = _registered_ops(own=False)
    for name in names:
        cls = omniaug.registry().augmentation(name)
        try:
            op = cls()
        except Exception:  # wrappers need a peer transform to wrap: nothing to call
            continue
        with pytest.raises(InputError, match="Mask"):
            op(Mask(seg), generator=make_generator(0))


@pytest.mark.parametrize(
    "policy",
    [omniaug.RandAugment("image", n=2, m=9), omniaug.TrivialAugment("image")],
    ids=["core RandAugment", "core TrivialAugment"],
)
def test_core_policies_replay_on_a_mask(small: torch.Tensor, policy: object) -> None:
    seg = label_map(2, *small.shape[-2:])
    out, params = policy.augment(ImageBatch(small, mask=seg), generator=make_generator(3))  # type: ignore[attr-defined]
    replayed = policy(Mask(seg), params=params)  # type: ignore[operator]
    assert torch.equal(replayed.tensor, out.mask)


@pytest.mark.parametrize("name", ["image.randaugment", "image.trivialaugment_wide", "image.autoaugment"])
def test_image_policies_replay_on_a_mask(small: torch.Tensor, name: str) -> None:
    policy = omniaug.registry().preset(name).build()
    seg = label_map(2, *small.shape[-2:])
    out, params = policy.augment(ImageBatch(small, mask=seg), generator=make_generator(4))
    replayed = policy(Mask(seg), params=params)
    assert torch.equal(replayed.tensor, out.mask)
    assert set(replayed.tensor.unique().tolist()) <= set(LABELS)


@pytest.mark.parametrize("name", ["image.augmix", "image.pixmix"])
def test_blending_policies_refuse_a_mask(small: torch.Tensor, name: str) -> None:
    policy = omniaug.registry().preset(name).build()
    tiny = small[..., :32, :32].contiguous()
    seg = label_map(2, 32, 32)
    _, params = policy.augment(tiny, generator=make_generator(5))
    with pytest.raises(InputError, match="blends several augmented views"):
        policy(Mask(seg), params=params)
    with pytest.raises(InputError, match="blends several augmented views"):
        policy(Mask(seg), generator=make_generator(5))


def test_mixers_refuse_a_mask(small: torch.Tensor) -> None:
    cutmix = omniaug.registry().mixer("image.cutmix")(num_classes=3)
    with pytest.raises(InputError, match="Mask"):
        cutmix(Mask(label_map(2, *small.shape[-2:])), torch.tensor([0, 1]), generator=make_generator(0))


def test_mask_kinds_bool_multichannel_and_quarter_turns(small: torch.Tensor) -> None:
    seg = label_map(2, 96, 96)
    square = small
    pipe = Compose([Rot90(), HorizontalFlip(p=1.0), Affine(degrees=20)], fuse=True)
    out, params = pipe.augment(ImageBatch(square, mask=seg), generator=make_generator(6))
    stacked = torch.stack([seg == 3, seg == 0], dim=1)  # (B, M=2, H, W) bool instance masks
    moved = pipe(Mask(stacked), params=params).tensor
    assert moved.dtype == torch.bool and moved.shape == stacked.shape
    assert torch.equal(moved[:, 0], out.mask == 3)
    with pytest.raises(InputError, match="Mask"):
        Mask(seg[0]) and pipe(Mask(seg[0]), params=params)  # one (H, W) mask: batched as m[None]


# ------------------------------------------------------------------ the unsafe calls are refused


def test_raw_label_tensor_replay_is_refused(photos: torch.Tensor) -> None:
    photos = photos[..., ::2, ::2].contiguous()  # half size: the refusals come before any kernel
    seg = label_map(2, *photos.shape[-2:])
    for _name, pipe in pipelines():
        _, params = pipe.augment(photos, generator=make_generator(0))
        for raw in (seg.unsqueeze(1), seg):  # int64 (B, 1, H, W) and (B, H, W)
            with pytest.raises(InputError, match="Mask"):
                pipe(raw, params=params)
        with pytest.raises(InputError, match="Mask"):  # a float label map {0., 3.} is out of range
            pipe(seg.unsqueeze(1).float(), params=params)
    op = ColorJitter(0.4, 0.4, 0.4)
    _, p = op.augment(photos, generator=make_generator(0))
    with pytest.raises(InputError, match="Mask"):
        op(seg.unsqueeze(1), params=p)


def test_b_h_w_tensor_is_a_clear_error_not_a_grid_sampler_crash(photos: torch.Tensor) -> None:
    """A ``(B, H, W)`` float batch replayed with params of B images: named, with the fix."""
    photos = photos[..., ::2, ::2].contiguous()
    grey = photos.float().mean(1) / 255  # (2, H, W) in [0, 1]: would pass as one 2-channel image
    for _name, pipe in [*pipelines(), ("geometric fused", Compose([HorizontalFlip(), Affine()], fuse=True))]:
        _, params = pipe.augment(photos, generator=make_generator(0))
        with pytest.raises(InputError, match=r"\(B, H, W\)"):
            pipe(grey, params=params)
    # without params: more than 4 leading "channels" is taken for a batch
    batch = grey.repeat(4, 1, 1)  # (8, H, W)
    with pytest.raises(InputError, match=r"\(B, H, W\) batch"):
        Affine()(batch, generator=make_generator(0))


@pytest.mark.parametrize("shape", ["hwc", "bhwc", "bhw1"])
def test_channels_last_photo_is_detected(photos: torch.Tensor, shape: str) -> None:
    hwc = photos.permute(0, 2, 3, 1)  # what NumPy / PIL give
    x = {"hwc": hwc[0], "bhwc": hwc, "bhw1": hwc[..., :1]}[shape].float() / 255
    pipe = omniaug.registry().preset("image.default").build()
    with pytest.raises(InputError, match="channels-last"):
        pipe(x, generator=make_generator(0))
    with pytest.raises(InputError, match="channels-last"):
        HorizontalFlip()(x, generator=make_generator(0))


def test_small_channel_first_images_are_not_mistaken_for_channels_last() -> None:
    for shape in [(2, 3, 3, 5), (2, 3, 5, 3), (2, 1, 1, 1), (3, 8, 4), (1, 64, 64), (4, 6, 3)]:
        x = torch.rand(*shape)
        HorizontalFlip()(x, generator=make_generator(0))
