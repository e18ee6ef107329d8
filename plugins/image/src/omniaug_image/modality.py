"""The ``image`` modality: payload types, validation, batching, examples and previews.

A payload is either

* a tensor ``(B, C, H, W)``, float in ``[0, 1]`` or ``uint8`` in ``[0, 255]``; or
* an :class:`ImageBatch` holding that tensor plus optional targets that travel with
  the image through geometric ops: a segmentation ``mask`` ``(B, H, W)`` or
  ``(B, M, H, W)``, padded ``boxes`` ``(B, N, 4)`` in pixel ``xyxy`` with
  ``box_labels`` ``(B, N)`` and a validity mask ``box_valid`` ``(B, N)``, and
  ``keypoints`` ``(B, K, 2)`` in pixel ``xy`` with ``keypoint_visible`` ``(B, K)``; or
* a :class:`Mask` — a label map / mask batch alone, to replay an image's params on:
  geometric ops warp it with nearest-neighbour, every other op returns it unchanged.

Ragged box lists are stored padded with a validity mask, so every target op is a
vectorized tensor op with no per-sample loop.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from omniaug import Augmentation, Augmented, InputError, Modality, Params, batching, rng
from omniaug.host import in_unit_interval
from omniaug.parallel import value_range
from omniaug.params import APPLY
from omniaug.validation import checked, ensure, register_check, trusted

__all__ = [
    "IMAGE",
    "ImageAugmentation",
    "ImageBatch",
    "Mask",
    "carry_range_check",
    "image_batch_size",
    "image_merge",
    "image_of",
    "image_subset",
    "is_unbatched",
    "map_image",
    "validate_image",
    "validate_payload",
]

PAYLOAD = "Tensor (B, C, H, W) float in [0, 1] or uint8, ImageBatch(image, mask, boxes, keypoints, ...) or Mask(labels)"


@dataclass(frozen=True)
class Mask:
    """A label map or mask batch on its own, typed so that image ops treat it as one.

    ``tensor`` is ``(B, H, W)`` or ``(B, M, H, W)`` of any dtype (integer labels, bool
    or float masks). Geometric ops warp it with nearest-neighbour sampling (0 outside
    the image), so labels stay labels — exact for integers below 2**24; every other op
    (colour, blur, noise, occlusion) returns it unchanged. Replaying an image's params
    on its mask is then safe::

        out, params = pipe.augment(images, generator=g)
        seg_out = pipe(Mask(seg), params=params).tensor

    (like ``torchvision.tv_tensors.Mask``). A raw integer tensor is refused as an image;
    a uint8 ``(B, 1, H, W)`` label map would pass as a grey image and be recoloured:
    wrap it. Mixers and AugMix / PixMix (which blend several views) refuse a Mask.
    """

    tensor: torch.Tensor

    @property
    def shape(self) -> torch.Size:
        return self.tensor.shape

    @property
    def device(self) -> torch.device:
        return self.tensor.device


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


def image_of(x: torch.Tensor | ImageBatch | Mask) -> torch.Tensor:
    """The image tensor of a payload.

    For a :class:`Mask`: a ``(B, 1, H, W)`` view of the label map that carries its batch
    size, height, width and device — what geometric ops read to draw and build their
    warps; it is never an image to process.
    """
    if isinstance(x, ImageBatch):
        return x.image
    if isinstance(x, Mask):
        t = x.tensor
        return t.unsqueeze(1) if t.dim() == 3 else t[:, :1]
    return x


def map_image(x: Any, fn: Callable[[torch.Tensor], torch.Tensor]) -> Any:
    """Apply ``fn`` to the image tensor only and rebuild the payload.

    For photometric ops (colour, blur, noise, occlusion): the targets of an
    :class:`ImageBatch` (mask, boxes, keypoints) are returned untouched, a plain
    tensor payload is simply ``fn(x)``. ``fn`` receives the ``(B, C, H, W)`` tensor
    and must return a tensor of the same shape and dtype.
    """
    if isinstance(x, ImageBatch):
        return x.replace(image=fn(x.image))
    if isinstance(x, Mask):  # a label map is not an image: photometric ops leave it alone
        return x
    return fn(x)


def is_unbatched(x: Any) -> bool:
    """Whether ``x`` is a single ``(C, H, W)`` image tensor (no batch dimension)."""
    return isinstance(x, torch.Tensor) and x.dim() == 3


#: float images may exceed [0, 1] by this much (round-off of upstream float ops)
_RANGE_SLACK = 1e-3


def _check_image_tensor(img: Any, argument: str = "x", *, allow_single: bool = False, values: bool = True) -> None:
    expected = "a float tensor (B, C, H, W) with values in [0, 1] or a uint8 tensor (B, C, H, W)"
    if allow_single:
        expected += " (or one (C, H, W) image)"
    if not isinstance(img, torch.Tensor):
        raise InputError(argument, expected, img, where="image")
    if img.dim() != 4 and not (allow_single and img.dim() == 3):
        raise InputError(argument, expected + " (4 dimensions)", img, where="image")
    _check_layout(img, argument, expected)
    if min(img.shape[-3:]) < 1:
        raise InputError(argument, expected + " with non-empty C, H and W", img, where="image")
    if img.dtype == torch.uint8:
        return
    if not img.is_floating_point():
        raise InputError(argument, expected + f" (dtype float or uint8, not {img.dtype})", img, where="image")
    if values and img.numel():
        ensure("image.range", img, argument)  # read once per tensor per call (omniaug.validation)


#: most channels a single unbatched ``(C, H, W)`` image may have: more is taken for a ``(B, H, W)`` batch
_MAX_SINGLE_CHANNELS = 4
#: channel counts of channels-last photos (grey, RGB, RGBA)
_PHOTO_CHANNELS = (1, 3, 4)


def _check_layout(img: torch.Tensor, argument: str, expected: str) -> None:
    """Refuse the two likely layout mistakes before they reach a kernel.

    * channels-last ``(H, W, C)`` / ``(B, H, W, C)`` (NumPy / PIL order): the last
      dimension is 1, 3 or 4 and the would-be channel dimension is larger than 4 (and
      the would-be height too) — read as an image with ``H`` channels it would be
      warped and recoloured as nonsense;
    * a ``(B, H, W)`` batch of masks or grey images: a 3-D tensor is one ``(C, H, W)``
      image, and more than 4 channels there is taken for a batch (one multispectral
      image is passed batched, ``(1, C, H, W)``).
    """
    shape = tuple(img.shape)
    c, h, w = shape[-3:]
    if w in _PHOTO_CHANNELS and c > _MAX_SINGLE_CHANNELS and h > _MAX_SINGLE_CHANNELS:
        order = "(H, W, C)" if img.dim() == 3 else "(B, H, W, C)"
        fix = "x.permute(2, 0, 1)" if img.dim() == 3 else "x.permute(0, 3, 1, 2)"
        raise InputError(
            argument,
            expected + f" — this looks channels-last {order} with C={w} (NumPy/PIL order); "
            f"move the channels first: {fix}",
            img,
            where="image",
        )
    if img.dim() == 3 and c > _MAX_SINGLE_CHANNELS:
        raise InputError(
            argument,
            expected + f" — a 3-D tensor is one (C, H, W) image, and C={c} channels looks like a (B, H, W) batch: "
            "add the channel dimension (x.unsqueeze(1)) for grey images, wrap label maps as "
            "omniaug_image.Mask(x) (or ImageBatch(image, mask=x)); pass one many-channel image as (1, C, H, W)",
            img,
            where="image",
        )


def carry_range_check(source: torch.Tensor, result: torch.Tensor) -> torch.Tensor:
    """Claim ``result`` range-checked if ``source`` was (in this call) and ``result`` provably stays in range.

    For kernels whose output is a convex combination of input values and an
    in-range fill (nearest/bilinear warps): the next op's validation then skips
    re-reading every pixel of ``result``. Returns ``result``.
    """
    if result.is_floating_point() and checked("image.range", source):
        trusted("image.range", result)  # a claim: the contract suite runs the full check on it
    return result


def _range_check(t: torch.Tensor, argument: str = "x") -> None:
    """The full value-range check of a float image (``"image.range"``): reads every value, no record."""
    if not (t.is_floating_point() and t.numel()):
        return
    # tolerate tiny round-off of upstream float ops: [-1e-3, 1 + 1e-3]; the bit test decides
    # the usual float32 batch in one pass, anything else gets the exact min/max
    if in_unit_interval(t, _RANGE_SLACK):
        return
    lo, hi = value_range(t)  # NaN propagates into both; no OpenMP wake-up before the kernels (see there)
    if not (lo >= -_RANGE_SLACK and hi <= 1.0 + _RANGE_SLACK):  # `not (a <= b)` is also True for NaN
        raise InputError(
            argument,
            "a float tensor (B, C, H, W) with values in [0, 1], no NaN "
            "(or a uint8 tensor; a label map goes in omniaug_image.Mask(x))",
            t,
            where="image",
        )


register_check("image.range", _range_check)


def validate_image(x: Any, *, values: bool = True) -> None:
    """Raise :class:`omniaug.InputError` unless ``x`` is a valid image payload.

    ``values=False`` checks types, shapes and dtypes only, not the pixel range (no read).
    """
    if isinstance(x, ImageBatch):
        _check_image_tensor(x.image, "x.image", values=values)
        b, _, h, w = x.image.shape
        _check_targets(x, b, h, w)
        return
    if isinstance(x, Mask):
        raise InputError(
            "x",
            "images or an ImageBatch: a Mask (label map) is taken only by omniaug_image's own ops, which warp "
            "it (geometric) or return it unchanged (the others); this transform does not know what to do with it "
            "(mix or blend an ImageBatch(image, mask=...) instead)",
            x,
            where="image",
        )
    if isinstance(x, torch.Tensor) and not (x.dtype == torch.uint8 or x.is_floating_point()) and x.dim() in (3, 4):
        raise InputError(
            "x",
            "a float tensor (B, C, H, W) with values in [0, 1] or a uint8 tensor (B, C, H, W) "
            f"(dtype float or uint8, not {x.dtype}); a {x.dtype} tensor looks like a label map — wrap it as "
            "omniaug_image.Mask(x) (geometric ops warp it with nearest-neighbour, colour ops leave it alone) "
            "or pass it as ImageBatch(image, mask=x)",
            x,
            where="image",
        )
    _check_image_tensor(x, allow_single=True, values=values)


def validate_payload(x: Any, *, values: bool = True) -> None:
    """:func:`validate_image`, plus a :class:`Mask` — for omniaug_image's own ops and fusion kinds."""
    if isinstance(x, Mask):
        _check_mask(x.tensor, "x.tensor")
        return
    validate_image(x, values=values)


