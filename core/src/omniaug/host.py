"""Small per-call arithmetic on the host: zero-copy NumPy views of small CPU tensors.

Why: a torch op on a tensor of a few to a few thousand elements costs a fixed
dispatch overhead whatever its size, several times that of the same NumPy op (see
docs/performance.md, "Design measurements"). Per-sample parameter math
(a few numbers per sample: warp matrices, per-graph keys and offsets) is dozens of
such ops per call, which is most of a small batch's serial time. Plugins run those
formulas in NumPy on views from :func:`host_views` when the tensors are on the CPU,
and in torch otherwise (nothing leaves an accelerator), and test that both paths
agree. Large arrays should stay in torch: its kernels are vectorized and
multi-threaded — except where a bit-level NumPy reduction does the job in one
memory-bound pass (:func:`in_unit_interval`).

One threshold and one switch serve every plugin: :data:`HOST_MAX` is the largest
element count the NumPy path takes (:func:`host_views`, :func:`use_host`), and
:func:`force` (or ``OMNIAUG_HOST_PATH=host|torch`` in the environment) forces either
path, so a test can run the same call both ways and compare. Formulas that both
paths share are written once against the operations NumPy arrays and torch tensors
have in common (operators, or functions taking the array namespace, :func:`namespace`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

from .errors import InputError

__all__ = ["HOST_MAX", "force", "forced", "host_views", "in_unit_interval", "namespace", "use_host"]

#: Largest element count handled in NumPy. Per-element passes (a hash per edge) break
#: even with torch near 10⁵ elements on one thread, but with two threads single-threaded
#: NumPy passes between torch's parallel regions slowed whole calls well below that
#: (docs/performance.md, "Design measurements"), so the cut is lower.
HOST_MAX = 1 << 15

_PATHS = ("host", "torch")


def _from_env() -> str | None:
    value = os.environ.get("OMNIAUG_HOST_PATH", "").strip().lower()
    if value in ("", "auto"):
        return None
    if value not in _PATHS:
        raise InputError("OMNIAUG_HOST_PATH", "'host', 'torch' or 'auto'", value, where="omniaug.host")
    return value


_forced: str | None = _from_env()


def forced() -> str | None:
    """The forced path (``"host"`` / ``"torch"``), or ``None`` when size decides."""
    return _forced


@contextmanager
def force(path: str | None) -> Iterator[None]:
    """Within the block, every host fast path is taken (``"host"``, whatever the size) or
    never taken (``"torch"``, the path of large batches and other devices); ``None``:
    size decides. For tests that check both paths agree; not thread-local.
    """
    global _forced
    if path is not None and path not in _PATHS:
        raise InputError("path", "'host', 'torch' or None", path, where="omniaug.host.force")
    before, _forced = _forced, path
    try:
        yield
    finally:
        _forced = before


def use_host(numel: int) -> bool:
    """Whether arrays of ``numel`` elements (already known to be on the CPU) take the NumPy path."""
    return numel <= HOST_MAX if _forced is None else _forced == "host"


def namespace(a: Any) -> Any:
    """The array module of ``a``: ``numpy`` for arrays, ``torch`` for tensors."""
    return np if isinstance(a, np.ndarray) else torch


def host_views(*tensors: torch.Tensor, limit: int | None = HOST_MAX) -> list[np.ndarray] | None:
    """Zero-copy NumPy views of ``tensors`` when all are small CPU tensors needing no gradient, else ``None``.

    "Small": the first tensor has at most ``limit`` elements (default :data:`HOST_MAX`;
    ``None``: any size). Also ``None`` for dtypes NumPy lacks (``bfloat16``), and as
    :func:`force` says. Writes through a view change the tensor (they share memory).
    """
    if _forced is not None:
        if _forced == "torch":
            return None
    elif limit is not None and tensors[0].numel() > limit:
        return None
    # Tensor.numpy() refuses exactly the tensors that have no host view (other devices,
    # gradients, dtypes NumPy lacks): asking it is cheaper than checking each tensor
    # first (a check per tensor is a noticeable share of paths whose whole call is a few dozen small ops)
    try:
        return [t.numpy() for t in tensors]
    except (TypeError, RuntimeError):
        return None


def in_unit_interval(t: torch.Tensor, slack: float = 0.0) -> bool | None:
    """``True`` if every element of ``t`` is in ``[+0, 1 + slack]``; ``None`` if this fast test cannot tell.

    For input validation of float images and other [0, 1] data. A non-negative
    float32's bits, read as an unsigned integer, increase with its value, while every
    negative number (also ``-0.0``), NaN and ``inf`` reads as larger than the bits of
    ``1 + slack``; so one ``max`` over the bits decides the common case in a single
    pass, faster than ``torch.aminmax`` or NumPy's ``min`` and ``max``; on large
    tensors one thread still beats a two-thread ``aminmax``, the pass being
    memory-bound (measurements: docs/performance.md, "Design measurements").
    ``None`` — the caller then runs its exact check — for anything but
    a contiguous float32 CPU tensor without gradient, an empty one, or when some
    element is outside (a negative, which the caller may tolerate, NaN, too large).
    """
    if t.dtype != torch.float32 or t.device.type != "cpu" or t.requires_grad or not t.is_contiguous() or t.numel() == 0:
        return None
    limit = np.float32(1.0 + slack).view(np.uint32)
    return True if t.numpy().view(np.uint32).max() <= limit else None
