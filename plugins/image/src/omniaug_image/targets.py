"""Targets that travel with the image: masks, padded boxes and keypoints, all vectorized.

Geometric ops call :func:`warp_payload` (homographies) or :func:`warp_payload_by_grid`
(free-form grids such as elastic distortion). Either returns the same payload type
it was given: a plain tensor stays a tensor, an :class:`ImageBatch` gets its image
resampled, its mask resampled with nearest-neighbour on the same grid, and its
boxes and keypoints mapped through the same transform.

Boxes are padded ``(B, N, 4)`` with a ``(B, N)`` validity mask, so transforming,
clipping and dropping boxes is one tensor expression over the whole batch.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from omniaug import InputError

from . import _box_resample as BR
from . import functional_geometric as FG
from .modality import ImageBatch, Mask, carry_range_check

__all__ = [
    "MIN_BOX_SIZE",
    "transform_points",
    "transform_boxes",
    "transform_keypoints",
    "finish_boxes",
    "sample_mask",
    "warp_payload",
    "resample_box_payload",
    "warp_payload_by_grid",
    "points_through_grid",
]

#: boxes whose clipped width or height (pixels) falls below this are dropped
MIN_BOX_SIZE = 1.0


def transform_points(points: torch.Tensor, matrices: torch.Tensor) -> torch.Tensor:
    """Map continuous-coordinate points ``(B, K, 2)`` through forward index-coordinate matrices ``(B, 3, 3)``."""
    p = points.to(matrices.dtype) - 0.5
    homo = torch.cat([p, torch.ones_like(p[..., :1])], dim=-1)  # (B, K, 3)
    out = FG.matmul3(homo, matrices.transpose(1, 2))  # (B, K, 3) · (B, 3, 3)
    xy = out[..., :2] / out[..., 2:3]
    return (xy + 0.5).to(points.dtype)


def finish_boxes(
    boxes: torch.Tensor,
    valid: torch.Tensor,
    labels: torch.Tensor | None,
    out_size: tuple[int, int],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Clip boxes to the image and drop degenerate ones (coordinates zeroed, label ``-1``)."""
    h, w = out_size
    x1 = boxes[..., 0].clamp(0.0, float(w))
    y1 = boxes[..., 1].clamp(0.0, float(h))
    x2 = boxes[..., 2].clamp(0.0, float(w))
    y2 = boxes[..., 3].clamp(0.0, float(h))
    clipped = torch.stack([x1, y1, x2, y2], dim=-1)
    keep = valid & ((x2 - x1) >= MIN_BOX_SIZE) & ((y2 - y1) >= MIN_BOX_SIZE) & torch.isfinite(clipped).all(-1)
    clipped = torch.where(keep.unsqueeze(-1), clipped, torch.zeros_like(clipped))
    if labels is not None:
        labels = torch.where(keep, labels, torch.full_like(labels, -1))
    return clipped, keep, labels


