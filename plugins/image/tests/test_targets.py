"""Targets move with the image: masks, boxes and keypoints checked against the warped pixels."""

from __future__ import annotations

import pytest
import torch

from omniaug.rng import make_generator
from omniaug_image import ImageBatch
from omniaug_image.ops.geometric import (
    Affine,
    CropAndPad,
    Dihedral,
    ElasticTransform,
    HorizontalFlip,
    Perspective,
    RandomResizedCrop,
    Rot90,
    VerticalFlip,
)
from omniaug_image.targets import MIN_BOX_SIZE

H, W = 48, 64


def rect_batch(b: int = 6) -> ImageBatch:
    """One filled rectangle per sample: as image, as label mask and as box; a keypoint at its centre."""
    g = torch.Generator().manual_seed(0)
    x1 = torch.randint(12, 24, (b,), generator=g).float()
    y1 = torch.randint(10, 18, (b,), generator=g).float()
    x2 = x1 + torch.randint(10, 20, (b,), generator=g).float()
    y2 = y1 + torch.randint(8, 16, (b,), generator=g).float()
    boxes = torch.stack([x1, y1, x2, y2], 1).unsqueeze(1)  # (B, 1, 4)
    ys = torch.arange(H).view(1, H, 1) + 0.5
    xs = torch.arange(W).view(1, 1, W) + 0.5
    inside = (xs >= x1.view(-1, 1, 1)) & (xs < x2.view(-1, 1, 1)) & (ys >= y1.view(-1, 1, 1)) & (ys < y2.view(-1, 1, 1))
    image = inside.float().unsqueeze(1).expand(b, 3, H, W).contiguous()
    kp = torch.stack([(x1 + x2) / 2, (y1 + y2) / 2], 1).unsqueeze(1)  # (B, 1, 2)
    return ImageBatch(
        image,
        mask=inside.long() * 7,
        boxes=boxes,
        box_labels=torch.full((b, 1), 3),
        box_valid=torch.ones(b, 1, dtype=torch.bool),
        keypoints=kp,
        keypoint_visible=torch.ones(b, 1, dtype=torch.bool),
    )


