"""The fast uint8 colour paths give the bytes of the plain kernels (differential tests, issue #22).

``_color_u8.adjust_hue`` computes only the middle channel of the HSV round trip in
float and assembles the output in uint8; ``_color_u8.adjust_gamma`` looks values up
in a 256-entry table per sample. ``omniaug.using_reference_kernels()`` routes both
back to the plain kernels, which these tests compare against.
"""

from __future__ import annotations

import warnings

import pytest
import torch

import omniaug
from omniaug.rng import make_generator
from omniaug_image import _color_u8 as CU
from omniaug_image import functional_color as FC
from omniaug_image.ops import photometric as P


@pytest.fixture(scope="module")
def photos() -> torch.Tensor:
    """scikit-learn's two sample photos, uint8 ``(2, 3, 427, 640)``, cut into eight 160 × 160 crops."""
    from sklearn.datasets import load_sample_images

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imgs = [torch.from_numpy(a.copy()).permute(2, 0, 1) for a in load_sample_images().images]
    return torch.stack([img[:, 40 * k : 40 * k + 160, 60 * k : 60 * k + 160] for img in imgs for k in range(4)])


def tricky_pixels(n: int = 6, size: int = 64) -> torch.Tensor:
    """Random pixels plus the cases the hue's selections turn on: greys, ties for the max, saturated channels."""
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8, generator=g)
    v = torch.randint(0, 256, (n, size, size), dtype=torch.uint8, generator=g)
    w = torch.randint(0, 256, (n, size, size), dtype=torch.uint8, generator=g)
    rows = size // 8
    x[:, :, :rows] = v[:, None, :rows]  # grey: max == min
    x[:, 0, rows : 2 * rows], x[:, 1, rows : 2 * rows] = v[:, rows : 2 * rows], v[:, rows : 2 * rows]  # r == g
    x[:, 2, rows : 2 * rows] = torch.minimum(w, v)[:, rows : 2 * rows]
    x[:, 1, 2 * rows : 3 * rows], x[:, 2, 2 * rows : 3 * rows] = v[:, 2 * rows : 3 * rows], v[:, 2 * rows : 3 * rows]
    x[:, 0, 2 * rows : 3 * rows] = torch.minimum(w, v)[:, 2 * rows : 3 * rows]  # g == b > r
    x[:, :, 3 * rows : 4 * rows] = torch.where(x[:, :, 3 * rows : 4 * rows] > 127, 255, 0).to(torch.uint8)  # saturated
    return x


def factors(n: int, seed: int) -> torch.Tensor:
    f = torch.rand(n, generator=torch.Generator().manual_seed(seed)) - 0.5
    f[: min(n, 4)] = torch.tensor([0.5, -0.5, 0.0, -0.0])[: min(n, 4)]  # the ends of the range and both zeros
    return f


@pytest.mark.parametrize("source", ["photos", "tricky"])
def test_fast_uint8_hue_equals_the_plain_kernel(photos: torch.Tensor, source: str) -> None:
    x = photos if source == "photos" else tricky_pixels()
    assert CU.usable(x)
    for seed in range(6):
        f = factors(x.shape[0], seed)
        if seed == 5:
            f = f * 0.02  # small shifts, as ColorJitter draws them
        fast = FC.adjust_hue(x, f)
        assert torch.equal(fast, FC.adjust_hue_whole(x, f)), (source, seed)


def test_fast_uint8_hue_on_chunks_and_threads() -> None:
    """Chunks of samples (several per call) and the thread count do not change the bytes."""
    x = tricky_pixels(n=11, size=48)
    f = factors(11, 7)
    expected = FC.adjust_hue_whole(x, f)
    threads = torch.get_num_threads()
    chunk = CU.HUE_CHUNK_PIXELS
    try:
        for t in (1, 2):
            torch.set_num_threads(t)
            for pixels in (48 * 48, 3 * 48 * 48, 1 << 20):
                CU.HUE_CHUNK_PIXELS = pixels
                assert torch.equal(CU.adjust_hue(x, f), expected), (t, pixels)
    finally:
        torch.set_num_threads(threads)
        CU.HUE_CHUNK_PIXELS = chunk


