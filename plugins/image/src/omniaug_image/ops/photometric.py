"""Photometric ops: colour, tone, blur and noise, one random strength per sample.

Each op draws its per-sample parameters as tensors and runs one vectorized kernel
from :mod:`.functional_color` on the image tensor; masks, boxes and keypoints of
an :class:`~omniaug_image.ImageBatch` (and a :class:`~omniaug_image.Mask`) pass
through untouched. Kernels match ``torchvision.transforms.v2.functional`` for the
same parameters: uint8 bit-identical (Gaussian blur within one level), float within
1e-5 (tested on real photos).

Strength arguments describe a range: ``Brightness(brightness=0.4)`` draws a factor
uniformly in ``[0.6, 1.4]`` per sample. With ``exact=True`` the op instead uses the
end of the range, with a random sign for signed strengths (factor ``1 ± 0.4``) —
the convention of AutoAugment's fixed-magnitude sub-policies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import torch

from omniaug import Augmentation, InputError, Magnitude, args, batching, rng
from omniaug.augmentation import refuse_grad
from omniaug.params import Params

from .. import color_fusion as CF
from .. import functional_color as FC
from .._chunks import run_balanced
from ..modality import (
    ImageAugmentation,
    ImageBatch,
    check_fusion_input,
    check_params_batch,
    image_of,
    is_unbatched,
    map_image,
    validate_image,
)

__all__ = [
    "OPS",
    "Brightness",
    "Contrast",
    "Saturation",
    "Hue",
    "ColorJitter",
    "Gamma",
    "Grayscale",
    "Invert",
    "Posterize",
    "Solarize",
    "Equalize",
    "AutoContrast",
    "Sharpness",
    "ChannelShuffle",
    "GaussianBlur",
    "GaussianNoise",
]


def _shape4(x: Any) -> tuple[int, int, int, int]:
    """``(B, C, H, W)`` of a payload (a single ``(C, H, W)`` image counts as a batch of one)."""
    img = image_of(x)
    shape = (1, *img.shape) if is_unbatched(x) else tuple(img.shape)
    return shape  # type: ignore[return-value]


def _signed(
    n: int, strength: float, exact: bool, *, generator: torch.Generator | None, device: torch.device
) -> torch.Tensor:
    """Offsets in ``[-s, s]`` (uniform) or exactly ``±s`` (random sign) per sample."""
    if exact:
        sign = rng.bernoulli(n, 0.5, generator=generator, device=device).float() * 2.0 - 1.0
        return sign * strength
    return rng.uniform(n, -strength, strength, generator=generator, device=device)


class _ImageOp(ImageAugmentation):
    """Base of ops that change only the image tensor of a payload."""

    moves_pixels = False  # a Mask (label map) is returned unchanged
    # Colour kernels are tens of cheap elementwise passes: on CPU they run on the calling thread
    # alone (same values). With two threads each pass was an OpenMP region whose barrier waits
    # for a descheduled partner on a shared machine, and on the worker pool the two threads took
    # turns at the GIL for every small op: both were slower than one thread (docs/performance.md,
    # "Design measurements").
    cpu_threads = 1

    #: channel counts the kernel accepts (None: any)
    channels: ClassVar[tuple[int, ...] | None] = None

    def check(self, x: Any) -> None:
        if self.channels is not None and _shape4(x)[1] not in self.channels:
            raise InputError(
                "x", f"images with {' or '.join(map(str, self.channels))} channels", image_of(x), where=self.name
            )

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        """The op on the image tensor ``(B, C, H, W)`` (:meth:`kernel` unwraps and rewraps an ``ImageBatch``)."""
        raise NotImplementedError(f"{type(self).__name__}.inner_kernel")

    def kernel(self, x: Any, params: Params) -> Any:
        return map_image(x, lambda img: self.inner_kernel(img, params))

    def apply(self, x: Any, params: Params) -> Any:
        if isinstance(x, ImageBatch):
            # only the image changes: the apply mask gathers and scatters the image tensor alone,
            # the targets (mask, boxes, keypoints) pass through without a copy
            validate_image(x)
            check_params_batch(x, params, self.name)
            return x.replace(image=super().apply(x.image, params))
        return super().apply(x, params)


class _FactorOp(_ImageOp):
    """An op with a multiplicative factor ``1 + offset`` per sample (brightness, contrast, ...)."""

    arg: ClassVar[str] = ""

    def __init__(self, strength: float, exact: bool, p: float, same_on_batch: bool) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.strength = args.non_negative(self.arg, strength, where=type(self).__name__)
        self.exact = bool(exact)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        factor = 1.0 + _signed(batch_size, self.strength, self.exact, generator=generator, device=device)
        return {"factor": factor.clamp_min(0.0)}


class Brightness(_FactorOp):
    """Multiply by a factor in ``[1 − b, 1 + b]`` per sample (torchvision ``adjust_brightness``)."""

    name = "image.brightness"
    differentiable = True
    arg = "brightness"
    magnitude = Magnitude("brightness", 0.0, 0.9)
    fusion = "image.color"

    def __init__(
        self, brightness: float = 0.4, *, exact: bool = False, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(brightness, exact, p, same_on_batch)

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.adjust_brightness(img, params["factor"])

    def fusion_transform(self, x: Any, params: Params) -> torch.Tensor:
        check_fusion_input(x, params, self.name)
        return CF.brightness_matrix(params["factor"], _shape4(x)[1])


class Contrast(_FactorOp):
    """Blend with the mean grey level by a factor in ``[1 − c, 1 + c]`` (``adjust_contrast``)."""

    name = "image.contrast"
    differentiable = True
    arg = "contrast"
    magnitude = Magnitude("contrast", 0.0, 0.9)
    fusion = "image.color"
    channels = (1, 3)

    def __init__(
        self, contrast: float = 0.4, *, exact: bool = False, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(contrast, exact, p, same_on_batch)

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.adjust_contrast(img, params["factor"])

    def fusion_transform(self, x: Any, params: Params) -> torch.Tensor:
        check_fusion_input(x, params, self.name)
        return CF.contrast_matrix(params["factor"], _shape4(x)[1])


class Saturation(_FactorOp):
    """Blend with the grey image by a factor in ``[1 − s, 1 + s]`` (``adjust_saturation``; "Color" in AutoAugment)."""

    name = "image.saturation"
    differentiable = True
    arg = "saturation"
    magnitude = Magnitude("saturation", 0.0, 0.9)
    fusion = "image.color"
    channels = (1, 3)

    def __init__(
        self, saturation: float = 0.4, *, exact: bool = False, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(saturation, exact, p, same_on_batch)

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.adjust_saturation(img, params["factor"])

    def fusion_transform(self, x: Any, params: Params) -> torch.Tensor:
        check_fusion_input(x, params, self.name)
        return CF.saturation_matrix(params["factor"], _shape4(x)[1])


class Sharpness(_FactorOp):
    """Blend with PIL's smoothing filter by a factor in ``[1 − s, 1 + s]`` (``adjust_sharpness``)."""

    name = "image.sharpness"
    differentiable = True
    arg = "sharpness"
    magnitude = Magnitude("sharpness", 0.0, 0.9)

    def __init__(
        self, sharpness: float = 0.5, *, exact: bool = False, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(sharpness, exact, p, same_on_batch)

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.adjust_sharpness(img, params["factor"])


_HUE_MODES = ("hsv", "yiq")


def _check_hue_mode(mode: Any, where: str) -> str:
    return args.choice("hue_mode", mode, _HUE_MODES, where=where)  # 'hsv': exact (torchvision); 'yiq': fast, fusable


class Hue(_ImageOp):
    """Shift the hue by up to ``hue`` turns (``[-0.5, 0.5]``) per sample.

    ``hue_mode="hsv"`` is torchvision's ``adjust_hue``; ``"yiq"`` rotates the I/Q
    chroma plane instead — a linear approximation that ``Compose(fuse=True)`` can fold
    into the ``image.color`` matrix.
    """

    name = "image.hue"
    differentiable = True
    magnitude = Magnitude("hue", 0.0, 0.5)
    channels = (1, 3)

    def __init__(
        self,
        hue: float = 0.1,
        *,
        hue_mode: str = "hsv",
        exact: bool = False,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.hue = args.finite("hue", hue, low=0.0, high=0.5, where="Hue")
        self.hue_mode = _check_hue_mode(hue_mode, "Hue")
        self.exact = bool(exact)
        self.fusion = "image.color" if self.hue_mode == "yiq" else None  # type: ignore[misc]

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"factor": _signed(batch_size, self.hue, self.exact, generator=generator, device=device)}

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        if self.hue_mode == "yiq":
            return FC.adjust_hue_yiq(img, params["factor"])
        return FC.adjust_hue(img, params["factor"])

    def fusion_transform(self, x: Any, params: Params) -> torch.Tensor:
        check_fusion_input(x, params, self.name)
        if self.hue_mode != "yiq":
            raise InputError("hue_mode", "'yiq' to fuse a hue shift", self.hue_mode, where=self.name)
        return CF.hue_matrix(params["factor"], _shape4(x)[1])


#: order of the sub-ops in ColorJitter's params ("order" holds indices into this)
JITTER_OPS = ("brightness", "contrast", "saturation", "hue")
#: ColorJitter's chunks: float32 bytes of a chunk's images, and at least this many samples (its
#: per-stage gathers split a chunk four ways: smaller chunks cost more in calls than they save)
JITTER_CHUNK_BYTES = 4 * 1024 * 1024
JITTER_CHUNK_MIN = 8


class ColorJitter(_ImageOp):
    """Brightness, contrast, saturation and hue in a random order per sample (torchvision ``ColorJitter``).

    Every sample draws its four factors and its own permutation of the four sub-ops.
    The kernel runs in four stages; at stage ``k`` each sub-op runs once on the
    samples whose ``k``-th op it is (gather → kernel → scatter), so the work is one
    application of each sub-op per sample and no loop over samples.

    ``hue_mode="yiq"`` (or ``hue=0``) makes the op fusable: ``Compose(fuse=True)``
    folds it, in each sample's order, into one ``image.color`` matrix — also when
    it stands alone (``fuse_alone``).
    """

    name = "image.color_jitter"
    differentiable = True
    channels = (1, 3)
    fuse_alone = True  # its own kernel is a chain of four ops: fused, it is one colour matrix

    def __init__(
        self,
        brightness: float = 0.4,
        contrast: float = 0.4,
        saturation: float = 0.4,
        hue: float = 0.1,
        *,
        hue_mode: str = "hsv",
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.strengths = (
            args.non_negative("brightness", brightness, where="ColorJitter"),
            args.non_negative("contrast", contrast, where="ColorJitter"),
            args.non_negative("saturation", saturation, where="ColorJitter"),
            args.finite("hue", hue, low=0.0, high=0.5, where="ColorJitter"),
        )
        self.hue_mode = _check_hue_mode(hue_mode, "ColorJitter")
        fusable = self.hue_mode == "yiq" or self.strengths[3] == 0.0
        self.fusion = "image.color" if fusable else None  # type: ignore[misc]

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        b, c, s, h = self.strengths
        kw: dict[str, Any] = {"generator": generator, "device": device}
        params: dict[str, Any] = {
            "brightness": rng.uniform(batch_size, max(0.0, 1.0 - b), 1.0 + b, **kw),
            "contrast": rng.uniform(batch_size, max(0.0, 1.0 - c), 1.0 + c, **kw),
            "saturation": rng.uniform(batch_size, max(0.0, 1.0 - s), 1.0 + s, **kw),
            "hue": rng.uniform(batch_size, -h, h, **kw),
        }
        # a uniformly random permutation per sample: argsort of i.i.d. uniforms
        params["order"] = rng.uniform(batch_size, 0.0, 1.0, shape=(4,), **kw).argsort(dim=1)
        return params

    def _sub_kernel(self, j: int, img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
        if j == 0:
            return FC.adjust_brightness(img, factor)
        if j == 1:
            return FC.adjust_contrast(img, factor)
        if j == 2:
            return FC.adjust_saturation(img, factor)
        return FC.adjust_hue_yiq(img, factor) if self.hue_mode == "yiq" else FC.adjust_hue(img, factor)

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        if img.device.type != "cpu" or img.requires_grad or img.dim() != 4:
            return self.stages(img, params)
        # cache blocking: chunks of samples (each with its own params) on the worker pool; every
        # sample's chain is its own, so the result is the whole-batch :meth:`stages`' bytes
        out = torch.empty_like(img, memory_format=torch.contiguous_format)
        keys = ("order", *JITTER_OPS)

        def run(start: int, stop: int) -> None:
            out[start:stop] = self.stages(img[start:stop], {k: params[k][start:stop] for k in keys})

        # a uint8 batch is sized by its own bytes: its sub-ops make float temporaries of the few samples
        # at each stage, and bigger chunks call the hundred-odd small ops of the exact hue fewer times
        per_image = (4 if img.is_floating_point() else 1) * img[0].numel()
        run_balanced(img.shape[0], max(JITTER_CHUNK_MIN, JITTER_CHUNK_BYTES // max(1, per_image)), run, img.device)
        return out

    def stages(self, img: torch.Tensor, params: Any) -> torch.Tensor:
        """The four sub-ops in each sample's order on the whole of ``img`` (the plain path).

        On CPU without grad, the rows a sub-op changes are written back in place into
        the kernel's own copy of the batch (made at the first partial stage), instead
        of a fresh merged batch per sub-op and stage: the same values.
        """
        from omniaug import reference_kernels

        order: torch.Tensor = params["order"]
        active = [j for j in range(4) if self.strengths[j] > 0.0]
        n = img.shape[0]
        in_place = img.device.type == "cpu" and not img.requires_grad and not reference_kernels()
        owned = False  # whether img is this call's own buffer (never the caller's input)
        for k in range(4):
            for j in active:
                idx = (order[:, k] == j).nonzero().flatten()
                if idx.numel() == 0:
                    continue
                factor = params[JITTER_OPS[j]]
                if idx.numel() == n:
                    img, owned = self._sub_kernel(j, img, factor), True
                    continue
                # batching's gather / scatter: on CPU ``index_select`` / ``index_copy`` on image
                # batches are several times slower (uint8 rows move as 8-byte words there)
                part = self._sub_kernel(j, batching.subset(img, idx), factor[idx])
                if not in_place:
                    img = batching.merge(img, idx, part)
                    continue
                if not owned:
                    img, owned = img.clone(memory_format=torch.contiguous_format), True
                batching.put_rows(img, idx, part)
        return img

    def fusion_transform(self, x: Any, params: Params) -> torch.Tensor:
        check_fusion_input(x, params, self.name)
        if self.fusion is None:
            raise InputError("hue_mode", "'yiq' (or hue=0) to fuse ColorJitter", self.hue_mode, where=self.name)
        ch = _shape4(x)[1]
        mats = torch.stack(
            [
                CF.brightness_matrix(params["brightness"], ch),
                CF.contrast_matrix(params["contrast"], ch),
                CF.saturation_matrix(params["saturation"], ch),
                CF.hue_matrix(params["hue"], ch)
                if self.strengths[3] > 0
                else CF.identity_matrix(params["hue"].shape[0], ch, params["hue"].device),
            ],
            dim=1,
        )  # (B, 4, S, S)
        order: torch.Tensor = params["order"]
        rows = torch.arange(order.shape[0], device=order.device)
        total = mats[rows, order[:, 0]]
        for k in range(1, 4):
            total = mats[rows, order[:, k]] @ total
        return total


class Gamma(_ImageOp):
    """``x ** γ`` on the [0, 1] scale with ``γ = 2 ** u``, ``u`` uniform in ``[-strength, strength]`` (``adjust_gamma``)."""

    name = "image.gamma"
    differentiable = True
    magnitude = Magnitude("strength", 0.0, 1.0)

    def __init__(
        self, strength: float = 0.5, *, exact: bool = False, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.strength = args.non_negative("strength", strength, where="Gamma")
        self.exact = bool(exact)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        u = _signed(batch_size, self.strength, self.exact, generator=generator, device=device)
        return {"gamma": torch.pow(2.0, u)}

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.adjust_gamma(img, params["gamma"])


class Grayscale(_ImageOp):
    """Replace every channel by the luma (``rgb_to_grayscale`` with the input's channel count)."""

    name = "image.grayscale"
    differentiable = True
    channels = (1, 3)

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.to_grayscale(img)


class Invert(_ImageOp):
    """``max − x`` (``invert``)."""

    name = "image.invert"
    differentiable = True

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.invert(img)


class Posterize(_ImageOp):
    """Keep ``b`` bits per channel, ``b`` uniform in ``[bits, 8]`` per sample (``posterize``)."""

    name = "image.posterize"
    differentiable = False  # piecewise constant: zero gradient almost everywhere
    magnitude = Magnitude("bits", 8, 4, integer=True)

    def __init__(self, bits: int = 4, *, exact: bool = False, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.bits = args.integer("bits", bits, low=0, high=8, where="Posterize")
        self.exact = bool(exact)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        if self.exact:
            return {"bits": torch.full((batch_size,), self.bits, dtype=torch.long, device=device)}
        return {"bits": rng.randint(batch_size, self.bits, 9, generator=generator, device=device)}

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        refuse_grad(img, self)  # also on replay (apply skips validate): never a silent zero gradient
        return FC.posterize(img, params["bits"])


class Solarize(_ImageOp):
    """Invert values at or above a threshold uniform in ``[threshold, 1]`` per sample (``solarize``)."""

    name = "image.solarize"
    differentiable = True
    magnitude = Magnitude("threshold", 1.0, 0.0)

    def __init__(
        self, threshold: float = 0.5, *, exact: bool = False, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.threshold = args.fraction("threshold", threshold, where="Solarize")
        self.exact = bool(exact)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        if self.exact:
            return {"threshold": torch.full((batch_size,), self.threshold, device=device)}
        return {"threshold": rng.uniform(batch_size, self.threshold, 1.0, generator=generator, device=device)}

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.solarize(img, params["threshold"])


class Equalize(_ImageOp):
    """Histogram equalization per sample and channel (``equalize``)."""

    name = "image.equalize"
    differentiable = False  # goes through uint8 histograms: zero gradient almost everywhere

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        refuse_grad(img, self)  # also on replay (apply skips validate): never a silently detached output
        return FC.equalize(img)


class AutoContrast(_ImageOp):
    """Stretch each channel to the full range (``autocontrast``)."""

    name = "image.autocontrast"
    differentiable = True

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.autocontrast(img)


class ChannelShuffle(_ImageOp):
    """Permute the channels with a random permutation per sample (``permute_channels``)."""

    name = "image.channel_shuffle"
    differentiable = True
    may_be_identity = True

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        c = _shape4(x)[1]
        return {
            "permutation": rng.uniform(batch_size, 0.0, 1.0, shape=(c,), generator=generator, device=device).argsort(
                dim=1
            )
        }

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        perm: torch.Tensor = params["permutation"]
        if perm.shape[1] != img.shape[1]:
            raise InputError("params", f"permutations of {img.shape[1]} channels", perm, where=self.name)
        return FC.permute_channels(img, perm)


class GaussianBlur(_ImageOp):
    """Gaussian blur, ``sigma`` uniform in ``sigma = (low, high)`` per sample (a number: that fixed σ).

    Per-sample separable kernels, rows then columns, for the whole batch at once: on uint8/float32
    CPU batches as weighted sums of shifted slices (:mod:`omniaug_image._blur`), otherwise (and
    under ``omniaug.using_reference_kernels()``) as grouped convolutions (see
    :func:`functional_color.gaussian_blur`).
    """

    name = "image.gaussian_blur"
    differentiable = True
    magnitude = Magnitude("sigma", (0.1, 0.1), (0.1, 2.0))

    def __init__(
        self,
        kernel_size: int = 5,
        sigma: float | Sequence[float] = (0.1, 2.0),
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.kernel_size = args.integer("kernel_size", kernel_size, low=1, where="GaussianBlur")
        if self.kernel_size % 2 == 0:
            raise InputError("kernel_size", "an odd positive integer", kernel_size, where="GaussianBlur")
        self.sigma = args.value_range("sigma", sigma, bounds=(1e-6, math.inf), scalar="fixed", where="GaussianBlur")

    def check(self, x: Any) -> None:
        h, w = _shape4(x)[-2:]
        if self.kernel_size // 2 >= min(h, w):
            raise InputError(
                "x", f"images larger than the kernel radius {self.kernel_size // 2}", image_of(x), where=self.name
            )

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"sigma": rng.uniform(batch_size, self.sigma[0], self.sigma[1], generator=generator, device=device)}

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.gaussian_blur(img, self.kernel_size, params["sigma"])


class GaussianNoise(_ImageOp):
    """Add Gaussian noise with a standard deviation uniform in ``sigma = (low, high)`` per sample, then clip.

    A number ``sigma`` is the fixed σ of every sample (torchvision's ``GaussianNoise``);
    the default ``(0.0, 0.1)`` draws it per sample (albumentations' ``std_range``).

    The standard-normal noise field is part of the params (drawn from the caller's
    generator), so a call can be replayed exactly on an aligned input. With ``p < 1`` it
    is drawn for the applied samples only (the other rows of ``noise`` are zeros).
    """

    name = "image.gaussian_noise"
    differentiable = True
    magnitude = Magnitude("sigma", (0.0, 0.0), (0.0, 0.2))
    draw_selected_only = True  # a noise image per sample: none for the samples p leaves alone

    def __init__(
        self,
        sigma: float | Sequence[float] = (0.0, 0.1),
        mean: float = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.sigma = args.value_range("sigma", sigma, bounds=(0.0, math.inf), scalar="fixed", where="GaussianNoise")
        self.mean = args.finite("mean", mean, where="GaussianNoise")

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        shape = tuple(_shape4(x)[1:])
        return {
            "sigma": rng.uniform(batch_size, self.sigma[0], self.sigma[1], generator=generator, device=device),
            "noise": rng.normal(batch_size, shape=shape, generator=generator, device=device),
        }

    def inner_kernel(self, img: torch.Tensor, params: Params) -> torch.Tensor:
        return FC.add_gaussian_noise(img, params["noise"], params["sigma"], self.mean)


OPS: list[type[Augmentation]] = [
    Brightness,
    Contrast,
    Saturation,
    Hue,
    ColorJitter,
    Gamma,
    Grayscale,
    Invert,
    Posterize,
    Solarize,
    Equalize,
    AutoContrast,
    Sharpness,
    ChannelShuffle,
    GaussianBlur,
    GaussianNoise,
]
