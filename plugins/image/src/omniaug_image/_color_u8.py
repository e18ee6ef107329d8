"""Fast uint8 colour kernels with the bytes of the plain ones in :mod:`.functional_color`.

The plain uint8 kernels convert the whole image to float, follow torchvision's float
arithmetic step by step and convert back. The kernels here compute the same values
with less work (the HSV hue shift, for uint8 and float32, is in :mod:`._hue`):

* :func:`lookup` — the contrast of a uint8 sample is a function of the pixel value
  alone (the blend's second operand is the sample's mean), so the plain blend runs on
  the 256 levels of each sample (the same elementwise float operations, so the same
  bytes) and the batch is looked up in those tables, on chunks of samples with a
  per-thread index buffer, instead of eleven float passes per value.

* :func:`blend` — the saturation's blend with the grey image: the plain blend's
  operations in its order, on chunks of samples in per-thread buffers (its float64
  temporaries of a whole batch were fresh allocations, paged in on every call).

* :func:`adjust_gamma` — ``x ** γ``: a uint8 pixel has 256 possible values, so each
  sample's 256 results are computed (the same float32 ``pow``) and looked up, instead
  of a ``pow`` — a transcendental function — per pixel.
  torch's vectorized ``pow`` and its scalar loop for the last few elements of a row
  differ in the last bit for some arguments, so the plain kernel's result depends
  on where a pixel sits in memory; the lookup is used only where every pixel of the
  plain kernel takes the vectorized path (each sample's ``C·H·W`` a multiple of 64, one
  intra-op thread), so the bytes are the same.

Each function returns exactly the bytes of its plain counterpart (differential tests
in ``plugins/image/tests/test_color_u8.py``, on real photos and on random pixels);
``omniaug.using_reference_kernels()`` (or ``OMNIAUG_REFERENCE=1``) routes the callers
back to the plain kernels.
"""

from __future__ import annotations

import torch

from ._chunks import run_balanced, scratch

__all__ = [
    "BLEND_CHUNK_VALUES",
    "LOOKUP_CHUNK_VALUES",
    "adjust_gamma",
    "blend",
    "gamma_usable",
    "levels",
    "lookup",
    "table_usable",
]

_F32 = torch.float32
_U8 = torch.uint8
_K255 = 1.0 / 255.0  # to_float's scale (a float32 multiply, as torchvision's to_dtype)
_TO_U8 = 255.0 + 1.0 - 1e-3  # from_float's scale (× 255.999 then truncation)

#: values per chunk of :func:`lookup` (its int64 index buffer takes 8 bytes a value)
LOOKUP_CHUNK_VALUES = 256 * 1024
#: values per chunk of :func:`blend` (float32, float64 and int16 buffers: 14 bytes a value)
BLEND_CHUNK_VALUES = 128 * 1024


def table_usable(img: torch.Tensor) -> bool:
    """Whether :func:`lookup` and :func:`blend` serve ``img``: a uint8 ``(B, C, H, W)`` CPU batch, reference off."""
    from omniaug import reference_kernels

    return (
        img.dtype == _U8
        and img.device.type == "cpu"
        and img.dim() == 4
        and img.numel() > 0
        and not img.requires_grad
        and not reference_kernels()
    )


def levels(batch: int, device: torch.device) -> torch.Tensor:
    """The 256 uint8 levels as a ``(batch, 1, 1, 256)`` batch: a plain kernel run on it gives each sample's table."""
    return torch.arange(256, dtype=_U8, device=device).view(1, 1, 1, 256).expand(batch, 1, 1, 256)


def lookup(img: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """``table[s, img[s]]`` for a uint8 batch and a uint8 table of 256 entries per sample (any shape ``(B, …)``)."""
    img = img.contiguous()
    b = img.shape[0]
    src = img.view(b, -1)
    out = torch.empty_like(img)
    dst = out.view(b, -1)
    table = table.reshape(b, 256).contiguous()
    per = src.shape[1]

    def run(start: int, stop: int) -> None:
        idx = scratch("lookup_idx", (stop - start, per), torch.int64, img.device)
        idx.copy_(src[start:stop])
        torch.gather(table[start:stop], 1, idx, out=dst[start:stop])

    run_balanced(b, max(1, LOOKUP_CHUNK_VALUES // max(1, per)), run, img.device)
    return out


def blend(img1: torch.Tensor, img2: torch.Tensor, ratio: torch.Tensor) -> torch.Tensor:
    """:func:`.functional_color.blend` of a uint8 ``img1`` with a float ``img2`` (``(B, 1 or C, …)``), same bytes.

    ``ratio·img1`` in float32, plus ``img2·(1 − ratio)`` in float64, rounded to float32,
    clamped and truncated — the plain blend's operations — on chunks of samples.
    """
    img1 = img1.contiguous()
    b = img1.shape[0]
    out = torch.empty_like(img1)
    r = ratio.to(device=img1.device, dtype=_F32).view(b, 1, 1, 1)
    rest = (1.0 - r).to(torch.float64)
    per = img1[0].numel()

    def run(start: int, stop: int) -> None:
        shape = (stop - start, *img1.shape[1:])
        a = scratch("blend_f32", shape, _F32, img1.device)
        t = scratch("blend_f64", shape, torch.float64, img1.device)
        other = img2[start:stop]
        p = scratch("blend_other_f64", other.shape, torch.float64, img1.device)
        torch.mul(img1[start:stop], r[start:stop], out=a)
        t.copy_(a)
        t.add_(p.copy_(other).mul_(rest[start:stop]))
        a.copy_(t).clamp_(0, 255.0)
        i16 = scratch("blend_i16", shape, torch.int16, img1.device)
        out[start:stop].copy_(i16.copy_(a))

    run_balanced(b, max(1, BLEND_CHUNK_VALUES // max(1, per)), run, img1.device)
    return out


def gamma_usable(img: torch.Tensor) -> bool:
    """Whether :func:`adjust_gamma` gives the plain kernel's bytes for ``img``.

    A contiguous uint8 CPU batch ``(B, C, H, W)`` whose samples are a multiple of 64
    values, on one intra-op thread (an OpenMP split of the plain kernel's loop would put
    scalar-loop tails mid-row), reference kernels off.
    """
    from omniaug import reference_kernels

    return (
        img.dtype == _U8
        and img.device.type == "cpu"
        and img.dim() == 4
        and img.numel() > 0
        and img.is_contiguous()
        and img[0].numel() % 64 == 0
        and torch.get_num_threads() == 1
        and not reference_kernels()
    )


def adjust_gamma(img: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    """:func:`.functional_color.adjust_gamma` of a uint8 batch (the same bytes) through a 256-entry table per sample."""
    b = img.shape[0]
    levels = torch.arange(256, device=img.device, dtype=_U8).to(_F32).mul_(_K255).expand(b, 256)
    table = levels.pow(gamma.to(device=img.device, dtype=_F32).view(-1, 1)).mul_(_TO_U8).to(_U8)
    out = torch.gather(table, 1, img.reshape(b, -1).to(torch.int64))
    return out.view(img.shape)
