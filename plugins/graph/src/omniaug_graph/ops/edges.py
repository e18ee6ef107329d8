"""Edge ops: dropping, adding and re-weighting edges, per graph, on the whole batch at once."""

from __future__ import annotations

import math
from typing import Any

import torch
from torch_geometric.data import Batch

from omniaug import InputError, Magnitude, Params, args
from omniaug.host import HOST_MAX, host_views

from .. import batch_ops
from ..counter_random import (
    draw_seeds,
    drop_edge_keep_host,
    graph_keys,
    hash_pair,
    hashed_normal,
    hashed_uniform,
    pair_keep_small,
    scalar_mul,
)
from ..modality import known_edge_graph
from .base import GraphAugmentation, Strength, draw_strength, local_edge_ends

__all__ = ["DropEdge", "AddEdge", "PerturbEdgeWeight"]


class DropEdge(GraphAugmentation):
    """DropEdge (Rong et al. 2020): remove each edge with a per-graph probability.

    With ``undirected=True`` the decision is keyed by the unordered endpoint pair,
    so an edge and its reverse are always dropped together (undirected graphs stay
    undirected) and a self-loop is one edge. Edge-level attributes (``edge_attr``,
    ``edge_weight``, …) are filtered with the same mask; edge order is kept.

    Why not ``torch_geometric.utils.dropout_edge``: on a ``Batch`` it uses one rate
    for all graphs, leaves the slice bookkeeping stale (``to_data_list()`` breaks),
    and its ``force_undirected`` mode rebuilds reverse edges from forward ones,
    reordering edges and losing the reverse edges' own attributes.

    Args:
        rate: drop probability — a number, or ``[low, high]`` for a per-graph rate
            drawn uniformly.
        undirected: drop an edge and its reverse together.
    """

    name = "graph.drop_edge"
    magnitude = Magnitude("rate", (0.0, 0.0), (0.0, 0.5))
    salt = 0x1D0E

    def __init__(
        self, rate: Strength = 0.2, undirected: bool = True, *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rate = args.value_range("rate", rate, bounds=(0.0, 1.0), scalar="fixed", where="DropEdge")
        self.undirected = bool(undirected)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "rate": draw_strength(self.rate, batch_size, generator=generator, device=device),
            "seed": draw_seeds(batch_size, generator=generator, device=device),
        }

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        lay = batch_ops.layout(b)
        m = lay.values  # the attributes layout() read
        ei, ptr, n = m["edge_index"], m["ptr"], m["x"].shape[0]
        seed, rate = params["seed"], params["rate"]
        # Small CPU batch (local ids < 2**16 as fewer nodes in all): the whole decision and
        # the filtering on host arrays, no per-edge graph ids needed (see :mod:`omniaug.host`).
        host = (
            host_views(ei, lay.edge_slices, ptr, seed, rate, limit=2 * HOST_MAX)
            if n < (1 << 16) and seed.dtype == torch.long and rate.dtype == torch.float32
            else None
        )
        if host is not None:
            ei_h, sl_h, ptr_h, seed_h, rate_h = host
            keep_h = drop_edge_keep_host(ei_h, sl_h, ptr_h, seed_h, rate_h, self.salt, undirected=self.undirected)
            return batch_ops.filter_edges_host(b, keep_h, lay, edge_index=ei_h, edge_slices=sl_h)
        # Local ids below 2**16 in every graph: certain when the whole batch has fewer
        # nodes (no per-graph maximum and host sync needed then).
        small = n < (1 << 16) or (int(lay.node_counts.max()) < (1 << 16) and n < (1 << 31))
        eg = known_edge_graph(b)  # computed by this call's validation, when it validated this batch
        if eg is None:
            eg = batch_ops.edge_graph(b, lay, dtype=torch.int32 if small else torch.long)  # graph ids < N < 2**31
        keys = graph_keys(seed, self.salt)
        if small:
            keep = pair_keep_small(ei, eg, keys, ptr, rate, undirected=self.undirected, edge_slices=lay.edge_slices)
        else:
            # keep iff to_uniform(h) >= rate  <=>  h >= ceil(rate · 2**24) · 2**8 (exact: u has 24 bits)
            threshold = torch.ceil(params["rate"] * float(1 << 24)).long() << 8
            src, dst = (torch.minimum(ei[0], ei[1]), torch.maximum(ei[0], ei[1])) if self.undirected else ei
            offset = ptr.index_select(0, eg)
            h = hash_pair(keys.index_select(0, eg), src - offset, dst - offset, small=False)
            keep = h >= threshold.index_select(0, eg)
        return batch_ops.filter_edges(b, keep, lay)


