"""Fast uint8 colour kernels with the bytes of the plain ones in :mod:`.functional_color`.

The plain uint8 kernels convert the whole image to float, follow torchvision's float
arithmetic step by step and convert back. On CPU the cost there is not the arithmetic
but the passes: every elementwise op streams its planes through memory, and several
torch CPU kernels are far slower than a plain multiply (``torch.where``, comparisons
with a scalar, ``bool`` → ``float``, ``fmod``/``remainder``; docs/performance.md,
"Design measurements"). The kernels here compute the same float values with fewer,
cheaper passes, on cache-sized chunks of samples, into per-thread scratch buffers
(no fresh multi-megabyte temporaries to page-fault in):

* :func:`adjust_hue` — HSV hue rotation. For a uint8 pixel the HSV round trip
  returns its largest channel ``M`` and its smallest ``m`` unchanged (``v`` → ``M``,
  ``p = (1 − s)·v`` → ``m``: checked for all 32,896 pairs ``m ≤ M`` by the tests), so
  only the middle channel — ``q`` or ``t`` of the new hue sector — is computed in
  float (with torchvision's operations, in its order); which of ``M``, ``m``, that
  value each output channel receives is the sector's, assembled in uint8.
  Selections are 0/1 masked products and sums (exact), never ``torch.where``.

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

__all__ = ["HUE_CHUNK_PIXELS", "adjust_gamma", "adjust_hue", "usable"]

_F32 = torch.float32
_U8 = torch.uint8
_K255 = 1.0 / 255.0  # to_float's scale (a float32 multiply, as torchvision's to_dtype)
_TO_U8 = 255.0 + 1.0 - 1e-3  # from_float's scale (× 255.999 then truncation)

#: pixels per chunk of :func:`adjust_hue` (about 50 bytes of scratch per pixel). Each chunk is about a
#: hundred small torch ops, whose fixed cost dominated chunks of one or two images; chunks of a few
#: images were as fast as the whole batch (docs/performance.md, "Design measurements")
HUE_CHUNK_PIXELS = 128 * 1024


def usable(img: torch.Tensor) -> bool:
    """Whether the fast uint8 kernels apply: a CPU ``(B, 3, H, W)`` uint8 batch, reference kernels off."""
    from omniaug import reference_kernels

    return (
        img.dtype == _U8
        and img.device.type == "cpu"
        and img.dim() == 4
        and img.shape[1] == 3
        and img.numel() > 0
        and not reference_kernels()
    )


def adjust_hue(img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """:func:`.functional_color.adjust_hue_whole` for a uint8 RGB batch (the same bytes), on chunks of samples."""
    img = img.contiguous()
    out = torch.empty_like(img)
    factor = factor.to(device=img.device, dtype=_F32)
    per_image = img.shape[-2] * img.shape[-1]

    def run(start: int, stop: int) -> None:
        _hue_into(img[start:stop], factor[start:stop], out[start:stop])

    run_balanced(img.shape[0], max(1, HUE_CHUNK_PIXELS // max(1, per_image)), run, img.device)
    return out


def _hue_into(img: torch.Tensor, factor: torch.Tensor, out: torch.Tensor) -> None:
    """The hue rotation of one chunk ``(b, 3, H, W)`` uint8, written into ``out`` (same shape)."""
    shape = (img.shape[0], img.shape[2], img.shape[3])
    u = scratch("hue_u8", (20, *shape), _U8, img.device)
    f = scratch("hue_f32", (6, *shape), _F32, img.device)
    i16 = scratch("hue_i16", shape, torch.int16, img.device)
    planes = u.unbind(0)
    big, small, is_r, is_g, is_b, chan_p, chan_q, t8, sector, span8, mid8, c8, d8 = planes[:13]
    e = planes[13:]  # one-hot sector planes 0..6
    h, vf, span, flat, tmp, tmp2 = f.unbind(0)
    r, g, b = img.unbind(1)

    # -- rgb_to_hsv, on uint8 where it can be: the max and min channels, which channel is the max
    torch.maximum(r, g, out=big)
    torch.maximum(big, b, out=big)
    torch.minimum(r, g, out=small)
    torch.minimum(small, b, out=small)
    torch.eq(r, big, out=is_r.view(torch.bool))
    torch.eq(g, big, out=is_g.view(torch.bool))
    torch.bitwise_xor(is_r, 1, out=t8)
    is_g.bitwise_and_(t8)  # green is the max, red is not (torchvision's precedence: r, then g, then b)
    torch.add(is_r, is_g, out=is_b)
    is_b.bitwise_xor_(1)
    # the hue numerator is (K + x_P) − x_Q with x_c = (max − c) / span: (0, b, g) when red is the max,
    # (2, r, b) for green, (4, g, r) for blue — the channels P and Q picked by 0/1 products
    torch.mul(b, is_r, out=chan_p)
    chan_p.add_(torch.mul(r, is_g, out=t8))
    chan_p.add_(torch.mul(g, is_b, out=t8))
    torch.mul(g, is_r, out=chan_q)
    chan_q.add_(torch.mul(b, is_g, out=t8))
    chan_q.add_(torch.mul(r, is_b, out=t8))
    torch.mul(is_b, 2, out=t8)
    t8.add_(is_g).mul_(2)  # K = 2·is_g + 4·is_b

    # -- the float part, each value as rgb_to_hsv / hsv_to_rgb compute it
    h.copy_(t8)  # K
    torch.eq(big, small, out=t8.view(torch.bool))
    flat.copy_(t8)  # 1.0 where max == min (span == 0)
    vf.copy_(big).mul_(_K255)  # v = max / 255
    span.copy_(small).mul_(_K255).sub_(vf).neg_()  # max − min (the negated difference is exact)
    torch.add(span, flat, out=tmp2)  # span + flat, the divisor
    tmp.copy_(chan_p).mul_(_K255).sub_(vf).neg_().div_(tmp2)  # x_P
    h.add_(tmp)
    tmp.copy_(chan_q).mul_(_K255).sub_(vf).neg_().div_(tmp2)  # x_Q
    h.sub_(tmp)
    h.mul_(1.0 / 6.0).add_(1.0)
    h.sub_(torch.floor(h, out=tmp))  # fmod(h, 1): h is in [0, 2), where x − floor(x) is exact
    h.add_(factor.view(-1, 1, 1))
    h.sub_(torch.floor(h, out=tmp))  # remainder(h, 1): h + factor is in [−0.5, 1.5)
    h.mul_(6.0)
    torch.floor(h, out=tmp)  # the sector i, 0..6 (6: h·6 rounded up to 6, sector 0)
    h.sub_(tmp)  # its fraction f
    i16.copy_(tmp)
    sector.copy_(i16)
    flat.add_(vf)
    span.div_(flat)  # s = span / (max + flat)
    torch.mul(span, -1.0, out=tmp2).add_(1.0)  # 1 − s
    span.mul_(h)  # s·f
    torch.mul(span, -1.0, out=tmp).add_(1.0)  # q's factor 1 − s·f
    span.add_(tmp2)  # t's factor s·f + (1 − s)
    torch.bitwise_and(sector, 1, out=t8)
    flat.copy_(t8)  # 1.0 in odd sectors (q is the middle channel there, t in even ones)
    tmp.mul_(flat)
    torch.mul(flat, -1.0, out=tmp2).add_(1.0)
    span.mul_(tmp2)
    tmp.add_(span)  # q's or t's factor (the other term is an exact zero)
    tmp.mul_(vf).clamp_(0.0, 1.0).mul_(_TO_U8)
    i16.copy_(tmp)
    mid8.copy_(i16)  # the middle channel, converted as from_float converts

    # -- hsv_to_rgb's channel assignment, in uint8: channel = min + (max − min)·[is max] + (mid − min)·[is mid]
    torch.sub(big, small, out=span8)
    mid8.sub_(small)  # modular uint8 arithmetic: small + (mid − small) is mid whatever the order
    for k in range(7):  # comparisons with a full plane (with a scalar they take a slow path)
        c8.fill_(k)
        torch.eq(sector, c8, out=e[k].view(torch.bool))
    e[0].bitwise_or_(e[6])  # sector 6 is sector 0
    # sector → (R, G, B): 0 (M, t, m), 1 (q, M, m), 2 (m, M, t), 3 (m, q, M), 4 (t, m, M), 5 (M, m, q)
    for ch, (a, bb, c, dd) in enumerate(((0, 5, 1, 4), (1, 2, 0, 3), (3, 4, 2, 5))):
        dst = out[:, ch]
        torch.bitwise_or(e[a], e[bb], out=t8)
        torch.mul(span8, t8, out=dst)
        torch.bitwise_or(e[c], e[dd], out=d8)
        dst.add_(d8.mul_(mid8))
        dst.add_(small)


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
