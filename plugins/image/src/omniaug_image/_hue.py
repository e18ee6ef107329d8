"""Fast HSV hue shift for uint8 and float32 RGB batches on CPU, with the values of the plain kernel.

:func:`.functional_color.adjust_hue_whole` (torchvision's arithmetic) converts every
pixel to HSV and back: three hue numerators, six sector masks, ``p``, ``q`` and ``t``
for every pixel, and a float copy of the whole image — about a hundred passes over
a chunk. This kernel computes the same float values with far fewer, on cache-sized
chunks of samples into per-thread scratch buffers, the per-sample factors as one
``(b, 1)`` tensor (no loop over samples). What it relies on, for finite values:

* The channel numerators ``x_c = (max − c) / span`` are exactly 0 for the max
  channel and exactly 1 for the min channel (``span / span``), so only the middle
  channel's ``x`` needs a division; the hue numerator of each of the six
  (max, min) cases is then ``(A + σ·x) − B`` with ``A`` its sector (0..5), ``σ = ±1``
  and ``B = 1`` for even ``A`` (0 for odd, and for a grey pixel, whose hue is 0) —
  the reference's own operations in its order (``(K + x_P) − x_Q``), with the sign
  flip and the ``+ 0``/``− 0`` exact. Ties for the max follow its precedence (r, g, b).
* Of the output ``v``, ``p``, ``q``, ``t`` only ``v`` (the max), ``p`` and the sector's
  middle value (``q`` in odd sectors, ``t`` in even ones) are used; the middle value is
  ``Z + σ'·(s·f)`` with ``Z = 1 − s·[even]`` (``1`` or ``1 − s``), the same roundings
  as ``1 − s·f`` and ``s·f + (1 − s)``.
* For a uint8 pixel ``v`` and ``p`` convert back to its max ``M`` and min ``m``
  (checked for all 32,896 pairs by the tests), so only the middle value is computed
  in float, and the output channels are assembled in uint8 as
  ``m + (M − m)·[max] + (mid − m)·[mid]`` (modular uint8, exact); which channel is the
  max / the middle one in sector ``e`` is bit ``e`` of a constant mask.
* ``fmod(y, 1)`` of a positive ``y`` is ``frac(y)``; ``floor`` of a non-negative value
  is its truncation to an integer.

Selections are 0/1 products and sums (exact), never ``torch.where``; comparisons of
floats write float 0/1 (a ``bool`` output takes a much slower CPU kernel). uint8 gives the
plain kernel's bytes (all 2^24 colours checked), float32 its values (``torch.equal``,
also outside ``[0, 1]``): differential tests on photos and on the selections' edge
cases in ``plugins/image/tests/test_hue_fast.py``.
Non-finite float inputs are outside the contract (the plain kernel's NaN handling
is not reproduced). ``omniaug.using_reference_kernels()`` routes callers to the plain
kernel.
"""

from __future__ import annotations

import torch

from ._chunks import run_balanced, scratch

__all__ = ["HUE_CHUNK_PIXELS", "HUE_CHUNK_PIXELS_F32", "adjust_hue", "usable"]

_F32 = torch.float32
_U8 = torch.uint8
_K255 = 1.0 / 255.0  # to_float's scale (a float32 multiply, as torchvision's to_dtype)
_TO_U8 = 255.0 + 1.0 - 1e-3  # from_float's scale (× 255.999 then truncation)
_TINY = 1e-30  # a divisor for grey uint8 pixels (their span is 0, any other span is at least 1/255)

#: pixels per chunk of a uint8 batch (about 60 bytes of scratch per pixel). Each chunk is about a hundred
#: torch calls, whose fixed cost a larger chunk shares: two 224² images per chunk ran faster than one or four
#: (docs/performance.md, "Design measurements")
HUE_CHUNK_PIXELS = 128 * 1024
#: pixels per chunk of a float32 batch (about 100 bytes of scratch per pixel): one 224² image
HUE_CHUNK_PIXELS_F32 = 64 * 1024

