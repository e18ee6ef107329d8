"""The fast uint8 colour paths give the bytes of the plain kernels (differential tests, issue #22).

``_color_u8.adjust_gamma`` and the contrast look values up in a 256-entry table per
sample, the saturation's blend runs on chunks in per-thread buffers; ColorJitter
writes its stages in place. ``omniaug.using_reference_kernels()`` routes
them back to the plain kernels, which these tests compare against. The HSV hue's
fast path is tested in ``test_hue_fast.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

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


def test_reference_switch_takes_the_plain_gamma(tricky_pixels: Callable[..., torch.Tensor]) -> None:
    x = tricky_pixels(n=2, size=32)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        assert CU.gamma_usable(x)
        with omniaug.using_reference_kernels():
            assert not CU.gamma_usable(x)
    finally:
        torch.set_num_threads(threads)


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
def test_color_jitter_in_place_stages_equal_the_merging_stages(
    dtype: torch.dtype, tricky_pixels: Callable[..., torch.Tensor]
) -> None:
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


def test_colour_ops_run_on_one_thread_and_restore_the_setting(tricky_pixels: Callable[..., torch.Tensor]) -> None:
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


def blend_factors(n: int, seed: int) -> torch.Tensor:
    """Per-sample blend factors in [0, 3), the first three 0, 1 and 2.5 (identity, grey, past the range)."""
    f = torch.rand(n, generator=torch.Generator().manual_seed(seed)) * 3.0
    f[: min(n, 3)] = torch.tensor([0.0, 1.0, 2.5])[: min(n, 3)]
    return f


@pytest.mark.parametrize("source", ["photos", "tricky"])
@pytest.mark.parametrize("kernel", ["contrast", "saturation"])
def test_fast_uint8_contrast_and_saturation_equal_the_plain_blend(
    photo_crops: Callable[[int, int, int], torch.Tensor],
    tricky_pixels: Callable[..., torch.Tensor],
    source: str,
    kernel: str,
) -> None:
    """Contrast looks each sample up in its 256-level table, saturation blends on chunks: the plain bytes."""
    x = photo_crops(224, 224, 6) if source == "photos" else tricky_pixels(n=7, size=40)
    fn = FC.adjust_contrast if kernel == "contrast" else FC.adjust_saturation
    assert CU.table_usable(x)
    for seed in range(4):
        f = blend_factors(x.shape[0], seed)
        fast = fn(x, f)
        with omniaug.using_reference_kernels():
            plain = fn(x, f)
        assert torch.equal(fast, plain), (kernel, source, seed)


def test_fast_uint8_contrast_and_saturation_on_chunks_and_threads(tricky_pixels: Callable[..., torch.Tensor]) -> None:
    x = tricky_pixels(n=11, size=48)
    f = blend_factors(11, 9)
    with omniaug.using_reference_kernels():
        expected = [FC.adjust_contrast(x, f), FC.adjust_saturation(x, f)]
    threads = torch.get_num_threads()
    chunks = CU.LOOKUP_CHUNK_VALUES, CU.BLEND_CHUNK_VALUES
    try:
        for t in (1, 2):
            torch.set_num_threads(t)
            for values in (3 * 48 * 48, 9 * 48 * 48, 1 << 22):
                CU.LOOKUP_CHUNK_VALUES = CU.BLEND_CHUNK_VALUES = values
                assert torch.equal(FC.adjust_contrast(x, f), expected[0]), (t, values)
                assert torch.equal(FC.adjust_saturation(x, f), expected[1]), (t, values)
    finally:
        torch.set_num_threads(threads)
        CU.LOOKUP_CHUNK_VALUES, CU.BLEND_CHUNK_VALUES = chunks


def test_table_lookup_only_where_it_applies(tricky_pixels: Callable[..., torch.Tensor]) -> None:
    x = tricky_pixels(n=2, size=16)
    assert CU.table_usable(x) and CU.table_usable(x[:, :1].contiguous())
    with omniaug.using_reference_kernels():
        assert not CU.table_usable(x)
    assert not CU.table_usable(x.float()) and not CU.table_usable(x[0])
    gray = FC.to_grayscale(x)  # one channel: contrast looks up, saturation is the identity
    f = blend_factors(2, 1)
    with omniaug.using_reference_kernels():
        plain = FC.adjust_contrast(gray, f)
    assert torch.equal(FC.adjust_contrast(gray, f), plain)