def transform_boxes(
    boxes: torch.Tensor,
    valid: torch.Tensor,
    labels: torch.Tensor | None,
    matrices: torch.Tensor,
    out_size: tuple[int, int],
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Warp xyxy boxes by their 4 corners, take the enclosing box, clip and drop degenerate ones."""
    x1, y1, x2, y2 = boxes.unbind(-1)
    corners = torch.stack(
        [torch.stack([x1, y1], -1), torch.stack([x2, y1], -1), torch.stack([x2, y2], -1), torch.stack([x1, y2], -1)],
        dim=2,
    )  # (B, N, 4, 2)
    b, n = boxes.shape[:2]
    moved = transform_points(corners.reshape(b, n * 4, 2), matrices).reshape(b, n, 4, 2)
    enclosing = torch.cat([moved.amin(dim=2), moved.amax(dim=2)], dim=-1)
    return finish_boxes(enclosing, valid, labels, out_size)


def transform_keypoints(
    keypoints: torch.Tensor, visible: torch.Tensor, matrices: torch.Tensor, out_size: tuple[int, int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """Warp keypoints; those landing outside the output become invisible (coordinates kept)."""
    moved = transform_points(keypoints, matrices)
    return moved, visible & _inside(moved, out_size)


def _inside(points: torch.Tensor, out_size: tuple[int, int]) -> torch.Tensor:
    h, w = out_size
    x, y = points[..., 0], points[..., 1]
    return (x >= 0) & (x < w) & (y >= 0) & (y < h)


def sample_mask(mask: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """Resample masks ``(B, H, W)`` or ``(B, M, H, W)`` with nearest-neighbour; outside → 0. Keeps dtype.

    Label values are carried through float32, exact for integers below 2**24.
    """
    squeeze = mask.dim() == 3
    m = mask.unsqueeze(1) if squeeze else mask
    work = m.to(torch.float32)
    out = F.grid_sample(work, grid.to(torch.float32), mode="nearest", padding_mode="zeros", align_corners=False)
    if mask.dtype == torch.bool:
        out = out > 0.5
    elif not mask.is_floating_point():
        out = out.round().to(mask.dtype)
    else:
        out = out.to(mask.dtype)
    return out.squeeze(1) if squeeze else out


def _move_targets(x: ImageBatch, matrices: torch.Tensor, out_size: tuple[int, int]) -> dict[str, Any]:
    x = x.with_defaults()
    changes: dict[str, Any] = {}
    if x.boxes is not None:
        assert x.box_valid is not None
        changes["boxes"], changes["box_valid"], changes["box_labels"] = transform_boxes(
            x.boxes, x.box_valid, x.box_labels, matrices, out_size
        )
    if x.keypoints is not None:
        assert x.keypoint_visible is not None
        changes["keypoints"], changes["keypoint_visible"] = transform_keypoints(
            x.keypoints, x.keypoint_visible, matrices, out_size
        )
    return changes


def warp_payload(
    x: torch.Tensor | ImageBatch,
    matrices: torch.Tensor,
    out_size: tuple[int, int] | None = None,
    *,
    mode: str = "bilinear",
    fill: FG.FillValue | None = 0.0,
    affine: bool | None = None,
    grid: torch.Tensor | None = None,
    post: FG.PostStage | None = None,
) -> torch.Tensor | ImageBatch:
    """Warp an image payload by forward matrices ``(B, 3, 3)``: image, mask, boxes and keypoints.

    ``grid`` overrides the sampling grid of image and mask (e.g. a clamped crop grid)
    while targets still follow ``matrices``. ``post`` (not with ``grid``) receives
    each chunk of the warped image before any rounding, in float and the image's
    own units, and writes the chunk's final pixels (see :func:`FG.warp_chunked`).
    A :class:`Mask` payload is resampled alone, with nearest-neighbour (``mode``,
    ``fill`` and ``post`` are the image's and do not apply to it).
    """
    if isinstance(x, Mask):
        t = x.tensor
        msize = out_size if out_size is not None else (int(t.shape[-2]), int(t.shape[-1]))
        if grid is not None:
            return Mask(sample_mask(t, grid))
        return Mask(FG.warp_chunked([(t, sample_mask)], matrices, msize, affine=affine)[0])
    img = x.image if isinstance(x, ImageBatch) else x
    h, w = img.shape[-2:]
    size = out_size if out_size is not None else (h, w)

    def sample_img(t: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
        if post is not None:  # the post stage rounds / casts once, at its end
            return FG.sample_image_float(t, g, mode=mode, fill=fill)
        return FG.sample_image(t, g, mode=mode, fill=fill)

    mask = x.mask if isinstance(x, ImageBatch) else None
    sources: list[tuple[torch.Tensor, Any]] = [(img, sample_img)]
    if mask is not None:
        sources.append((mask, sample_mask))
    if grid is None:
        warped = FG.warp_chunked(sources, matrices, size, affine=affine, post=post)
    else:
        if post is not None:
            raise InputError("post", "no post stage together with an explicit grid", post, where="warp_payload")
        warped = [sample(t, grid) for t, sample in sources]
    # bilinear/nearest outputs are convex combinations of input pixels and the fill
    out_img = carry_range_check(img, warped[0])
    if not isinstance(x, ImageBatch):
        return out_img
    changes = _move_targets(x, matrices, size)
    if mask is not None:
        changes["mask"] = warped[1]
    return x.replace(image=out_img, **changes)


def resample_box_payload(
    x: torch.Tensor | ImageBatch | Mask,
    boxes: torch.Tensor,
    matrices: torch.Tensor,
    out_size: tuple[int, int],
    *,
    mode: str = "bilinear",
    fill: FG.FillValue | None = 0.0,
) -> torch.Tensor | ImageBatch | Mask:
    """:func:`warp_payload` with ``grid=FG.crop_box_grid(boxes, out_size, …)``, by the separable kernel.

    Image and mask are resized box by box with :mod:`omniaug_image._box_resample`
    (the image for :func:`omniaug_image._box_resample.supports` inputs only — the
    caller checks); boxes and keypoints follow ``matrices`` exactly as in
    :func:`warp_payload`.
    """
    if isinstance(x, Mask):
        return Mask(BR.resample_mask(x.tensor, boxes, out_size))
    img = x.image if isinstance(x, ImageBatch) else x
    out_img = carry_range_check(img, BR.resample_image(img, boxes, out_size, mode=mode, fill=fill))
    if not isinstance(x, ImageBatch):
        return out_img
    changes = _move_targets(x, matrices, out_size)
    if x.mask is not None:
        changes["mask"] = BR.resample_mask(x.mask, boxes, out_size)
    return x.replace(image=out_img, **changes)


def points_through_grid(
    points: torch.Tensor, grid: torch.Tensor, in_size: tuple[int, int], iterations: int = 12
) -> torch.Tensor:
    """Forward-map continuous points through a backward sampling ``grid`` ``(B, Ho, Wo, 2)``.

    A grid tells, for every output pixel, where it reads the input; a point ``p`` of
    the input lands at the output ``q`` with ``grid(q) = p``. Solved by the
    fixed-point iteration ``q ← q + (p - grid(q))`` (exact for translations,
    converging fast for the smooth, small displacements of elastic distortion),
    with ``grid(q)`` read by bilinear interpolation of the grid itself.
    """
    h, w = in_size
    ho, wo = grid.shape[1:3]
    scale_in = torch.tensor([w, h], dtype=torch.float32, device=points.device)
    scale_out = torch.tensor([wo, ho], dtype=torch.float32, device=points.device)
    target = points.to(torch.float32) / scale_in * 2.0 - 1.0  # normalized input coords
    field = grid.to(torch.float32).permute(0, 3, 1, 2)  # (B, 2, Ho, Wo)
    q = target * 1.0  # start at the same normalized position of the output
    for _ in range(iterations):  # fixed iterations of a vectorized solve, not a loop over samples
        at_q = F.grid_sample(field, q.unsqueeze(1), mode="bilinear", padding_mode="border", align_corners=False)
        at_q = at_q.squeeze(2).transpose(1, 2)  # (B, K, 2)
        q = q + (target - at_q)
    return ((q + 1.0) * 0.5 * scale_out).to(points.dtype)


def _perimeter_points(boxes: torch.Tensor, per_side: int = 8) -> torch.Tensor:
    x1, y1, x2, y2 = (v.unsqueeze(-1) for v in boxes.unbind(-1))
    t = torch.linspace(0.0, 1.0, per_side, device=boxes.device, dtype=boxes.dtype)
    xs = x1 + (x2 - x1) * t
    ys = y1 + (y2 - y1) * t
    top = torch.stack([xs, y1.expand_as(xs)], -1)
    bottom = torch.stack([xs, y2.expand_as(xs)], -1)
    left = torch.stack([x1.expand_as(ys), ys], -1)
    right = torch.stack([x2.expand_as(ys), ys], -1)
    return torch.cat([top, bottom, left, right], dim=-2)  # (B, N, 4·per_side, 2)


def warp_payload_by_grid(
    x: torch.Tensor | ImageBatch, grid: torch.Tensor, *, mode: str = "bilinear", fill: FG.FillValue | None = 0.0
) -> torch.Tensor | ImageBatch:
    """Warp an image payload by a free-form backward grid (e.g. elastic distortion).

    Boxes are moved by points sampled along their perimeter (a curved edge has
    no 4-corner rule), keypoints by :func:`points_through_grid`. A :class:`Mask` is
    resampled with nearest-neighbour.
    """
    if isinstance(x, Mask):
        return Mask(sample_mask(x.tensor, grid))
    img = x.image if isinstance(x, ImageBatch) else x
    out_img = FG.sample_image(img, grid, mode=mode, fill=fill)
    if not isinstance(x, ImageBatch):
        return out_img
    h, w = img.shape[-2:]
    size = (int(grid.shape[1]), int(grid.shape[2]))
    x = x.with_defaults()
    changes: dict[str, Any] = {"image": out_img}
    if x.mask is not None:
        changes["mask"] = sample_mask(x.mask, grid)
    if x.boxes is not None:
        assert x.box_valid is not None
        b = x.boxes.shape[0]
        pts = _perimeter_points(x.boxes)
        moved = points_through_grid(pts.reshape(b, -1, 2), grid, (h, w)).reshape(pts.shape)
        enclosing = torch.cat([moved.amin(dim=2), moved.amax(dim=2)], dim=-1)
        changes["boxes"], changes["box_valid"], changes["box_labels"] = finish_boxes(
            enclosing, x.box_valid, x.box_labels, size
        )
    if x.keypoints is not None:
        assert x.keypoint_visible is not None
        moved = points_through_grid(x.keypoints, grid, (h, w))
        changes["keypoints"] = moved
        changes["keypoint_visible"] = x.keypoint_visible & _inside(moved, size)
    return x.replace(**changes)
