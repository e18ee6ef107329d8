"""Arithmetic on per-sample parameters: a few numbers per sample, not pixels.

Two costs dominate such tiny tensors on CPU, and neither is arithmetic:

- **Dispatch.** A torch op on an 8-element tensor costs a fixed dispatch overhead
  (more when the interpreter's caches are cold after a pixel pass), several times
  that of the same NumPy op. The warp matrices of a fused affine run take ~100 such
  ops per call, which is most of a small batch's serial time (measurements:
  docs/performance.md, "Design measurements"). So on CPU the
  matrix formulas here run in NumPy on zero-copy views of the parameter tensors
  (:func:`omniaug.host.host_views`) and come back with ``torch.from_numpy``; on other devices
  the same formulas run in torch (:func:`omniaug.host.namespace`), so nothing leaves the device.
- **OpenMP wake-ups.** ``torch.cos`` / ``sin`` / ``tan`` on CPU go through MKL's
  vector math library, whose threader opens an OpenMP parallel region once a
  tensor has a hundred-odd elements (seen from batch 128 on: 18 regions per call
  of the fused image pipeline). On the calling thread such a region wakes torch's
  OpenMP worker, which then spins for milliseconds after the region ends — on a
  2-core machine, on the core the chunk workers of the warp and colour kernels
  (:mod:`omniaug_image._chunks`) are about to need. ``torch.polar`` evaluates
  ``cos`` and ``sin`` with a plain serial kernel for such small tensors and gives
  both from one call; values agree with ``torch.cos`` / ``torch.sin`` to one unit
  in the last place (:func:`cos_sin`).

The formulas are written once against the operations NumPy arrays and torch tensors
share (operators, ``stack(..., axis)`` positionally, ``sum(-2)``, ``reshape``,
indexing), with :func:`trig` and :func:`omniaug.host.namespace` for the rest. The NumPy path's
size threshold and its test switch are the core's (:mod:`omniaug.host`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

__all__ = ["cos_sin", "trig", "matmul3"]


def cos_sin(theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(cos θ, sin θ)`` of a float tensor of angles in radians, same shape and dtype."""
    unit = torch.polar(torch.ones_like(theta), theta)
    return unit.real, unit.imag


def trig(theta: Any) -> tuple[Any, Any]:
    """``(cos θ, sin θ)`` for an array or a tensor (tensors through :func:`cos_sin`)."""
    if isinstance(theta, np.ndarray):
        return np.cos(theta), np.sin(theta)
    return cos_sin(theta)


def matmul3(a: Any, b: Any) -> Any:
    """Products of (batches of) small matrices, for arrays or tensors.

    Arrays: ``np.matmul`` (its stacked small products stay single-threaded, and beat
    a broadcast multiply-and-sum). Tensors: a broadcast multiply-and-sum,
    not ``@``: on CPU a tiny torch ``matmul`` goes through BLAS, whose thread pool
    costs a wake-up per call — negligible on an idle machine, costly on a busy
    one — while these few dozen multiply-adds stay on the calling thread.
    """
    if isinstance(a, np.ndarray):
        return np.matmul(a, b)
    return (a[..., :, :, None] * b[..., None, :, :]).sum(-2)
