"""Separable Gaussian blur as weighted sums of shifted slices: the fast CPU kernel.

The plain kernel (:func:`omniaug_image.functional_color.gaussian_blur_reference`,
kept as the reference path) runs the two 1-D passes as grouped convolutions with
one group per (sample, channel). On CPU those dispatch to a convolution library
whose depthwise 1-D path is slow for these shapes. A 1-D blur with ``k`` taps is
just ``k`` fused multiply-adds of shifted slices, each weight a per-sample
``(n, 1, 1, 1)`` tensor broadcast over the sample's planes, so this module does
exactly that, rows then columns:

1. reflect-pad the columns of a chunk (on the input's own dtype: uint8 stays one
   byte per pixel) and convert it once to float32 (into a per-thread scratch buffer);
2. row pass: ``Σ_t w_t · P[..., t : t + W]`` into the interior rows of a second buffer;
3. reflect the first and last ``k // 2`` rows of that buffer (blurring rows
   commutes with reflecting rows, so this equals reflect-padding the input on all
   four sides, as the reference does);
4. column pass: ``Σ_t w_t · R[..., t : t + H, :]`` — straight into the output for
   float32, or into scratch then rounded half to even (as the reference's ``round_``)
   and written as uint8.

The taps are the reference's (:func:`functional_color.gaussian_kernel1d`), summed
in the same order (tap 0 first); the results match the reference within float32
rounding, and uint8 results within one level where a value sits next to a rounding
boundary (differential tests: ``plugins/image/tests/test_blur_fast.py``).

The batch runs in cache-sized chunks of samples (cache blocking, never a loop over
samples), dealt to the worker pool by :func:`._chunks.run_balanced`.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._chunks import run_balanced, scratch

__all__ = ["BLUR_CHUNK_BYTES", "gaussian_blur", "usable"]

_F32 = torch.float32

#: float32 scratch bytes per chunk (three planes' worth per image). Each chunk is about
#: 2·kernel_size + 8 small torch ops, whose fixed cost dominated chunks of one image of 160²
BLUR_CHUNK_BYTES = 8 * 1024 * 1024

_ROUND_MAGIC = float(2**23)


def usable(img: torch.Tensor, kernel_size: int) -> bool:
    """Whether the fast kernel applies: a CPU uint8/float32 ``(B, C, H, W)`` batch without grad, radius < H, W."""
    from omniaug import reference_kernels

    pad = kernel_size // 2
    return (
        img.device.type == "cpu"
        and img.dim() == 4
        and img.dtype in (torch.uint8, _F32)
        and not img.requires_grad
        and img.numel() > 0
        and pad < img.shape[-2]
        and pad < img.shape[-1]
        and not reference_kernels()
    )


def gaussian_blur(img: torch.Tensor, kernel_size: int, taps: torch.Tensor) -> torch.Tensor:
    """Blur ``img`` with the per-sample separable taps ``(B, kernel_size)`` (float32), reflect padding.

    ``img`` must satisfy :func:`usable`; returns a new tensor of ``img``'s dtype.
    """
    b, c, h, w = img.shape
    pad = kernel_size // 2
    img = img.contiguous()
    out = torch.empty_like(img)
    # one (B, 1, 1, 1) weight per tap: broadcast over every plane of its sample
    weights = taps.to(device=img.device, dtype=_F32).t().contiguous().reshape(kernel_size, b, 1, 1, 1)
    per_image = 4 * c * (h * (w + 2 * pad) + (h + 2 * pad) * w + h * w)

    def run(start: int, stop: int) -> None:
        _blur_into(img[start:stop], weights[:, start:stop], pad, out[start:stop])

    run_balanced(b, max(1, BLUR_CHUNK_BYTES // max(1, per_image)), run, img.device)
    return out


def _blur_into(x: torch.Tensor, weights: torch.Tensor, pad: int, out: torch.Tensor) -> None:
    """Blur the chunk ``x`` (``(n, C, H, W)``) with ``weights`` ``(k, n, 1, 1, 1)`` into ``out`` (same shape)."""
    n, c, h, w = x.shape
    k = weights.shape[0]
    padded = F.pad(x, [pad, pad, 0, 0], mode="reflect") if pad else x
    if x.dtype != _F32:  # convert once, into scratch
        src = scratch("blur_src", (n, c, h, w + 2 * pad), _F32, x.device)
        src.copy_(padded)
    else:
        src = padded
    rows = scratch("blur_rows", (n, c, h + 2 * pad, w), _F32, x.device)
    inner = rows[:, :, pad : pad + h]
    torch.mul(src[..., 0:w], weights[0], out=inner)
    for t in range(1, k):  # over taps (a handful), not samples
        inner.addcmul_(src[..., t : t + w], weights[t])
    for j in range(1, pad + 1):  # reflect rows: row -j is row j, row h-1+j is row h-1-j
        rows[:, :, pad - j].copy_(rows[:, :, pad + j])
        rows[:, :, pad + h - 1 + j].copy_(rows[:, :, pad + h - 1 - j])
    acc = out if out.dtype == _F32 else scratch("blur_acc", (n, c, h, w), _F32, x.device)
    torch.mul(rows[:, :, 0:h], weights[0], out=acc)
    for t in range(1, k):
        acc.addcmul_(rows[:, :, t : t + h], weights[t])
    if acc is not out:
        # round half to even and convert in two cheap passes: for 0 ≤ v < 2²³, the float32
        # sum v + 2²³ is v rounded to an integer (ties to even, as round_), held in the low
        # mantissa bits; int32 → uint8 keeps the low byte. torch's direct float → uint8
        # cast is a much slower scalar loop. The taps and pixels are ≥ 0, so v ≥ 0.
        out.copy_(acc.add_(_ROUND_MAGIC).view(torch.int32))
