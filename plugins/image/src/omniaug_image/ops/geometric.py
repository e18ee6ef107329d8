"""Geometric image ops: flips, 90° turns and the D4 group, affine, perspective, crops, elastic.

Each op draws per-sample parameters as tensors and expresses its effect either as
a per-sample forward 3×3 matrix (flips, turns, affine, perspective — these declare
``fusion = "image.geometric"`` so ``Compose(..., fuse=True)`` folds a run of them
into one ``grid_sample``) or as a sampling grid (crops, elastic). Masks, boxes and
keypoints of an :class:`~omniaug_image.ImageBatch` move with the image (see
:mod:`omniaug_image.targets`). Flips and turns use exact indexing kernels when run
alone; affine and perspective match ``torchvision.transforms.v2.functional`` for
the same parameters (uint8 within one level; float within ``1e-6 · max(H, W)`` —
``grid_sample``'s normalized float32 coordinates put a sample point up to about
``max(H, W) · 1e-7`` px off; crops, on the separable box kernel, within 1.5e-5 of
``F.interpolate`` at 640 px and their grid reference path within
``2e-7 · max(H, W) + 1e-6``; tested on real photos).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
import torch.nn.functional as F

from omniaug import InputError, Magnitude, Params, args, reference_kernels, rng

from .. import _box_resample as BR
from .. import functional_geometric as FG
from ..modality import ImageAugmentation, ImageBatch, Mask, check_fusion_input, image_of
from ..targets import (
    resample_box_payload,
    transform_boxes,
    transform_keypoints,
    warp_payload,
    warp_payload_by_grid,
)

__all__ = [
    "GeometricOp",
    "HorizontalFlip",
    "VerticalFlip",
    "Rot90",
    "Dihedral",
    "Affine",
    "Perspective",
    "RandomResizedCrop",
    "CropAndPad",
    "ElasticTransform",
    "OPS",
    "example_image_batch",
]

_MODES = ("bilinear", "nearest")


def check_fill(fill: Any, where: str, name: str = "fill") -> float | list[float]:
    """An image fill constant: a number in ``[0, 1]`` or a per-channel list (scaled by 255 for uint8 images)."""
    if isinstance(fill, (list, tuple)) and fill:
        return [args.fraction(name, v, where=where) for v in fill]
    return args.fraction(name, fill, where=where)


def _range(name: str, value: Any, where: str, **kw: Any) -> list[float]:
    """``omniaug.args.value_range`` as the list the op keeps (configs and fusions read lists)."""
    return list(args.value_range(name, value, where=where, **kw))


def example_image_batch(
    batch_size: int, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu", size: int = 32
) -> ImageBatch:
    """A synthetic :class:`ImageBatch` with a label mask, 3 padded boxes (one padding) and 5 keypoints."""
    from ..modality import example_images

    dev = torch.device(device)
    img = example_images(batch_size, generator=generator, device=dev, size=size)
    corner = rng.uniform(batch_size, 2.0, size / 2 - 2, shape=(3, 2), generator=generator, device=dev).floor()
    extent = rng.uniform(batch_size, 4.0, size / 2, shape=(3, 2), generator=generator, device=dev).floor()
    boxes = torch.cat([corner, corner + extent], dim=-1)  # (B, 3, 4)
    valid = torch.tensor([True, True, False], device=dev).expand(batch_size, 3).clone()
    labels = torch.tensor([1, 2, 0], device=dev).expand(batch_size, 3).clone()
    ys = torch.arange(size, device=dev).view(1, size, 1) + 0.5
    xs = torch.arange(size, device=dev).view(1, 1, size) + 0.5
    b0 = boxes[:, 0].view(batch_size, 4, 1, 1)
    inside = (xs >= b0[:, 0]) & (xs < b0[:, 2]) & (ys >= b0[:, 1]) & (ys < b0[:, 3])
    mask = inside.long()  # label 1 where the first box is
    kps = rng.uniform(batch_size, 1.0, size - 1.0, shape=(5, 2), generator=generator, device=dev)
    visible = torch.ones(batch_size, 5, dtype=torch.bool, device=dev)
    return ImageBatch(
        img, mask=mask, boxes=boxes, box_labels=labels, box_valid=valid, keypoints=kps, keypoint_visible=visible
    )


class GeometricOp(ImageAugmentation):
    """Base of geometric ops: targets move with the image; contract examples carry targets.

    Homography ops implement :meth:`matrices` (forward, index coordinates) and get
    :meth:`kernel` and :meth:`fusion_transform` from it.
    """

    fusion: ClassVar[str | None] = "image.geometric"
    moves_pixels: ClassVar[bool] = True  # a Mask payload is warped (nearest-neighbour), not passed through
    #: whether every matrix the op makes is affine (no perspective divide in the grid)
    affine_only: ClassVar[bool] = True
    interpolation: str = "bilinear"
    fill: float | list[float] = 0.0

    def matrices(self, params: Params, height: int, width: int, device: torch.device) -> torch.Tensor:
        """Per-sample forward matrices ``(B, 3, 3)`` for images of ``height × width``."""
        raise NotImplementedError

    def kernel(self, x: Any, params: Params) -> Any:
        img = image_of(x)
        h, w = img.shape[-2:]
        m = self.matrices(params, h, w, img.device)
        return warp_payload(x, m, mode=self.interpolation, fill=self.fill, affine=self.affine_only)

    def fusion_transform(self, x: Any, params: Params) -> torch.Tensor:
        check_fusion_input(x, params, self.name)
        img = image_of(x)
        img4 = img if img.dim() == 4 else img.unsqueeze(0)
        return self.matrices(params, img4.shape[-2], img4.shape[-1], img4.device)

    @classmethod
    def example_input(
        cls, batch_size: int, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
    ) -> Any:
        return example_image_batch(batch_size, generator=generator, device=device)


def _exact_payload(x: Any, fn: Any, matrices: torch.Tensor) -> Any:
    """Apply an exact indexing kernel ``fn`` to image and mask; move boxes/keypoints by ``matrices``."""
    if isinstance(x, Mask):
        return Mask(fn(x.tensor))
    if not isinstance(x, ImageBatch):
        return fn(x)
    x = x.with_defaults()
    changes: dict[str, Any] = {"image": fn(x.image)}
    if x.mask is not None:
        changes["mask"] = fn(x.mask)
    size = (changes["image"].shape[-2], changes["image"].shape[-1])
    if x.boxes is not None:
        assert x.box_valid is not None
        changes["boxes"], changes["box_valid"], changes["box_labels"] = transform_boxes(
            x.boxes, x.box_valid, x.box_labels, matrices, size
        )
    if x.keypoints is not None:
        assert x.keypoint_visible is not None
        changes["keypoints"], changes["keypoint_visible"] = transform_keypoints(
            x.keypoints, x.keypoint_visible, matrices, size
        )
    return x.replace(**changes)


class HorizontalFlip(GeometricOp):
    """Mirror left ↔ right (exact indexing; a ``fuse=True`` run folds it into one warp)."""

    name = "image.horizontal_flip"
    differentiable = True

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.interpolation = "nearest"

    def matrices(self, params: Params, height: int, width: int, device: torch.device) -> torch.Tensor:
        return FG.hflip_matrices(params["apply"].shape[0], width, device=device)

    def kernel(self, x: Any, params: Params) -> Any:
        w = image_of(x).shape[-1]
        return _exact_payload(
            x, FG.hflip_image, FG.hflip_matrices(params["apply"].shape[0], w, device=image_of(x).device)
        )


class VerticalFlip(GeometricOp):
    """Mirror top ↔ bottom (exact indexing)."""

    name = "image.vertical_flip"
    differentiable = True

    def __init__(self, *, p: float = 0.5, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.interpolation = "nearest"

    def matrices(self, params: Params, height: int, width: int, device: torch.device) -> torch.Tensor:
        return FG.vflip_matrices(params["apply"].shape[0], height, device=device)

    def kernel(self, x: Any, params: Params) -> Any:
        h = image_of(x).shape[-2]
        return _exact_payload(
            x, FG.vflip_image, FG.vflip_matrices(params["apply"].shape[0], h, device=image_of(x).device)
        )


def _require_square(x: Any, where: str) -> None:
    img = image_of(x)
    if isinstance(img, torch.Tensor) and img.dim() >= 3 and img.shape[-1] != img.shape[-2]:
        raise InputError("x", "square images (H == W) so 90° turns keep one batch shape", img, where=where)


class Rot90(GeometricOp):
    """Turn by a random multiple of 90° (counter-clockwise, like ``torch.rot90``), exact indexing.

    Args:
        turns: the quarter turns to choose from per sample (any of 0, 1, 2, 3).
    """

    name = "image.rot90"
    differentiable = True

    def __init__(self, turns: Sequence[int] = (1, 2, 3), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        if not turns or any(not isinstance(t, int) or not 0 <= t <= 3 for t in turns):
            raise InputError(
                "turns", "a non-empty list of quarter turns in {0, 1, 2, 3}", turns, where=type(self).__name__
            )
        self.turns = [int(t) for t in turns]
        self.interpolation = "nearest"

    def check(self, x: Any) -> None:
        if any(t % 2 for t in self.turns):
            _require_square(x, self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        choice = rng.randint(batch_size, 0, len(self.turns), generator=generator, device=device)
        return {"k": torch.tensor(self.turns, device=device).index_select(0, choice)}

    def matrices(self, params: Params, height: int, width: int, device: torch.device) -> torch.Tensor:
        return FG.rot90_matrices(params["k"].to(device), height, width)

    def kernel(self, x: Any, params: Params) -> Any:
        img = image_of(x)
        k = params["k"]
        m = FG.rot90_matrices(k, img.shape[-2], img.shape[-1])
        return _exact_payload(x, lambda t: FG.dihedral_image(t, k, torch.zeros_like(k)), m)


class Dihedral(GeometricOp):
    """A random element of the dihedral group D4 (8 flips/turns of a square), exact indexing.

    Element ``e`` in 0..7 = horizontal flip if ``e >= 4``, then ``e % 4`` quarter turns.

    Args:
        include_identity: whether element 0 (no change) may be drawn.
    """

    name = "image.dihedral"
    differentiable = True

    def __init__(self, include_identity: bool = False, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.include_identity = bool(include_identity)
        self.interpolation = "nearest"
        self.may_be_identity = self.include_identity

    def check(self, x: Any) -> None:
        _require_square(x, self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        low = 0 if self.include_identity else 1
        return {"element": rng.randint(batch_size, low, 8, generator=generator, device=device)}

    def matrices(self, params: Params, height: int, width: int, device: torch.device) -> torch.Tensor:
        e = params["element"].to(device)
        flip = FG.hflip_matrices(e.shape[0], width, device=device)
        flip = torch.where((e >= 4).view(-1, 1, 1), flip, torch.eye(3, device=device).expand_as(flip))
        return FG.matmul3(FG.rot90_matrices(e % 4, height, width), flip)

    def kernel(self, x: Any, params: Params) -> Any:
        img = image_of(x)
        e = params["element"]
        m = self.matrices(params, img.shape[-2], img.shape[-1], img.device)
        return _exact_payload(x, lambda t: FG.dihedral_image(t, e % 4, e >= 4), m)


class Affine(GeometricOp):
    """Random rotation, translation, scale and shear about the image centre (one warp).

    Parameters follow ``torchvision.transforms.v2.RandomAffine`` (angles clockwise
    on screen), but translations are continuous, not rounded to whole pixels.

    Args:
        degrees: rotation range; ``d`` means ``[-d, d]``.
        translate: maximal translation as fractions ``[fx, fy]`` of width and height.
        scale: scale range ``[low, high]``.
        shear: x-shear range in degrees (``s`` means ``[-s, s]``), or
            ``[x_low, x_high, y_low, y_high]``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill: value outside the input, in ``[0, 1]`` (per channel as a list).
    """

    name = "image.affine"
    differentiable = True
    magnitude = Magnitude("degrees", 0.0, 30.0)

    def __init__(
        self,
        degrees: float | Sequence[float] = 30.0,
        translate: Sequence[float] = (0.1, 0.1),
        scale: float | Sequence[float] = (0.9, 1.1),
        shear: float | Sequence[float] = 0.0,
        interpolation: str = "bilinear",
        fill: float | Sequence[float] = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        where = type(self).__name__
        self.degrees = _range("degrees", degrees, where)
        if not (
            isinstance(translate, (list, tuple))
            and len(translate) == 2
            and all(0.0 <= float(t) <= 1.0 for t in translate)
        ):
            raise InputError("translate", "a pair [fx, fy] of fractions in [0, 1]", translate, where=where)
        self.translate = [float(t) for t in translate]
        self.scale = _range("scale", scale, where, center=1.0, bounds=(1e-3, math.inf))
        if isinstance(shear, (list, tuple)) and len(shear) == 4:
            self.shear = [*_range("shear", shear[:2], where), *_range("shear", shear[2:], where)]
        else:
            self.shear = [*_range("shear", shear, where), 0.0, 0.0]
        if any(abs(s) >= 89.0 for s in self.shear):
            raise InputError("shear", "angles strictly between -89 and 89 degrees", shear, where=where)
        self.interpolation = args.choice("interpolation", interpolation, _MODES, where=where)
        self.fill = check_fill(fill, where)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        # one (B, 6) draw mapped onto the six ranges by one multiply-add, instead of five
        # draws and a stack: the per-call cost of a small batch is mostly such tiny ops
        low, span = self._ranges(device)
        u = torch.addcmul(low, span, rng.uniform(batch_size, 0.0, 1.0, shape=(6,), generator=generator, device=device))
        return {
            "angle": u[:, 0],
            "translate": u[:, 1:3],  # fractions of (W, H)
            "scale": u[:, 3],
            "shear": u[:, 4:6],
        }

    def _ranges(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        """Low ends and widths of (angle, tx, ty, scale, shear x, shear y), cached per device."""
        key = (device, *self.degrees, *self.translate, *self.scale, *self.shear)  # attributes may be reassigned
        cached = self.__dict__.get("_range_cache")
        if cached is None or cached[0] != key:
            t = self.translate
            bounds = [self.degrees, [-t[0], t[0]], [-t[1], t[1]], self.scale, self.shear[:2], self.shear[2:]]
            low = torch.tensor([b[0] for b in bounds], device=device)
            span = torch.tensor([b[1] - b[0] for b in bounds], device=device)
            cached = self.__dict__["_range_cache"] = (key, low, span)
        return cached[1], cached[2]

    def matrices(self, params: Params, height: int, width: int, device: torch.device) -> torch.Tensor:
        size = torch.tensor([width, height], dtype=torch.float32, device=device)
        return FG.affine_matrices(
            params["angle"], params["translate"] * size, params["scale"], params["shear"], height, width
        )


class Perspective(GeometricOp):
    """Random perspective: each image corner moves inward by up to ``distortion_scale`` × half the size.

    Same distribution of corner offsets as ``torchvision``'s ``RandomPerspective``
    (continuous instead of whole pixels); the warp is a per-sample homography.
    """

    name = "image.perspective"
    differentiable = True
    magnitude = Magnitude("distortion_scale", 0.0, 0.5)
    affine_only = False

    def __init__(
        self,
        distortion_scale: float = 0.5,
        interpolation: str = "bilinear",
        fill: float | Sequence[float] = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        where = type(self).__name__
        self.distortion_scale = args.fraction("distortion_scale", distortion_scale, where=where)
        self.interpolation = args.choice("interpolation", interpolation, _MODES, where=where)
        self.fill = check_fill(fill, where)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        # inward offsets of the 4 corners as fractions of half the width / height
        return {
            "offsets": rng.uniform(
                batch_size, 0.0, self.distortion_scale, shape=(4, 2), generator=generator, device=device
            )
        }

    @staticmethod
    def corner_points(offsets: torch.Tensor, height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(src, dst)`` corners ``(B, 4, 2)`` in continuous coordinates (tl, tr, br, bl)."""
        dev, dt = offsets.device, offsets.dtype
        src = torch.tensor([[0.0, 0.0], [width, 0.0], [width, height], [0.0, height]], device=dev, dtype=dt)
        inward = torch.tensor([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]], device=dev, dtype=dt)
        half = torch.tensor([width / 2.0, height / 2.0], device=dev, dtype=dt)
        dst = src + inward * offsets * half
        return src.expand_as(dst), dst

    def matrices(self, params: Params, height: int, width: int, device: torch.device) -> torch.Tensor:
        src, dst = self.corner_points(params["offsets"].to(device), height, width)
        return FG.perspective_matrices(src, dst)


