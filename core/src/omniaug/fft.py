"""Batch- and thread-invariant real FFTs and complex products, shared by every plugin.

An item's output must not depend on the batch it is in nor on the thread count
(``docs/scale-out.md``). torch's CPU FFT (MKL) transforms a lone row differently
from the same row inside a batch, and its vectorized complex multiply rounds a
tensor's last few elements differently from the rest. So on the CPU, when no
gradient is needed, :func:`rfft` / :func:`irfft` run per row in NumPy's pocketfft
(each row computed on its own, rows spread over the intra-op threads) and
:func:`cmul` multiplies in real arithmetic; elsewhere (other devices, autograd)
they are the plain torch calls.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["cmul", "irfft", "on_host", "rfft"]

_HOST_DTYPES = (torch.float32, torch.float64, torch.complex64, torch.complex128)


def on_host(x: torch.Tensor) -> bool:
    """Whether transforms of ``x`` run in NumPy's pocketfft: CPU, a NumPy dtype, no gradient needed."""
    return x.device.type == "cpu" and x.dtype in _HOST_DTYPES and not (x.requires_grad and torch.is_grad_enabled())


def _rowwise(fn: Any, x: torch.Tensor, n: int, out_len: int, out_dtype: Any) -> torch.Tensor:
    """``fn(rows, n=n, axis=-1)`` of every row of ``x`` (last axis), chunks of rows spread over the threads.

    pocketfft computes each row on its own, so how the rows are grouped (by the
    caller's batch or by the chunks here) never changes a row's bits.
    """
    from .parallel import run_shared

    lead = x.shape[:-1]
    rows = x.detach().reshape(-1, x.shape[-1]).numpy()
    out = np.empty((rows.shape[0], out_len), dtype=out_dtype)
    count = rows.shape[0]
    if count:
        parts = max(1, min(count, 2 * torch.get_num_threads()))
        bounds = [(count * i // parts, count * (i + 1) // parts) for i in range(parts)]

        def work(i: int) -> None:
            lo, hi = bounds[i]
            if hi > lo:
                fn(rows[lo:hi], n=n, axis=-1, out=out[lo:hi])

        run_shared(parts, work, torch.device("cpu"))
    return torch.from_numpy(out).reshape(*lead, out_len)


def rfft(x: torch.Tensor, n: int | None = None) -> torch.Tensor:
    """``torch.fft.rfft(x, n, dim=-1)``, computed per row (batch- and thread-invariant) on the CPU."""
    n = x.shape[-1] if n is None else n
    if not on_host(x) or x.is_complex():
        return torch.fft.rfft(x, n=n, dim=-1)
    return _rowwise(np.fft.rfft, x, n, n // 2 + 1, np.complex64 if x.dtype == torch.float32 else np.complex128)


def irfft(spec: torch.Tensor, n: int) -> torch.Tensor:
    """``torch.fft.irfft(spec, n, dim=-1)``, computed per row (batch- and thread-invariant) on the CPU."""
    if not on_host(spec) or not spec.is_complex():
        return torch.fft.irfft(spec, n=n, dim=-1)
    return _rowwise(np.fft.irfft, spec, n, n, np.float32 if spec.dtype == torch.complex64 else np.float64)


def cmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a · b`` for complex tensors, in real arithmetic (every product and sum rounded on its own).

    torch's vectorized complex multiply fuses multiply-adds that its loop over a
    tensor's last few elements does not, so ``a * b`` would round an element
    differently depending on where it falls in the batch.
    """
    ar, ai, br, bi = a.real, a.imag, b.real, b.imag
    return torch.complex(ar * br - ai * bi, ar * bi + ai * br)
