"""Trigonometry for per-sample parameters without waking OpenMP threads.

``torch.cos`` / ``sin`` / ``tan`` on CPU go through MKL's vector math library, whose
threader opens an OpenMP parallel region once a tensor has a hundred-odd elements
(seen here from batch 128 on: 18 regions per call of the fused image pipeline).
On the calling thread such a region wakes torch's OpenMP worker, which then spins
for milliseconds after the region ends — on a 2-core machine, on the core the
chunk workers of the warp and colour kernels (:mod:`omniaug_image._chunks`) are
about to need. ``torch.polar`` evaluates ``cos`` and ``sin`` with a plain serial
kernel for such small tensors and gives both from one call; values agree with
``torch.cos`` / ``torch.sin`` to one unit in the last place.
"""

from __future__ import annotations

import torch

__all__ = ["cos_sin"]


def cos_sin(theta: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(cos θ, sin θ)`` of a float tensor of angles in radians, same shape and dtype."""
    unit = torch.polar(torch.ones_like(theta), theta)
    return unit.real, unit.imag
