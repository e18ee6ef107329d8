"""Graph mixers with soft labels: G-Mixup (graph classification) and node-feature mixup (node classification)."""

from __future__ import annotations

from typing import Any

import torch
from torch_geometric.data import Batch

from omniaug import InputError, Mixed, Mixer, Params, args, rng, to_soft_labels

from . import batch_ops
from .counter_random import draw_seeds, hash32, hashed_uniform
from .modality import GRAPH

__all__ = ["GMixup", "NodeMixup", "estimate_graphons", "MIXERS"]


def _dense_graphs(b: Batch, lay: batch_ops.Layout) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Padded symmetric 0/1 adjacency ``(G, n, n)``, features ``(G, n, F)`` and node counts ``(G,)``."""
    device = b.x.device
    g_count = lay.num_graphs
    n_max = int(lay.node_counts.max()) if g_count else 0
    counts = b.ptr.diff()
    eg = batch_ops.edge_graph(b, lay)
    offset = b.ptr.index_select(0, eg)
    src, dst = b.edge_index[0] - offset, b.edge_index[1] - offset
    adj = torch.zeros(g_count, n_max, n_max, device=device)
    adj = adj.index_put((eg, src, dst), torch.ones_like(src, dtype=adj.dtype))
    adj = torch.maximum(adj, adj.transpose(1, 2))
    local = torch.arange(b.x.shape[0], device=device) - b.ptr.index_select(0, b.batch)
    feats = b.x.new_zeros(g_count, n_max, b.x.shape[1]).index_put((b.batch, local), b.x)
    return adj, feats, counts


def estimate_graphons(b: Batch, resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Step-function graphon ``(G, K, K)`` and feature graphon ``(G, K, F)`` of every graph.

    Nodes are aligned by sorting on degree (largest first), as in G-Mixup; the
    sorted adjacency is read as a step function on ``[0, 1]²`` and averaged exactly
    over a ``K × K`` grid (overlap weights, so graphs smaller or larger than ``K``
    are both handled). Features are averaged over the same blocks.
    """
    lay = batch_ops.layout(b)
    adj, feats, counts = _dense_graphs(b, lay)
    g_count, n_max = adj.shape[0], adj.shape[1]
    device = adj.device
    node = torch.arange(n_max, device=device)
    valid = node.unsqueeze(0) < counts.unsqueeze(1)
    degree = torch.where(valid, adj.sum(-1), torch.full_like(adj[:, :, 0], -1.0))
    order = torch.sort(-degree, dim=1, stable=True).indices
    rows = torch.arange(g_count, device=device).view(-1, 1, 1)
    adj = adj[rows, order.unsqueeze(2), order.unsqueeze(1)]
    feats = feats[torch.arange(g_count, device=device).unsqueeze(1), order]
    n = counts.clamp_min(1).to(adj.dtype).view(-1, 1, 1)
    k = node.to(adj.dtype).view(1, -1, 1)
    a = torch.arange(resolution, device=device, dtype=adj.dtype).view(1, 1, -1)
    lo = torch.maximum(k / n, a / resolution)
    hi = torch.minimum((k + 1) / n, (a + 1) / resolution)
    overlap = (hi - lo).clamp_min(0) * resolution * (counts > 0).to(adj.dtype).view(-1, 1, 1)  # (G, n, K)
    graphon = overlap.transpose(1, 2) @ adj @ overlap
    feature_graphon = overlap.transpose(1, 2).to(feats.dtype) @ feats
    return graphon, feature_graphon


