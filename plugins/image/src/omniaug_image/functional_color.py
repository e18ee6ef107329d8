"""Pure, batched colour kernels with one parameter per sample.

Every function takes an image batch ``(B, C, H, W)`` (float in [0, 1] or uint8)
and per-sample parameters of shape ``(B,)`` and returns a new batch of the same
dtype. The arithmetic follows ``torchvision.transforms.v2.functional`` step by
step (same grey weights, same blend, same clamping and the same float → uint8
conversion, and for uint8 the same roundings: its fused multiply-add blends and its
``h · float32(1/6)``), so for equal parameters uint8 results are bit-identical to
torchvision's (Gaussian blur: within one level — separable passes vs its 2-D kernel)
and float results agree within 1e-5; torchvision itself takes one Python scalar per call, which is why
these are written here: one vectorized pass for a whole batch of different
parameters.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._smallmath import cos_sin

__all__ = [
    "GRAY_WEIGHTS",
    "max_value",
    "to_float",
    "from_float",
    "per_sample",
    "gray",
    "blend",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_saturation",
    "adjust_hue",
    "adjust_hue_whole",
    "rgb_to_hsv",
    "hsv_to_rgb",
    "adjust_gamma",
    "to_grayscale",
    "invert",
    "posterize",
    "solarize",
    "autocontrast",
    "equalize",
    "adjust_sharpness",
    "permute_channels",
    "gaussian_kernel1d",
    "gaussian_blur",
    "gaussian_blur_reference",
    "add_gaussian_noise",
]

#: ITU-R 601 luma weights, as torchvision and PIL use them
GRAY_WEIGHTS = (0.2989, 0.587, 0.114)


def max_value(dtype: torch.dtype) -> float:
    """The value of full intensity: 1.0 for floats, 255 for uint8."""
    return 1.0 if dtype.is_floating_point else 255.0


def to_float(img: torch.Tensor) -> torch.Tensor:
    """uint8 → float32 in [0, 1]; floats are returned as they are."""
    return img if img.is_floating_point() else img.to(torch.float32).mul_(1.0 / 255.0)


def from_float(img: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Float in [0, 1] → ``dtype`` the way torchvision converts (× 255.999 then truncation for uint8)."""
    if dtype.is_floating_point:
        return img.to(dtype)
    return img.mul(255.0 + 1.0 - 1e-3).to(dtype)


def to_uint8_in_range(t: torch.Tensor) -> torch.Tensor:
    """Truncate a float tensor whose values lie in ``[0, 256)`` to uint8 (same result as ``t.to(torch.uint8)``).

    On CPU torch's direct float → uint8 cast is several times slower than float → int16
    → uint8 (docs/performance.md), and both truncate toward zero, so
    for in-range values the detour gives the same bytes. Only for kernels that
    guarantee the range (clamped or convex combinations of uint8 pixels).
    """
    if t.device.type != "cpu":
        return t.to(torch.uint8)
    return t.to(torch.int16).to(torch.uint8)


def per_sample(v: torch.Tensor, ndim: int = 4) -> torch.Tensor:
    """Reshape a ``(B,)`` parameter to broadcast against a ``(B, ...)`` tensor of ``ndim`` dims."""
    return v.reshape(-1, *([1] * (ndim - 1)))


def gray(img: torch.Tensor) -> torch.Tensor:
    """Luma ``(B, 1, H, W)`` in float (floored for integer inputs, as torchvision does)."""
    if img.shape[-3] == 1:
        return img if img.is_floating_point() else img.to(torch.float32)
    r, g, b = img.unbind(dim=-3)
    out = r.mul(GRAY_WEIGHTS[0]).add_(g, alpha=GRAY_WEIGHTS[1]).add_(b, alpha=GRAY_WEIGHTS[2]).unsqueeze(-3)
    return out if img.is_floating_point() else out.floor_()


