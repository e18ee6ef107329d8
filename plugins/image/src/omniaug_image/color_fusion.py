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

from typing import Any

import torch

from omniaug import FusionKind
from omniaug.parallel import run_chunks

from . import functional_color as FC
from .modality import image_of, map_image

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
]


def _gray_row(c: int, device: torch.device) -> torch.Tensor:
    if c == 1:
        return torch.ones(1, 1, device=device)
    return torch.tensor([FC.GRAY_WEIGHTS], device=device)


def affine_state_matrix(a: torch.Tensor, b: torch.Tensor | None = None, c: torch.Tensor | None = None) -> torch.Tensor:
    """``(B, 2C+1, 2C+1)`` state matrices from pixel map ``A (B, C, C)``, mean term ``B`` and offset ``c``."""
    n, ch, _ = a.shape
    b = torch.zeros_like(a) if b is None else b
    c = torch.zeros(n, ch, dtype=a.dtype, device=a.device) if c is None else c
    m = torch.zeros(n, 2 * ch + 1, 2 * ch + 1, dtype=a.dtype, device=a.device)
    m[:, :ch, :ch] = a
    m[:, :ch, ch : 2 * ch] = b
    m[:, :ch, -1] = c
    m[:, ch : 2 * ch, ch : 2 * ch] = a + b
    m[:, ch : 2 * ch, -1] = c
    m[:, -1, -1] = 1.0
    return m


def identity_matrix(n: int, channels: int, device: torch.device) -> torch.Tensor:
    """Identity state matrices for ``n`` samples."""
    return torch.eye(2 * channels + 1, device=device).expand(n, -1, -1).clone()


def brightness_matrix(factor: torch.Tensor, channels: int) -> torch.Tensor:
    """``x' = f·x``."""
    eye = torch.eye(channels, device=factor.device)
    return affine_state_matrix(factor.float().reshape(-1, 1, 1) * eye)


def contrast_matrix(factor: torch.Tensor, channels: int) -> torch.Tensor:
    """``x' = f·x + (1 − f)·grey(mean)`` with the grey level of the current means."""
    f = factor.float().reshape(-1, 1, 1)
    eye = torch.eye(channels, device=factor.device)
    to_gray = _gray_row(channels, factor.device).expand(channels, channels)
    return affine_state_matrix(f * eye, (1.0 - f) * to_gray)


def saturation_matrix(factor: torch.Tensor, channels: int) -> torch.Tensor:
    """``x' = f·x + (1 − f)·grey(x)`` (identity for one channel)."""
    if channels == 1:
        return identity_matrix(factor.shape[0], 1, factor.device)
    f = factor.float().reshape(-1, 1, 1)
    eye = torch.eye(channels, device=factor.device)
    to_gray = _gray_row(channels, factor.device).expand(channels, channels)
    return affine_state_matrix(f * eye + (1.0 - f) * to_gray)


def hue_matrix(factor: torch.Tensor, channels: int) -> torch.Tensor:
    """YIQ hue rotation by ``factor`` turns (identity for one channel)."""
    if channels == 1:
        return identity_matrix(factor.shape[0], 1, factor.device)
    return affine_state_matrix(FC.yiq_hue_matrix(factor))


#: target size of one chunk's float32 image in :func:`apply_color_matrix` (bytes)
COLOR_CHUNK_BYTES = 4 * 1024 * 1024


def apply_color_matrix(img: torch.Tensor, total: torch.Tensor) -> torch.Tensor:
    """Apply state matrices ``(B, 2C+1, 2C+1)`` to images ``(B, C, H, W)``; clamp once; keep dtype.

    Runs over chunks of a few samples (cache blocking, not a loop over samples):
    each chunk is read once into cache, its per-channel means taken, its pixels
    mapped by one ``baddbmm`` (offset + ``A·x``) written straight into the output
    and clamped there while still in cache. A whole-batch version makes 3–4 passes
    over a 40 MB batch (and, for uint8, over a float copy of it) through memory.
    """
    b, c, h, w = img.shape
    hw = h * w
    is_float = img.is_floating_point()
    total = total.to(img.dtype if is_float else torch.float32)
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
    out = torch.empty(img.shape, dtype=img.dtype, device=img.device)  # contiguous, whatever img's layout

    def run(start: int, stop: int) -> None:
        n = stop - start
        x = img[start:stop].reshape(n, c, hw)
        x = x if is_float else x.to(torch.float32)
        means = x.mean(dim=-1)  # (n, C): this chunk's per-channel means, as the fused chain needs them
        offset = ((b_mean[start:stop] * means.unsqueeze(1)).sum(-1) + shift[start:stop]).unsqueeze(-1)  # (n, C, 1)
        dst = out[start:stop].view(n, c, hw)
        if is_float:
            torch.baddbmm(offset, a[start:stop], x, out=dst).clamp_(0.0, top)
        else:
            dst.copy_(torch.baddbmm(offset, a[start:stop], x).clamp_(0.0, top))  # truncation, as from_float

    # chunks of a few images, spread over worker threads (see omniaug_image._chunks)
    run_chunks(b, max(1, COLOR_CHUNK_BYTES // max(1, 4 * c * hw)), run, img.device)
    return out


def _identity(x: Any, n: int) -> torch.Tensor:
    img = image_of(x)
    return identity_matrix(n, img.shape[1], img.device)


def _compose(first: torch.Tensor, then: torch.Tensor) -> torch.Tensor:
    # ``then @ first`` as a broadcast multiply-and-sum: these (B, 7, 7) products are tiny,
    # and a batched matmul would go through BLAS and its thread pool (see functional_geometric.matmul3)
    return (then.unsqueeze(-1) * first.unsqueeze(-3)).sum(-2)


def _apply(x: Any, total: torch.Tensor, ops: list[Any]) -> Any:
    return map_image(x, lambda img: apply_color_matrix(img, total))


COLOR_FUSION = FusionKind(
    name="image.color",
    identity=_identity,
    compose=_compose,
    apply=_apply,
    tolerance=(1e-5, 1e-5),
    description=(
        "brightness / contrast / saturation (and YIQ hue) folded into one per-sample colour matrix; "
        "equal to the unfused chain within 1e-5 on float images when no step clips"
    ),
)

FUSIONS: list[FusionKind] = [COLOR_FUSION]