class GMixup(Mixer):
    """G-Mixup (Han et al. 2022): mix graphons, then sample new graphs from the mixture.

    With labels, each sample's graphon is its **class graphon** estimated from the
    batch (the average graphon of the graphs of that class, weighted by the label
    probabilities); sample ``i`` and its partner ``j`` give ``W = λ W_{c_i} + (1 − λ)
    W_{c_j}`` and the soft label ``λ y_i + (1 − λ) y_j``. Without labels each
    graph's own graphon is used. A new graph of ``round(λ n_i + (1 − λ) n_j)``
    nodes (or ``num_nodes``) places node ``k`` at grid position ``(k + ½)/n`` and
    draws edge ``{k, l}`` with probability ``W`` at those positions (undirected, no
    self-loops); node features come from the mixed feature graphon. New edges get
    ``edge_weight = 1`` and zeros in other edge attributes; other node-level
    attributes are zero; graph-level attributes are sample ``i``'s. The label weight
    is exactly λ, the share of the mixed graphon. Missing (NaN) node features never
    spread to another graph: class feature graphons average present values only,
    and a partner's missing value is not mixed in.

    Args:
        alpha: Beta(α, α) concentration of λ (0.2, the MixUp default of every plugin).
        resolution: graphon grid size ``K``.
        num_nodes: size of generated graphs (default: interpolated sizes).
        class_graphons: use class graphons when labels are given.
        p, num_classes, label_smoothing: as for every mixer.
    """

    name = "graph.gmixup"
    modality = GRAPH
    salt = 0x63A1

    def __init__(
        self,
        alpha: float = 0.2,
        resolution: int = 16,
        num_nodes: int | None = None,
        class_graphons: bool = True,
        *,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        self.resolution = args.integer("resolution", resolution, low=1, where="GMixup")
        self.num_nodes = None if num_nodes is None else args.integer("num_nodes", num_nodes, low=1, where="GMixup")
        self.class_graphons = bool(class_graphons)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"seed": draw_seeds(batch_size, generator=generator, device=device)}

    def sample_params(self, x: Any, *, generator: torch.Generator | None = None) -> Params:
        params = super().sample_params(x, generator=generator)
        batch_ops.check_only_edge_index(x, self.name)
        return params

    def augment_with_labels(
        self, x: Any, labels: torch.Tensor, *, generator: torch.Generator | None = None, params: Params | None = None
    ) -> Mixed:
        if params is None:
            params = self.sample_params(x, generator=generator)
            if (
                self.class_graphons
                and isinstance(labels, torch.Tensor)
                and labels.shape[:1] == (self.modality_spec().batch_size(x),)
            ):
                params.update(self._class_graphon_params(x, labels, params))
        return super().augment_with_labels(x, labels, generator=generator, params=params)

    def _class_graphon_params(self, x: Any, labels: torch.Tensor, params: Params) -> dict[str, torch.Tensor]:
        soft = to_soft_labels(labels, self.num_classes, where=self.name)
        b, _ = batch_ops.as_batch(x)
        graphon, feats = estimate_graphons(b, self.resolution)
        soft = soft.to(graphon.device, graphon.dtype)
        mass = soft.sum(0).clamp_min(1e-12)  # (C,)
        class_graphon = torch.einsum("bc,bkl->ckl", soft, graphon) / mass.view(-1, 1, 1)
        # class feature means over present values only: a NaN feature of one graph (a missing
        # value) must not turn every graph of its class into NaN; a value no graph of the class has is 0
        present = torch.einsum("bc,bkf->ckf", soft, (~feats.isnan()).to(soft.dtype))
        class_feats = torch.einsum("bc,bkf->ckf", soft, feats.to(soft.dtype).nan_to_num(0.0)) / present.clamp_min(1e-12)
        own_graphon = torch.einsum("bc,ckl->bkl", soft, class_graphon)
        own_feats = torch.einsum("bc,ckf->bkf", soft, class_feats).to(feats.dtype)
        partner = params["partners"][:, 0].to(graphon.device)
        return {
            "graphon": own_graphon,
            "partner_graphon": own_graphon[partner],
            "feature_graphon": own_feats,
            "partner_feature_graphon": own_feats[partner],
        }

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        b, single = batch_ops.as_batch(x)
        other, _ = batch_ops.as_batch(partners[0])
        if "graphon" in params:
            w_self, f_self = params["graphon"], params["feature_graphon"]
            w_other, f_other = params["partner_graphon"], params["partner_feature_graphon"]
        else:
            w_self, f_self = estimate_graphons(b, self.resolution)
            w_other, f_other = estimate_graphons(other, self.resolution)
        lam = params["lam"].to(w_self.dtype)
        lam3 = lam.view(-1, 1, 1)
        graphon = lam3 * w_self + (1 - lam3) * w_other
        feature_graphon = lam3.to(f_self.dtype) * f_self + (1 - lam3.to(f_self.dtype)) * f_other
        feature_graphon = torch.where(f_other.isnan(), f_self, feature_graphon)  # a partner's missing value stays there
        if self.num_nodes is not None:
            sizes = torch.full_like(params["lam"], float(self.num_nodes)).long()
        else:
            n_self, n_other = b.ptr.diff().to(lam.dtype), other.ptr.diff().to(lam.dtype)
            sizes = torch.floor(lam * n_self + (1 - lam) * n_other + 0.5).long().clamp_min(1)
        out = self._sample_graphs(b, graphon, feature_graphon, sizes, params["seed"])
        return batch_ops.restore(out, single), params["lam"]

    def _sample_graphs(
        self, b: Batch, graphon: torch.Tensor, feature_graphon: torch.Tensor, sizes: torch.Tensor, seed: torch.Tensor
    ) -> Batch:
        device = graphon.device
        g_count, res = graphon.shape[0], graphon.shape[1]
        m = int(sizes.max()) if g_count else 0
        k = torch.arange(m, device=device)
        valid = k.unsqueeze(0) < sizes.unsqueeze(1)  # (G, m)
        block = (((k.unsqueeze(0) + 0.5) * res) / sizes.unsqueeze(1)).long().clamp_max(res - 1)  # (G, m)
        rows = torch.arange(g_count, device=device).view(-1, 1, 1)
        prob = graphon[rows, block.unsqueeze(2), block.unsqueeze(1)]  # (G, m, m)
        lo, hi = torch.minimum(k.view(-1, 1), k.view(1, -1)), torch.maximum(k.view(-1, 1), k.view(1, -1))
        u = hashed_uniform(seed.view(-1, 1, 1), self.salt, lo.unsqueeze(0), hi.unsqueeze(0))
        edge = (u < prob) & valid.unsqueeze(2) & valid.unsqueeze(1) & (lo != hi).unsqueeze(0)
        g, i, j = edge.nonzero(as_tuple=True)
        ptr = batch_ops.exclusive_cumsum(sizes)
        edge_counts = torch.bincount(g, minlength=g_count)
        node_graph, local = valid.nonzero(as_tuple=True)
        feats = feature_graphon[node_graph, block[node_graph, local]]
        lay = batch_ops.layout(b)
        n_new, e_new = int(ptr[-1]), int(g.numel())
        values: dict[str, Any] = {
            "x": feats.to(b.x.dtype),
            "edge_index": torch.stack([i + ptr.index_select(0, g), j + ptr.index_select(0, g)]),
            "batch": node_graph,
            "ptr": ptr,
        }
        for key in lay.node_keys:
            if key != "x":
                v = b[key]
                values[key] = v.new_zeros((n_new, *v.shape[1:]))
        for key in lay.edge_keys:
            v = b[key]
            values[key] = (v.new_ones if key == "edge_weight" else v.new_zeros)((e_new, *v.shape[1:]))
        node_sl, edge_sl = ptr.cpu(), batch_ops.exclusive_cumsum(edge_counts).cpu()
        slices = dict.fromkeys(lay.node_keys, node_sl)
        slices.update(dict.fromkeys(("edge_index", *lay.edge_keys), edge_sl))
        if "num_nodes" in b:
            values["num_nodes"] = n_new
        out = batch_ops.with_values(b, values, slices=slices, incs={"edge_index": node_sl[:-1].clone()})
        if hasattr(out, "_num_nodes"):
            out._num_nodes = sizes.cpu().tolist()
        return out


