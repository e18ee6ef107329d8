"""Batch-safety invariants of every op, on traceable batches (see conftest)."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import Batch, Data

from omniaug import batching, rng
from omniaug_graph import (
    AddEdge,
    Diffusion,
    DropEdge,
    DropNode,
    FeatureNoise,
    MaskFeature,
    PerturbEdgeWeight,
    ShuffleFeature,
    Subgraph,
)
from omniaug_graph.modality import graph_allclose

FILL = -1.0

UNDIRECTED_OPS = [
    DropEdge(0.3),
    DropEdge([0.0, 0.8], p=0.7),
    AddEdge(0.5, fill=FILL),
    AddEdge([0.2, 1.0], fill=FILL, p=0.6),
    PerturbEdgeWeight(0.3),
    DropNode(0.3),
    DropNode([0.1, 0.9], p=0.5),
    Subgraph("walk", walk_length=3, num_walks=2),
    Subgraph("khop", num_hops=1),
    MaskFeature(0.4, mode="column"),
    MaskFeature(0.4, mode="node"),
    MaskFeature([0.1, 0.6], mode="entry"),
    FeatureNoise([0.1, 0.5]),
    ShuffleFeature(p=0.8),
    Diffusion("ppr", teleport=[0.1, 0.3], threshold=0.02, fill=FILL),
    Diffusion("heat", t=[1.0, 3.0], threshold=0.02, self_loops=True, fill=FILL),
]
DIRECTED_OPS = [DropEdge(0.4, undirected=False), AddEdge(0.5, undirected=False, fill=FILL)]


def _ids(ops: list) -> list[str]:
    return [f"{op.name}-{i}" for i, op in enumerate(ops)]


@pytest.mark.parametrize("op", UNDIRECTED_OPS + DIRECTED_OPS, ids=_ids(UNDIRECTED_OPS + DIRECTED_OPS))
def test_batch_safe_and_equal_to_graph_by_graph(op, helpers) -> None:
    x = helpers.traceable_batch(10, seed=3)
    before = batching.tree_clone(x.to_dict())
    out, params = op.augment(x, generator=rng.make_generator(21))
    # bookkeeping, no cross-graph edges, attributes aligned, to_data_list round trip
    helpers.check_consistent(out)
    helpers.check_edge_attr_follows(out)
    # graph by graph: each graph alone (as a Data) with its slice of the params
    for i, graph in enumerate(out.to_data_list()):
        single = op.apply(x.get_example(i), params.subset(torch.tensor([i])))
        assert isinstance(single, Data) and not isinstance(single, Batch)
        assert graph_allclose(single, graph), f"graph {i} alone differs from the batch result"
    # input never mutated
    after = x.to_dict()
    for key, value in before.items():
        assert torch.equal(value, after[key]) if isinstance(value, torch.Tensor) else value == after[key]


@pytest.mark.parametrize("op", UNDIRECTED_OPS, ids=_ids(UNDIRECTED_OPS))
def test_undirected_inputs_stay_undirected(op, helpers) -> None:
    for seed in range(3):
        out = op(helpers.traceable_batch(10, seed=seed), generator=rng.make_generator(seed))
        helpers.check_undirected(out)


def test_directed_drop_edge_decides_each_direction(helpers) -> None:
    x = helpers.traceable_batch(12, seed=1)
    out = DropEdge(0.5, undirected=False)(x, generator=rng.make_generator(0))
    kept = {tuple(p) for p in out.edge_attr.tolist()}
    asymmetric = [p for p in kept if (p[1], p[0]) not in kept]
    assert asymmetric, "directed mode should drop the two directions independently"


@pytest.mark.parametrize("op", [DropEdge(0.3), DropNode(0.3), AddEdge(0.5), MaskFeature(0.3)], ids=lambda o: o.name)
def test_single_data_in_single_data_out(op, helpers) -> None:
    d = helpers.traceable_batch(5, seed=2).get_example(4)
    out, params = op.augment(d, generator=rng.make_generator(1))
    assert type(out) is Data
    batched = op.apply(Batch.from_data_list([d]), params)
    assert graph_allclose(out, batched.get_example(0))