def blend(img1: torch.Tensor, img2: torch.Tensor, ratio: torch.Tensor) -> torch.Tensor:
    """``ratio·img1 + (1 − ratio)·img2`` clamped to the dtype's range, per-sample ``ratio``."""
    r = per_sample(ratio.to(torch.float32 if not img1.is_floating_point() else img1.dtype), img1.dim())
    if img1.is_floating_point():
        return img1.mul(r).add_(img2 * (1.0 - r)).clamp_(0, 1.0)
    # uint8: torchvision computes ``img1·r`` and then ``add_(img2, alpha=1 − r)``, whose CPU
    # kernel is a fused multiply-add (one rounding of ``t + α·img2``). Rounding ``α·img2``
    # first puts a value just across an integer now and then (one grey level off on ~1 pixel
    # in 10⁴ of a photo). ``α·img2`` is exact in float64 (two 24-bit factors) and the float64
    # sum is rounded once to float32 — the fused result, so the bytes equal torchvision's.
    # (vectorized float64 passes cost more than the two-rounding float32 blend; the fused
    # colour path does not come here)
    t = img1.to(torch.float32).mul_(r).to(torch.float64)
    t.add_(img2.to(torch.float64).mul_((1.0 - r).to(torch.float64)))
    return to_uint8_in_range(t.to(torch.float32).clamp_(0, 255.0))