def mask_bbox(mask: torch.Tensor) -> torch.Tensor:
    """Bounding box (continuous xyxy) of the non-zero pixels of each ``(B, H, W)`` mask."""
    out = []
    for m in mask:
        ys, xs = torch.nonzero(m, as_tuple=True)
        out.append(torch.tensor([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=torch.float32))
    return torch.stack(out)


OPS = [
    HorizontalFlip(p=1.0),
    VerticalFlip(p=1.0),
    Affine(degrees=25, translate=[0.05, 0.05], scale=[0.9, 1.1], shear=8),
    Perspective(distortion_scale=0.3),
    RandomResizedCrop(scale=[0.5, 1.0]),
    CropAndPad(amount=[-0.1, 0.1]),
]


@pytest.mark.parametrize("op", OPS, ids=lambda o: o.name)
def test_warped_mask_bbox_matches_warped_box(op) -> None:  # type: ignore[no-untyped-def]
    x = rect_batch()
    out = op(x, generator=make_generator(1))
    valid = out.box_valid[:, 0]
    assert bool(valid.all())  # the rectangles stay inside with these ranges
    got = mask_bbox(out.mask)
    # the box encloses the warped rectangle; pixel quantisation of the mask costs up to ~1.5 px
    torch.testing.assert_close(out.boxes[:, 0], got, atol=1.6, rtol=0)
    assert bool((out.mask[out.mask != 0] == 7).all())  # labels survive nearest sampling


@pytest.mark.parametrize("op", [*OPS, ElasticTransform(displacement=20.0, sigma=6.0)], ids=lambda o: o.name)
def test_keypoint_lands_on_the_warped_pixel(op) -> None:  # type: ignore[no-untyped-def]
    # a Gaussian blob at each keypoint; after warping, the blob's peak is where the keypoint went
    b = 6
    g = torch.Generator().manual_seed(3)
    kp = torch.stack([torch.rand(b, generator=g) * 24 + 20, torch.rand(b, generator=g) * 16 + 16], 1).unsqueeze(1)
    ys = torch.arange(H).view(1, H, 1) + 0.5
    xs = torch.arange(W).view(1, 1, W) + 0.5
    blob = torch.exp(-((xs - kp[:, :, 0:1]) ** 2 + (ys - kp[:, :, 1:2]) ** 2) / (2 * 2.0**2))
    x = ImageBatch(blob.unsqueeze(1).expand(b, 1, H, W).contiguous().squeeze(1).unsqueeze(1), keypoints=kp)
    out = op(x, generator=make_generator(2))
    img = out.image[:, 0]
    flat = img.flatten(1)
    w_ = img.shape[-1]
    # weighted centroid around the peak (sub-pixel)
    peak = flat.argmax(1)
    py, px = (peak // w_).float() + 0.5, (peak % w_).float() + 0.5
    near = ((xs - px.view(-1, 1, 1)) ** 2 + (ys[:, : img.shape[1]] - py.view(-1, 1, 1)) ** 2) <= 16
    wts = img * near
    cx = (wts * xs[..., :w_]).sum((1, 2)) / wts.sum((1, 2))
    cy = (wts * ys[:, : img.shape[1]]).sum((1, 2)) / wts.sum((1, 2))
    got = torch.stack([cx, cy], 1)
    moved = out.keypoints[:, 0]
    h_, inside = img.shape[1], out.keypoint_visible[:, 0]
    # visible ⇔ on the output canvas; a random crop may leave a keypoint out, the other ops keep all
    on_canvas = (moved[:, 0] >= 0) & (moved[:, 0] < w_) & (moved[:, 1] >= 0) & (moved[:, 1] < h_)
    assert torch.equal(inside, on_canvas)
    # compare where the blob is whole (≥ 3 px from every edge: a cut blob biases the centroid)
    whole = (moved[:, 0] >= 3) & (moved[:, 0] <= w_ - 3) & (moved[:, 1] >= 3) & (moved[:, 1] <= h_ - 3)
    assert int(whole.sum()) >= 3, "too few keypoints left on the canvas to compare"
    torch.testing.assert_close(moved[whole], got[whole], atol=1.0, rtol=0)


def test_flip_moves_points_exactly() -> None:
    x = rect_batch(3)
    out = HorizontalFlip(p=1.0)(x, generator=make_generator(0))
    assert torch.equal(out.keypoints[..., 0], W - x.keypoints[..., 0])
    assert torch.equal(out.boxes[..., 0], W - x.boxes[..., 2])
    assert torch.equal(out.mask, x.mask.flip(-1))


def test_dihedral_moves_targets_like_the_pixels() -> None:
    x = rect_batch(16)
    sq = ImageBatch(
        x.image[..., :, :H],
        mask=x.mask[..., :H],
        boxes=x.boxes.clamp(max=float(H)),
        box_labels=x.box_labels,
        box_valid=x.box_valid,
    )
    out = Dihedral()(sq, generator=make_generator(4))
    torch.testing.assert_close(out.boxes[:, 0], mask_bbox(out.mask), atol=1e-5, rtol=0)
    out = Rot90()(sq, generator=make_generator(5))
    torch.testing.assert_close(out.boxes[:, 0], mask_bbox(out.mask), atol=1e-5, rtol=0)


def test_boxes_are_clipped_and_degenerate_boxes_dropped_with_labels() -> None:
    boxes = torch.tensor([[[10.0, 10.0, 30.0, 30.0], [60.0, 5.0, 63.9, 9.0], [0.0, 0.0, 5.0, 5.0]]])
    x = ImageBatch(
        torch.rand(1, 3, H, W),
        boxes=boxes,
        box_labels=torch.tensor([[1, 2, 3]]),
        box_valid=torch.tensor([[True, True, False]]),
    )
    # translate right by 5 px: box 0 moves, box 1 leaves the image (dropped), box 2 stays padding
    op = Affine(degrees=0, translate=[5 / W, 0.0], scale=[1.0, 1.0])
    params = op.sample_params(x, generator=make_generator(0))
    params["translate"] = torch.tensor([[5 / W, 0.0]])
    out = op(x, params=params)
    torch.testing.assert_close(out.boxes[0, 0], torch.tensor([15.0, 10.0, 35.0, 30.0]), atol=1e-4, rtol=0)
    assert out.box_valid.tolist() == [[True, False, False]]
    assert out.box_labels.tolist() == [[1, -1, -1]]
    assert torch.equal(out.boxes[0, 1], torch.zeros(4))
    # a box partly outside is clipped, not dropped
    params["translate"] = torch.tensor([[-12 / W, 0.0]])
    out = op(x, params=params)
    torch.testing.assert_close(out.boxes[0, 0], torch.tensor([0.0, 10.0, 18.0, 30.0]), atol=1e-4, rtol=0)
    assert MIN_BOX_SIZE > 0


def test_keypoints_leaving_the_image_become_invisible() -> None:
    kp = torch.tensor([[[2.0, 20.0], [40.0, 20.0]]])
    x = ImageBatch(torch.rand(1, 3, H, W), keypoints=kp)
    op = Affine(degrees=0, translate=[0.1, 0.0], scale=[1.0, 1.0])
    params = op.sample_params(x, generator=make_generator(0))
    params["translate"] = torch.tensor([[-5 / W, 0.0]])
    out = op(x, params=params)
    assert out.keypoint_visible.tolist() == [[False, True]]
    torch.testing.assert_close(out.keypoints, kp - torch.tensor([5.0, 0.0]), atol=1e-4, rtol=0)


def test_unapplied_samples_keep_their_targets() -> None:
    x = rect_batch(8)
    out, params = Affine(p=0.5).augment(x, generator=make_generator(6))
    off = ~params["apply"]
    assert bool(off.any()) and bool(params["apply"].any())
    assert torch.equal(out.boxes[off], x.boxes[off])
    assert torch.equal(out.mask[off], x.mask[off])
    assert torch.equal(out.keypoints[off], x.keypoints[off])


def test_replay_on_an_aligned_mask_only_payload() -> None:
    # params drawn on the image batch replay on a second, aligned payload (e.g. a depth map)
    x = rect_batch(4)
    op = Perspective()
    out, params = op.augment(x, generator=make_generator(7))
    depth = op(x.image[:, :1], params=params)
    torch.testing.assert_close(depth, out.image[:, :1])


def test_multi_channel_and_bool_masks_keep_dtype() -> None:
    x = rect_batch(2)
    for mask in (x.mask.bool(), x.mask.unsqueeze(1).expand(2, 3, H, W).contiguous(), x.mask.float()):
        out = Affine()(ImageBatch(x.image, mask=mask), generator=make_generator(8))
        assert out.mask.dtype == mask.dtype and out.mask.shape == mask.shape


def test_partial_application_fills_missing_validity_masks_for_the_whole_batch() -> None:
    from omniaug import OneOf

    x = ImageBatch(
        torch.rand(6, 3, 16, 16),
        boxes=torch.tensor([[2.0, 2.0, 10.0, 10.0]]).expand(6, 1, 4).contiguous(),
        keypoints=torch.full((6, 1, 2), 8.0),
    )  # no box_valid / keypoint_visible given
    for pipe in (Affine(p=0.5), OneOf([HorizontalFlip(p=1.0), VerticalFlip(p=1.0)])):
        out = pipe(x, generator=make_generator(1))
        assert out.box_valid.shape == (6, 1) and out.keypoint_visible.shape == (6, 1)
        assert bool(out.box_valid.all()) and bool(out.keypoint_visible.all())
