"""Diffusion views (Hassani & Khasahmadi 2020; Klicpera et al. 2019): PPR or heat-kernel graphs.

Why not ``torch_geometric.transforms.GDC``: it treats the whole batch as one
graph — a dense ``N × N`` matrix over *all* nodes of the batch (quadratic in the
batch), one diffusion parameter for every graph, and the output's slice
bookkeeping is not updated, so ``to_data_list()`` breaks. Diffusion of a disjoint
union is block-diagonal, so here each graph is diffused on its own dense block,
all blocks at once as a padded ``(G, n_max, n_max)`` batch (``torch.linalg.solve``
/ ``matrix_exp`` are batched), with a per-graph α or t. It is exact and equals GDC
with ``exact=True`` graph by graph (tested).
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch_geometric.data import Batch

from omniaug import InputError, Params, args

from .. import batch_ops
from ..counter_random import scalar_mul
from .base import GraphAugmentation, Strength, draw_strength

__all__ = ["Diffusion", "diffusion_matrices"]


def diffusion_matrices(
    b: Batch, weight: torch.Tensor, method: str, coeff: torch.Tensor, lay: batch_ops.Layout
) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded per-graph diffusion matrices ``(G, n, n)`` and the valid-entry mask.

    ``T = D^-1/2 (A + I) D^-1/2``; PPR: ``α (I − (1 − α) T)^-1``; heat: ``exp(t (T − I))``.
    ``coeff`` is α or t per graph.
    """
    device = b.x.device
    g_count = lay.num_graphs
    n_max = int(lay.node_counts.max()) if g_count else 0
    eg = batch_ops.edge_graph(b, lay)
    offset = b.ptr.index_select(0, eg)
    src, dst = b.edge_index[0] - offset, b.edge_index[1] - offset
    dtype = torch.float64  # inverses of near-singular blocks: keep precision, cast back after
    adj = torch.zeros(g_count, n_max, n_max, dtype=dtype, device=device)
    adj = adj.index_put((eg, src, dst), weight.to(dtype), accumulate=True)
    node_local = torch.arange(n_max, device=device)
    valid_node = node_local.unsqueeze(0) < b.ptr.diff().unsqueeze(1)  # (G, n)
    eye = torch.eye(n_max, dtype=dtype, device=device).expand(g_count, n_max, n_max)
    adj = adj + eye * valid_node.unsqueeze(1).to(dtype)  # self-loops of weight 1 on real nodes
    deg = adj.sum(dim=1)  # in-degree (column sums), as GDC's "sym"
    dinv = torch.where(deg > 0, deg.clamp_min(1e-300).rsqrt(), torch.zeros_like(deg))
    trans = dinv.unsqueeze(2) * adj * dinv.unsqueeze(1)
    c = coeff.to(dtype).view(-1, 1, 1)
    if method == "ppr":
        mat = c * torch.linalg.solve(eye - (1.0 - c) * trans, eye)
    else:
        mat = torch.linalg.matrix_exp(c * (trans - eye))
    valid = valid_node.unsqueeze(2) & valid_node.unsqueeze(1)
    return mat, valid


class Diffusion(GraphAugmentation):
    """Replace each graph's edges by its thresholded diffusion matrix (a "global view").

    Entries ``S[i, j] >= threshold`` become edges ``i → j``; their coefficients go to
    ``weight_key`` when the input has it (they are read from it too, else weights
    are 1). Other edge attributes are kept for pairs that were already edges and set
    to ``fill`` on new pairs. Dense per graph: meant for small graphs
    (molecules, social ego-nets), not for one huge graph.

    Args:
        method: ``"ppr"`` (personalized PageRank) or ``"heat"``.
        teleport: teleport (restart) probability of PPR — a number in (0, 1] or ``[low, high]`` per graph.
        t: diffusion time of the heat kernel — a number or ``[low, high]`` per graph.
        threshold: sparsification threshold (entries below it are dropped).
        self_loops: keep diagonal entries as self-loops.
        weight_key: the edge attribute holding edge weights.
        fill: value of other edge attributes on new edges.
    """

    name = "graph.diffusion"
    may_be_identity = False

    def __init__(
        self,
        method: str = "ppr",
        teleport: Strength = (0.1, 0.3),
        t: Strength = (1.0, 5.0),
        threshold: float = 0.01,
        self_loops: bool = False,
        weight_key: str = "edge_weight",
        fill: float = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.method = args.choice("method", method, ("ppr", "heat"), where="Diffusion")
        self.teleport = args.value_range(
            "teleport", teleport, bounds=(0.0, 1.0), scalar="fixed", low_open=True, where="Diffusion"
        )
        self.t = args.value_range("t", t, bounds=(0.0, math.inf), scalar="fixed", where="Diffusion")
        self.threshold = args.positive("threshold", threshold, where="Diffusion")
        self.self_loops = bool(self_loops)
        self.weight_key = str(weight_key)
        self.fill = args.finite("fill", fill, where="Diffusion")

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        strength = self.teleport if self.method == "ppr" else self.t
        return {"coeff": draw_strength(strength, batch_size, generator=generator, device=device)}

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        lay = batch_ops.layout(b)
        if lay.extra_index_keys:
            raise InputError("x", "a graph whose only node-index attribute is edge_index", lay.extra_index_keys)
        has_weight = self.weight_key in lay.edge_keys
        e = b.edge_index.shape[1]
        weight = b[self.weight_key] if has_weight else torch.ones(e, device=b.x.device)
        mat, valid = diffusion_matrices(b, weight, self.method, params["coeff"], lay)
        keep = valid & (mat >= self.threshold)
        if not self.self_loops:
            keep &= ~torch.eye(mat.shape[-1], dtype=torch.bool, device=mat.device)
        g, i, j = keep.nonzero(as_tuple=True)  # row-major: grouped by graph, then source, then target
        offset = b.ptr.index_select(0, g)
        src, dst = i + offset, j + offset
        counts = torch.bincount(g, minlength=lay.num_graphs).cpu()
        new_sl = batch_ops.exclusive_cumsum(counts)
        values: dict[str, Any] = {"edge_index": torch.stack([src, dst])}
        n_total = max(int(b.x.shape[0]), 1)
        old_key = scalar_mul(b.edge_index[0], n_total) + b.edge_index[1]
        order = torch.sort(old_key, stable=True)
        new_key = scalar_mul(src, n_total) + dst
        pos = torch.searchsorted(order.values, new_key).clamp_max(max(e - 1, 0))
        found = (order.values[pos] == new_key) if e else torch.zeros_like(new_key, dtype=torch.bool)
        source_edge = order.indices[pos] if e else pos
        for key in lay.edge_keys:
            v = b[key]
            if key == self.weight_key:
                values[key] = mat[g, i, j].to(v.dtype)
                continue
            fill = torch.as_tensor(self.fill, dtype=v.dtype, device=v.device)
            carried = v[source_edge] if e else v.new_empty((new_key.numel(), *v.shape[1:]))
            mask = found.view(-1, *([1] * (v.dim() - 1)))
            values[key] = torch.where(mask, carried, fill)
        return batch_ops.with_values(b, values, slices=dict.fromkeys(("edge_index", *lay.edge_keys), new_sl))