# bit e of each mask: whether the channel is the max (first three) or the middle value (last three) in
# output sector e (6 is sector 0: h·6 rounded up). Sectors → (R, G, B): 0 (v, t, p), 1 (q, v, p),
# 2 (p, v, t), 3 (p, q, v), 4 (t, p, v), 5 (v, p, q)
_ROLE_MASKS = (0b1100001, 0b0000110, 0b0011000, 0b0010010, 0b1001001, 0b0100100)


def usable(img: torch.Tensor) -> bool:
    """Whether the fast kernel applies: a CPU ``(B, 3, H, W)`` uint8 or float32 batch, no grad, reference off."""
    from omniaug import reference_kernels

    return (
        img.dtype in (_U8, _F32)
        and img.device.type == "cpu"
        and img.dim() == 4
        and img.shape[1] == 3
        and img.numel() > 0
        and not img.requires_grad
        and not reference_kernels()
    )


def _max_min_mid(
    r: torch.Tensor,
    g: torch.Tensor,
    b: torch.Tensor,
    big: torch.Tensor,
    small: torch.Tensor,
    mid: torch.Tensor,
    t0: torch.Tensor,
    t1: torch.Tensor,
) -> None:
    """Each pixel's largest, smallest and middle channel into ``big``, ``small``, ``mid``
    (``t0``, ``t1``: scratch of the same shape; six passes, no allocation)."""
    torch.maximum(r, g, out=t0)
    torch.minimum(r, g, out=t1)
    torch.maximum(t0, b, out=big)
    torch.minimum(t1, b, out=small)
    torch.minimum(t0, b, out=t0)
    torch.maximum(t1, t0, out=mid)


