"""Preview: one graph per cell of the core's preview grid (rows = graphs, columns = original + views).

Every view of a graph is drawn in the **original's layout**, so edges that were
dropped or added, and nodes that were removed, can be compared at a glance:
``omniaug preview`` first tags each node with its index (:func:`tag_nodes`, the
modality's ``preview_input``); ops that remove nodes keep that node-level
attribute for the survivors, so each survivor is drawn where it was. Removed nodes
are drawn as faint rings. Without tags (views made by the caller), a view with
the original's node count is drawn in the original layout, any other view in a
fresh one (said in its caption).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch_geometric.data import Batch, Data

from omniaug.render import render_grid, view_titles

__all__ = ["render_graphs", "tag_nodes", "view_positions", "TAG", "MAX_GRAPHS"]

#: graphs drawn (one row each)
MAX_GRAPHS = 4

#: node-level attribute holding each node's index in the original graph (preview only)
TAG = "preview_node"


def tag_nodes(x: Any) -> Any:
    """``x`` with a node-level :data:`TAG` (each node's index in its own graph), for the preview."""
    graphs = x.to_data_list() if isinstance(x, Batch) else [x]
    tagged = []
    for g in graphs:
        g = g.clone()
        g[TAG] = torch.arange(int(g.num_nodes), device=g.edge_index.device)
        tagged.append(g)
    return Batch.from_data_list(tagged) if isinstance(x, Batch) else tagged[0]


def _graphs(payload: Any) -> list[Data]:
    if isinstance(payload, Batch):
        return payload.to_data_list()[:MAX_GRAPHS]
    return [payload]


def view_positions(original: Data, view: Data, base: dict[int, Any]) -> tuple[dict[int, Any], list[int]] | None:
    """Positions of ``view``'s nodes in the original layout ``base`` and the original nodes it lost.

    ``None`` when the view's nodes cannot be matched to the original's (no :data:`TAG`
    and another node count).
    """
    n = int(view.num_nodes)
    if TAG in view:
        origin = view[TAG].tolist()
    elif n == int(original.num_nodes):
        origin = list(range(n))
    else:
        return None
    survivors = set(origin)
    return {i: base[o] for i, o in enumerate(origin)}, [o for o in base if o not in survivors]


def _to_networkx(g: Data) -> Any:
    import networkx as nx

    out = nx.Graph()
    out.add_nodes_from(range(int(g.num_nodes)))
    ei = g.edge_index.cpu()
    out.add_edges_from(zip(ei[0].tolist(), ei[1].tolist()))
    return out


def _node_colors(g: Data) -> list[float]:
    x = g.x.detach().float().cpu() if g.x is not None else torch.zeros(0)
    if x.numel() == 0:
        return []
    return x.reshape(x.shape[0], -1).mean(dim=1).tolist()


def render_graphs(original: Any, views: Sequence[Any], path: Path) -> Path:
    """Write a PNG: one row per graph (up to :data:`MAX_GRAPHS`), the original then each view.

    Nodes are coloured by their mean feature on one scale per row (masking and
    noise show up), edges are drawn as undirected; captions give node and edge counts.
    """
    import networkx as nx

    columns = [_graphs(original), *(_graphs(v) for v in views)]
    rows = min(len(c) for c in columns)
    layouts = [nx.spring_layout(_to_networkx(g), seed=0) for g in columns[0][:rows]]
    scales = []
    for r in range(rows):
        colors = [v for c in columns for v in _node_colors(c[r])]
        scales.append((min(colors), max(colors)) if colors else (0.0, 1.0))

    def draw(ax: Any, r: int, c: int) -> str:
        g, base = columns[c][r], layouts[r]
        placed = view_positions(columns[0][r], g, base)
        note = ""
        if placed is None:
            pos, lost, note = nx.spring_layout(_to_networkx(g), seed=0), [], " (new layout)"
        else:
            pos, lost = placed
        nxg = _to_networkx(g)
        if lost:
            nx.draw_networkx_nodes(nx.Graph(), {o: base[o] for o in lost}, nodelist=lost, ax=ax, node_size=40,
                                   node_color="none", edgecolors="0.8", linewidths=0.6)  # fmt: skip
        nx.draw_networkx_edges(nxg, pos=pos, ax=ax, width=0.6)
        lo, hi = scales[r]
        nx.draw_networkx_nodes(nxg, pos=pos, ax=ax, node_size=60, node_color=_node_colors(g) or "tab:blue",
                               cmap="viridis", vmin=lo, vmax=hi)  # fmt: skip
        xy = torch.tensor([list(map(float, p)) for p in base.values()]).reshape(-1, 2)
        if placed is not None and len(xy):  # one frame per row: the original's
            lo_xy, hi_xy = xy.min(0).values, xy.max(0).values
            pad = 0.08 * (hi_xy - lo_xy).clamp_min(1e-3)
            ax.set_xlim(float(lo_xy[0] - pad[0]), float(hi_xy[0] + pad[0]))
            ax.set_ylim(float(lo_xy[1] - pad[1]), float(hi_xy[1] + pad[1]))
        for spine in ax.spines.values():
            spine.set_visible(False)
        return f"{int(g.num_nodes)} nodes, {int(g.edge_index.shape[1])} directed edges{note}"

    labels = [f"graph {i}" for i in range(rows)]
    return render_grid(path, rows, view_titles(len(views)), draw, row_labels=labels, cell_size=(3.0, 3.0), dpi=100)
