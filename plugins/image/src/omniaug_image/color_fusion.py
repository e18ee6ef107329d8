"""The ``image.color`` fusion kind: brightness, contrast, saturation (and YIQ hue) as one matrix.

Each of these colour ops is affine in the pixel values, except that contrast blends
with the *mean grey level of its own input*. That mean is the grey weights applied
to the per-channel means of the input, and every op maps the per-channel means
affinely too, so a chain of them is exactly an affine map of ``[pixel; means; 1]``:

    state  s = [x (C); m (C); 1]           x: a pixel, m: the current per-channel means
    op     x' = A x + B m + c,   m' = (A + B) m + c

written as the ``(2C+1) × (2C+1)`` block matrix ``[[A, B, c], [0, A+B, c], [0, 0, 1]]``.
Composition is a matrix product; applying the total matrix needs the per-channel
means of the *original* batch, computed once. The fused result is then one
``einsum`` per batch instead of one pass per op.

Difference from the unfused chain: torchvision (and the unfused kernels here) clamp
to [0, 1] after every op, the fused run clamps once at the end. When no
intermediate value leaves [0, 1] the two agree to float rounding (tested at
``atol = 1e-5``); otherwise the fused result is the un-clamped composition. For
uint8 the unfused chain also rounds between steps (and floors the grey level), so
fused and unfused uint8 outputs differ by a few grey levels.

Hue is fusable only in the YIQ mode (a rotation of the I/Q plane,
:func:`functional_color.yiq_hue_matrix`); the exact HSV hue shift is not linear.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from omniaug import FusionKind, InputError, memory
from omniaug.host import host_views

from . import _smallmath as SM
from . import functional_color as FC
from ._chunks import run_balanced, scratch
from ._smallmath import cos_sin
from .modality import Mask, check_params_batch, image_of, is_unbatched, map_image, validate_payload
from .reference import reference_color

__all__ = [
    "COLOR_FUSION",
    "FUSIONS",
    "affine_state_matrix",
    "brightness_matrix",
    "contrast_matrix",
    "saturation_matrix",
    "hue_matrix",
    "identity_matrix",
    "apply_color_matrix",
    "color_stage",
]


@functools.lru_cache(maxsize=16)
def _gray_row(c: int, device: torch.device) -> torch.Tensor:
    """``(1, C)`` grey weights (cached: read-only, asked for by every contrast/saturation matrix)."""
    if c == 1:
        return torch.ones(1, 1, device=device)
    return torch.tensor([FC.GRAY_WEIGHTS], device=device)


@functools.lru_cache(maxsize=16)
def _eye(c: int, device: torch.device) -> torch.Tensor:
    """``(C, C)`` identity (cached, read-only)."""
    return torch.eye(c, device=device)


def affine_state_matrix(a: torch.Tensor, b: torch.Tensor | None = None, c: torch.Tensor | None = None) -> torch.Tensor:
    """``(B, 2C+1, 2C+1)`` state matrices from pixel map ``A (B, C, C)``, mean term ``B`` and offset ``c``."""
    n, ch, _ = a.shape
    zeros = torch.zeros_like(a)
    b = zeros if b is None else b.expand(n, ch, ch)
    c = a.new_zeros(n, ch, 1) if c is None else c.reshape(n, ch, 1)
    # assembled by concatenation: indexed assignments into a zero matrix cost a Python
    # indexing round trip each (this runs once per colour op and call)
    last = torch.eye(2 * ch + 1, dtype=a.dtype, device=a.device)[-1:].expand(n, 1, 2 * ch + 1)
    top = torch.cat([a, b, c], dim=-1)
    middle = torch.cat([zeros, a + b, c], dim=-1)
    return torch.cat([top, middle, last], dim=1)


def identity_matrix(n: int, channels: int, device: torch.device) -> torch.Tensor:
    """Identity state matrices for ``n`` samples."""
    return torch.eye(2 * channels + 1, device=device).expand(n, -1, -1).clone()


def _basis(name: str, channels: int, device: torch.device) -> torch.Tensor:
    """``(K, 2C+1, 2C+1)`` constant matrices ``P_k`` of a colour op: its state matrix is ``Σ_k coeff_k · P_k``.

    Every op here is affine in its parameters — brightness, contrast and saturation in
    their factor ``f`` (``P_0 + f · P_1``), the YIQ hue rotation in ``cos θ`` and
    ``sin θ`` — so a call costs one or two fused multiply-adds of ``(B, 7, 7)``
    tensors instead of assembling blocks (measured ~3× fewer small ops per colour op).
    Built once per op, channel count and device, from :func:`affine_state_matrix`.
    """
    key = (name, channels, str(device))
    basis = _BASES.get(key)
    if basis is None:
        eye = torch.eye(channels, device=device).unsqueeze(0)
        gray = _gray_row(channels, device).expand(channels, channels).unsqueeze(0)
        zero = torch.zeros_like(eye)
        if name == "brightness":  # A = f·I
            parts = [affine_state_matrix(zero), affine_state_matrix(eye) - affine_state_matrix(zero)]
        elif name == "contrast":  # A = f·I, B = (1 − f)·G
            p0 = affine_state_matrix(zero, gray)
            parts = [p0, affine_state_matrix(eye, -gray) - affine_state_matrix(zero)]
        elif name == "saturation":  # A = G + f·(I − G)
            p0 = affine_state_matrix(gray)
            parts = [p0, affine_state_matrix(eye - gray) - affine_state_matrix(zero)]
        else:  # "hue": A = K0 + cos θ · K1 + sin θ · K2 (functional_color._yiq_hue_basis)
            k = FC._yiq_hue_basis(device).reshape(3, 3, 3).to(torch.float32)
            parts = [affine_state_matrix(k[:1])] + [
                affine_state_matrix(k[i : i + 1]) - affine_state_matrix(zero) for i in (1, 2)
            ]
        basis = torch.cat(parts)
        _BASES[key] = basis
    return basis


_BASES: dict[tuple[str, int, str], torch.Tensor] = {}


def _factor_matrix(name: str, factor: torch.Tensor, channels: int) -> torch.Tensor:
    """``P_0 + f · P_1`` for each sample's factor ``f`` (see :func:`_basis`)."""
    basis = _basis(name, channels, factor.device)
    return torch.addcmul(basis[0], factor.float().reshape(-1, 1, 1), basis[1])