def adjust_hue(img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """:func:`.functional_color.adjust_hue_whole` of a uint8 / float32 RGB batch, on chunks of samples."""
    img = img.contiguous()
    out = torch.empty_like(img)
    factor = factor.to(device=img.device, dtype=_F32).reshape(-1, 1)
    per_image = img.shape[-2] * img.shape[-1]
    src, dst = img.view(img.shape[0], 3, per_image), out.view(img.shape[0], 3, per_image)

    def run(start: int, stop: int) -> None:
        _hue_into(src[start:stop], factor[start:stop], dst[start:stop])

    chunk = HUE_CHUNK_PIXELS if img.dtype == _U8 else HUE_CHUNK_PIXELS_F32
    run_balanced(img.shape[0], max(1, chunk // max(1, per_image)), run, img.device)
    return out


#: read-only constants of the kernel (CPU only), made once
_MASKS_CPU = torch.tensor(_ROLE_MASKS, dtype=_U8).view(6, 1, 1)
_ONE_CPU = torch.ones((), dtype=_F32)


def _role_masks(device: torch.device) -> torch.Tensor:
    """:data:`_ROLE_MASKS` as a ``(6, 1, 1)`` uint8 tensor (broadcast against the sector plane)."""
    return _MASKS_CPU if device.type == "cpu" else _MASKS_CPU.to(device)


def _one(device: torch.device) -> torch.Tensor:
    """A 0-d ``1.0`` (``torch.sub(one, x, out=…)`` is ``1 − x`` in one pass; a 0-d operand is a scalar)."""
    return _ONE_CPU if device.type == "cpu" else _ONE_CPU.to(device)


def _hue_into(img: torch.Tensor, factor: torch.Tensor, out: torch.Tensor) -> None:
    """The hue shift of ``(b, 3, L)`` pixels (a view, any strides) written into ``out`` (same shape).

    ``factor`` is ``(b, 1)``.
    """
    b, _, n = img.shape
    shape = (b, n)
    dev = img.device
    u8 = img.dtype == _U8
    one = _one(dev)
    r, g, bl = img.unbind(1)
    # uint8 rows: 0 M, 1 m, 2 mid (then the output's middle value) | 3 A, 4 sel, 5 B (uint8 input: rows 0–5
    # go to float in one copy) | 7, 8 temporaries, then sector and its parity | 9–14 the case planes, then the
    # role masks | 15 M − m (uint8) or 15–17 the min roles (float). Float rows: v, min (then span, s), mid
    # (then x), A (then h, f), sel, B (then the sector parities), flat (float input), two temporaries
    u = scratch("hue_u8", (18, *shape), _U8, dev)
    f = scratch("hue_f32", (9, *shape), _F32, dev)
    i16 = scratch("hue_i16", shape, torch.int16, dev)
    U = u.unbind(0)
    F = f.unbind(0)

    # -- the max, min and middle channel, and which of the six (max, min) cases the pixel is:
    #    A = sel + 2·[g is the max] + 4·[b is the max], sel = 1 where the max is followed by the min
    #    (r max: g ≤ b → sel 0; g max: b ≤ r → 0; b max: r ≤ g → 0), σ = 1 − 2·sel, B = 1 − sel
    #    (float input: B = 0 for a grey pixel as well; uint8 greys come out unchanged whatever their hue)
    if u8:
        big, small, mid, t0, t1 = U[0], U[1], U[2], U[7], U[8]
        _max_min_mid(r, g, bl, big, small, mid, t0, t1)
        # 0/1 planes: comparisons of uint8 write bool into a uint8 view
        is_r, is_g, is_b, c1, c2, c3 = U[9:15]
        torch.eq(r, big, out=is_r.view(torch.bool))
        torch.eq(g, big, out=t0.view(torch.bool))
        torch.gt(t0, is_r, out=is_g.view(torch.bool))  # green is the max, red is not (r, then g, then b)
        torch.add(is_r, is_g, out=is_b)
        is_b.bitwise_xor_(1)
        torch.gt(g, bl, out=c1.view(torch.bool))
        torch.gt(bl, r, out=c2.view(torch.bool))
        torch.gt(r, g, out=c3.view(torch.bool))
        a, odd, bb = U[3:6]
        torch.mul(is_r, c1, out=odd)
        odd.add_(c2.mul_(is_g))
        odd.add_(c3.mul_(is_b))
        torch.add(odd, is_g.mul_(2), out=a)
        a.add_(is_b.mul_(4))
        torch.bitwise_xor(odd, 1, out=bb)
        f[:6].copy_(u[:6])  # one conversion for the six planes
        f[:3].mul_(_K255)  # max, min, mid on the [0, 1] scale, as to_float computes them
        vf, mf, cf, af, oddf, bf = F[:6]
        flatf = None
    else:
        vf, mf, cf, af, oddf, bf, flatf, t0, t1 = F
        _max_min_mid(r, g, bl, vf, mf, cf, t0, t1)
        # float 0/1 planes: comparisons of floats write float (a bool output is several times slower)
        is_r, is_g, c = t0, t1, af
        torch.eq(r, vf, out=is_r)
        torch.eq(g, vf, out=c)
        torch.gt(c, is_r, out=is_g)
        torch.gt(g, bl, out=c)
        torch.mul(is_r, c, out=oddf)
        torch.gt(bl, r, out=c)
        oddf.addcmul_(is_g, c)
        torch.gt(r, g, out=c)
        is_b = is_r.add_(is_g).neg_().add_(1.0)
        oddf.addcmul_(is_b, c)
        torch.add(oddf, is_g, alpha=2.0, out=af)
        af.add_(is_b, alpha=4.0)
        torch.eq(vf, mf, out=flatf)
        torch.sub(one, oddf, out=bf).sub_(flatf)  # B = 0 for a grey pixel too: its hue is 0, as the reference's
    tmp, tmp2 = F[7], F[8]

    # -- rgb_to_hsv's hue from the middle channel's x, then the shift and hsv_to_rgb's sector and fraction
    span = torch.sub(vf, mf, out=mf)
    if flatf is None:  # uint8: a grey pixel (span 0, max − mid 0) needs any divisor but 0; others span ≥ 1/255
        torch.clamp_min(span, _TINY, out=tmp)
    else:
        torch.add(span, flatf, out=tmp)
    x = torch.sub(vf, cf, out=cf).div_(tmp)
    torch.addcmul(x, x, oddf, value=-2.0, out=tmp)  # σ·x (exact)
    h = af.add_(tmp).sub_(bf)  # (A + σ·x) − B: the reference's (K + x_P) − x_Q
    h.mul_(1.0 / 6.0).add_(1.0).frac_()  # fmod(·, 1) of a value in (0, 2)
    h.add_(factor)
    h.sub_(torch.floor(h, out=tmp))  # remainder(·, 1): h + factor is in [−0.5, 1.5)
    h.mul_(6.0)
    i16.copy_(h)  # the sector 0..6 (h·6 ≥ 0 truncates to its floor; 6 is sector 0)
    fr = h.frac_()
    sector, par = U[7], U[8]
    sector.copy_(i16)
    torch.bitwise_and(sector, 1, out=par)

    # -- s, and the sector's middle value: q = 1 − s·f (odd sectors) or t = s·f + (1 − s) (even ones),
    #    as Z + σ'·(s·f) with Z = 1 − s·[even], σ' = 1 − 2·[odd]
    if flatf is None:  # uint8: s = span / max, 0 / max for a grey pixel, 0 / tiny for black
        torch.clamp_min(vf, _TINY, out=tmp)
    else:
        torch.add(vf, flatf, out=tmp)
    s = span.div_(tmp)  # s = span / (max + flat)
    torch.bitwise_xor(par, 1, out=U[9])
    f[4:6].copy_(u[8:10])  # 1.0 in odd sectors, 1.0 in even ones
    torch.addcmul(one, s, bf, value=-1.0, out=tmp2)  # Z = 1 − s·[even] (the product is exact)
    torch.mul(s, fr, out=tmp)  # s·f
    torch.addcmul(tmp, tmp, oddf, value=-2.0, out=fr)  # σ'·s·f (exact)
    midv = tmp2.add_(fr).mul_(vf)
    if not u8:  # uint8: q, t and v lie in [0, 1] (v = M·float32(1/255) rounds to at most 1), the clamp is a no-op
        midv.clamp_(0.0, 1.0)

    # -- which channel gets the max, the middle value and the min in the output sector
    roles = u[9:15]  # max of R, G, B; middle of R, G, B
    torch.bitwise_right_shift(_role_masks(dev), sector, out=roles)
    roles.bitwise_and_(1)
    maxes, mids = roles[:3], roles[3:]
    dst = out.transpose(0, 1)  # (3, b, L) view of the output pixels
    if u8:  # m + (M − m)·[max] + (mid − m)·[middle], modular uint8 (exact)
        mid8 = U[2]
        i16.copy_(midv.mul_(_TO_U8))
        mid8.copy_(i16)  # converted as from_float converts (truncation)
        span8 = torch.sub(big, small, out=U[15])
        mid8.sub_(small)
        maxes.mul_(span8)
        maxes.add_(mids.mul_(mid8))
        torch.add(maxes, small, out=dst)
        return
    # float: p = (1 − s)·v clamped (not always the min itself); v·[max] + middle·[middle] + p·[min]
    p = torch.sub(one, s, out=tmp).mul_(vf).clamp_(0.0, 1.0)
    mins = u[15:18]
    torch.add(maxes, mids, out=mins)
    mins.bitwise_xor_(1)
    fm = scratch("hue_f32_roles", (9, *shape), _F32, dev)
    fm.copy_(u[9:18])
    torch.mul(fm[:3], vf, out=dst)
    dst.addcmul_(fm[3:6], midv)
    dst.addcmul_(fm[6:9], p)
