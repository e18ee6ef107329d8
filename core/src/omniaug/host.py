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
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["host_views", "in_unit_interval"]


def host_views(*tensors: torch.Tensor, limit: int | None = None) -> list[np.ndarray] | None:
    """Zero-copy NumPy views of ``tensors`` when all are CPU tensors needing no gradient, else ``None``.

    Also ``None`` for dtypes NumPy lacks (``bfloat16``), and — with ``limit`` — when
    the first tensor has more elements than this. Writes through a view change the
    tensor (they share memory).
    """
    if limit is not None and tensors[0].numel() > limit:
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
