"""Balanced chunks, per-thread scratch buffers and the small-math helpers of the fused kernels."""

from __future__ import annotations

import itertools
import threading

import pytest
import torch

from omniaug_image import _chunks, color_fusion
from omniaug_image import functional_color as FC
from omniaug_image import functional_geometric as FG
from omniaug_image._smallmath import cos_sin


@pytest.mark.parametrize(
    ("n", "chunk", "threads", "expected"),
    [
        (8, 6, 2, [0, 2, 4, 6, 8]),  # not 6 + 2: two chunks of 2 per worker
        (8, 6, 1, [0, 4, 8]),  # one thread: two chunks are needed anyway, kept near-equal
        (7, 6, 3, [0, 2, 3, 4, 5, 6, 7]),  # two per thread at most one sample apart, capped at n
        (4, 6, 2, [0, 4]),  # fits one chunk: stays whole, no pool round trip
        (32, 6, 2, [0, 6, 12, 17, 22, 27, 32]),  # 6 chunks (a multiple of 2) of 5–6
        (64, 6, 2, [0, 6, 12, 18, 24, 29, 34, 39, 44, 49, 54, 59, 64]),
        (3, 1, 2, [0, 1, 2, 3]),  # never more chunks than samples
        (0, 6, 2, [0]),
    ],
)
def test_chunk_bounds_are_near_equal_and_a_multiple_of_the_threads(
    n: int, chunk: int, threads: int, expected: list[int]
) -> None:
    bounds = _chunks.chunk_bounds(n, chunk, threads)
    assert bounds == expected
    sizes = [b - a for a, b in itertools.pairwise(bounds)]
    assert sum(sizes) == n
    if sizes:
        assert max(sizes) <= chunk and max(sizes) - min(sizes) <= 1


def test_run_balanced_covers_the_batch_once_on_any_thread_count() -> None:
    before = torch.get_num_threads()
    try:
        for threads, expected in ((1, [(0, 4), (4, 8)]), (2, [(0, 2), (2, 4), (4, 6), (6, 8)])):
            torch.set_num_threads(threads)
            seen: list[tuple[int, int]] = []
            _chunks.run_balanced(8, 6, lambda start, stop, seen=seen: seen.append((start, stop)), torch.device("cpu"))
            assert sorted(seen) == expected
    finally:
        torch.set_num_threads(before)


def test_scratch_is_reused_per_thread_and_grows_but_large_requests_are_not_kept() -> None:
    cpu = torch.device("cpu")
    a = _chunks.scratch("test", (2, 3), torch.float32, cpu)
    b = _chunks.scratch("test", (1, 3), torch.float32, cpu)
    assert b.data_ptr() == a.data_ptr() and b.shape == (1, 3)
    bigger = _chunks.scratch("test", (4, 3), torch.float32, cpu)
    assert bigger.shape == (4, 3)
    assert _chunks.scratch("test", (4, 3), torch.float32, cpu).data_ptr() == bigger.data_ptr()
    assert _chunks.scratch("test", (4, 3), torch.float64, cpu).dtype == torch.float64  # dtype change: new buffer
    other: list[int] = []
    thread = threading.Thread(
        target=lambda: other.append(_chunks.scratch("test", (4, 3), torch.float64, cpu).data_ptr())
    )
    thread.start()
    thread.join()
    assert other[0] != _chunks.scratch("test", (4, 3), torch.float64, cpu).data_ptr()  # one buffer per thread
    numel = _chunks.SCRATCH_MAX_BYTES // 4 + 1
    huge = _chunks.scratch("test-huge", (numel,), torch.float32, cpu)
    assert huge.shape == (numel,)
    assert _chunks.scratch("test-huge", (1,), torch.float32, cpu).data_ptr() != huge.data_ptr()  # not kept


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_cos_sin_matches_torch(dtype: torch.dtype) -> None:
    theta = torch.linspace(-7.0, 7.0, 1001, dtype=dtype)
    cos, sin = cos_sin(theta)
    assert cos.dtype == dtype and sin.shape == theta.shape
    eps = torch.finfo(dtype).eps
    torch.testing.assert_close(cos, torch.cos(theta), atol=2 * eps, rtol=0)
    torch.testing.assert_close(sin, torch.sin(theta), atol=2 * eps, rtol=0)