def brightness_matrix(factor: torch.Tensor, channels: int) -> torch.Tensor:
    """``x' = f·x``."""
    return _factor_matrix("brightness", factor, channels)


def contrast_matrix(factor: torch.Tensor, channels: int) -> torch.Tensor:
    """``x' = f·x + (1 − f)·grey(mean)`` with the grey level of the current means."""
    return _factor_matrix("contrast", factor, channels)


def saturation_matrix(factor: torch.Tensor, channels: int) -> torch.Tensor:
    """``x' = f·x + (1 − f)·grey(x)`` (identity for one channel)."""
    if channels == 1:
        return identity_matrix(factor.shape[0], 1, factor.device)
    return _factor_matrix("saturation", factor, channels)


def hue_matrix(factor: torch.Tensor, channels: int) -> torch.Tensor:
    """YIQ hue rotation by ``factor`` turns (identity for one channel); see :func:`functional_color.yiq_hue_matrix`."""
    if channels == 1:
        return identity_matrix(factor.shape[0], 1, factor.device)
    basis = _basis("hue", channels, factor.device)
    host = host_views(factor, basis)
    if host is not None:  # NumPy on CPU: 4 tiny ops instead of ~8 torch dispatches (see _smallmath)
        f, b = host
        theta = f.astype(np.float64) * (-2.0 * np.pi)  # angles in float64, as yiq_hue_matrix
        cos = np.cos(theta).astype(np.float32).reshape(-1, 1, 1)
        sin = np.sin(theta).astype(np.float32).reshape(-1, 1, 1)
        return torch.from_numpy(b[0] + cos * b[1] + sin * b[2])
    cos, sin = cos_sin(factor.to(torch.float64) * (-2.0 * torch.pi))
    out = torch.addcmul(basis[0], cos.float().reshape(-1, 1, 1), basis[1])
    return out.addcmul_(sin.float().reshape(-1, 1, 1), basis[2])