class NodeMixup(Mixer):
    """Node-feature mixup for node classification: mix each node with a partner node of its graph.

    Every node ``v`` of graph ``g`` is paired with a different node ``π(v)`` of
    the same graph (a random single-cycle derangement per graph, drawn by one
    vectorized sort), and ``x_v ← λ_g x_v + (1 − λ_g) x_π(v)``, ``y_v ← λ_g y_v +
    (1 − λ_g) y_π(v)`` with ``λ_g ~ Beta(α, α)`` per graph (input-level mixup in the
    spirit of Verma et al. 2021's GraphMix / Wang et al. 2021; the structure is
    unchanged). Labels are **node-level**: class indices ``(N,)``, one-hot or soft
    ``(N, K)``; soft labels ``(N, K)`` come back. Graphs not drawn by ``p`` keep
    their nodes and labels as they are.

    Args:
        alpha: Beta(α, α) concentration of λ (0.2, the MixUp default of every plugin).
        key: the node feature attribute to mix.
        p, num_classes, label_smoothing: as for every mixer.
    """

    name = "graph.node_mixup"
    differentiable = True  # in the node features
    modality = GRAPH
    salt = 0x40DE

    def __init__(
        self,
        alpha: float = 0.2,
        key: str = "x",
        *,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        self.key = str(key)

    def sample_params(self, x: Any, *, generator: torch.Generator | None = None) -> Params:
        """Per graph: λ, the apply mask and a seed for the node partners."""
        spec = self.modality_spec()
        spec.validate(x)
        feats = getattr(x, self.key, None)
        if not isinstance(feats, torch.Tensor) or feats.dim() != 2 or not feats.is_floating_point():
            raise InputError(f"x.{self.key}", "a floating-point node feature tensor (N, F)", feats, where=self.name)
        n = spec.batch_size(x)
        device = spec.device_of(x)
        return Params(
            seed=draw_seeds(n, generator=generator, device=device),
            lam=rng.beta(n, self.alpha, generator=generator, device=device),
            apply=rng.bernoulli(n, self.p, generator=generator, device=device),
        )

    def label_rows(self, x: Any) -> int:
        """Labels are node-level: one row per node of the batch."""
        b, _ = batch_ops.as_batch(x)
        return int(b.num_nodes)

    def node_partners(self, b: Batch, seed: torch.Tensor) -> torch.Tensor:
        """Global index of every node's partner: a different node of the same graph (itself if alone)."""
        g = b.batch
        local = torch.arange(g.numel(), device=g.device) - b.ptr.index_select(0, g)
        order = torch.sort((g << 32) | hash32(seed[g], self.salt, local), stable=True).indices
        # order lists each graph's nodes in random order; pair each with the next one, cyclically per graph
        pos = torch.arange(g.numel(), device=g.device)
        graph_of_pos = g[order]
        start, count = b.ptr[graph_of_pos], b.ptr.diff()[graph_of_pos]
        nxt = start + (pos - start + 1) % count.clamp_min(1)
        partner = torch.empty_like(order)
        partner[order] = order[nxt]
        return partner

    def _node_lambda(self, b: Batch, params: Params) -> torch.Tensor:
        lam = torch.where(params["apply"], params["lam"], torch.ones_like(params["lam"]))
        return lam[b.batch]

    def mix_batch(self, x: Any, params: Params) -> tuple[Any, torch.Tensor]:
        """Mixed batch and per-node weights ``(N, 2)`` (own share, partner share)."""
        b, single = batch_ops.as_batch(x)
        partner = self.node_partners(b, params["seed"])
        lam = self._node_lambda(b, params)
        feats = b[self.key]
        mixed = lam.unsqueeze(1).to(feats.dtype) * feats + (1 - lam.unsqueeze(1).to(feats.dtype)) * feats[partner]
        out = batch_ops.restore(batch_ops.with_values(b, {self.key: mixed}), single)
        return out, torch.stack([lam, 1 - lam], dim=1)

    def soft_labels(self, labels: torch.Tensor, params: Params, weights: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("NodeMixup mixes node labels inside augment_with_labels")

    def augment_with_labels(
        self, x: Any, labels: torch.Tensor, *, generator: torch.Generator | None = None, params: Params | None = None
    ) -> Mixed:
        if params is None:
            params = self.sample_params(x, generator=generator)
        else:
            self.modality_spec().validate(x)
        b, _ = batch_ops.as_batch(x)
        n = b.x.shape[0]
        if not isinstance(labels, torch.Tensor) or labels.shape[:1] != (n,):
            raise InputError("labels", f"node labels with {n} rows (one per node)", labels, where=self.name)
        soft = to_soft_labels(labels, self.num_classes, smoothing=self.label_smoothing, where=self.name)
        partner = self.node_partners(b, params["seed"])
        out, weights = self.mix_batch(x, params)
        w = weights.to(soft.device, soft.dtype)
        mixed = w[:, :1] * soft + w[:, 1:] * soft[partner.to(soft.device)]
        return Mixed(out, mixed, params)


MIXERS: list[type[Mixer]] = [GMixup, NodeMixup]