class _BoxResampleOp(GeometricOp):
    """Ops that resample a per-sample source box onto the output canvas (crop, pad, resize).

    Sample positions are clamped to the box's pixel centres so the result equals
    crop/pad-then-``F.interpolate``; boxes and keypoints follow the box→canvas
    matrix. Not fusable (the clamp is not a homography). The resample is separable:
    bilinear and nearest run on :mod:`omniaug_image._box_resample` (rows, then
    columns); under ``omniaug.using_reference_kernels()``, for other image dtypes and
    for inputs that require grad, the reference path builds the 2-D grid
    (:func:`FG.crop_box_grid`) and samples it with ``grid_sample``.
    """

    fusion = None

    def source_boxes(self, params: Params, height: int, width: int) -> torch.Tensor:
        raise NotImplementedError

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        return (height, width)

    def kernel(self, x: Any, params: Params) -> Any:
        img = image_of(x)
        h, w = img.shape[-2:]
        size = self.output_size(h, w)
        boxes = self.source_boxes(params, h, w).to(torch.float32)
        m = FG.box_to_box_matrices(boxes, size[0], size[1])
        if not reference_kernels() and (isinstance(x, Mask) or BR.supports(img, self.interpolation)):
            return resample_box_payload(x, boxes, m, size, mode=self.interpolation, fill=self.fill)
        grid = FG.crop_box_grid(boxes, size, (h, w))
        return warp_payload(x, m, size, mode=self.interpolation, fill=self.fill, grid=grid)

    def fusion_transform(self, x: Any, params: Params) -> torch.Tensor:  # pragma: no cover - not fusable
        raise NotImplementedError(f"{type(self).__name__} declares no fusion")


