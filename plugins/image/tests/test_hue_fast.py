"""The fast HSV hue shift (``omniaug_image._hue``) gives the plain kernel's values (differential tests).

``_hue.adjust_hue`` computes only the middle channel's hue numerator and the
output's middle value in float, for uint8 and float32 CPU batches;
``functional_color.adjust_hue_whole`` (torchvision's arithmetic, the path under
``omniaug.using_reference_kernels()``) is what it is compared against: the same
bytes for uint8 (photos, edge cases, a quarter of all colours), equal values
(``torch.equal``) for float32 — including values outside ``[0, 1]``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

import omniaug
from omniaug.rng import make_generator
from omniaug_image import _hue
from omniaug_image import functional_color as FC
from omniaug_image.ops import photometric as P


def factors(n: int, seed: int, scale: float = 1.0) -> torch.Tensor:
    """Per-sample shifts in ``[-0.5, 0.5]`` (× ``scale``), the first four the range's ends and both zeros."""
    f = (torch.rand(n, generator=torch.Generator().manual_seed(seed)) - 0.5) * scale
    f[: min(n, 4)] = torch.tensor([0.5, -0.5, 0.0, -0.0])[: min(n, 4)]
    return f


def as_dtype(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return x if dtype == torch.uint8 else x.to(dtype) / 255


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
@pytest.mark.parametrize("source", ["photos", "tricky"])
def test_fast_hue_equals_the_plain_kernel(
    photo_crops: Callable[[int, int, int], torch.Tensor],
    tricky_pixels: Callable[..., torch.Tensor],
    source: str,
    dtype: torch.dtype,
) -> None:
    x = as_dtype(photo_crops(224, 224, 6) if source == "photos" else tricky_pixels(), dtype)
    assert _hue.usable(x)
    for seed in range(5):
        f = factors(x.shape[0], seed, 0.2 if seed == 4 else 1.0)  # seed 4: small shifts, as ColorJitter draws
        fast = FC.adjust_hue(x, f)
        assert fast.dtype == dtype and torch.equal(fast, FC.adjust_hue_whole(x, f)), (source, seed)


def test_fast_uint8_hue_on_every_green_blue_pair() -> None:
    """Every (g, b) pair, red at every fourth level and 255 (4.3 M colours), gives the plain kernel's bytes.

    Each of five samples has its own shift; all 2^24 colours were checked once offline, with 96 shifts.
    """
    v = torch.arange(256, dtype=torch.uint8)
    red = torch.cat([v[::4], v[-1:]])  # 65 levels
    rgb = torch.stack(torch.meshgrid(red, v, v, indexing="ij")).reshape(3, 5, 13 * 256, 256).transpose(0, 1)
    x = rgb.contiguous()
    f = torch.tensor([0.5, -0.3125, 0.0717, -0.0041, 0.25])
    assert torch.equal(_hue.adjust_hue(x, f), FC.adjust_hue_whole(x, f))


def test_fast_float_hue_outside_the_unit_range() -> None:
    """Finite float32 values outside [0, 1] (negative maxima, values above 1) follow the plain kernel too."""
    g = torch.Generator().manual_seed(3)
    x = torch.rand(5, 3, 40, 40, generator=g) * 3.0 - 1.0
    x[:, :, :4] = x[:, :1, :4]  # greys
    x[:, 1, 4:8] = x[:, 0, 4:8]  # ties for the max or min
    x[:, :, 8:10] = 0.0
    f = factors(5, 9)
    assert torch.equal(_hue.adjust_hue(x, f), FC.adjust_hue_whole(x, f))


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_fast_hue_on_chunks_and_threads(tricky_pixels: Callable[..., torch.Tensor], dtype: torch.dtype) -> None:
    """Chunks of samples (one, several, the whole batch) and the thread count do not change the result."""
    x = as_dtype(tricky_pixels(n=11, size=48), dtype)
    f = factors(11, 7)
    expected = FC.adjust_hue_whole(x, f)
    threads = torch.get_num_threads()
    chunks = _hue.HUE_CHUNK_PIXELS, _hue.HUE_CHUNK_PIXELS_F32
    try:
        for t in (1, 2):
            torch.set_num_threads(t)
            for pixels in (48 * 48, 3 * 48 * 48, 1 << 20):
                _hue.HUE_CHUNK_PIXELS = _hue.HUE_CHUNK_PIXELS_F32 = pixels
                assert torch.equal(_hue.adjust_hue(x, f), expected), (t, pixels)
    finally:
        torch.set_num_threads(threads)
        _hue.HUE_CHUNK_PIXELS, _hue.HUE_CHUNK_PIXELS_F32 = chunks


def test_hsv_round_trip_of_a_uint8_pixel_keeps_its_max_and_min() -> None:
    """What the uint8 path relies on, for every pair m <= M: v converts back to M and p = (1 - s)·v to m."""
    big = torch.arange(256).view(-1, 1).expand(256, 256).reshape(-1)
    small = torch.arange(256).view(1, -1).expand(256, 256).reshape(-1)
    keep = small <= big
    big, small = big[keep].to(torch.uint8), small[keep].to(torch.uint8)
    # the plain kernel's own float steps (rgb_to_hsv / hsv_to_rgb / from_float)
    vf, mf = FC.to_float(big), FC.to_float(small)
    span = vf - mf
    flat = (span == 0).to(torch.float32)
    s = span / (vf + flat)
    p = ((1.0 - s) * vf).clamp_(0.0, 1.0)
    assert big.numel() == 32896
    assert torch.equal(FC.from_float(vf, torch.uint8), big)
    assert torch.equal(FC.from_float(p, torch.uint8), small)


def test_fast_hue_only_where_it_applies(tricky_pixels: Callable[..., torch.Tensor]) -> None:
    x = tricky_pixels(n=2, size=16)
    assert _hue.usable(x) and _hue.usable(x.float())
    with omniaug.using_reference_kernels():
        assert not _hue.usable(x)
    assert not _hue.usable(x.double()) and not _hue.usable(x[:, :1].contiguous())
    assert not _hue.usable(x.float().requires_grad_()) and not _hue.usable(x[0])


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_hsv_colour_jitter_equals_its_reference_kernels(
    photo_crops: Callable[[int, int, int], torch.Tensor], dtype: torch.dtype
) -> None:
    """ColorJitter with the exact HSV hue: fast hue (and the other fast paths) vs the plain kernels, on photos."""
    x = as_dtype(photo_crops(96, 128, 9), dtype)
    op = P.ColorJitter(0.4, 0.4, 0.4, 0.5)
    params = op.sample_params(x, generator=make_generator(5))
    fast = op.apply(x, params)
    with omniaug.using_reference_kernels():
        plain = op.apply(x, params)
    assert torch.equal(fast, plain)