#: target size of one chunk's float32 image in :func:`apply_color_matrix` (bytes): 3 images
#: of 3 × 224², near a 2 MB L2 cache with the output (3 images per chunk beat 6:
#: docs/performance.md, "Design measurements")
COLOR_CHUNK_BYTES = 2 * 1024 * 1024


def color_stage(total: torch.Tensor, channels: int, dtype: torch.dtype) -> Callable[..., None]:
    """The per-chunk colour step for state matrices ``(B, 2C+1, 2C+1)`` and images of ``dtype``.

    ``step(x, start, stop, dst, alias=False)`` maps a chunk ``x`` ``(n, C, H·W)`` —
    float, in the image's own units (0–255 for uint8) — of samples ``start:stop``
    and writes the clamped result, cast to ``dtype``, into ``dst`` ``(n, C, H·W)``.
    The contrast means are this chunk's own per-channel means. ``alias=True`` says
    ``dst`` shares memory with ``x``; the product then goes through a per-thread
    scratch buffer (``baddbmm`` must not write over its own input).
    """
    c = channels
    is_float = dtype.is_floating_point
    total = total.to(dtype if is_float else torch.float32)
    a = total[:, :c, :c]
    b_mean = total[:, :c, c : 2 * c]
    shift = total[:, :c, -1]
    if not is_float:
        # uint8 is mapped in 0–255 units with from_float's ×255.999/255 folded into the
        # matrix: the arithmetic of to_float → matrix → clamp → from_float, minus the two
        # rescaling passes (equal up to float rounding)
        scale = (255.0 + 1.0 - 1e-3) / 255.0
        a, b_mean, shift = a * scale, b_mean * scale, shift * (255.0 * scale)
    top = 1.0 if is_float else 255.0 + 1.0 - 1e-3

    def step(x: torch.Tensor, start: int, stop: int, dst: torch.Tensor, alias: bool = False) -> None:
        means = x.mean(dim=-1)  # (n, C): this chunk's per-channel means, as the fused chain needs them
        offset = ((b_mean[start:stop] * means.unsqueeze(1)).sum(-1) + shift[start:stop]).unsqueeze(-1)  # (n, C, 1)
        if is_float and not alias and x.dtype == dst.dtype:
            torch.baddbmm(offset, a[start:stop], x, out=dst).clamp_(0.0, top)
            return
        tmp = torch.baddbmm(offset, a[start:stop], x, out=scratch("colour", x.shape, x.dtype, x.device)).clamp_(
            0.0, top
        )
        # uint8: truncation, as from_float (values clamped to [0, 255.999]; see FC.to_uint8_in_range)
        dst.copy_(tmp if is_float else FC.to_uint8_in_range(tmp))

    return step