class RandomResizedCrop(_BoxResampleOp):
    """Crop a random area/aspect box and resize it to ``size`` (torchvision's sampling, vectorized).

    Like ``torchvision.transforms.v2.RandomResizedCrop``: up to 10 attempts per
    sample drawn at once, the first that fits wins, else a centre crop of the
    clamped aspect ratio. Resizing is ``F.interpolate``'s (bilinear or nearest, no
    antialias; float within float32 rounding of it, see ``tests/test_box_resample.py``).
    Samples not applied (``p < 1``) are resized whole.

    Args:
        size: output ``[height, width]``; ``None`` keeps the input size.
        scale: range of the crop area as a fraction of the image area.
        ratio: range of the crop aspect ratio (width / height).
    """

    name = "image.random_resized_crop"
    differentiable = True
    in_policies = False  # crops change the framing; policies in the literature leave them out
    magnitude = Magnitude("scale", (1.0, 1.0), (0.08, 1.0))

    def __init__(
        self,
        size: Sequence[int] | None = None,
        scale: Sequence[float] = (0.08, 1.0),
        ratio: Sequence[float] = (3.0 / 4.0, 4.0 / 3.0),
        interpolation: str = "bilinear",
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        where = type(self).__name__
        if size is not None and not (
            isinstance(size, (list, tuple)) and len(size) == 2 and all(isinstance(s, int) and s > 0 for s in size)
        ):
            raise InputError("size", "None or [height, width] positive integers", size, where=where)
        self.size = None if size is None else [int(s) for s in size]
        self.scale = _range("scale", scale, where, bounds=(1e-6, math.inf), scalar="fixed")
        # beyond 100:1 no crop fits an image: the fallback degenerates
        self.ratio = _range("ratio", ratio, where, bounds=(1e-2, 1e2), scalar="fixed")
        self.interpolation = args.choice("interpolation", interpolation, _MODES, where=where)
        self.fill = 0.0

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        return (height, width) if self.size is None else (self.size[0], self.size[1])

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        img = image_of(x)
        h, w = int(img.shape[-2]), int(img.shape[-1])
        kw: dict[str, Any] = {"generator": generator, "device": device}
        attempts = 10
        area = h * w * rng.uniform(batch_size, self.scale[0], self.scale[1], shape=(attempts,), **kw)
        log_r = rng.uniform(batch_size, math.log(self.ratio[0]), math.log(self.ratio[1]), shape=(attempts,), **kw)
        ratio = torch.exp(log_r)
        cw = torch.round(torch.sqrt(area * ratio))
        ch = torch.round(torch.sqrt(area / ratio))
        ok = (cw > 0) & (cw <= w) & (ch > 0) & (ch <= h)
        first = torch.where(ok, torch.arange(attempts, device=device).expand_as(ok), attempts).amin(dim=1)
        found = first < attempts
        pick = first.clamp_max(attempts - 1).unsqueeze(1)
        cw = cw.gather(1, pick).squeeze(1)
        ch = ch.gather(1, pick).squeeze(1)
        # fallback: centre crop with the aspect ratio clamped into the range
        in_ratio = w / h
        if in_ratio < self.ratio[0]:
            fw, fh = float(w), float(round(w / self.ratio[0]))
        elif in_ratio > self.ratio[1]:
            fw, fh = float(round(h * self.ratio[1])), float(h)
        else:
            fw, fh = float(w), float(h)
        cw = torch.where(found, cw, torch.full_like(cw, fw))
        ch = torch.where(found, ch, torch.full_like(ch, fh))
        u = rng.uniform(batch_size, 0.0, 1.0, shape=(2,), **kw)
        top = torch.where(found, torch.floor(u[:, 0] * (h - ch + 1)).clamp_max(h - ch), torch.floor((h - ch) / 2))
        left = torch.where(found, torch.floor(u[:, 1] * (w - cw + 1)).clamp_max(w - cw), torch.floor((w - cw) / 2))
        return {"box": torch.stack([left, top, left + cw, top + ch], dim=1)}  # continuous xyxy

    def source_boxes(self, params: Params, height: int, width: int) -> torch.Tensor:
        return params["box"]

    def apply(self, x: Any, params: Params) -> Any:
        img = image_of(x)
        h, w = int(img.shape[-2]), int(img.shape[-1])
        if self.output_size(h, w) == (h, w):
            return super().apply(x, params)
        # the output size differs from the input: every sample is resized, unapplied ones whole
        full = torch.tensor([0.0, 0.0, float(w), float(h)], device=params["box"].device)
        box = torch.where(params["apply"].view(-1, 1), params["box"], full.expand_as(params["box"]))
        forced = Params({**params, "box": box, "apply": torch.ones_like(params["apply"])})
        return super().apply(x, forced)


class CropAndPad(_BoxResampleOp):
    """Crop (negative) or pad (positive) each side by a random fraction, then resize back to the input size.

    Args:
        amount: range ``[low, high]`` of each side's crop (< 0) or pad (> 0) as a fraction
            of that dimension (a number ``v`` means ``[-v, v]``); amounts are rounded to
            whole pixels. ``low > -0.5``.
        fill: value of padded areas in ``[0, 1]``.
    """

    name = "image.crop_and_pad"
    differentiable = True
    magnitude = Magnitude("amount", (0.0, 0.0), (-0.2, 0.2))

    def __init__(
        self,
        amount: float | Sequence[float] = (-0.1, 0.1),
        interpolation: str = "bilinear",
        fill: float | Sequence[float] = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        where = type(self).__name__
        self.amount = _range("amount", amount, where, bounds=(-0.49, math.inf))
        self.interpolation = args.choice("interpolation", interpolation, _MODES, where=where)
        self.fill = check_fill(fill, where)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        # per side (left, top, right, bottom) fraction; positive pads, negative crops
        return {
            "amount": rng.uniform(
                batch_size, self.amount[0], self.amount[1], shape=(4,), generator=generator, device=device
            )
        }

    def source_boxes(self, params: Params, height: int, width: int) -> torch.Tensor:
        a = params["amount"]
        dims = torch.tensor([width, height, width, height], dtype=a.dtype, device=a.device)
        px = torch.round(a * dims)
        return torch.stack([-px[:, 0], -px[:, 1], width + px[:, 2], height + px[:, 3]], dim=1)


def gaussian_kernel1d(sigma: float, size: int, device: torch.device) -> torch.Tensor:
    """Normalized 1-D Gaussian taps (``torchvision``'s ``gaussian_blur`` construction)."""
    half = (size - 1) * 0.5
    xs = torch.linspace(-half, half, size, device=device)
    k = torch.exp(-0.5 * (xs / sigma) ** 2)
    return k / k.sum()


def smooth_field(noise: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of ``(B, C, H, W)`` with reflect padding and kernel ``int(8σ + 1) | 1``.

    On images smaller than the kernel, each axis's kernel is truncated to what
    reflect padding allows (radius ``size - 1``) and renormalized, so small inputs
    work (torchvision's ``gaussian_blur`` raises there).
    """
    if sigma <= 0:
        return noise
    size = int(8 * sigma + 1)
    size += 1 - size % 2
    b, c, h, w = noise.shape
    flat = noise.reshape(b * c, 1, h, w)
    for axis, length in ((3, w), (2, h)):
        ks = min(size, 2 * (length - 1) + 1)
        if ks <= 1:
            continue
        full = gaussian_kernel1d(sigma, size, noise.device).to(noise.dtype)
        k = full[(size - ks) // 2 : (size + ks) // 2]
        k = k / k.sum()
        pad = ks // 2
        if axis == 3:
            flat = F.conv2d(F.pad(flat, (pad, pad, 0, 0), mode="reflect"), k.view(1, 1, 1, ks))
        else:
            flat = F.conv2d(F.pad(flat, (0, 0, pad, pad), mode="reflect"), k.view(1, 1, ks, 1))
    return flat.reshape(b, c, h, w)


class ElasticTransform(GeometricOp):
    """Elastic distortion: a smooth random displacement field per sample, applied with one ``grid_sample``.

    The field is torchvision's: uniform noise in ``[-1, 1]`` per pixel and axis,
    Gaussian-blurred with ``sigma`` (kernel ``int(8σ + 1)`` made odd, reflect
    padding) and scaled by ``displacement / size`` in normalized grid units. The blur
    kernel is written here (separable, batched) so the field of a whole batch is
    built in two convolutions. Boxes follow points along their edges and
    keypoints are moved by inverting the field (fixed-point iterations).

    Args:
        displacement: displacement scale in pixels (torchvision's and albumentations'
            ``alpha``; 0 is the identity).
        sigma: smoothness of the field in pixels.
    """

    name = "image.elastic"
    differentiable = True
    fusion = None
    affine_only = False
    in_policies = False
    magnitude = Magnitude("displacement", 0.0, 50.0)

    def __init__(
        self,
        displacement: float = 50.0,
        sigma: float = 5.0,
        interpolation: str = "bilinear",
        fill: float | Sequence[float] = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        where = type(self).__name__
        self.displacement_px = args.non_negative("displacement", displacement, where=where)
        self.sigma = args.non_negative("sigma", sigma, where=where)
        self.interpolation = args.choice("interpolation", interpolation, _MODES, where=where)
        self.fill = check_fill(fill, where)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        h, w = image_of(x).shape[-2:]
        return {"noise": rng.uniform(batch_size, -1.0, 1.0, shape=(2, h, w), generator=generator, device=device)}

    def displacement(self, noise: torch.Tensor) -> torch.Tensor:
        """``(B, H, W, 2)`` displacement in normalized grid units for raw ``noise`` ``(B, 2, H, W)``."""
        h, w = noise.shape[-2:]
        field = smooth_field(noise, self.sigma)
        # torchvision scales dx by alpha / size[0] and dy by alpha / size[1] with size = [H, W]
        gain = torch.tensor(
            [self.displacement_px / h, self.displacement_px / w], dtype=field.dtype, device=field.device
        ).view(1, 2, 1, 1)
        return (field * gain).permute(0, 2, 3, 1)

    def kernel(self, x: Any, params: Params) -> Any:
        img = image_of(x)
        h, w = img.shape[-2:]
        base = FG.identity_grid(img.shape[0], h, w, device=img.device)
        grid = base + self.displacement(params["noise"].to(torch.float32))
        return warp_payload_by_grid(x, grid, mode=self.interpolation, fill=self.fill)

    def fusion_transform(self, x: Any, params: Params) -> torch.Tensor:  # pragma: no cover - not fusable
        raise NotImplementedError(f"{type(self).__name__} declares no fusion")


OPS: list[type] = [
    HorizontalFlip,
    VerticalFlip,
    Rot90,
    Dihedral,
    Affine,
    Perspective,
    RandomResizedCrop,
    CropAndPad,
    ElasticTransform,
]
