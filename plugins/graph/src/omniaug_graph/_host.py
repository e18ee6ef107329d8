"""Small per-call arithmetic on the host: NumPy views of small CPU tensors.

Why: a torch op on a tensor of a few thousand elements costs a fixed dispatch
overhead whatever its size, several times that of the same NumPy op (see
:mod:`omniaug.host`). On a batch of 16 small
graphs a call is a few dozen such ops (per-graph keys and offsets, the per-edge
hash, the kept-edge indices), so dispatch was most of its time: the per-graph
cost at 16 graphs was several times that at 256 (docs/performance.md, "Design
measurements"). Above :data:`HOST_MAX` elements torch's
vectorized (and multi-threaded) kernels win, so large batches keep the torch path;
other devices always do (nothing leaves the device). Both paths compute the same
values (tested by forcing each).
"""

from __future__ import annotations

import numpy as np
import torch

from omniaug.host import host_views as core_host_views

__all__ = ["HOST_MAX", "host_views"]

#: Largest element count handled in NumPy. The per-edge hash alone breaks even at
#: ~100 k edges on one thread (docs/performance.md, "Design measurements"),
#: but with 2 threads, single-threaded NumPy passes of that size between torch's
#: parallel regions slowed whole calls at 1024 graphs (51 k nodes), so the cut is lower.
HOST_MAX = 1 << 15


def host_views(*tensors: torch.Tensor, limit: int | None = None) -> list[np.ndarray] | None:
    """Zero-copy NumPy views of ``tensors`` when all are small CPU tensors needing no gradient, else ``None``.

    "Small": the first tensor has at most ``limit`` (default :data:`HOST_MAX`) elements
    (see :func:`omniaug.host.host_views`; also ``None`` for dtypes NumPy lacks, e.g.
    ``bfloat16``).
    """
    return core_host_views(*tensors, limit=HOST_MAX if limit is None else limit)
