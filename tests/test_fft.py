"""omniaug.fft: batch- and thread-invariant rfft / irfft / cmul, and their plain reference path.

The fast path runs torch's MKL FFT on contiguous blocks of at least two rows with one
MKL thread per block; the reference path (``omniaug.using_reference_kernels()``) runs
NumPy's pocketfft row by row. A row's bits must not depend on the batch around it, on
how the batch is split, nor on the thread count; both paths must agree with
``torch.fft`` to rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import omniaug
from omniaug import fft

#: powers of two, audio lengths (the resampler's and filters' fast lengths among them),
#: odd primes and tiny lengths; a lone row of >= 8192 takes MKL's single-transform path,
#: and with 2 MKL threads a batch of length-16 or -64 rows is split differently
LENGTHS = [1, 2, 3, 5, 16, 64, 150, 257, 512, 1000, 1009, 4096, 8192, 16000, 22050, 32000, 32003, 40500, 44100]
DTYPES = [torch.float32, torch.float64]


def _rows(kind: str, count: int, n: int, dtype: torch.dtype, seed: int) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    if kind == "rfft":
        return torch.randn(count, n, generator=g, dtype=dtype)
    return torch.view_as_complex(torch.randn(count, n // 2 + 1, 2, generator=g, dtype=dtype))


def _apply(kind: str, x: torch.Tensor, n: int) -> torch.Tensor:
    return fft.rfft(x, n) if kind == "rfft" else fft.irfft(x, n)


@pytest.fixture
def two_threads():
    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("kind", ["rfft", "irfft"])
@pytest.mark.parametrize("n", LENGTHS)
def test_a_row_gets_the_same_bits_alone_in_any_batch_and_on_1_or_2_threads(n, kind, dtype, two_threads):
    x = _rows(kind, 17, n, dtype, seed=n)
    whole = _apply(kind, x, n)
    runs = {
        "alone": torch.cat([_apply(kind, x[i : i + 1], n) for i in range(17)]),
        "batches of 2": torch.cat([_apply(kind, x[i : i + 2], n) for i in range(0, 17, 2)]),
        "batches of 8": torch.cat([_apply(kind, x[i : i + 8], n) for i in range(0, 17, 8)]),
        "(17, 1, F) shape": _apply(kind, x.unsqueeze(1), n).squeeze(1),
        "in a batch of 64": _apply(kind, torch.cat([_rows(kind, 20, n, dtype, 1), x, _rows(kind, 27, n, dtype, 2)]), n)[
            20:37
        ],
    }
    torch.set_num_threads(1)
    runs["1 thread"] = _apply(kind, x, n)
    runs["alone, 1 thread"] = torch.cat([_apply(kind, x[i : i + 1], n) for i in range(17)])
    for how, got in runs.items():
        same = [torch.equal(got[i], whole[i]) for i in range(17)]
        assert all(same), (how, f"{sum(same)}/17 rows identical")


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("n", [3, 64, 1000, 16000, 44100])
def test_fast_and_reference_paths_equal_torch_fft_to_rounding(n, dtype):
    tol = 2e-6 if dtype == torch.float32 else 1e-14
    for kind in ("rfft", "irfft"):
        for width in (n - 1, n, n + 3) if kind == "rfft" and n > 3 else (None,):
            x = _rows(kind, 5, n, dtype, seed=3) if width is None else torch.randn(5, width, dtype=dtype)
            want = torch.fft.rfft(x, n=n) if kind == "rfft" else torch.fft.irfft(x, n=n)
            got = _apply(kind, x, n)
            with omniaug.using_reference_kernels():
                ref = _apply(kind, x, n)
            scale = want.abs().max()
            assert got.shape == want.shape and got.dtype == want.dtype
            assert float((got - want).abs().max() / scale) < tol
            assert float((ref - want).abs().max() / scale) < tol


def test_the_reference_path_is_numpys_pocketfft_row_by_row():
    x = torch.randn(6, 1000)
    spec = torch.fft.rfft(x)
    with omniaug.using_reference_kernels():
        r, i = fft.rfft(x), fft.irfft(spec, 1000)
    for k in range(6):
        assert np.array_equal(r[k].numpy(), np.fft.rfft(x[k].numpy()))
        assert np.array_equal(i[k].numpy(), np.fft.irfft(spec[k].numpy(), 1000))


def test_a_length_whose_probe_fails_takes_the_reference_path(monkeypatch):
    monkeypatch.setitem(fft._PROBED, ("r", 777, torch.float32), False)
    x = torch.randn(4, 777)
    with omniaug.using_reference_kernels():
        ref = fft.rfft(x)
    assert torch.equal(fft.rfft(x), ref)


def test_autograd_takes_torch_fft():
    x = torch.randn(3, 64, requires_grad=True)
    fft.irfft(fft.rfft(x), 64).sum().backward()
    assert x.grad is not None


def test_empty_batches_keep_their_shape():
    assert fft.rfft(torch.zeros(0, 3, 100)).shape == (0, 3, 51)
    assert fft.irfft(torch.zeros(0, 51, dtype=torch.complex64), 100).shape == (0, 100)


@pytest.mark.parametrize("dtype", [torch.complex64, torch.complex128])
def test_cmul_rounds_every_element_alike_whatever_its_place(dtype):
    g = torch.Generator().manual_seed(0)
    a = torch.randn(64, 251, dtype=dtype, generator=g)
    b = torch.randn(64, 251, dtype=dtype, generator=g)
    whole = fft.cmul(a, b)
    for lo, hi in [(0, 1), (5, 6), (3, 11), (63, 64)]:
        assert torch.equal(fft.cmul(a[lo:hi], b[lo:hi]), whole[lo:hi])
    flat_a, flat_b, flat = a.reshape(-1), b.reshape(-1), whole.reshape(-1)
    for start, length in [(0, 1), (1, 3), (17, 5), (1000, 7), (4001, 33)]:
        s = slice(start, start + length)
        assert torch.equal(fft.cmul(flat_a[s], flat_b[s]), flat[s])
    # strided, broadcast and lazily conjugated operands
    assert torch.equal(fft.cmul(a.t(), b.t()), whole.t())
    assert torch.equal(fft.cmul(a[::2], b[::2]), whole[::2])
    row = b[:1]
    assert torch.equal(fft.cmul(a, row)[9], fft.cmul(a[9:10], row)[0])
    assert torch.equal(fft.cmul(a, b.conj()), fft.cmul(a, b.conj().resolve_conj()))
    # the value: the complex product to rounding
    want = a.to(torch.complex128) * b.to(torch.complex128)
    tol = 1e-6 if dtype == torch.complex64 else 1e-15
    assert float(((whole - want).abs() / want.abs().clamp_min(1e-30)).max()) < tol


def test_cmul_under_autograd_is_the_real_arithmetic_product():
    a = torch.randn(4, 5, dtype=torch.complex64, requires_grad=True)
    b = torch.randn(4, 5, dtype=torch.complex64)
    out = fft.cmul(a, b)
    assert torch.allclose(out, a * b, atol=1e-6)
    out.abs().sum().backward()
    assert a.grad is not None