def _check_mask(m: Any, argument: str) -> None:
    if not (isinstance(m, torch.Tensor) and m.dim() in (3, 4) and min(m.shape[-2:]) >= 1):
        raise InputError(
            argument,
            "a tensor (B, H, W) or (B, M, H, W) of labels / masks (one mask (H, W): Mask(m[None]))",
            m,
            where="image",
        )


def image_batch_size(x: Any) -> int:
    """Batch size of an image payload (1 for a single ``(C, H, W)`` image)."""
    if is_unbatched(x):
        return 1
    if isinstance(x, ImageBatch):
        return int(x.image.shape[0])
    if isinstance(x, Mask):
        return int(x.tensor.shape[0])
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
        if not (
            isinstance(bx, torch.Tensor)
            and bx.is_floating_point()
            and bx.dim() == 3
            and bx.shape[0] == b
            and bx.shape[2] == 4
        ):
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
        if not (
            isinstance(kp, torch.Tensor)
            and kp.is_floating_point()
            and kp.dim() == 3
            and kp.shape[0] == b
            and kp.shape[2] == 2
        ):
            raise InputError(
                "x.keypoints", f"a float tensor (B, K, 2) of xy pixel points with B={b}", kp, where="image"
            )
        if kp.numel() and not bool(torch.isfinite(kp).all()):
            raise InputError(
                "x.keypoints",
                "finite keypoint coordinates (mark missing ones keypoint_visible=False)",
                kp,
                where="image",
            )
        v = x.keypoint_visible
        if v is not None and not (
            isinstance(v, torch.Tensor) and v.dtype == torch.bool and tuple(v.shape) == tuple(kp.shape[:2])
        ):
            raise InputError(
                "x.keypoint_visible", f"a bool tensor {tuple(kp.shape[:2])} matching x.keypoints", v, where="image"
            )
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