def test_hsv_round_trip_of_a_uint8_pixel_keeps_its_max_and_min() -> None:
    """What the fast hue relies on, for every pair m <= M: v converts back to M and p = (1 - s)·v to m."""
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


def test_reference_switch_takes_the_plain_hue_and_gamma() -> None:
    x = tricky_pixels(n=2, size=32)
    with omniaug.using_reference_kernels():
        assert not CU.usable(x) and not CU.gamma_usable(x)
    assert CU.usable(x)
    assert not CU.usable(x.float() / 255) and not CU.usable(x[:, :1].contiguous())


def test_gamma_table_equals_pow_per_pixel(photos: torch.Tensor) -> None:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        assert CU.gamma_usable(photos)
        for seed in range(8):
            gamma = torch.pow(
                2.0, (torch.rand(photos.shape[0], generator=torch.Generator().manual_seed(seed)) - 0.5) * 3
            )
            with omniaug.using_reference_kernels():
                plain = FC.adjust_gamma(photos, gamma)
            assert torch.equal(FC.adjust_gamma(photos, gamma), plain), seed
    finally:
        torch.set_num_threads(threads)


def test_gamma_table_only_where_it_gives_the_same_bytes() -> None:
    """Rows with a scalar-loop tail (torch's scalar pow differs from its vector pow in the last bit) keep pow."""
    odd = torch.zeros(2, 3, 61, 67, dtype=torch.uint8)  # 12 261 values a sample: a 5-value tail
    even = torch.zeros(2, 3, 64, 64, dtype=torch.uint8)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert not CU.gamma_usable(odd) and CU.gamma_usable(even)
        assert not CU.gamma_usable(even[:, :, :, :32])  # not contiguous
        torch.set_num_threads(2)  # an OpenMP split of the plain loop puts tails mid-row
        assert not CU.gamma_usable(even)
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32])
def test_color_jitter_in_place_stages_equal_the_merging_stages(dtype: torch.dtype) -> None:
    """ColorJitter writes each stage's rows back into its own buffer; the plain path merges a new batch each time."""
    x = tricky_pixels(n=13, size=40)
    x = x if dtype == torch.uint8 else x.float() / 255
    op = P.ColorJitter(0.3, 0.3, 0.3, 0.1)
    params = op.sample_params(x, generator=make_generator(3))
    before = x.clone()
    fast = op.stages(x, params)
    with omniaug.using_reference_kernels():
        plain = op.stages(x, params)
    assert torch.equal(fast, plain) and torch.equal(x, before)  # the input is never written


def test_colour_ops_run_on_one_thread_and_restore_the_setting() -> None:
    x = tricky_pixels(n=4, size=32)
    threads = torch.get_num_threads()
    seen: list[int] = []
    op = P.Grayscale()
    inner = op.inner_kernel

    def spy(img: torch.Tensor, params: object) -> torch.Tensor:
        seen.append(torch.get_num_threads())
        return inner(img, params)  # type: ignore[arg-type]

    op.inner_kernel = spy  # type: ignore[method-assign]
    torch.set_num_threads(2)
    try:
        out = op(x, generator=make_generator(0))
        assert seen == [1] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(threads)
    assert torch.equal(out, FC.to_grayscale(x))


def test_fast_uint8_hue_on_a_million_random_colours() -> None:
    g = torch.Generator().manual_seed(11)
    x = torch.randint(0, 256, (4, 3, 512, 512), dtype=torch.uint8, generator=g)
    for seed in range(3):
        f = factors(4, 20 + seed)
        assert torch.equal(CU.adjust_hue(x, f), FC.adjust_hue_whole(x, f)), seed
