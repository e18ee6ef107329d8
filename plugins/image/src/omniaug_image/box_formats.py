"""Per-image box lists in the usual formats, in and out of :class:`ImageBatch` — no hand padding.

Detection data comes as one list of boxes per image, in one of four layouts:

=========  ==============================================  ==========================
format     one box                                         as in
=========  ==============================================  ==========================
``xyxy``   ``x_min, y_min, x_max, y_max`` (pixels)          omniaug, torchvision
``voc``    ``x_min, y_min, x_max, y_max`` (pixels)          albumentations' ``pascal_voc``
``coco``   ``x_min, y_min, width, height`` (pixels)         COCO json ``bbox``
``yolo``   ``x_center, y_center, width, height`` / image    YOLO label files
=========  ==============================================  ==========================

Pixel coordinates are continuous: pixel ``(row i, column j)`` covers ``[j, j+1] × [i, i+1]``,
so a box over the whole ``W × H`` image is ``0, 0, W, H``. (Pascal VOC's XML files count
pixels from 1 and include the last one: subtract 1 from their ``xmin``/``ymin`` to get
``voc`` here.) ``yolo`` is relative to each image's own size.

:func:`with_boxes` pads the lists into ``ImageBatch.boxes`` ``(B, N, 4)`` (``xyxy``) with
``box_labels`` and ``box_valid``; :func:`box_lists` gives back, per image, the boxes an op
kept (dropped and padding rows removed) in any of the formats.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from omniaug import InputError, args

from .modality import ImageBatch

__all__ = ["BOX_FORMATS", "to_xyxy", "from_xyxy", "with_boxes", "box_lists"]

BOX_FORMATS = ("xyxy", "voc", "coco", "yolo")


def _size(image_size: Any, boxes: torch.Tensor) -> torch.Tensor:
    """``(…, 2)`` as ``(W, H)`` broadcastable against ``boxes[..., :2]``."""
    size = torch.as_tensor(image_size, dtype=boxes.dtype, device=boxes.device)
    if size.shape[-1] != 2:
        raise InputError("image_size", "(H, W) per image or for all", image_size, where="image boxes")
    return size.flip(-1)


def to_xyxy(boxes: torch.Tensor, fmt: str, image_size: Any = None) -> torch.Tensor:
    """Boxes ``(…, 4)`` in ``fmt`` → ``xyxy`` pixels (``image_size`` ``(H, W)`` needed for ``yolo``)."""
    args.choice("format", fmt, BOX_FORMATS, where="image boxes")
    if fmt in ("xyxy", "voc"):
        return boxes.clone()
    a, b = boxes[..., :2], boxes[..., 2:]
    if fmt == "coco":
        return torch.cat([a, a + b], dim=-1)
    if image_size is None:
        raise InputError("image_size", "the image size (H, W) for yolo boxes", None, where="image boxes")
    wh = _size(image_size, boxes)
    centre, extent = a * wh, b * wh
    return torch.cat([centre - extent / 2, centre + extent / 2], dim=-1)


def from_xyxy(boxes: torch.Tensor, fmt: str, image_size: Any = None) -> torch.Tensor:
    """``xyxy`` pixel boxes ``(…, 4)`` → ``fmt`` (``image_size`` ``(H, W)`` needed for ``yolo``)."""
    args.choice("format", fmt, BOX_FORMATS, where="image boxes")
    if fmt in ("xyxy", "voc"):
        return boxes.clone()
    a, b = boxes[..., :2], boxes[..., 2:]
    if fmt == "coco":
        return torch.cat([a, b - a], dim=-1)
    if image_size is None:
        raise InputError("image_size", "the image size (H, W) for yolo boxes", None, where="image boxes")
    wh = _size(image_size, boxes)
    return torch.cat([(a + b) / 2 / wh, (b - a) / wh], dim=-1)


def _as_rows(value: Any, i: int, width: int | None, what: str) -> torch.Tensor:
    t = torch.as_tensor(value, dtype=torch.float32 if width else torch.long)
    if width:
        t = t.reshape(-1, width) if t.numel() == 0 else t
        if t.dim() != 2 or t.shape[1] != width or not torch.isfinite(t).all():
            raise InputError(f"{what}[{i}]", f"finite numbers of shape (n, {width})", t, where="image boxes")
    elif t.dim() != 1:
        raise InputError(f"{what}[{i}]", "a 1-D sequence of integer labels", t, where="image boxes")
    return t


def with_boxes(
    images: torch.Tensor | ImageBatch,
    boxes: Sequence[Any],
    labels: Sequence[Any] | None = None,
    *,
    format: str = "xyxy",
) -> ImageBatch:
    """An :class:`ImageBatch` of ``images`` (``(B, C, H, W)``) with one box list per image.

    ``boxes[i]`` is ``(n_i, 4)`` in ``format`` (a tensor, array or nested list; ``n_i`` may be
    0), ``labels[i]`` the ``n_i`` integer labels (default 0). Lists are padded to the
    longest; padding rows have ``box_valid`` False and label ``-1``.
    """
    args.choice("format", format, BOX_FORMATS, where="image boxes")
    image = images.image if isinstance(images, ImageBatch) else images
    if not isinstance(image, torch.Tensor) or image.dim() != 4:
        raise InputError("images", "an image batch (B, C, H, W)", image, where="image boxes")
    b, _, h, w = image.shape
    if len(boxes) != b:
        raise InputError("boxes", f"one box list per image ({b})", f"{len(boxes)} lists", where="image boxes")
    rows = [_as_rows(x, i, 4, "boxes") for i, x in enumerate(boxes)]
    if labels is None:
        labs = [torch.zeros(len(r), dtype=torch.long) for r in rows]
    else:
        if len(labels) != b:
            raise InputError("labels", f"one label list per image ({b})", f"{len(labels)} lists", where="image boxes")
        labs = [_as_rows(x, i, None, "labels") for i, x in enumerate(labels)]
        for i, (r, lab) in enumerate(zip(rows, labs)):
            if len(lab) != len(r):
                raise InputError(f"labels[{i}]", f"{len(r)} labels, one per box", lab, where="image boxes")
    counts = torch.tensor([len(r) for r in rows])
    n = int(counts.max()) if b else 0
    padded = torch.zeros(b, n, 4)
    label_t = torch.full((b, n), -1, dtype=torch.long)
    valid = torch.arange(n).unsqueeze(0) < counts.unsqueeze(1)
    if n:
        padded[valid] = torch.cat(rows)
        label_t[valid] = torch.cat(labs)
    xyxy = to_xyxy(padded, format, (h, w)) * valid.unsqueeze(-1)
    if bool(((xyxy[..., 2:] < xyxy[..., :2]) & valid.unsqueeze(-1)).any()):
        raise InputError("boxes", f"{format} boxes with non-negative width and height", boxes, where="image boxes")
    xyxy = xyxy.to(image.device)
    fields = {"boxes": xyxy, "box_labels": label_t.to(image.device), "box_valid": valid.to(image.device)}
    if isinstance(images, ImageBatch):
        return images.replace(**fields)
    return ImageBatch(image, **fields)


def box_lists(batch: ImageBatch, *, format: str = "xyxy") -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Per image, the boxes an op kept (``(n_i, 4)`` in ``format``) and their labels ``(n_i,)``."""
    args.choice("format", format, BOX_FORMATS, where="image boxes")
    if not isinstance(batch, ImageBatch) or batch.boxes is None:
        raise InputError("batch", "an ImageBatch with boxes", batch, where="image boxes")
    b, n = batch.boxes.shape[:2]
    valid = (
        batch.box_valid
        if batch.box_valid is not None
        else torch.ones(b, n, dtype=torch.bool, device=batch.boxes.device)
    )
    labels = batch.box_labels if batch.box_labels is not None else torch.zeros(b, n, dtype=torch.long)
    h, w = batch.image.shape[-2:]
    converted = from_xyxy(batch.boxes, format, (h, w))
    counts = valid.sum(1).tolist()  # one host sync for the whole batch
    return list(converted[valid].split(counts)), list(labels.to(valid.device)[valid].split(counts))
