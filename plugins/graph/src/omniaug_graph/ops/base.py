"""Shared pieces of the graph ops: the base class, per-graph strength draws and per-element indices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch_geometric.data import Batch, Data

from omniaug import Augmentation, InputError, Params, rng

from .. import batch_ops
from ..modality import GRAPH, mark_valid

__all__ = ["GraphAugmentation", "Strength", "draw_strength", "local_node_index", "local_edge_ends"]

Strength = float | Sequence[float]


def draw_strength(
    value: tuple[float, float], n: int, *, generator: torch.Generator | None, device: torch.device
) -> torch.Tensor:
    """Per-graph strengths ``(n,)`` of an ``args.value_range(scalar="fixed")`` pair: uniform in
    ``[low, high]`` per graph, or the constant when ``low == high`` (no draw: a fixed value costs no
    random numbers, so ``rate=0.2`` and ``rate=(0.2, 0.2)`` give the same output)."""
    low, high = value
    if low == high:
        return torch.full((n,), low, device=device)
    return rng.uniform(n, low, high, generator=generator, device=device)


def local_node_index(b: Batch) -> torch.Tensor:
    """Each node's index inside its own graph (``0 … n_g - 1``)."""
    return torch.arange(b.x.shape[0], device=b.x.device) - b.ptr.index_select(0, b.batch)


def local_edge_ends(b: Batch, edge_graph: torch.Tensor, *, undirected: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Local endpoint ids of every edge; ``(min, max)`` when ``undirected`` so an edge and its reverse agree."""
    offset = b.ptr.index_select(0, edge_graph)
    src, dst = b.edge_index[0] - offset, b.edge_index[1] - offset
    if undirected:
        return torch.minimum(src, dst), torch.maximum(src, dst)
    return src, dst


class GraphAugmentation(Augmentation):
    """Base of the graph ops: a single ``Data`` is promoted to a batch of one and returned as ``Data``.

    Subclasses implement :meth:`inner_kernel` on a validated ``Batch`` with
    per-graph params (one row per graph).
    """

    modality = GRAPH
    #: salt of the op's counter-based draws (distinct per op so streams never coincide)
    salt: ClassVar[int] = 0

    def kernel(self, x: Any, params: Params) -> Any:
        b, single = batch_ops.as_batch(x)
        return batch_ops.restore(mark_valid(self.inner_kernel(b, params)), single)

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        """The op on a ``Batch`` (:meth:`kernel` promotes a single ``Data`` and restores it afterwards)."""
        raise NotImplementedError(f"{type(self).__name__}.inner_kernel")

    @staticmethod
    def _feature(x: Data, key: str, where: str) -> torch.Tensor:
        value = batch_ops.attrs(x).get(key)  # a dict read: a missing attribute costs PyG two exceptions
        if not isinstance(value, torch.Tensor) or value.dim() != 2 or not value.is_floating_point():
            raise InputError(f"x.{key}", "a floating-point node feature tensor (N, F)", value, where=where)
        return value
