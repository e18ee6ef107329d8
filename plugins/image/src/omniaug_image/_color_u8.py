"""Fast uint8 colour kernels with the bytes of the plain ones in :mod:`.functional_color`.

The plain uint8 kernels convert the whole image to float, follow torchvision's float
arithmetic step by step and convert back. The kernels here compute the same values
with less work (the HSV hue shift, for uint8 and float32, is in :mod:`._hue`):

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

__all__ = ["adjust_gamma", "gamma_usable"]

_F32 = torch.float32
_U8 = torch.uint8
_K255 = 1.0 / 255.0  # to_float's scale (a float32 multiply, as torchvision's to_dtype)
_TO_U8 = 255.0 + 1.0 - 1e-3  # from_float's scale (× 255.999 then truncation)


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
