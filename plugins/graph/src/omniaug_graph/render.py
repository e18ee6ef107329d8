"""Preview: draw original vs augmented graphs side by side into a PNG (networkx + matplotlib Agg)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from torch_geometric.data import Batch, Data

__all__ = ["render_graphs"]

MAX_GRAPHS = 4


def _graphs(payload: Any) -> list[Data]:
    if isinstance(payload, Batch):
        return payload.to_data_list()[:MAX_GRAPHS]
    return [payload]


def _to_networkx(g: Data) -> Any:
    import networkx as nx

    out = nx.Graph()
    out.add_nodes_from(range(int(g.num_nodes)))
    ei = g.edge_index.cpu()
    out.add_edges_from(zip(ei[0].tolist(), ei[1].tolist()))
    return out


def _node_colors(g: Data) -> list[float]:
    x = g.x.detach().float().cpu()
    if x.numel() == 0:
        return []
    return x.mean(dim=1).tolist()


def render_graphs(original: Any, views: Sequence[Any], path: Path) -> Path:
    """Rows: the original and each augmented view; columns: the first graphs of the batch.

    Nodes are coloured by their mean feature (masking and noise show up), edges are
    drawn as undirected; the title gives node and edge counts.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    rows = [("original", _graphs(original))] + [(f"view {i + 1}", _graphs(v)) for i, v in enumerate(views)]
    ncols = max(len(r[1]) for r in rows)
    fig, axes = plt.subplots(len(rows), ncols, figsize=(3.0 * ncols, 3.0 * len(rows)), squeeze=False)
    for r, (label, graphs) in enumerate(rows):
        for c in range(ncols):
            ax = axes[r][c]
            ax.set_axis_off()
            if c >= len(graphs):
                continue
            g = graphs[c]
            nxg = _to_networkx(g)
            pos = nx.spring_layout(nxg, seed=0)
            nx.draw_networkx(
                nxg, pos=pos, ax=ax, node_size=60, with_labels=False, width=0.6,
                node_color=_node_colors(g) or "tab:blue", cmap="viridis",
            )
            num_edges = int(g.edge_index.shape[1])
            ax.set_title(f"{label} · graph {c}\n{int(g.num_nodes)} nodes, {num_edges} directed edges", fontsize=8)
    fig.tight_layout()
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_suffix(".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
