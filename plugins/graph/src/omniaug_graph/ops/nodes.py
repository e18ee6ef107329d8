"""Node ops: node dropping and subgraph sampling (k-hop / random walk), per graph, batch-wide."""

from __future__ import annotations

from typing import Any

import torch
from torch_geometric.data import Batch

from omniaug import Magnitude, Params, args, rng

from .. import batch_ops
from ..counter_random import draw_seeds, graph_keys, hash_counters, hashed_uniform
from .base import GraphAugmentation, Strength, draw_strength, local_node_index

__all__ = ["DropNode", "Subgraph"]


class DropNode(GraphAugmentation):
    """Remove each node with a per-graph probability (GraphCL's node dropping).

    Dropped nodes are really removed: from ``x`` and every node-level attribute,
    from the ``batch`` vector and ``ptr`` (so pooling sees the smaller graphs),
    together with their edges and those edges' attributes; the remaining nodes are
    relabelled. Every graph keeps at least one node (the one with the highest draw).

    Args:
        rate: drop probability — a number, or ``[low, high]`` per graph.
    """

    name = "graph.drop_node"
    magnitude = Magnitude("rate", (0.0, 0.0), (0.0, 0.5))
    salt = 0xD0DE

    def __init__(self, rate: Strength = 0.2, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rate = args.value_range("rate", rate, bounds=(0.0, 1.0), scalar="fixed", where="DropNode")

    def check(self, x: Any) -> None:
        batch_ops.check_only_edge_index(x, self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "rate": draw_strength(self.rate, batch_size, generator=generator, device=device),
            "seed": draw_seeds(batch_size, generator=generator, device=device),
        }

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        g = b.batch
        h = hash_counters(graph_keys(params["seed"], self.salt).index_select(0, g), local_node_index(b))
        u = (h >> 8).to(torch.float32) * (1.0 / (1 << 24))
        best = torch.full((b.num_graphs,), -1, dtype=h.dtype, device=h.device)
        best = best.scatter_reduce(0, g, h, reduce="amax")
        keep = (u >= params["rate"].index_select(0, g)) | (h == best.index_select(0, g))
        return batch_ops.filter_nodes(b, keep)


class Subgraph(GraphAugmentation):
    """Keep a connected piece of each graph around a random start node.

    * ``mode="walk"``: ``num_walks`` random walks of ``walk_length`` steps from the
      start node; the visited nodes are kept (GraphCL's subgraph view).
    * ``mode="khop"``: the ``num_hops``-hop neighbourhood of the start node.

    Edges are followed in both directions when ``undirected=True``. Nodes outside
    the piece are removed exactly as in :class:`DropNode`. The walk is vectorized
    over all walkers of all graphs (one step of every walker per iteration, using a
    CSR view of the batch), since ``torch_cluster.random_walk`` is an optional
    compiled extension and PyG's ``k_hop_subgraph`` expands one set of seeds with
    no per-graph bookkeeping.

    Args:
        mode: ``"walk"`` or ``"khop"``.
        walk_length: steps per walk (``mode="walk"``).
        num_walks: walks per graph (``mode="walk"``).
        num_hops: hops (``mode="khop"``).
        undirected: follow edges in both directions.
    """

    name = "graph.subgraph"
    salt = 0x5B6F

    def __init__(
        self,
        mode: str = "walk",
        walk_length: int = 4,
        num_walks: int = 4,
        num_hops: int = 2,
        undirected: bool = True,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.mode = args.choice("mode", mode, ("walk", "khop"), where="Subgraph")
        self.walk_length = args.integer("walk_length", walk_length, low=0, where="Subgraph")
        self.num_walks = args.integer("num_walks", num_walks, low=1, where="Subgraph")
        self.num_hops = args.integer("num_hops", num_hops, low=0, where="Subgraph")
        self.undirected = bool(undirected)

    def check(self, x: Any) -> None:
        batch_ops.check_only_edge_index(x, self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "start": rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device),
            "seed": draw_seeds(batch_size, generator=generator, device=device),
        }

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        device = b.x.device
        n_nodes = b.ptr.diff()
        start_local = (params["start"] * n_nodes).long().clamp_max((n_nodes - 1).clamp_min(0))
        start = b.ptr[:-1] + start_local
        has_nodes = n_nodes > 0
        ei = b.edge_index
        src, dst = (torch.cat([ei[0], ei[1]]), torch.cat([ei[1], ei[0]])) if self.undirected else (ei[0], ei[1])
        n_total = b.x.shape[0]
        keep = torch.zeros(n_total, dtype=torch.bool, device=device)
        keep[start[has_nodes]] = True
        if self.mode == "khop":
            for _ in range(self.num_hops):  # a loop over hops, each one vectorized over all graphs
                keep = keep.index_fill(0, dst[keep[src]], True)
        else:
            keep = self._walk(b, params, src, dst, start, has_nodes, keep)
        return batch_ops.filter_nodes(b, keep)

    def _walk(
        self,
        b: Batch,
        params: Params,
        src: torch.Tensor,
        dst: torch.Tensor,
        start: torch.Tensor,
        has_nodes: torch.Tensor,
        keep: torch.Tensor,
    ) -> torch.Tensor:
        device = keep.device
        order = torch.sort(src, stable=True).indices
        neighbours = dst[order]
        degree = torch.bincount(src, minlength=keep.numel())
        row_start = batch_ops.exclusive_cumsum(degree)[:-1]
        graphs = torch.arange(b.num_graphs, device=device)[has_nodes]
        walker_graph = graphs.repeat_interleave(self.num_walks)
        walker = torch.arange(self.num_walks, device=device).repeat(graphs.numel())
        cur = start[walker_graph]
        seed = params["seed"][walker_graph]
        for step in range(self.walk_length):  # a loop over steps, each one vectorized over all walkers
            d = degree[cur]
            u = hashed_uniform(seed, self.salt, walker, torch.full_like(walker, step))
            pick = (u * d).long().clamp_max((d - 1).clamp_min(0))
            nxt = (
                neighbours[(row_start[cur] + pick).clamp_max(max(neighbours.numel() - 1, 0))]
                if neighbours.numel()
                else cur
            )
            cur = torch.where(d > 0, nxt, cur)
            keep = keep.index_fill(0, cur, True)
        return keep
