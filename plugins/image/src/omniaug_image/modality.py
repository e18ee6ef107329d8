"""The ``image`` modality: payload types, validation, batching, examples and previews.

A payload is either

* a tensor ``(B, C, H, W)``, float in ``[0, 1]`` or ``uint8`` in ``[0, 255]``; or
* an :class:`ImageBatch` holding that tensor plus optional targets that travel with
  the image through geometric ops: a segmentation ``mask`` ``(B, H, W)`` or
  ``(B, M, H, W)``, padded ``boxes`` ``(B, N, 4)`` in pixel ``xyxy`` with
  ``box_labels`` ``(B, N)`` and a validity mask ``box_valid`` ``(B, N)``, and
  ``keypoints`` ``(B, K, 2)`` in pixel ``xy`` with ``keypoint_visible`` ``(B, K)``.

Ragged box lists are stored padded with a validity mask, so every target op is a
vectorized tensor op with no per-sample loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from omniaug import Augmentation, InputError, Modality, Params, batching, rng
from omniaug.batching import CheckedTensors
from omniaug.host import in_unit_interval
from omniaug.parallel import value_range
from omniaug.validation import register_check, trusted

__all__ = [
    "IMAGE",
    "ImageAugmentation",
    "ImageBatch",
    "carry_range_check",
    "image_batch_size",
    "image_merge",
    "image_of",
    "image_subset",
    "is_unbatched",
    "map_image",
    "validate_image",
]

PAYLOAD = "Tensor (B, C, H, W) float in [0, 1] or uint8, or ImageBatch(image, mask, boxes, keypoints, ...)"


@dataclass(frozen=True)
class ImageBatch:
    """Images with the targets geometric ops move alongside them.

    Attributes:
        image: ``(B, C, H, W)`` float in ``[0, 1]`` or ``uint8``.
        mask: ``(B, H, W)`` or ``(B, M, H, W)`` label/instance masks (warped with
            nearest-neighbour sampling, filled with 0).
        boxes: ``(B, N, 4)`` float boxes ``x1, y1, x2, y2`` in pixel coordinates
            (a pixel ``(i, j)`` covers ``[j, j+1] × [i, i+1]``).
        box_labels: ``(B, N)`` integer labels of the boxes.
        box_valid: ``(B, N)`` bool; False marks padding and boxes dropped by an op
            (a box is dropped when, clipped to the image, a side is shorter than
            :data:`omniaug_image.targets.MIN_BOX_SIZE`; its coordinates are then zeroed
            and its label set to ``-1``).
        keypoints: ``(B, K, 2)`` float ``x, y`` in pixel coordinates (pixel centres
            at ``j + 0.5, i + 0.5``).
        keypoint_visible: ``(B, K)`` bool; False once a keypoint leaves the image.
    """

    image: torch.Tensor
    mask: torch.Tensor | None = None
    boxes: torch.Tensor | None = None
    box_labels: torch.Tensor | None = None
    box_valid: torch.Tensor | None = None
    keypoints: torch.Tensor | None = None
    keypoint_visible: torch.Tensor | None = None

    def replace(self, **changes: Any) -> ImageBatch:
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **changes)

    def with_defaults(self) -> ImageBatch:
        """A copy where ``box_valid``/``keypoint_visible`` are filled in (all True) when absent."""
        changes: dict[str, Any] = {}
        if self.boxes is not None and self.box_valid is None:
            changes["box_valid"] = torch.ones(self.boxes.shape[:2], dtype=torch.bool, device=self.boxes.device)
        if self.keypoints is not None and self.keypoint_visible is None:
            changes["keypoint_visible"] = torch.ones(
                self.keypoints.shape[:2], dtype=torch.bool, device=self.keypoints.device
            )
        return self.replace(**changes) if changes else self


def image_of(x: torch.Tensor | ImageBatch) -> torch.Tensor:
    """The image tensor of a payload."""
    return x.image if isinstance(x, ImageBatch) else x


def map_image(x: Any, fn: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """Apply ``fn`` to the image tensor only and rebuild the payload.

    For photometric ops (colour, blur, noise, occlusion): the targets of an
    :class:`ImageBatch` (mask, boxes, keypoints) are returned untouched, a plain
    tensor payload is simply ``fn(x)``. ``fn`` receives the ``(B, C, H, W)`` tensor
    and must return a tensor of the same shape and dtype.
    """
    if isinstance(x, ImageBatch):
        return x.replace(image=fn(x.image))
    return fn(x)


def is_unbatched(x: Any) -> bool:
    """Whether ``x`` is a single ``(C, H, W)`` image tensor (no batch dimension)."""
    return isinstance(x, torch.Tensor) and x.dim() == 3


#: float images may exceed [0, 1] by this much (round-off of upstream float ops)
_RANGE_SLACK = 1e-3


def _check_image_tensor(img: Any, argument: str = "x", *, allow_single: bool = False) -> None:
    expected = "a float tensor (B, C, H, W) with values in [0, 1] or a uint8 tensor (B, C, H, W)"
    if allow_single:
        expected += " (or one (C, H, W) image)"
    if not isinstance(img, torch.Tensor):
        raise InputError(argument, expected, img, where="image")
    if img.dim() != 4 and not (allow_single and img.dim() == 3):
        raise InputError(argument, expected + " (4 dimensions)", img, where="image")
    if min(img.shape[-3:]) < 1:
        raise InputError(argument, expected + " with non-empty C, H and W", img, where="image")
    if img.dtype == torch.uint8:
        return
    if not img.is_floating_point():
        raise InputError(argument, expected + f" (dtype float or uint8, not {img.dtype})", img, where="image")
    if img.numel() and img not in _RANGE_CHECKED:
        # tolerate tiny round-off of upstream float ops: [-1e-3, 1 + 1e-3]; the bit test decides
        # the usual float32 batch in one pass, anything else gets the exact min/max
        if not in_unit_interval(img, _RANGE_SLACK):
            lo, hi = value_range(img)  # NaN propagates into both; no OpenMP wake-up before the kernels (see there)
            # `not (a <= b)` is also True for NaN
            if not (lo >= -_RANGE_SLACK and hi <= 1.0 + _RANGE_SLACK):
                raise InputError(argument, expected + " (values in [0, 1], no NaN)", img, where="image")
        _RANGE_CHECKED.add(img)


# The value-range check reads every pixel. A fused Compose validates the same input once
# per op, so tensors that passed are remembered (see omniaug.batching.CheckedTensors): the
# same, unmodified tensor is not re-read.
_RANGE_CHECKED = CheckedTensors(scoped=True)  # trusted within one op call: a NumPy-view refill is re-read


def carry_range_check(source: torch.Tensor, result: torch.Tensor) -> torch.Tensor:
    """Mark ``result`` as range-checked if ``source`` was and ``result`` provably stays in range.

    For kernels whose output is a convex combination of input values and an
    in-range fill (nearest/bilinear warps): the next op's validation then skips
    re-reading every pixel of ``result``. Returns ``result``.
    """
    if result.is_floating_point() and source in _RANGE_CHECKED:
        _RANGE_CHECKED.add(trusted("image.range", result))  # a claim: the contract suite checks it
    return result


def _range_check(t: torch.Tensor) -> None:
    """The full value-range check a ``trusted("image.range", t)`` claim stands for (reads every value)."""
    if t.is_floating_point() and t.numel():
        lo, hi = value_range(t)
        if not (lo >= -_RANGE_SLACK and hi <= 1.0 + _RANGE_SLACK):
            raise InputError("x", "a float image with values in [0, 1] (no NaN)", t, where="image")


register_check("image.range", _range_check)


def validate_image(x: Any) -> None:
    """Raise :class:`omniaug.InputError` unless ``x`` is a valid image payload."""
    if isinstance(x, ImageBatch):
        _check_image_tensor(x.image, "x.image")
        b, _, h, w = x.image.shape
        _check_targets(x, b, h, w)
        return
    _check_image_tensor(x, allow_single=True)


def image_batch_size(x: Any) -> int:
    """Batch size of an image payload (1 for a single ``(C, H, W)`` image)."""
    if is_unbatched(x):
        return 1
    if isinstance(x, ImageBatch):
        return int(x.image.shape[0])
    return batching.batch_size_of(x)


def image_subset(x: Any, index: torch.Tensor) -> Any:
    """Samples ``index`` of a payload (a single image is its own only sample)."""
    if is_unbatched(x):
        return x
    return batching.subset(x, index)


def image_merge(base: Any, index: torch.Tensor, part: Any) -> Any:
    """``base`` with samples ``index`` replaced by ``part`` (out of place)."""
    if is_unbatched(base):
        return part if index.numel() else base
    if isinstance(base, ImageBatch) and isinstance(part, ImageBatch):
        # an op may have filled in box_valid / keypoint_visible on its part: fill the base too
        base, part = base.with_defaults(), part.with_defaults()
    return batching.merge(base, index, part)


def _check_targets(x: ImageBatch, b: int, h: int, w: int) -> None:
    if x.mask is not None:
        m = x.mask
        ok = isinstance(m, torch.Tensor) and m.dim() in (3, 4) and m.shape[0] == b and tuple(m.shape[-2:]) == (h, w)
        if not ok:
            raise InputError("x.mask", f"a tensor (B, H, W) or (B, M, H, W) with B={b}, H={h}, W={w}", m, where="image")
    if x.boxes is not None:
        bx = x.boxes
        if not (isinstance(bx, torch.Tensor) and bx.is_floating_point() and bx.dim() == 3 and bx.shape[0] == b and bx.shape[2] == 4):
            raise InputError("x.boxes", f"a float tensor (B, N, 4) of xyxy pixel boxes with B={b}", bx, where="image")
        if bx.numel() and not bool(torch.isfinite(bx).all()):
            raise InputError(
                "x.boxes", "finite box coordinates (mark padding with box_valid=False, not NaN)", bx, where="image"
            )
        n = bx.shape[1]
        for name in ("box_labels", "box_valid"):
            v = getattr(x, name)
            if v is not None and not (isinstance(v, torch.Tensor) and tuple(v.shape) == (b, n)):
                raise InputError(f"x.{name}", f"a tensor ({b}, {n}) matching x.boxes", v, where="image")
        if x.box_valid is not None and x.box_valid.dtype != torch.bool:
            raise InputError("x.box_valid", "a bool tensor (B, N)", x.box_valid, where="image")
    elif x.box_labels is not None or x.box_valid is not None:
        raise InputError("x.boxes", "a (B, N, 4) tensor when box_labels/box_valid are given", None, where="image")
    if x.keypoints is not None:
        kp = x.keypoints
        if not (isinstance(kp, torch.Tensor) and kp.is_floating_point() and kp.dim() == 3 and kp.shape[0] == b and kp.shape[2] == 2):
            raise InputError("x.keypoints", f"a float tensor (B, K, 2) of xy pixel points with B={b}", kp, where="image")
        if kp.numel() and not bool(torch.isfinite(kp).all()):
            raise InputError(
                "x.keypoints", "finite keypoint coordinates (mark missing ones keypoint_visible=False)", kp, where="image"
            )
        v = x.keypoint_visible
        if v is not None and not (isinstance(v, torch.Tensor) and v.dtype == torch.bool and tuple(v.shape) == tuple(kp.shape[:2])):
            raise InputError("x.keypoint_visible", f"a bool tensor {tuple(kp.shape[:2])} matching x.keypoints", v, where="image")
    elif x.keypoint_visible is not None:
        raise InputError("x.keypoints", "a (B, K, 2) tensor when keypoint_visible is given", None, where="image")


def example_images(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu", size: int = 32
) -> torch.Tensor:
    """A synthetic float batch ``(B, 3, size, size)``: smooth colour gradients plus random blobs.

    Deterministic for a given generator; asymmetric so flips and rotations visibly change it.
    """
    dev = torch.device(device)
    ys = torch.linspace(0.0, 1.0, size, device=dev).view(1, 1, size, 1)
    xs = torch.linspace(0.0, 1.0, size, device=dev).view(1, 1, 1, size)
    phase = rng.uniform(batch_size, 0.0, 1.0, shape=(3, 1, 1), generator=generator, device=dev)
    base = 0.5 + 0.5 * torch.sin(6.0 * xs * (1 + phase) + 3.0 * ys * ys + 6.28 * phase)
    noise = rng.uniform(batch_size, 0.0, 1.0, shape=(3, size, size), generator=generator, device=dev)
    corner = (xs < 0.3) & (ys < 0.2)  # an asymmetric bright corner
    img = 0.8 * base + 0.2 * noise
    return torch.where(corner, torch.ones_like(img), img).clamp(0.0, 1.0)


def example(batch_size: int = 4, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu") -> torch.Tensor:
    """The modality's example payload (used by the contract suite, ``preview`` and ``demo``)."""
    return example_images(batch_size, generator=generator, device=device)


