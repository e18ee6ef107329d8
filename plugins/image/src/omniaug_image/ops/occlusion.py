"""Occlusion ops: random erasing / cutout with several holes, and GridMask.

Holes are drawn per sample as tensors (``(B, K, 4)`` rectangles plus an "active"
flag, so samples have different numbers and sizes of holes) and painted with one
coordinate-mask comparison for the whole batch. Boxes of an
:class:`~omniaug_image.ImageBatch` whose every pixel was erased are dropped
(``box_valid`` set to False); masks and keypoints are left as they are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from omniaug import Augmentation, InputError, Magnitude, args, rng
from omniaug.params import Params

from .. import functional_color as FC
from ..modality import ImageAugmentation, ImageBatch, image_of, is_unbatched
from .geometric import check_fill

__all__ = ["OPS", "RandomErasing", "GridMask", "rect_mask", "drop_erased_boxes", "grid_mask"]


def _shape4(x: Any) -> tuple[int, int, int, int]:
    """``(B, C, H, W)`` of a payload (a single ``(C, H, W)`` image counts as a batch of one)."""
    img = image_of(x)
    shape = (1, *img.shape) if is_unbatched(x) else tuple(img.shape)
    return shape  # type: ignore[return-value]


def rect_mask(rects: torch.Tensor, active: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """``(B, 1, H, W)`` bool: pixels inside any active rectangle ``(top, left, bottom, right)`` (end-exclusive)."""
    ys = torch.arange(height, device=rects.device).view(1, 1, height, 1)
    xs = torch.arange(width, device=rects.device).view(1, 1, 1, width)
    r = rects.unsqueeze(-1).unsqueeze(-1)  # (B, K, 4, 1, 1)
    inside = (ys >= r[:, :, 0]) & (ys < r[:, :, 2]) & (xs >= r[:, :, 1]) & (xs < r[:, :, 3])
    inside = inside & active.view(*active.shape, 1, 1)
    return inside.any(dim=1, keepdim=True)


def drop_erased_boxes(x: ImageBatch, erased: torch.Tensor) -> ImageBatch:
    """Mark boxes whose pixels (pixel centres inside the box) are all erased as invalid.

    Erased pixels per box come from a summed-area table of the ``(B, 1, H, W)``
    erase mask: four lookups per box, no loop.
    """
    if x.boxes is None:
        return x
    x = x.with_defaults()
    b, _, h, w = erased.shape
    sat = torch.zeros(b, h + 1, w + 1, dtype=torch.float64, device=erased.device)
    sat[:, 1:, 1:] = erased[:, 0].to(torch.float64).cumsum(1).cumsum(2)
    boxes = x.boxes.to(torch.float64)
    # pixels whose centre (j + 0.5, i + 0.5) lies in [x1, x2] × [y1, y2]
    j0 = torch.ceil(boxes[..., 0] - 0.5).clamp(0, w).long()
    j1 = (torch.floor(boxes[..., 2] - 0.5) + 1).clamp(0, w).long()
    i0 = torch.ceil(boxes[..., 1] - 0.5).clamp(0, h).long()
    i1 = (torch.floor(boxes[..., 3] - 0.5) + 1).clamp(0, h).long()
    i1, j1 = torch.maximum(i1, i0), torch.maximum(j1, j0)
    flat = sat.reshape(b, -1)

    def at(i: torch.Tensor, j: torch.Tensor) -> torch.Tensor:
        return flat.gather(1, i * (w + 1) + j)

    count = at(i1, j1) - at(i0, j1) - at(i1, j0) + at(i0, j0)
    area = ((i1 - i0) * (j1 - j0)).to(torch.float64)
    fully = (area > 0) & (count >= area)
    assert x.box_valid is not None
    return x.replace(box_valid=x.box_valid & ~fully)


def _fill_value(fill: Any, where: str) -> float | list[float] | str:
    """An erasing fill: an image fill constant (:func:`check_fill`) or ``"random"``."""
    return "random" if fill == "random" else check_fill(fill, where)


def _paint(
    img: torch.Tensor, mask: torch.Tensor, value: float | list[float] | str, noise: torch.Tensor | None
) -> torch.Tensor:
    """Fill ``mask`` (``(B, 1, H, W)``) with ``value`` (given on the [0, 1] scale) or per-pixel ``noise``."""
    if value == "random":
        assert noise is not None
        fill = FC.from_float(noise, img.dtype) if not img.is_floating_point() else noise.to(img.dtype)
    else:
        v = torch.tensor(value, dtype=torch.float32, device=img.device).reshape(1, -1, 1, 1)
        if v.shape[1] not in (1, img.shape[1]):
            raise InputError("fill", f"1 or {img.shape[1]} per-channel values", value, where="occlusion")
        fill = (v if img.is_floating_point() else (v * 255.0).round()).to(img.dtype)
    return torch.where(mask, fill, img)


class RandomErasing(ImageAugmentation):
    """Erase 1 to ``max_holes`` rectangles per sample (random erasing / cutout).

    Each hole covers a fraction of the image area uniform in ``scale`` with an
    aspect ratio log-uniform in ``ratio`` (torchvision's ``RandomErasing``
    parametrization); a hole larger than the image is clipped to it instead of being
    redrawn, and its top-left corner is uniform among positions where it fits.
    ``fill`` is a grey level, a per-channel colour (on the [0, 1] scale) or
    ``"random"`` (uniform noise per pixel, kept in the params for replay).
    """

    moves_pixels = False  # a Mask (label map) is returned unchanged

    name = "image.random_erasing"
    differentiable = True
    magnitude = Magnitude("scale", (0.0, 0.0), (0.02, 0.33))

    def __init__(
        self,
        scale: tuple[float, float] | list[float] = (0.02, 0.33),
        ratio: tuple[float, float] | list[float] = (0.3, 3.3),
        max_holes: int = 1,
        fill: float | list[float] | str = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        where = "RandomErasing"
        self.scale = args.value_range("scale", scale, bounds=(0.0, 1.0), scalar="fixed", where=where)
        self.ratio = args.value_range("ratio", ratio, bounds=(1e-6, math.inf), scalar="fixed", where=where)
        self.max_holes = args.integer("max_holes", max_holes, low=1, where=where)
        self.fill = _fill_value(fill, where)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        _, c, h, w = _shape4(x)
        k = self.max_holes
        kw: dict[str, Any] = {"generator": generator, "device": device}
        area = rng.uniform(batch_size, self.scale[0], self.scale[1], shape=(k,), **kw) * (h * w)
        log_r = rng.uniform(batch_size, math.log(self.ratio[0]), math.log(self.ratio[1]), shape=(k,), **kw)
        r = torch.exp(log_r)
        hh = torch.sqrt(area * r).round().clamp(0, h).long()
        ww = torch.sqrt(area / r).round().clamp(0, w).long()
        top = rng.randint(batch_size * k, 0, (h - hh + 1).reshape(-1), **kw).reshape(batch_size, k)
        left = rng.randint(batch_size * k, 0, (w - ww + 1).reshape(-1), **kw).reshape(batch_size, k)
        count = rng.randint(batch_size, 1, k + 1, **kw)
        params: dict[str, Any] = {
            "holes": torch.stack([top, left, top + hh, left + ww], dim=-1),
            "active": torch.arange(k, device=device).unsqueeze(0) < count.unsqueeze(1),
        }
        if self.fill == "random":
            params["noise"] = rng.uniform(batch_size, 0.0, 1.0, shape=(c, h, w), **kw)
        return params

    def kernel(self, x: Any, params: Params) -> Any:
        img = image_of(x)
        mask = rect_mask(params["holes"], params["active"], img.shape[-2], img.shape[-1])
        out = _paint(img, mask, self.fill, params.get("noise"))
        if isinstance(x, ImageBatch):
            return drop_erased_boxes(x.replace(image=out), mask)
        return out


def grid_mask(
    height: int, width: int, unit: torch.Tensor, ratio: float, offset: torch.Tensor, angle: torch.Tensor
) -> torch.Tensor:
    """``(B, 1, H, W)`` bool GridMask: in every ``unit × unit`` cell a square of side ``ratio·unit`` is erased.

    The grid is shifted by ``offset`` ``(B, 2)`` (pixels) and rotated by ``angle``
    (radians) about the image centre, per sample.
    """
    dev = unit.device
    ys = torch.arange(height, device=dev, dtype=torch.float32).view(1, height, 1) + 0.5 - height / 2
    xs = torch.arange(width, device=dev, dtype=torch.float32).view(1, 1, width) + 0.5 - width / 2
    cos, sin = torch.cos(angle).view(-1, 1, 1), torch.sin(angle).view(-1, 1, 1)
    u = cos * xs + sin * ys + offset[:, 0].view(-1, 1, 1)
    v = -sin * xs + cos * ys + offset[:, 1].view(-1, 1, 1)
    d = unit.to(torch.float32).view(-1, 1, 1)
    side = ratio * d
    return ((torch.remainder(u, d) < side) & (torch.remainder(v, d) < side)).unsqueeze(1)


class GridMask(ImageAugmentation):
    """GridMask (Chen et al., 2020): erase a regular grid of squares, grid per sample.

    The cell size is uniform in ``unit = (low, high)`` (as fractions of the shorter
    image side), the squares' side is ``side`` of the cell (the paper's ``r``), the
    grid is shifted by a uniform offset and rotated by an angle uniform in
    ``degrees`` (a number ``v`` means ``[-v, v]``); erased squares get ``fill``.
    """

    moves_pixels = False  # a Mask (label map) is returned unchanged

    name = "image.grid_mask"
    differentiable = True
    magnitude = Magnitude("side", 0.0, 0.6)

    def __init__(
        self,
        side: float = 0.5,
        unit: float | Sequence[float] = (0.15, 0.4),
        degrees: float | Sequence[float] = 0.0,
        fill: float | list[float] = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        where = "GridMask"
        self.side = args.fraction("side", side, where=where)
        self.unit = args.value_range("unit", unit, bounds=(1e-6, 1.0), scalar="fixed", where=where)
        self.degrees = args.value_range("degrees", degrees, where=where)
        self.fill = check_fill(fill, where)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        h, w = _shape4(x)[-2:]
        short = min(h, w)
        kw: dict[str, Any] = {"generator": generator, "device": device}
        unit = rng.uniform(batch_size, self.unit[0] * short, self.unit[1] * short, **kw).round().clamp_min(2.0)
        offset = rng.uniform(batch_size, 0.0, 1.0, shape=(2,), **kw) * unit.unsqueeze(1)
        angle = rng.uniform(batch_size, self.degrees[0], self.degrees[1], **kw) * (math.pi / 180.0)
        return {"unit": unit, "offset": offset, "angle": angle}

    def kernel(self, x: Any, params: Params) -> Any:
        img = image_of(x)
        mask = grid_mask(img.shape[-2], img.shape[-1], params["unit"], self.side, params["offset"], params["angle"])
        out = _paint(img, mask, self.fill, None)
        if isinstance(x, ImageBatch):
            return drop_erased_boxes(x.replace(image=out), mask)
        return out


OPS: list[type[Augmentation]] = [RandomErasing, GridMask]