def test_affine_and_hue_matrices_match_the_textbook_formulas() -> None:
    n = 200
    g = torch.Generator().manual_seed(3)
    angle = torch.rand(n, generator=g) * 60 - 30
    shear = torch.rand(n, 2, generator=g) * 20 - 10
    scale = torch.rand(n, generator=g) + 0.5
    translate = torch.rand(n, 2, generator=g) * 10
    m = FG.affine_matrices(angle, translate, scale, shear, 30, 40)
    rot, sx, sy = torch.deg2rad(angle), torch.deg2rad(shear[:, 0]), torch.deg2rad(shear[:, 1])
    a = torch.cos(rot - sy) / torch.cos(sy)
    c = torch.sin(rot - sy) / torch.cos(sy)
    expected_rs = torch.stack(
        [a, -(a * torch.tan(sx) + torch.sin(rot)), c, torch.cos(rot) - c * torch.tan(sx)], dim=-1
    ).reshape(n, 2, 2) * scale.view(n, 1, 1)
    torch.testing.assert_close(m[:, :2, :2], expected_rs, atol=1e-6, rtol=1e-6)
    centre = torch.tensor([(40 - 1) / 2, (30 - 1) / 2])
    torch.testing.assert_close(m[:, :2, 2], centre + translate - expected_rs @ centre, atol=1e-4, rtol=1e-6)
    assert torch.equal(m[:, 2], torch.tensor([0.0, 0.0, 1.0]).expand(n, 3))

    factor = torch.rand(n, generator=g) - 0.5
    theta = factor.double() * (-2.0 * torch.pi)
    r = torch.zeros(n, 3, 3, dtype=torch.float64)
    r[:, 0, 0] = 1.0
    r[:, 1, 1], r[:, 1, 2], r[:, 2, 1], r[:, 2, 2] = (
        torch.cos(theta),
        -torch.sin(theta),
        torch.sin(theta),
        torch.cos(theta),
    )
    yiq = torch.tensor(FC.RGB_TO_YIQ, dtype=torch.float64)
    expected = torch.linalg.inv(yiq) @ r @ yiq
    torch.testing.assert_close(FC.yiq_hue_matrix(factor, torch.float64), expected, atol=1e-12, rtol=0)


def test_colour_compose_equals_the_matrix_product_and_each_sample_alone() -> None:
    from omniaug_image import _smallmath as SM

    n = 199
    g = torch.Generator().manual_seed(5)
    first, then = torch.rand(n, 7, 7, generator=g), torch.rand(n, 7, 7, generator=g)
    out = color_fusion._compose(first, then)  # CPU: through NumPy
    torch.testing.assert_close(out, then @ first, atol=1e-5, rtol=1e-5)
    for i in (0, 64, n - 1):
        assert torch.equal(out[i : i + 1], color_fusion._compose(first[i : i + 1], then[i : i + 1]))
    # the tensor formula other devices use gives the same products
    torch.testing.assert_close(SM.matmul3(then, first), out, atol=1e-5, rtol=1e-5)


def test_state_matrix_layout() -> None:
    g = torch.Generator().manual_seed(6)
    a, b, c = torch.rand(4, 3, 3, generator=g), torch.rand(4, 3, 3, generator=g), torch.rand(4, 3, generator=g)
    m = color_fusion.affine_state_matrix(a, b, c)
    assert m.shape == (4, 7, 7)
    assert torch.equal(m[:, :3, :3], a) and torch.equal(m[:, :3, 3:6], b) and torch.equal(m[:, :3, 6], c)
    assert torch.equal(m[:, 3:6, :3], torch.zeros(4, 3, 3)) and torch.equal(m[:, 3:6, 3:6], a + b)
    assert torch.equal(m[:, 3:6, 6], c) and torch.equal(m[:, 6], torch.eye(7)[6].expand(4, 7))
    plain = color_fusion.affine_state_matrix(a)
    assert torch.equal(plain[:, :3, 3:], torch.zeros(4, 3, 4)) and torch.equal(plain[:, 3:6, 3:6], a)


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
def test_colour_matrix_in_place_equals_the_fresh_output(dtype: torch.dtype) -> None:
    g = torch.Generator().manual_seed(7)
    n = 13  # several chunks with a small chunk size, the last partial
    img = torch.rand(n, 3, 20, 24, generator=g)
    img = img if dtype == torch.float32 else (img * 255).round().to(torch.uint8)
    total = color_fusion._compose(
        color_fusion.contrast_matrix(torch.rand(n, generator=g) + 0.5, 3),
        color_fusion.hue_matrix(torch.rand(n, generator=g) - 0.5, 3),
    )
    saved = color_fusion.COLOR_CHUNK_BYTES
    try:
        color_fusion.COLOR_CHUNK_BYTES = 4 * 3 * 20 * 24 * 4  # chunks of 4 samples
        fresh = color_fusion.apply_color_matrix(img, total)
        work = img.clone()
        out = color_fusion.apply_color_matrix(work, total, inplace=True)
    finally:
        color_fusion.COLOR_CHUNK_BYTES = saved
    assert out is work and not torch.equal(fresh, img)
    assert torch.equal(out, fresh)


def test_colour_matrix_in_place_needs_a_contiguous_batch() -> None:
    from omniaug import InputError

    img = torch.rand(2, 3, 8, 8).transpose(-1, -2)
    with pytest.raises(InputError, match="contiguous"):
        color_fusion.apply_color_matrix(img, color_fusion.identity_matrix(2, 3, img.device), inplace=True)


def test_uint8_truncation_detour_equals_the_direct_cast() -> None:
    values = torch.cat(
        [torch.linspace(0.0, 255.999, 100_003), torch.tensor([0.0, 0.5, 0.999, 1.0, 254.5, 255.0, 255.999])]
    )
    assert torch.equal(FC.to_uint8_in_range(values), values.to(torch.uint8))
    assert FC.to_uint8_in_range(values).dtype == torch.uint8
