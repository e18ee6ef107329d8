"""Small per-call arithmetic on the host: zero-copy NumPy views of small CPU tensors.

Why: a torch op on a tensor of a few to a few thousand elements costs ~1–2.5 µs of
dispatch whatever its size; the same NumPy op ~0.3–1 µs. Per-sample parameter math
(a few numbers per sample: warp matrices, per-graph keys and offsets) is dozens of
such ops per call, which is most of a small batch's serial time. Plugins run those
formulas in NumPy on views from :func:`host_views` when the tensors are on the CPU,
and in torch otherwise (nothing leaves an accelerator), and test that both paths
agree. Large arrays should stay in torch: its kernels are vectorized and
multi-threaded.
"""

from __future__ import annotations

import numpy as np
import torch

__all__ = ["host_views"]


def host_views(*tensors: torch.Tensor, limit: int | None = None) -> list[np.ndarray] | None:
    """Zero-copy NumPy views of ``tensors`` when all are CPU tensors needing no gradient, else ``None``.

    ``limit``: also ``None`` when the first tensor has more elements than this.
    Writes through a view change the tensor (they share memory).
    """
    if limit is not None and tensors[0].numel() > limit:
        return None
    for t in tensors:
        if t.device.type != "cpu" or t.requires_grad:
            return None
    return [t.numpy() for t in tensors]
