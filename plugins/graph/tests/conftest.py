"""Shared fixtures: traceable graph batches and independent structural checks."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.utils import is_undirected

from omniaug import rng

FILL = -1.0  # fill value of new edges' attributes in tests, distinct from every real attribute


def make_graph(n: int, pairs: list[tuple[int, int]], *, generator: torch.Generator, label: int = 0) -> Data:
    """An undirected graph: each pair stored in both directions (a self-loop once).

    ``node_id`` (node-level) holds each node's original index and ``edge_attr``
    holds ``(node_id[src], node_id[dst])``, so after any op one can check that
    edge attributes still belong to their edges, even after relabelling.
    """
    src, dst = [], []
    for a, b in pairs:
        src.append(a)
        dst.append(b)
        if a != b:
            src.append(b)
            dst.append(a)
    ei = torch.tensor([src, dst], dtype=torch.long).reshape(2, -1)
    node_id = torch.arange(n, dtype=torch.float32)
    lo, hi = torch.minimum(ei[0], ei[1]), torch.maximum(ei[0], ei[1])
    weight = 1.0 + (lo * 31 + hi * 7) % 11 / 10.0  # symmetric per pair
    return Data(
        x=rng.normal(n, shape=(6,), generator=generator),
        node_id=node_id,
        edge_index=ei,
        edge_attr=torch.stack([node_id[ei[0]], node_id[ei[1]]], dim=1) if n else torch.zeros(ei.shape[1], 2),
        edge_weight=weight.float(),
        y=torch.tensor([label]),
        train_mask=torch.arange(n) % 2 == 0,
    )


def random_pairs(n: int, m: int, generator: torch.Generator) -> list[tuple[int, int]]:
    a = rng.randint(m, 0, n, generator=generator).tolist()
    b = rng.randint(m, 0, n, generator=generator).tolist()
    return sorted({(min(x, y), max(x, y)) for x, y in zip(a, b) if x != y})


def traceable_batch(num_graphs: int = 10, seed: int = 0) -> Batch:
    """Graphs of varied sizes, including a single node, an edgeless graph and a self-loop."""
    g = rng.make_generator(seed)
    graphs = [make_graph(1, [], generator=g, label=0), make_graph(4, [], generator=g, label=1)]
    graphs.append(make_graph(5, [(0, 1), (1, 2), (2, 2), (3, 4)], generator=g, label=0))
    for i in range(max(num_graphs - 3, 0)):
        n = 6 + (i * 5) % 13
        graphs.append(make_graph(n, random_pairs(n, 2 * n, g), generator=g, label=i % 2))
    return Batch.from_data_list(graphs[:num_graphs])


def check_consistent(out: Batch) -> None:
    """Independent checks of a batch's bookkeeping (no use of the plugin's validation)."""
    g = out.num_graphs
    ptr, batch, ei = out.ptr, out.batch, out.edge_index
    assert ptr.shape == (g + 1,) and int(ptr[0]) == 0 and int(ptr[-1]) == out.x.shape[0]
    assert torch.equal(batch, torch.repeat_interleave(torch.arange(g), ptr.diff()))
    assert torch.equal(out._slice_dict["x"], ptr)
    edge_sl = out._slice_dict["edge_index"]
    assert int(edge_sl[-1]) == ei.shape[1]
    owner = torch.repeat_interleave(torch.arange(g), edge_sl.diff())
    assert torch.equal(batch[ei[0]], owner) and torch.equal(batch[ei[1]], owner), "edge crosses graphs"
    assert torch.equal(out._inc_dict["edge_index"], ptr[:-1])
    graphs = out.to_data_list()
    assert len(graphs) == g
    again = Batch.from_data_list(graphs)
    for key in out.keys():
        a, b = out[key], again[key]
        if isinstance(a, torch.Tensor):
            assert torch.equal(a, b), f"{key} does not round-trip through to_data_list"
    for d in graphs:
        assert d.edge_index.numel() == 0 or int(d.edge_index.max()) < d.num_nodes
        for key in ("edge_attr", "edge_weight"):
            if key in d:
                assert d[key].shape[0] == d.edge_index.shape[1], f"{key} not aligned with edge_index"


def check_edge_attr_follows(out: Batch) -> None:
    """Every original edge (attribute != FILL) still carries ``(node_id[src], node_id[dst])``."""
    ei, attr = out.edge_index, out.edge_attr
    original = attr[:, 0] != FILL
    expect = torch.stack([out.node_id[ei[0]], out.node_id[ei[1]]], dim=1)
    assert torch.equal(attr[original], expect[original]), "edge_attr no longer follows edge_index"


def check_undirected(out: Batch) -> None:
    for d in out.to_data_list():
        assert is_undirected(d.edge_index, d.edge_weight, num_nodes=d.num_nodes), "graph became directed"


def original_pairs(d: Data) -> set[tuple[float, float]]:
    return {(float(a), float(b)) for a, b in d.edge_attr.tolist()}


@pytest.fixture
def helpers() -> Any:
    return SimpleNamespace(
        FILL=FILL,
        make_graph=make_graph,
        traceable_batch=traceable_batch,
        check_consistent=check_consistent,
        check_edge_attr_follows=check_edge_attr_follows,
        check_undirected=check_undirected,
        original_pairs=original_pairs,
    )