def example_variants(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> dict[str, Any]:
    """Valid payloads of the shapes the policies and presets take: colour, grey, uint8, tiny, with targets.

    Colour ops take 1 or 3 channels (RGBA raises a clear error), and PixMix needs a
    batch, so neither an RGBA image nor a single ``(C, H, W)`` image is listed.
    """
    from .geometric import example_image_batch

    colour = example_images(batch_size, generator=generator, device=device)
    return {
        "colour": colour,
        "grey": colour.mean(1, keepdim=True),
        "uint8": (colour * 255).round().to(torch.uint8),
        "small 3x5": colour[:, :, :3, :5].contiguous(),
        "1x1": colour[:, :, :1, :1].contiguous(),
        "with targets": example_image_batch(batch_size, generator=generator, device=device),
    }


def bad_examples() -> list[Any]:
    """Malformed payloads that :func:`validate_image` must reject."""
    return [
        torch.rand(3, 8, 8, 2, 1),  # 5-D
        torch.rand(8, 8),  # 2-D
        torch.rand(2, 3, 8, 8) * 4.0,  # float out of [0, 1]
        torch.randint(0, 5, (2, 3, 8, 8), dtype=torch.int64),  # integer but not uint8
        torch.full((2, 3, 8, 8), float("nan")),
        "not an image",
        ImageBatch(torch.rand(2, 3, 8, 8), boxes=torch.rand(2, 5)),  # boxes without the N dim
        ImageBatch(torch.rand(2, 3, 8, 8), mask=torch.zeros(2, 4, 4, dtype=torch.long)),  # mask size mismatch
        ImageBatch(torch.rand(2, 3, 8, 8), boxes=torch.tensor([[[1.0, 1.0, float("nan"), 4.0]]] * 2)),  # NaN box
    ]


def _render(original: Any, views: Any, path: Any) -> Any:
    from .render import render_grid

    return render_grid(original, views, path)


def _load(paths: Any) -> Any:
    from .image_io import load_images

    return load_images(paths)


def _save(x: Any, paths: Any) -> None:
    from .image_io import save_images

    save_images(x, paths)


IMAGE = Modality(
    name="image",
    payload=PAYLOAD,
    validate=validate_image,
    example=example,
    bad_examples=bad_examples,
    example_variants=example_variants,
    batch_size=image_batch_size,
    subset=image_subset,
    merge=image_merge,
    float_tolerance=(1e-4, 1e-4),
    render=_render,
    load=_load,
    save=_save,
    file_patterns=("*.png", "*.jpg", "*.jpeg", "*.bmp", "*.webp"),
    files="omniaug_image.image_io:FILES",
    description="Images (B, C, H, W); geometric ops move masks, boxes and keypoints with the image.",
    extra={"randaugment_space": lambda level: _randaugment_space(level)},
)


def _randaugment_space(level: float) -> list[Any]:
    """The paper's 14 RandAugment ops at ``level = m / 10`` (exact strength, random sign) for ``omniaug.RandAugment``."""
    from .policies import randaugment_space

    return randaugment_space(level)


class ImageAugmentation(Augmentation):
    """Base class of image ops: sets the modality and accepts a single ``(C, H, W)`` image.

    A single image gets a batch dimension around the call, so :meth:`draw` sees
    ``batch_size == 1`` and :meth:`kernel` always receives a ``(B, C, H, W)`` tensor
    or an :class:`ImageBatch`.
    """

    modality = IMAGE

    def apply(self, x: Any, params: Params) -> Any:
        if is_unbatched(x):
            return super().apply(x.unsqueeze(0), params).squeeze(0)
        return super().apply(x, params)
