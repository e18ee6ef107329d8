"""Output buffers that are cheap to fill for the first time (huge pages on Linux).

Why: a batch op writes a fresh output every call, and on CPU a buffer of more than a
few megabytes comes straight from the OS (glibc maps it and unmaps it on free). Every
4 KiB page of it then faults on first write, and the kernel zeroes it; backing the
same buffer by 2 MiB transparent huge pages takes 512× fewer faults and fills it
several times faster (measurement: docs/performance.md, "Design measurements").
NumPy asks for huge pages on every allocation of 4 MiB or more for the same reason;
torch does only when ``THP_MEM_ALLOC_ENABLE=1`` is set before its first large
allocation, which a library cannot rely on.

:func:`empty` and :func:`empty_like` return ordinary tensors. On Linux CPU, buffers of
at least :data:`HUGE_MIN_BYTES` are advised ``MADV_HUGEPAGE`` before anything touches
them; the advice is a hint, errors are ignored, and elsewhere (other systems, other
devices, ``transparent_hugepage=never``) the functions are plain ``torch.empty``.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Sequence

import torch

__all__ = ["HUGE_MIN_BYTES", "empty", "empty_like", "advise_huge_pages"]

#: buffers at least this large are advised to use huge pages (NumPy's threshold)
HUGE_MIN_BYTES = 4 << 20
_HUGE_PAGE = 2 << 20
_MADV_HUGEPAGE = 14  # <sys/mman.h> on Linux

_madvise = None
if sys.platform.startswith("linux"):
    try:
        _madvise = ctypes.CDLL(None, use_errno=True).madvise
        _madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        _madvise.restype = ctypes.c_int
    except (OSError, AttributeError):  # pragma: no cover - libc without madvise
        _madvise = None


def advise_huge_pages(t: torch.Tensor) -> bool:
    """Advise the kernel to back ``t``'s untouched storage with huge pages.

    Only the 2 MiB-aligned part of the storage is covered. Returns whether advice
    was given (``False`` for small, non-CPU or non-Linux tensors, or on error).
    """
    if _madvise is None or t.device.type != "cpu" or t.numel() * t.element_size() < HUGE_MIN_BYTES:
        return False
    nbytes = t.untyped_storage().nbytes()
    if nbytes < HUGE_MIN_BYTES:
        return False
    start = t.untyped_storage().data_ptr()
    first = (start + _HUGE_PAGE - 1) & ~(_HUGE_PAGE - 1)
    last = (start + nbytes) & ~(_HUGE_PAGE - 1)
    if last <= first:
        return False
    return _madvise(first, last - first, _MADV_HUGEPAGE) == 0


def empty(
    shape: int | Sequence[int], *, dtype: torch.dtype = torch.float32, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """``torch.empty(shape)``, advised huge pages when large (see the module docstring)."""
    out = torch.empty((shape,) if isinstance(shape, int) else tuple(shape), dtype=dtype, device=device)
    advise_huge_pages(out)
    return out


def empty_like(x: torch.Tensor, *, dtype: torch.dtype | None = None) -> torch.Tensor:
    """A contiguous ``torch.empty_like(x)``, advised huge pages when large."""
    out = torch.empty(x.shape, dtype=dtype if dtype is not None else x.dtype, device=x.device)
    advise_huge_pages(out)
    return out
