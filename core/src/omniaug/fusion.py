"""Fusion kinds: fold a run of compatible ops into one kernel call.

An op that can express its per-sample effect as a composable transform (an
affine matrix, a sampling grid, a colour matrix, a gain) declares
``fusion = "<kind>"`` and implements ``fusion_transform(x, params)``. A plugin
registers the :class:`FusionKind` that knows the identity, how two transforms
compose and how to apply one. ``Compose(..., fuse=True)`` then draws each op's
params, composes the transforms and applies them once — fewer passes over the
data, one interpolation instead of several for geometric ops.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import torch

__all__ = ["FusionKind", "reference_kernels", "set_reference_kernels", "using_reference_kernels"]


@dataclass(frozen=True)
class FusionKind:
    """How a family of per-sample transforms is composed and applied.

    Attributes:
        name: registered name (ops refer to it in their ``fusion`` attribute).
        identity: ``identity(x, batch_size)`` → identity transforms for the batch.
        compose: ``compose(first, then)`` → the transform doing ``first`` then ``then``.
        apply: ``apply(x, transform, ops)`` → the output of the fused run;
            ``ops`` are the fused op instances (to read options such as
            interpolation or fill value from the first of them). When ``x`` requires
            grad it must be autograd-safe (no ``out=``, in-place writes into buffers,
            NumPy or private threads on the differentiable path): ``Compose`` then
            calls only ``apply``, never ``apply_inplace`` or a ``chain`` kernel.
        tolerance: ``(rtol, atol)`` within which a fused run equals the unfused chain.
        fresh_output: ``apply`` always returns newly allocated tensors (never its
            input, a view of it, or anything cached), so ``Compose`` may hand that
            output to the next fused segment as an intermediate nobody else holds.
        apply_inplace: optional ``apply`` that may overwrite its input's tensors.
            ``Compose(fuse=True)`` calls it only when the input is such an
            intermediate — the output of the previous fused segment of the same call,
            whose kind declares ``fresh_output`` — never on the caller's data. It
            saves a second full-size buffer (its page faults and zeroing) per call.
        chain: kernels that run a segment of this kind *and* the segment right after
            it, of another kind, in one call: ``chain[next_kind_name](x, transform,
            ops, next_transform, next_ops)`` returns the output of both (a newly
            allocated one, as with ``fresh_output``). One pass instead of two: each
            chunk of the batch goes through both steps while it is in cache, and the
            work is spread over the threads once. The next segment's params and
            transform are then computed from *this* segment's input, so a kind may
            chain only when its output keeps the input's structure (batch size,
            channels, dtype, device) and only to kinds whose params and transforms
            depend on nothing else of the data (e.g. a geometric warp → a colour
            matrix whose pixel statistics are taken inside the kernel). The random
            draws happen in the same order as unchained, so the params are the same.
        reference: optional plain implementation of ``apply`` (whole batch, no chunks,
            scratch buffers, threads or in-place writes; e.g. one ``grid_sample`` or one
            ``einsum``) that the fast ``apply`` / ``apply_inplace`` / ``chain`` kernels must
            equal within ``tolerance``. With :func:`set_reference_kernels` (or the
            environment variable ``OMNIAUG_REFERENCE=1``) ``Compose(fuse=True)`` runs
            every segment through it (``apply`` when a kind has none): the slow, obviously
            correct path to compare a changed fast kernel against.
    """

    name: str
    identity: Callable[[Any, int], torch.Tensor]
    compose: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
    apply: Callable[[Any, torch.Tensor, list[Any]], Any]
    tolerance: tuple[float, float] = (1e-4, 1e-4)
    description: str = ""
    fresh_output: bool = False
    apply_inplace: Callable[[Any, torch.Tensor, list[Any]], Any] | None = None
    chain: Mapping[str, Callable[[Any, torch.Tensor, list[Any], torch.Tensor, list[Any]], Any]] = field(
        default_factory=dict, compare=False
    )
    reference: Callable[[Any, torch.Tensor, list[Any]], Any] | None = None


_REFERENCE = [os.environ.get("OMNIAUG_REFERENCE", "").strip() not in ("", "0")]


def reference_kernels() -> bool:
    """Whether fused segments run through their kinds' plain ``reference`` kernels (see :class:`FusionKind`)."""
    return _REFERENCE[0]


def set_reference_kernels(on: bool) -> bool:
    """Switch every fused segment to its kind's ``reference`` kernel (process-wide); return the previous setting.

    The default comes from the environment variable ``OMNIAUG_REFERENCE`` (``1``: on).
    """
    previous = _REFERENCE[0]
    _REFERENCE[0] = bool(on)
    return previous


@contextlib.contextmanager
def using_reference_kernels(on: bool = True) -> Iterator[None]:
    """:func:`set_reference_kernels` for the duration of a ``with`` block."""
    previous = set_reference_kernels(on)
    try:
        yield
    finally:
        set_reference_kernels(previous)