def adjust_brightness(img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Multiply by ``factor`` per sample and clamp."""
    dt = img.dtype if img.is_floating_point() else torch.float32
    out = img.mul(per_sample(factor.to(dt), img.dim())).clamp_(0, max_value(img.dtype))
    return out if img.is_floating_point() else to_uint8_in_range(out)


def adjust_contrast(img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Blend with the sample's mean grey level.

    For a uint8 CPU batch the blend runs on each sample's 256 levels and the batch is
    looked up (:func:`._color_u8.lookup`, the same bytes); the plain path under
    ``omniaug.using_reference_kernels()``.
    """
    mean = gray(img).mean(dim=(-3, -2, -1), keepdim=True)
    from . import _color_u8

    if _color_u8.table_usable(img):
        return _color_u8.lookup(img, blend(_color_u8.levels(img.shape[0], img.device), mean, factor))
    return blend(img, mean, factor)


def adjust_saturation(img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Blend with the sample's grey version (a 1-channel image is returned unchanged)."""
    if img.shape[-3] == 1:
        return img.clone()
    from . import _color_u8

    if _color_u8.table_usable(img):  # uint8 on CPU: the same operations on chunks, in per-thread buffers
        return _color_u8.blend(img, gray(img), factor)
    return blend(img, gray(img), factor)


def rgb_to_hsv(img: torch.Tensor) -> torch.Tensor:
    """RGB float ``(..., 3, H, W)`` → HSV with every component in [0, 1] (PIL's formulas).

    Torchvision's arithmetic, value for value; selections are sums of 0/1-masked terms
    (exact for finite values), which on CPU run several times faster than ``torch.where``
    and a channel ``aminmax``.
    """
    r, g, _ = img.unbind(dim=-3)
    maxc, minc = img.amax(dim=-3), img.amin(dim=-3)
    span = maxc - minc
    flat = (span == 0).to(img.dtype)
    s = span / (maxc + flat)  # flat pixels: 0 / (maxc + 1) = 0
    rc, gc, bc = ((maxc.unsqueeze(-3) - img) / (span + flat).unsqueeze(-3)).unbind(dim=-3)
    is_r = maxc == r
    is_g = (maxc == g) & ~is_r
    is_b = (~(is_r | is_g)).to(img.dtype)
    h = (bc - gc) * is_r.to(img.dtype) + ((2.0 + rc) - bc) * is_g.to(img.dtype) + ((4.0 + gc) - rc) * is_b
    h = h.mul_(1.0 / 6.0).add_(1.0).fmod_(1.0)  # torchvision multiplies by float32(1/6): h / 6 rounds differently
    return torch.stack((h, s, maxc), dim=-3)


def hsv_to_rgb(img: torch.Tensor) -> torch.Tensor:
    """HSV ``(..., 3, H, W)`` in [0, 1] → RGB float (torchvision's values; masked sums select, as above)."""
    h, s, v = img.unbind(dim=-3)
    h6 = h * 6.0
    i = torch.floor(h6)
    f = h6 - i
    i = i.remainder_(6.0)  # the hue sector 0..5, as float (exact small integers)
    p = ((1.0 - s) * v).clamp_(0.0, 1.0)
    q = ((1.0 - s * f) * v).clamp_(0.0, 1.0)
    t = ((s * f + (1.0 - s)) * v).clamp_(0.0, 1.0)
    e = [(i == k).to(h.dtype) for k in range(6)]
    # which of (v, p, q, t) feeds R, G and B in sectors 0..5: R = v q p p t v, G = t v v q p p, B = p p t v v q
    red = v * (e[0] + e[5]) + q * e[1] + p * (e[2] + e[3]) + t * e[4]
    green = t * e[0] + v * (e[1] + e[2]) + q * e[3] + p * (e[4] + e[5])
    blue = p * (e[0] + e[1]) + t * e[2] + v * (e[3] + e[4]) + q * e[5]
    return torch.stack((red, green, blue), dim=-3)


#: target bytes of one chunk's float32 image in :func:`adjust_hue` (cache blocking: its ~40 elementwise
#: passes then stay in L2 instead of streaming the batch through memory each time)
HUE_CHUNK_BYTES = 1024 * 1024


def adjust_hue(img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Rotate the hue by ``factor`` (a fraction of a turn in [-0.5, 0.5]) in HSV space.

    A uint8 or float32 RGB batch on CPU that needs no gradient goes through
    :func:`._hue.adjust_hue` (only the middle channel in float, far fewer passes, the
    same values); other CPU batches run :func:`adjust_hue_whole` in cache-sized chunks
    of samples. Both on the worker pool. :func:`adjust_hue_whole` (the whole batch at
    once) is the plain path — and the path taken under
    ``omniaug.using_reference_kernels()``.
    """
    if img.shape[-3] == 1:
        return img.clone()
    from . import _hue

    if _hue.usable(img):  # uint8 / float32 RGB on CPU: the same values with far fewer passes
        return _hue.adjust_hue(img, factor)
    if img.device.type != "cpu" or img.requires_grad or img.dim() != 4 or _reference():
        return adjust_hue_whole(img, factor)
    from ._chunks import run_balanced

    out = torch.empty_like(img, memory_format=torch.contiguous_format)
    per_image = 4 * img[0].numel()

    def run(start: int, stop: int) -> None:
        out[start:stop] = adjust_hue_whole(img[start:stop], factor[start:stop])

    run_balanced(img.shape[0], max(1, HUE_CHUNK_BYTES // max(1, per_image)), run, img.device)
    return out


def _reference() -> bool:
    """Whether ``omniaug.using_reference_kernels()`` asks for the plain kernels."""
    from omniaug import reference_kernels

    return reference_kernels()


def adjust_hue_whole(img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """:func:`adjust_hue` on the whole batch at once (the plain reference path)."""
    if img.shape[-3] == 1:
        return img.clone()
    hsv = rgb_to_hsv(to_float(img).to(torch.float32) if not img.is_floating_point() else img)
    h, s, v = hsv.unbind(dim=-3)
    h = (h + per_sample(factor.to(h.dtype), h.dim())).remainder(1.0)
    rgb = hsv_to_rgb(torch.stack((h, s, v), dim=-3))
    return from_float(rgb, img.dtype)


def adjust_gamma(img: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    """``x ** gamma`` on the [0, 1] scale, per-sample ``gamma``.

    A uint8 CPU batch looks its values up in a 256-entry table per sample when that
    gives the same bytes (:func:`._color_u8.adjust_gamma`); otherwise, and under
    ``omniaug.using_reference_kernels()``, one ``pow`` per pixel.
    """
    from . import _color_u8

    if img.dim() == 4 and _color_u8.gamma_usable(img) and not img.requires_grad:
        return _color_u8.adjust_gamma(img, gamma)
    x = to_float(img)
    out = x.pow(per_sample(gamma.to(x.dtype), x.dim()))
    return from_float(out, img.dtype)


def to_grayscale(img: torch.Tensor) -> torch.Tensor:
    """Grey version with the input's number of channels (luma repeated)."""
    if img.shape[-3] == 1:
        return img.clone()
    r, g, b = img.unbind(dim=-3)
    lum = r.mul(GRAY_WEIGHTS[0]).add_(g, alpha=GRAY_WEIGHTS[1]).add_(b, alpha=GRAY_WEIGHTS[2]).unsqueeze(-3)
    return lum.to(img.dtype).expand(img.shape).contiguous()


def invert(img: torch.Tensor) -> torch.Tensor:
    """``max − x``."""
    return 1.0 - img if img.is_floating_point() else img.bitwise_not()


def posterize(img: torch.Tensor, bits: torch.Tensor) -> torch.Tensor:
    """Keep ``bits`` (0–8, per sample) bits of each channel value."""
    bits = bits.to(device=img.device, dtype=torch.int64)
    if img.is_floating_point():
        levels = per_sample(torch.pow(2.0, bits.to(img.dtype)), img.dim())
        return img.mul(levels).floor_().clamp_(min=torch.zeros_like(levels), max=levels - 1).div_(levels)
    mask = (256 - torch.pow(2, 8 - bits.clamp(0, 8))).to(img.dtype)
    return img & per_sample(mask, img.dim())


def solarize(img: torch.Tensor, threshold: torch.Tensor) -> torch.Tensor:
    """Invert the values at or above ``threshold`` (given on the [0, 1] scale, per sample)."""
    t = per_sample(threshold.to(torch.float32) * max_value(img.dtype), img.dim())
    return torch.where(img >= t, invert(img), img)


def autocontrast(img: torch.Tensor) -> torch.Tensor:
    """Stretch each channel of each sample to the full range (flat channels are left as they are)."""
    bound = max_value(img.dtype)
    x = img if img.is_floating_point() else img.to(torch.float32)
    lo = x.amin(dim=(-2, -1), keepdim=True)
    hi = x.amax(dim=(-2, -1), keepdim=True)
    flat = hi == lo
    scale = torch.where(flat, torch.ones_like(hi), (hi - lo) * (1.0 / bound))
    lo = torch.where(flat, torch.zeros_like(lo), lo)
    return ((x - lo) / scale).clamp_(0, bound).to(img.dtype)


def equalize(img: torch.Tensor) -> torch.Tensor:
    """Histogram equalization per sample and channel (PIL's lookup table), on 256 bins.

    All ``B·C`` histograms are built with one ``bincount`` over indices offset by
    ``256·(sample·C + channel)``; float input is binned the way torchvision does
    (converted to uint8 and back).
    """
    u8 = img if img.dtype == torch.uint8 else from_float(img.clamp(0, 1), torch.uint8)
    b, c, h, w = u8.shape
    flat = u8.reshape(b * c, h * w).to(torch.int64)
    offsets = torch.arange(b * c, device=img.device).unsqueeze(1) * 256
    hist = torch.bincount((flat + offsets).reshape(-1), minlength=b * c * 256).reshape(b * c, 256)
    cum = hist.cumsum(dim=1)
    last = cum.argmax(dim=1, keepdim=True)  # first bin reaching the total = the largest value present
    non_max = h * w - hist.gather(1, last)
    step = torch.div(non_max, 255, rounding_mode="floor")
    lut = torch.div(cum[:, :-1] + step // 2, step.clamp(min=1), rounding_mode="floor").clamp_(0, 255)
    lut = torch.cat([torch.zeros_like(lut[:, :1]), lut], dim=1).to(torch.uint8)
    out = lut.gather(1, flat).reshape(b, c, h, w)
    out = torch.where((step != 0).reshape(b, c, 1, 1), out, u8)
    if img.dtype == torch.uint8:
        return out
    return out.to(img.dtype).mul_(1.0 / 255.0)


def adjust_sharpness(img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Blend with PIL's 3×3 smoothing filter (borders kept); factor 0 blurs, > 1 sharpens."""
    _, c, h, w = img.shape
    if h <= 2 or w <= 2:
        return img.clone()
    fp = img.is_floating_point()
    dt = img.dtype if fp else torch.float32
    a, m = 1.0 / 13.0, 5.0 / 13.0
    k = torch.tensor([[a, a, a], [a, m, a], [a, a, a]], dtype=dt, device=img.device).expand(c, 1, 3, 3)
    out = img.to(dt, copy=True)
    # float: convolve the input itself, not ``out`` — ``out`` is updated in place below,
    # which autograd refuses for a tensor the convolution saved (same values either way)
    blurred = F.conv2d(img if fp else out, k, groups=c)
    if not fp:
        blurred = blurred.round_()
    inner = out[..., 1:-1, 1:-1]
    r = per_sample((1.0 - factor).to(dt), 4)
    if fp:
        inner.add_((blurred - inner) * r)
    else:
        # torchvision's add_(blurred − x, alpha=1 − f) is a fused multiply-add (one rounding);
        # the product is exact in float64 (integer × float32), the float64 sum is rounded once
        inner.copy_((blurred - inner).to(torch.float64).mul_(r.to(torch.float64)).add_(inner))
    out = out.clamp_(0, max_value(img.dtype))
    return out if fp else out.to(img.dtype)


def permute_channels(img: torch.Tensor, perm: torch.Tensor) -> torch.Tensor:
    """Output channel ``k`` of sample ``i`` is input channel ``perm[i, k]``."""
    b, c, h, w = img.shape
    index = perm.to(device=img.device, dtype=torch.int64).reshape(b, c, 1, 1).expand(b, c, h, w)
    return img.gather(1, index)


def gaussian_kernel1d(kernel_size: int, sigma: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """Per-sample normalized 1-D Gaussian taps ``(B, kernel_size)`` (torchvision's sampling grid)."""
    lim = (kernel_size - 1) / (2.0 * 2.0**0.5)
    x = torch.linspace(-lim, lim, steps=kernel_size, dtype=dtype, device=sigma.device)
    return torch.softmax(-(x.unsqueeze(0) / sigma.to(dtype).unsqueeze(1)).pow(2), dim=1)


def gaussian_blur(img: torch.Tensor, kernel_size: int, sigma: torch.Tensor) -> torch.Tensor:
    """Gaussian blur with a per-sample ``sigma``, reflect padding.

    The 2-D kernel is separable. A uint8 or float32 CPU batch without grad runs both
    1-D passes as weighted sums of shifted slices on cache-sized chunks
    (:mod:`._blur`); other batches, and everything under
    ``omniaug.using_reference_kernels()``, take :func:`gaussian_blur_reference`.
    """
    from . import _blur

    if _blur.usable(img, kernel_size):
        return _blur.gaussian_blur(img, kernel_size, gaussian_kernel1d(kernel_size, sigma, torch.float32))
    return gaussian_blur_reference(img, kernel_size, sigma)


def gaussian_blur_reference(img: torch.Tensor, kernel_size: int, sigma: torch.Tensor) -> torch.Tensor:
    """:func:`gaussian_blur` as two grouped 1-D convolutions, one group per (sample, channel) (the plain path)."""
    b, c, h, w = img.shape
    fp = img.is_floating_point()
    dt = img.dtype if fp else torch.float32
    taps = gaussian_kernel1d(kernel_size, sigma, dt).repeat_interleave(c, dim=0)  # (B·C, k)
    x = img.to(dt).reshape(1, b * c, h, w)
    pad = kernel_size // 2
    x = F.pad(x, [pad, pad, pad, pad], mode="reflect")
    x = F.conv2d(x, taps.reshape(b * c, 1, 1, kernel_size), groups=b * c)
    x = F.conv2d(x, taps.reshape(b * c, 1, kernel_size, 1), groups=b * c)
    x = x.reshape(b, c, h, w)
    return x if fp else x.round_().to(img.dtype)


def add_gaussian_noise(img: torch.Tensor, noise: torch.Tensor, sigma: torch.Tensor, mean: float = 0.0) -> torch.Tensor:
    """Add ``mean + sigma·noise`` (``noise`` standard normal, ``sigma`` per sample) and clip."""
    if img.is_floating_point():
        return (img + (mean + noise.to(img.dtype) * per_sample(sigma.to(img.dtype), img.dim()))).clamp_(0, 1)
    n = (mean * 255 + noise.to(torch.float32) * per_sample(sigma.to(torch.float32) * 255, img.dim())).to(torch.int16)
    return (img + n).clamp_(0, 255).to(torch.uint8)


#: RGB → YIQ (NTSC) matrix; hue rotation is a rotation of the (I, Q) plane
RGB_TO_YIQ = (
    (0.299, 0.587, 0.114),
    (0.596, -0.274, -0.322),
    (0.211, -0.523, 0.312),
)


# the inverse, computed once: a LAPACK ``inv`` per call wakes BLAS threads (costly on a busy machine)
_YIQ_TO_RGB = torch.linalg.inv(torch.tensor(RGB_TO_YIQ, dtype=torch.float64)).tolist()


def _yiq_hue_basis(device: torch.device) -> torch.Tensor:
    """``(3, 9)`` float64: rows ``K0, K1, K2`` with ``T⁻¹ R(θ) T = K0 + cos θ · K1 + sin θ · K2`` (flattened).

    ``R(θ)`` (the I/Q-plane rotation) is linear in ``1, cos θ, sin θ``, so the whole
    RGB matrix is too; the three constant matrices are computed once per device.
    """
    key = str(device)
    basis = _HUE_BASIS.get(key)
    if basis is None:
        t = torch.tensor(RGB_TO_YIQ, dtype=torch.float64)
        t_inv = torch.tensor(_YIQ_TO_RGB, dtype=torch.float64)
        parts = (
            torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype=torch.float64),  # 1
            torch.tensor([[0.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64),  # cos θ
            torch.tensor([[0.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]], dtype=torch.float64),  # sin θ
        )
        basis = torch.stack([(t_inv @ r @ t).reshape(9) for r in parts]).to(device)
        _HUE_BASIS[key] = basis
    return basis


_HUE_BASIS: dict[str, torch.Tensor] = {}


def yiq_hue_matrix(factor: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Per-sample ``(B, 3, 3)`` RGB matrices rotating the hue by ``factor`` turns in YIQ space.

    A linear, luma-preserving hue rotation (the sign convention follows HSV:
    positive turns move red towards green). It is not a per-pixel approximation
    of the HSV shift — HSV keeps the max channel, YIQ keeps the luma — but it
    turns hues the same way and composes with the other colour matrices.
    Computed in float64 as ``K0 + cos θ · K1 + sin θ · K2`` (:func:`_yiq_hue_basis`):
    a few small ops per call instead of building and multiplying rotation matrices.
    """
    theta = factor.to(torch.float64) * (-2.0 * torch.pi)
    cos, sin = cos_sin(theta)  # not torch.cos/sin: see _smallmath (no OpenMP round trip)
    coeffs = torch.stack([torch.ones_like(cos), cos, sin], dim=-1)  # (B, 3)
    # a (B, 3) × (3, 9) product as a broadcast multiply-and-sum (a tiny matmul goes through BLAS)
    m = (coeffs.unsqueeze(-1) * _yiq_hue_basis(factor.device)).sum(-2)
    return m.reshape(-1, 3, 3).to(dtype)


def adjust_hue_yiq(img: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Hue rotation in YIQ space (the fusable alternative to :func:`adjust_hue`), clamped."""
    if img.shape[-3] == 1:
        return img.clone()
    x = to_float(img)
    m = yiq_hue_matrix(factor, x.dtype)
    out = torch.einsum("bij,bjhw->bihw", m, x).clamp_(0.0, 1.0)
    return from_float(out, img.dtype)
