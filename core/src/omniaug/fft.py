"""Batch- and thread-invariant real FFTs and complex products, shared by every plugin.

An item's output must not depend on the batch it is in nor on the thread count
(``docs/scale-out.md``). torch's CPU FFT (MKL) transforms a lone long row with
another algorithm than the same row among others, and with several MKL threads it
splits a batch of short rows differently; its vectorized complex multiply rounds a
tensor's last few elements differently from the rest. What is invariant, measured
on every length tried (``tests/test_fft.py`` lists them): MKL on one thread, on a
contiguous block of **at least two** rows, gives each row the same bits whatever its
position and its neighbours and however many rows the block has.

So on the CPU, when no gradient is needed, :func:`rfft` / :func:`irfft` bring the
rows to their transform length (contiguous), split them into one block per intra-op
thread (each at least two rows; a lone row gets a zero partner) and transform each
block with one MKL thread, the blocks shared over the threads
(:func:`omniaug.parallel.run_shared`). The first transform of each (direction,
length, dtype) in a process checks that promise on probe rows (a row in a pair, then
third of three and second of nine beside random rows); if MKL broke it there, that
length takes the reference path. The reference path — NumPy's pocketfft, every row
computed on its own — also runs under :func:`omniaug.set_reference_kernels` (the
core's one switch for plain kernels) and when torch has no MKL. :func:`cmul` runs
NumPy's complex multiply on contiguous operands (the reference: real arithmetic).
Elsewhere (other devices, autograd) these are torch's own calls.

The bits are the same for any batch, split or thread count on one machine; MKL and
NumPy pick their kernels by CPU, so machines of different CPU generations may differ.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import torch

from .fusion import reference_kernels
from .parallel import run_shared

__all__ = ["cmul", "irfft", "on_host", "rfft"]

_HOST_DTYPES = (torch.float32, torch.float64, torch.complex64, torch.complex128)

#: (direction, length, dtype) -> whether MKL's blocked transform kept the promise on the probe rows
_PROBED: dict[tuple[str, int, torch.dtype], bool] = {}
_PROBE_LOCK = threading.Lock()
_MKL = torch.backends.mkl.is_available()


def on_host(x: torch.Tensor) -> bool:
    """Whether transforms of ``x`` take the invariant CPU paths: CPU, a NumPy dtype, no gradient needed."""
    return x.device.type == "cpu" and x.dtype in _HOST_DTYPES and not (x.requires_grad and torch.is_grad_enabled())


def _canonical_rows(x: torch.Tensor, width: int) -> torch.Tensor:
    """``x``'s rows (last axis) as one contiguous ``(rows, width)`` tensor, cut or zero-padded to ``width``.

    MKL then always sees the same layout: contiguous rows of exactly the transform's
    input length (a transposed or strided layout can round differently).
    """
    rows = x.detach().reshape(-1, x.shape[-1])
    if rows.shape[-1] > width:
        rows = rows[:, :width]
    elif rows.shape[-1] < width:
        rows = torch.nn.functional.pad(rows, (0, width - rows.shape[-1]))
    return rows.contiguous()


def _mkl(kind: str, rows: torch.Tensor, n: int) -> torch.Tensor:
    """One MKL call on a block of canonical rows (the caller holds one intra-op thread)."""
    return torch.fft.rfft(rows, n=n) if kind == "r" else torch.fft.irfft(rows, n=n)


def _one_thread(kind: str, rows: torch.Tensor, n: int) -> torch.Tensor:
    """:func:`_mkl` with one intra-op (and so one MKL) thread on the calling thread, its setting restored."""
    threads = torch.get_num_threads()
    if threads == 1:
        return _mkl(kind, rows, n)
    torch.set_num_threads(1)
    try:
        return _mkl(kind, rows, n)
    finally:
        torch.set_num_threads(threads)


def _mkl_invariant(kind: str, n: int, dtype: torch.dtype) -> bool:
    """Whether MKL gives a probe row the same bits alone in a pair, third of three and second of nine."""
    key = (kind, n, dtype)
    known = _PROBED.get(key)
    if known is not None:
        return known
    width = n if kind == "r" else n // 2 + 1
    g = torch.Generator().manual_seed(n)
    real = dtype if kind == "r" else (torch.float32 if dtype == torch.complex64 else torch.float64)

    def rand(count: int) -> torch.Tensor:
        r = torch.randn(count, width, 2, generator=g, dtype=real)
        return r[..., 0].contiguous() if kind == "r" else torch.view_as_complex(r)

    probe = rand(1)
    pair = torch.cat([probe, torch.zeros_like(probe)])
    want = _one_thread(kind, pair, n)[0]
    same = True
    for count, at in ((3, 2), (9, 1)):
        block = rand(count)
        block[at] = probe[0]
        same = same and torch.equal(_one_thread(kind, block, n)[at], want)
    with _PROBE_LOCK:
        _PROBED[key] = same
    return same


def _reference(kind: str, rows: torch.Tensor, n: int) -> torch.Tensor:
    """The plain path: NumPy's pocketfft, each row computed on its own, chunks of rows over the threads."""
    fn = np.fft.rfft if kind == "r" else np.fft.irfft
    if kind == "r":
        out_dtype: Any = np.complex64 if rows.dtype == torch.float32 else np.complex128
        out_len = n // 2 + 1
    else:
        out_dtype, out_len = (np.float32 if rows.dtype == torch.complex64 else np.float64), n
    src = rows.numpy()
    out = np.empty((rows.shape[0], out_len), dtype=out_dtype)
    count = rows.shape[0]
    parts = max(1, min(count, 2 * torch.get_num_threads()))
    bounds = [(count * i // parts, count * (i + 1) // parts) for i in range(parts)]

    def work(i: int) -> None:
        lo, hi = bounds[i]
        if hi > lo:
            fn(src[lo:hi], n=n, axis=-1, out=out[lo:hi])

    run_shared(parts, work, torch.device("cpu"))
    return torch.from_numpy(out)


def _transform(kind: str, x: torch.Tensor, n: int) -> torch.Tensor:
    """``kind`` ``"r"`` (rfft) or ``"i"`` (irfft) of every row of ``x`` (last axis), batch- and thread-invariant."""
    width = n if kind == "r" else n // 2 + 1
    out_len = n // 2 + 1 if kind == "r" else n
    lead = x.shape[:-1]
    rows = _canonical_rows(x, width)
    count = rows.shape[0]
    if count == 0:
        return torch.empty((*lead, out_len), dtype=_out_dtype(kind, rows.dtype))
    if reference_kernels() or not _MKL:
        return _reference(kind, rows, n).reshape(*lead, out_len)
    if not _mkl_invariant(kind, n, rows.dtype):
        return _reference(kind, rows, n).reshape(*lead, out_len)
    if count == 1:  # a lone row takes MKL's single-transform algorithm: give it a zero partner
        return _one_thread(kind, torch.cat([rows, torch.zeros_like(rows)]), n)[:1].reshape(*lead, out_len)
    parts = max(1, min(torch.get_num_threads(), count // 2))  # every block >= 2 rows
    if parts == 1:
        return _one_thread(kind, rows, n).reshape(*lead, out_len)
    bounds = [(count * i // parts, count * (i + 1) // parts) for i in range(parts)]
    out = torch.empty((count, out_len), dtype=_out_dtype(kind, rows.dtype))

    def work(i: int) -> None:  # run_shared: one intra-op (and MKL) thread per block
        lo, hi = bounds[i]
        out[lo:hi] = _mkl(kind, rows[lo:hi], n)

    run_shared(parts, work, torch.device("cpu"))
    return out.reshape(*lead, out_len)


def _out_dtype(kind: str, dtype: torch.dtype) -> torch.dtype:
    if kind == "r":
        return torch.complex64 if dtype == torch.float32 else torch.complex128
    return torch.float32 if dtype == torch.complex64 else torch.float64


def rfft(x: torch.Tensor, n: int | None = None) -> torch.Tensor:
    """``torch.fft.rfft(x, n, dim=-1)``, batch- and thread-invariant on the CPU."""
    n = x.shape[-1] if n is None else n
    if not on_host(x) or x.is_complex():
        return torch.fft.rfft(x, n=n, dim=-1)
    return _transform("r", x, n)


def irfft(spec: torch.Tensor, n: int) -> torch.Tensor:
    """``torch.fft.irfft(spec, n, dim=-1)``, batch- and thread-invariant on the CPU."""
    if not on_host(spec) or not spec.is_complex():
        return torch.fft.irfft(spec, n=n, dim=-1)
    return _transform("i", spec, n)


def cmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a · b`` for complex tensors, rounded the same way wherever an element falls in its tensor.

    torch's complex multiply rounds a tensor's last few elements (and each thread's)
    differently from the rest: its vectorized loop fuses multiply-adds that its scalar
    loop over the remainder does not. On the CPU (no gradient needed) the product runs
    in NumPy on contiguous operands instead, whose SIMD loop also takes a tensor's last
    elements (masked loads), so every element gets the same instructions. Elsewhere
    it is computed in real arithmetic (every product and sum rounded on its own).
    """
    if on_host(a) and on_host(b) and a.dtype == b.dtype and a.is_complex() and not reference_kernels():
        shape = a.shape if a.shape == b.shape else torch.broadcast_shapes(a.shape, b.shape)
        return torch.from_numpy(np.multiply(_dense(a, shape), _dense(b, shape)))
    ar, ai, br, bi = a.real, a.imag, b.real, b.imag
    return torch.complex(ar * br - ai * bi, ar * bi + ai * br)


def _dense(t: torch.Tensor, shape: torch.Size) -> np.ndarray:
    """``t`` broadcast to ``shape`` as a C-contiguous NumPy array (NumPy's strided loops round differently)."""
    return t.detach().resolve_conj().expand(shape).contiguous().numpy()