class AddEdge(GraphAugmentation):
    """Add random edges inside each graph (never across graphs).

    Graph ``g`` gets about ``rate_g × (its number of edges)`` new edges: node
    pairs are sampled inside the graph's own node range (``ptr``), self-loops,
    existing edges and repeated pairs are discarded, so a graph may receive fewer.
    With ``undirected=True`` both directions of each new pair are added.
    New edges get ``edge_weight = 1`` and ``fill`` in other edge attributes.

    Args:
        rate: new edges per existing edge (the fraction of the edge count added; may exceed 1) —
            a number or ``[low, high]`` per graph.
        undirected: add each pair in both directions.
        fill: value of edge-level attributes (other than ``edge_weight``) on new edges.
    """

    name = "graph.add_edge"
    magnitude = Magnitude("rate", (0.0, 0.0), (0.0, 0.5))
    salt = 0xADDE

    def __init__(
        self,
        rate: Strength = 0.2,
        undirected: bool = True,
        fill: float = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rate = args.value_range("rate", rate, bounds=(0.0, math.inf), scalar="fixed", where="AddEdge")
        self.undirected = bool(undirected)
        self.fill = args.finite("fill", fill, where="AddEdge")

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "rate": draw_strength(self.rate, batch_size, generator=generator, device=device),
            "seed": draw_seeds(batch_size, generator=generator, device=device),
        }

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        lay = batch_ops.layout(b)
        device = b.x.device
        n_nodes = lay.node_counts.to(device)
        n_edges = lay.edge_counts.to(device).to(torch.float32)
        if self.undirected:
            n_edges = n_edges / 2
        want = torch.floor(params["rate"] * n_edges + 0.5).long()
        want = torch.where(n_nodes >= 2, want, torch.zeros_like(want))
        total = int(want.sum())
        graphs = torch.arange(lay.num_graphs, device=device)
        cg = torch.repeat_interleave(graphs, want, output_size=total)
        j = torch.arange(total, device=device) - batch_ops.exclusive_cumsum(want).index_select(0, cg)
        seed, n = params["seed"].index_select(0, cg), n_nodes.index_select(0, cg)
        first = (hashed_uniform(seed, self.salt, j) * n).long().clamp_max(n - 1)
        step = 1 + (hashed_uniform(seed, self.salt + 1, j) * (n - 1)).long().clamp_max(n - 2)
        second = first + step
        second = torch.where(second >= n, second - n, second)  # (first + step) mod n, never `first`
        if self.undirected:
            first, second = torch.minimum(first, second), torch.maximum(first, second)
        offset = b.ptr.index_select(0, cg)
        src, dst = first + offset, second + offset
        n_total = max(int(b.x.shape[0]), 1)
        key = scalar_mul(src, n_total) + dst
        order = torch.sort(key).indices  # sorted keys: grouped by graph; drop repeated pairs
        sorted_key = key[order]
        is_first = torch.ones_like(sorted_key, dtype=torch.bool)
        is_first[1:] = sorted_key[1:] != sorted_key[:-1]
        ei = b.edge_index
        existing = torch.sort(scalar_mul(ei[0], n_total) + ei[1]).values
        fresh = is_first & ~_contains(existing, sorted_key)
        src, dst = src[order], dst[order]
        if self.undirected:
            fresh &= ~_contains(existing, scalar_mul(dst, n_total) + src)
        src, dst = src[fresh], dst[fresh]
        counts = torch.bincount(b.batch[src], minlength=lay.num_graphs)
        if self.undirected:
            src, dst = torch.stack([src, dst], 1).flatten(), torch.stack([dst, src], 1).flatten()
            counts = counts + counts
        fill = {k: (1.0 if k == "edge_weight" else self.fill) for k in lay.edge_keys}
        return batch_ops.insert_edges(b, src, dst, counts, fill, lay)


def _contains(sorted_values: torch.Tensor, query: torch.Tensor) -> torch.Tensor:
    """Membership of ``query`` in a sorted 1-D tensor (binary search, vectorized)."""
    if sorted_values.numel() == 0:
        return torch.zeros_like(query, dtype=torch.bool)
    pos = torch.searchsorted(sorted_values, query).clamp_max(sorted_values.numel() - 1)
    return sorted_values[pos] == query


class PerturbEdgeWeight(GraphAugmentation):
    """Multiply edge weights by log-normal noise ``exp(sigma_g · z)`` (weights stay positive).

    ``z`` is keyed by the unordered endpoint pair when ``undirected=True``, so an
    edge and its reverse keep equal weights.

    Args:
        sigma: noise scale — a number or ``[low, high]`` per graph.
        key: the edge attribute holding one weight per edge.
        undirected: same noise for an edge and its reverse.
    """

    name = "graph.perturb_edge_weight"
    magnitude = Magnitude("sigma", (0.0, 0.0), (0.0, 0.5))
    salt = 0xED6E

    def __init__(
        self,
        sigma: Strength = 0.2,
        key: str = "edge_weight",
        undirected: bool = True,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.sigma = args.value_range("sigma", sigma, bounds=(0.0, math.inf), scalar="fixed", where="PerturbEdgeWeight")
        self.key = str(key)
        self.undirected = bool(undirected)

    def check(self, x: Any) -> None:
        w = getattr(x, self.key, None)
        e = x.edge_index.shape[1]
        if not isinstance(w, torch.Tensor) or w.shape != (e,) or not w.is_floating_point():
            raise InputError(f"x.{self.key}", f"a float tensor of one weight per edge ({e},)", w, where=self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "sigma": draw_strength(self.sigma, batch_size, generator=generator, device=device),
            "seed": draw_seeds(batch_size, generator=generator, device=device),
        }

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        eg = batch_ops.edge_graph(b)
        a, c = local_edge_ends(b, eg, undirected=self.undirected)
        z = hashed_normal(params["seed"], self.salt, a, c, index=eg)
        w = b[self.key]
        return batch_ops.with_values(b, {self.key: w * torch.exp(params["sigma"].index_select(0, eg) * z).to(w.dtype)})
