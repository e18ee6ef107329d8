"""Sample graphs: random batches from a generator, bundled real graphs, malformed inputs, file I/O."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch_geometric.data import Batch, Data

from omniaug import rng

__all__ = [
    "random_graph",
    "example_batch",
    "example_variants",
    "bad_examples",
    "karate_club",
    "load_graphs",
    "save_graphs",
]


def random_graph(
    num_nodes: int,
    num_edges: int,
    num_features: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    edge_dim: int = 3,
    label: int = 0,
) -> Data:
    """An undirected random graph (both directions stored, no self-loops) with features and labels.

    Endpoint pairs are drawn uniformly; duplicates are removed, so the graph has at
    most ``num_edges`` undirected edges. Edge attributes and weights are symmetric.
    """
    u = rng.randint(num_edges, 0, num_nodes, generator=generator)
    v = rng.randint(num_edges, 0, max(num_nodes - 1, 1), generator=generator)
    v = torch.where(v >= u, v + 1, v) if num_nodes > 1 else v  # no self-loops
    a, b = torch.minimum(u, v), torch.maximum(u, v)
    pairs = torch.unique(torch.stack([a, b]), dim=1) if num_nodes > 1 else torch.zeros(2, 0, dtype=torch.long)
    a, b = pairs[0], pairs[1]
    attr = rng.uniform(a.numel(), 0.0, 1.0, shape=(edge_dim,), generator=generator)
    weight = rng.uniform(a.numel(), 0.5, 1.5, generator=generator)
    data = Data(
        x=rng.normal(num_nodes, shape=(num_features,), generator=generator),
        edge_index=torch.stack([torch.cat([a, b]), torch.cat([b, a])]),
        edge_attr=torch.cat([attr, attr]),
        edge_weight=torch.cat([weight, weight]),
        y=torch.tensor([label]),
        train_mask=rng.bernoulli(num_nodes, 0.5, generator=generator),
    )
    return data.to(device)


def example_batch(
    batch_size: int = 8, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> Batch:
    """A ``Batch`` of ``batch_size`` random undirected graphs of 5–12 nodes (for tests, preview, demo)."""
    sizes = rng.randint(batch_size, 5, 13, generator=generator).tolist()
    labels = rng.randint(batch_size, 0, 2, generator=generator).tolist()
    graphs = [random_graph(n, 2 * n, 8, generator=generator, device=device, label=c) for n, c in zip(sizes, labels)]
    return Batch.from_data_list(graphs)


def example_variants(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> dict[str, Any]:
    """Valid graph payloads policies and presets must take: a batch, single-node graphs, edgeless graphs, one Data."""
    batch = example_batch(batch_size, generator=generator, device=device)
    single = [random_graph(1, 0, 8, generator=generator, device=device, label=i % 2) for i in range(batch_size)]
    edgeless = [random_graph(4, 0, 8, generator=generator, device=device, label=i % 2) for i in range(batch_size)]
    return {
        "batch": batch,
        "single-node graphs": Batch.from_data_list(single),
        "edgeless graphs": Batch.from_data_list(edgeless),
        "one Data": random_graph(7, 12, 8, generator=generator, device=device),
    }


def bad_examples() -> list[Any]:
    """Malformed payloads that ``validate`` must reject with an ``InputError``."""
    ok = random_graph(6, 8, 4, generator=rng.make_generator(0))
    no_x = Data(edge_index=torch.tensor([[0, 1], [1, 0]]), num_nodes=2)
    out_of_range = Data(x=torch.zeros(3, 2), edge_index=torch.tensor([[0, 5], [5, 0]]))
    float_index = Data(x=torch.zeros(3, 2), edge_index=torch.tensor([[0.0, 1.0], [1.0, 0.0]]))
    flat_x = Data(x=torch.zeros(3), edge_index=torch.tensor([[0, 1], [1, 0]]))
    crossing = Batch.from_data_list([ok, ok])
    crossing.edge_index = crossing.edge_index.clone()
    crossing.edge_index[1, 0] = int(crossing.ptr[1])  # first edge of graph 0 now ends in graph 1
    return [no_x, out_of_range, float_index, flat_x, crossing, torch.zeros(4, 3)]


def karate_club(device: torch.device | str = "cpu") -> Data:
    """Zachary's karate club (bundled with networkx): 34 nodes, 78 undirected edges, 2 factions.

    Node features are one-hot node ids (as in Kipf & Welling's example); ``y`` is
    the faction each member joined after the split.
    """
    import networkx as nx

    g = nx.karate_club_graph()
    edges = torch.tensor(sorted(g.edges()), dtype=torch.long).t()
    edge_index = torch.cat([edges, edges.flip(0)], dim=1)
    n = g.number_of_nodes()
    y = torch.tensor([0 if g.nodes[i]["club"] == "Mr. Hi" else 1 for i in range(n)])
    weight = torch.tensor([float(g.edges[int(a), int(b)].get("weight", 1.0)) for a, b in edges.t()])
    return Data(x=torch.eye(n), edge_index=edge_index, edge_weight=torch.cat([weight, weight]), y=y).to(device)


def load_graphs(paths: Sequence[Path]) -> Batch:
    """Read graph files into a ``Batch`` — safely, see :mod:`omniaug_graph.files`."""
    from .files import load_graphs as _load

    return _load(paths)


def save_graphs(payload: Data | Batch, paths: Sequence[Path]) -> None:
    """Write each graph of ``payload`` to its path (plain tensors, see :mod:`omniaug_graph.files`)."""
    from .files import save_graphs as _save

    _save(payload, paths)