def apply_color_matrix(img: torch.Tensor, total: torch.Tensor, *, inplace: bool = False) -> torch.Tensor:
    """Apply state matrices ``(B, 2C+1, 2C+1)`` to images ``(B, C, H, W)``; clamp once; keep dtype.

    Runs over chunks of a few samples (cache blocking, not a loop over samples):
    each chunk is read once into cache, its per-channel means taken, its pixels
    mapped by one ``baddbmm`` (offset + ``A·x``) written straight into the output
    and clamped there while still in cache (:func:`color_stage`). A whole-batch
    version makes 3–4 passes over a 40 MB batch (and, for uint8, over a float copy
    of it) through memory.

    ``inplace=True`` (``img`` contiguous) writes the result back into ``img`` chunk by
    chunk, through a per-thread scratch buffer, instead of into a fresh output: for a
    caller that owns ``img`` (an intermediate nobody else sees), this saves a second
    full-size buffer — its page faults and the kernel's zeroing of it.
    """
    if img.requires_grad or (total.requires_grad and img.is_floating_point()):
        if inplace:
            raise InputError(
                "img", "an image that does not require grad (inplace=True)", img, where="apply_color_matrix"
            )
        return _apply_color_matrix_autograd(img, total)
    if inplace and not img.is_contiguous():
        raise InputError(
            "img", "a contiguous image batch (inplace=True writes into it)", img, where="apply_color_matrix"
        )
    b, c, h, w = img.shape
    hw = h * w
    is_float = img.is_floating_point()
    step = color_stage(total, c, img.dtype)
    # contiguous whatever img's layout; huge pages for large batches (see omniaug.memory)
    out = img if inplace else memory.empty(img.shape, dtype=img.dtype, device=img.device)

    def run(start: int, stop: int) -> None:
        n = stop - start
        x = img[start:stop].reshape(n, c, hw)
        x = x if is_float else x.to(torch.float32)
        step(x, start, stop, out[start:stop].view(n, c, hw), alias=inplace and is_float)

    # near-equal chunks of a few images, spread over worker threads (see omniaug_image._chunks)
    run_balanced(b, max(1, COLOR_CHUNK_BYTES // max(1, 4 * c * hw)), run, img.device)
    return out


def _apply_color_matrix_autograd(img: torch.Tensor, total: torch.Tensor) -> torch.Tensor:
    """:func:`apply_color_matrix` for inputs that require grad: the same arithmetic, out of place, whole batch.

    No ``out=``, scratch buffers or worker threads (autograd records none of them);
    per sample the same means, ``baddbmm`` and clamp as :func:`color_stage`, so the
    result equals the fast path's (tested). Only float images carry a gradient
    (a uint8 output has none), so the image is float here.
    """
    b, c, h, w = img.shape
    t = total.to(img.dtype)
    x = img.reshape(b, c, h * w)
    means = x.mean(dim=-1)
    offset = ((t[:, :c, c : 2 * c] * means.unsqueeze(1)).sum(-1) + t[:, :c, -1]).unsqueeze(-1)
    return torch.baddbmm(offset, t[:, :c, :c], x).clamp(0.0, 1.0).reshape(b, c, h, w)


def _identity(x: Any, n: int) -> torch.Tensor:
    img = image_of(x)
    return identity_matrix(n, img.shape[-3], img.device)  # (C, H, W) or (B, C, H, W)


def _compose(first: torch.Tensor, then: torch.Tensor) -> torch.Tensor:
    """``then @ first`` for ``(B, 7, 7)`` state matrices.

    On CPU in NumPy (see :mod:`_smallmath`). Elsewhere a
    broadcast multiply-and-sum; it was sliced into 64-sample pieces when it ran on
    CPU in torch, because each ``(n, 7, 7, 7)`` temporary past torch's parallel grain
    opened an OpenMP region on the calling thread, costly on a busy machine
    (docs/performance.md).
    """
    host = host_views(then, first)
    if host is not None:
        return torch.from_numpy(SM.matmul3(*host))
    return SM.matmul3(then, first)


def _check(x: Any, total: torch.Tensor) -> None:
    """What a replay through ``Compose`` must refuse: not an image, params of another batch size."""
    validate_payload(x)  # checked tensors (the usual augment path) are not re-read
    check_params_batch(x, int(total.shape[0]), "image.color")


def _apply(x: Any, total: torch.Tensor, ops: list[Any]) -> Any:
    _check(x, total)
    if isinstance(x, Mask):  # colour leaves a label map alone
        return x
    if is_unbatched(x):
        return apply_color_matrix(x.unsqueeze(0), total).squeeze(0)
    return map_image(x, lambda img: apply_color_matrix(img, total))


def _apply_inplace(x: Any, total: torch.Tensor, ops: list[Any]) -> Any:
    """:func:`_apply` writing into ``x``'s image (``Compose`` hands over a fresh warp output)."""
    if isinstance(x, Mask) or is_unbatched(x):
        return _apply(x, total, ops)

    def run(img: torch.Tensor) -> torch.Tensor:
        if img.requires_grad:  # Compose never asks for it then; direct callers get the autograd path
            return apply_color_matrix(img, total)
        return apply_color_matrix(img, total, inplace=img.is_contiguous())

    return map_image(x, run)


COLOR_FUSION = FusionKind(
    name="image.color",
    identity=_identity,
    compose=_compose,
    apply=_apply,
    apply_inplace=_apply_inplace,
    fresh_output=True,
    reference=reference_color,
    tolerance=(1e-5, 1e-5),
    description=(
        "brightness / contrast / saturation (and YIQ hue) folded into one per-sample colour matrix; "
        "equal to the unfused chain within 1e-5 on float images when no step clips"
    ),
)

FUSIONS: list[FusionKind] = [COLOR_FUSION]