def example(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """The modality's example payload (used by the contract suite, ``preview`` and ``demo``)."""
    return example_images(batch_size, generator=generator, device=device)


def example_variants(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> dict[str, Any]:
    """Valid payloads of the shapes the policies and presets take: colour, grey, uint8, tiny, with targets.

    Colour ops take 1 or 3 channels (RGBA raises a clear error), and PixMix needs a
    batch, so neither an RGBA image nor a single ``(C, H, W)`` image is listed.
    """
    from .ops.geometric import example_image_batch

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
        torch.rand(2, 16, 16, 3),  # channels-last (B, H, W, C)
        torch.rand(8, 16, 16),  # a (B, H, W) batch, not one (C, H, W) image
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
    ``batch_size == 1`` and :meth:`kernel` always receives a ``(B, C, H, W)`` tensor,
    an :class:`ImageBatch` or (geometric ops only) a :class:`Mask`.

    A :class:`Mask` payload reaches the kernel only when :attr:`moves_pixels` is set
    (geometric ops, which warp it like the mask of an ``ImageBatch``); every other op
    draws its params as usual and returns the mask unchanged. :meth:`apply` checks its
    input like :meth:`validate` (a replay through a container is checked too; tensors
    that already passed are not re-read).
    """

    modality = IMAGE
    #: whether the op moves pixels (warps, flips, crops): True warps a :class:`Mask` with
    #: nearest-neighbour, False leaves it unchanged, None (undeclared) refuses it
    moves_pixels: ClassVar[bool | None] = None

    def validate(self, x: Any) -> None:
        if isinstance(x, Mask):
            if self.moves_pixels is None:
                raise InputError(
                    "x",
                    "images or an ImageBatch: this op does not declare whether it moves pixels "
                    "(moves_pixels), so it cannot tell whether to warp a Mask or leave it alone",
                    x,
                    where=self.name,
                )
            validate_payload(x)
            if self.moves_pixels:  # e.g. square images for quarter turns; colour checks do not apply
                self.check(x)
            return
        super().validate(x)

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        if isinstance(x, Mask) and self.moves_pixels is False:
            return Augmented(x, self.sample_params(x, generator=generator))
        return super().augment(x, generator=generator)

    def apply(self, x: Any, params: Params) -> Any:
        if isinstance(x, Mask):
            self.validate(x)
        else:
            validate_image(x)
        check_params_batch(x, params, self.name)
        if isinstance(x, Mask) and self.moves_pixels is False:
            return x
        if is_unbatched(x):
            return super().apply(x.unsqueeze(0), params).squeeze(0)
        return super().apply(x, params)


def check_fusion_input(x: Any, params: Params, where: str) -> None:
    """What an op's ``fusion_transform`` checks: ``Compose`` calls it on a replayed input before any kernel.

    Types and shapes only: the fusion kind's apply, which runs next, checks the pixel range.
    """
    validate_payload(x, values=False)
    check_params_batch(x, params, where)


def check_params_batch(x: Any, params: Params | int, where: str) -> None:
    """Refuse params drawn for another batch size, naming the likely ``(B, H, W)`` mistake.

    ``params``: the op's params (their ``apply`` mask gives the batch size) or that size.
    A 3-D tensor is one ``(C, H, W)`` image; replaying params of a batch of ``B`` on it
    almost always means a ``(B, H, W)`` mask or grey batch was passed as an image.
    """
    if isinstance(params, int):
        n: int | None = params
    else:
        mask = params.get(APPLY) if isinstance(params, Params) else None
        n = int(mask.shape[0]) if isinstance(mask, torch.Tensor) and mask.dim() == 1 else None
    if n is None:
        return
    size = image_batch_size(x)
    if size == n:
        return
    if is_unbatched(x) and x.shape[0] == n:
        raise InputError(
            "x",
            f"a batch matching the params (B={n}); got one (C, H, W) image whose first dimension is {n}: "
            "a (B, H, W) mask or grey batch? Wrap label maps as omniaug_image.Mask(x) (or pass "
            "ImageBatch(image, mask=x)); give grey images their channel dimension, x.unsqueeze(1)",
            x,
            where=where,
        )
    raise InputError("params", f"params drawn for a batch of {size} (these are for {n})", x, where=where)
