"""Op semantics against oracles: PyG utilities on single graphs, exact formulas, statistics."""

from __future__ import annotations

import networkx as nx
import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.transforms import GDC
from torch_geometric.utils import k_hop_subgraph, subgraph, to_networkx

from omniaug import rng
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
from omniaug_graph.counter_random import graph_keys, hash_pair, to_uniform
from omniaug_graph.examples_data import random_graph


def big_batch(num_graphs: int = 64, n: int = 40, m: int = 120, seed: int = 0) -> Batch:
    g = rng.make_generator(seed)
    return Batch.from_data_list([random_graph(n, m, 8, generator=g) for _ in range(num_graphs)])


# -- edge dropping -------------------------------------------------------------------------


def test_drop_edge_rate_extremes(helpers) -> None:
    x = helpers.traceable_batch(8)
    assert torch.equal(DropEdge(0.0)(x, generator=rng.make_generator(0)).edge_index, x.edge_index)
    assert DropEdge(1.0)(x, generator=rng.make_generator(0)).edge_index.shape[1] == 0


def test_drop_edge_matches_per_edge_rule(helpers) -> None:
    """Oracle: edge {a, b} of graph g is kept iff U(seed_g, min, max) >= rate_g, checked edge by edge."""
    x = helpers.traceable_batch(10, seed=4)
    op = DropEdge([0.2, 0.7])
    out, params = op.augment(x, generator=rng.make_generator(5))
    for i, (before, after) in enumerate(zip(x.to_data_list(), out.to_data_list())):
        expected = []
        for a, b in before.edge_index.t().tolist():
            key = graph_keys(params["seed"][i : i + 1], op.salt)
            u = to_uniform(hash_pair(key, torch.tensor([min(a, b)]), torch.tensor([max(a, b)]), small=True))
            if float(u) >= float(params["rate"][i]):
                expected.append([a, b])
        assert after.edge_index.t().tolist() == expected


def test_drop_edge_kept_fraction_follows_per_graph_rate() -> None:
    x = big_batch(64)
    out, params = DropEdge([0.0, 1.0]).augment(x, generator=rng.make_generator(1))
    kept = out._slice_dict["edge_index"].diff().float() / x._slice_dict["edge_index"].diff().float()
    # ~120 undirected pairs per graph: binomial std <= 0.046
    assert torch.allclose(kept, 1 - params["rate"], atol=0.2)
    assert torch.corrcoef(torch.stack([kept, params["rate"]]))[0, 1] < -0.95


def test_drop_edge_self_loop_counted_once(helpers) -> None:
    d = helpers.make_graph(3, [(0, 0), (0, 1)], generator=rng.make_generator(0))
    outs = [DropEdge(0.5)(d, generator=rng.make_generator(s)) for s in range(40)]
    loops = {int((o.edge_index[0] == o.edge_index[1]).sum()) for o in outs}
    assert loops == {0, 1}, "a self-loop is one edge: present once or dropped, never duplicated"


# -- edge addition ---------------------------------------------------------------------------


def test_add_edge_only_new_pairs_inside_graphs(helpers) -> None:
    x = helpers.traceable_batch(10, seed=6)
    out, params = AddEdge(0.8, fill=helpers.FILL).augment(x, generator=rng.make_generator(3))
    for before, after in zip(x.to_data_list(), out.to_data_list()):
        old = before.edge_index.t().tolist()
        new_mask = after.edge_attr[:, 0] == helpers.FILL
        assert after.edge_index[:, ~new_mask].t().tolist() == old, "old edges and their order are kept"
        new = after.edge_index[:, new_mask].t().tolist()
        assert all(a != b for a, b in new), "no self-loops added"
        assert not set(map(tuple, new)) & set(map(tuple, old)), "no existing edge duplicated"
        assert len(set(map(tuple, new))) == len(new), "no pair added twice"
        assert torch.all(after.edge_weight[new_mask] == 1.0)
        undirected_edges = before.edge_index.shape[1] / 2
        assert len(new) <= 2 * round(0.8 * undirected_edges) + 1


def test_add_edge_adds_about_ratio() -> None:
    x = big_batch(32, n=60, m=60)
    out = AddEdge(0.5)(x, generator=rng.make_generator(0))
    added = out.edge_index.shape[1] - x.edge_index.shape[1]
    target = 0.5 * x.edge_index.shape[1]
    assert 0.85 * target <= added <= target  # collisions with existing pairs are discarded


# -- node dropping and subgraphs -------------------------------------------------------------


def _kept_ids(d: Data) -> torch.Tensor:
    return d.node_id.long()


def test_drop_node_equals_pyg_subgraph(helpers) -> None:
    """Oracle: torch_geometric.utils.subgraph(relabel_nodes=True) on each graph with the kept node set."""
    x = helpers.traceable_batch(10, seed=7)
    out = DropNode(0.4)(x, generator=rng.make_generator(2))
    for before, after in zip(x.to_data_list(), out.to_data_list()):
        keep = _kept_ids(after)
        assert after.num_nodes >= 1
        ei, attr = subgraph(keep, before.edge_index, before.edge_attr, relabel_nodes=True, num_nodes=before.num_nodes)
        assert torch.equal(after.edge_index, ei) and torch.equal(after.edge_attr, attr)
        assert torch.equal(after.x, before.x[keep]) and torch.equal(after.train_mask, before.train_mask[keep])
        assert torch.equal(after.y, before.y)


def test_drop_node_pooling_sees_smaller_graphs() -> None:
    from torch_geometric.nn import global_mean_pool

    x = big_batch(16, n=30, m=60)
    out = DropNode(0.5)(x, generator=rng.make_generator(0))
    pooled = global_mean_pool(out.x, out.batch)
    manual = torch.stack([d.x.mean(0) for d in out.to_data_list()])
    assert pooled.shape == (16, 8) and torch.allclose(pooled, manual, atol=1e-6)
    assert out.x.shape[0] < x.x.shape[0] * 0.7


def test_khop_subgraph_equals_pyg(helpers) -> None:
    """Oracle: torch_geometric.utils.k_hop_subgraph from the same start node."""
    x = helpers.traceable_batch(10, seed=8)
    op = Subgraph("khop", num_hops=2)
    out, params = op.augment(x, generator=rng.make_generator(4))
    for i, (before, after) in enumerate(zip(x.to_data_list(), out.to_data_list())):
        n = before.num_nodes
        start = min(int(float(params["start"][i]) * n), n - 1)
        subset, *_ = k_hop_subgraph(start, 2, before.edge_index, num_nodes=n)
        assert _kept_ids(after).tolist() == sorted(subset.tolist())


def test_random_walk_subgraph_is_connected_and_bounded(helpers) -> None:
    x = helpers.traceable_batch(10, seed=9)
    op = Subgraph("walk", walk_length=3, num_walks=2)
    out, params = op.augment(x, generator=rng.make_generator(4))
    for i, (before, after) in enumerate(zip(x.to_data_list(), out.to_data_list())):
        start = min(int(float(params["start"][i]) * before.num_nodes), before.num_nodes - 1)
        ids = _kept_ids(after).tolist()
        assert start in ids and 1 <= len(ids) <= 1 + 2 * 3
        g = to_networkx(after, to_undirected=True)
        assert nx.is_connected(g), "a walk's visited nodes form a connected piece"


# -- features --------------------------------------------------------------------------------


def test_mask_feature_column_set_is_per_graph() -> None:
    x = big_batch(16)
    out, params = MaskFeature(0.5, mode="column").augment(x, generator=rng.make_generator(0))
    cols = params["columns"]
    assert cols.shape == (16, 8) and len({tuple(r) for r in cols.tolist()}) > 1, "columns differ across graphs"
    for i, (before, after) in enumerate(zip(x.to_data_list(), out.to_data_list())):
        expect = before.x.clone()
        expect[:, cols[i]] = 0.0
        assert torch.equal(after.x, expect)


def test_mask_feature_node_and_entry_modes() -> None:
    x = big_batch(32)
    node = MaskFeature(0.3, mode="node", fill=7.0)(x, generator=rng.make_generator(0))
    masked_rows = (node.x == 7.0).all(1)
    assert torch.equal((node.x == 7.0).any(1), masked_rows), "node mode masks whole rows"
    assert abs(masked_rows.float().mean().item() - 0.3) < 0.03
    entry = MaskFeature(0.3, mode="entry", fill=7.0)(x, generator=rng.make_generator(0))
    # 10 240 entries: one binomial standard deviation is 0.0045, so 0.025 is ~5σ (a bound of
    # 0.01, ~2σ, passed or failed depending on which seed stream the generator gave)
    assert abs((entry.x == 7.0).float().mean().item() - 0.3) < 0.025
    assert not torch.equal((entry.x == 7.0).any(1), (entry.x == 7.0).all(1))


def test_feature_noise_std_per_graph() -> None:
    x = big_batch(16, n=200, m=10)
    out, params = FeatureNoise([0.1, 1.0]).augment(x, generator=rng.make_generator(0))
    for i, (before, after) in enumerate(zip(x.to_data_list(), out.to_data_list())):
        noise = after.x - before.x  # 1600 entries
        assert abs(noise.mean().item()) < 0.1 * float(params["sigma"][i]) + 1e-3
        assert abs(noise.std().item() / float(params["sigma"][i]) - 1) < 0.08


def test_shuffle_feature_permutes_within_graphs() -> None:
    x = big_batch(8)
    out = ShuffleFeature()(x, generator=rng.make_generator(0))
    assert torch.equal(out.edge_index, x.edge_index)
    for before, after in zip(x.to_data_list(), out.to_data_list()):
        assert not torch.equal(before.x, after.x)
        rows_before = sorted(map(tuple, before.x.tolist()))
        assert rows_before == sorted(map(tuple, after.x.tolist())), "same rows, only their order changes"


# -- edge weights ------------------------------------------------------------------------------


def test_perturb_edge_weight_log_normal(helpers) -> None:
    x = big_batch(32)
    out, params = PerturbEdgeWeight([0.1, 0.5]).augment(x, generator=rng.make_generator(0))
    assert torch.equal(out.edge_index, x.edge_index) and bool((out.edge_weight > 0).all())
    for i, (before, after) in enumerate(zip(x.to_data_list(), out.to_data_list())):
        log_ratio = torch.log(after.edge_weight / before.edge_weight)
        assert abs(log_ratio.std().item() / float(params["sigma"][i]) - 1) < 0.25  # ~120 independent pairs
    with pytest.raises(Exception, match="edge_weight"):
        PerturbEdgeWeight()(Data(x=torch.zeros(2, 1), edge_index=torch.tensor([[0], [1]])))


# -- diffusion -----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["ppr", "heat"])
def test_diffusion_equals_pyg_gdc_graph_by_graph(method, helpers) -> None:
    """Oracle: torch_geometric.transforms.GDC (exact, sym, threshold) on each graph alone."""
    x = helpers.traceable_batch(8, seed=11)
    op = Diffusion(method, teleport=[0.1, 0.3], t=[1.0, 4.0], threshold=0.01, self_loops=True)
    out, params = op.augment(x, generator=rng.make_generator(0))
    for i, (before, after) in enumerate(zip(x.to_data_list(), out.to_data_list())):
        if before.num_nodes < 2:  # GDC squeezes a 1 x 1 matrix to a scalar and fails; S = [[1]] exactly
            assert after.edge_index.tolist() == [[0], [0]] and torch.allclose(after.edge_weight, torch.ones(1))
            continue
        c = float(params["coeff"][i])
        kwargs = {"alpha": c} if method == "ppr" else {"t": c}
        gdc = GDC(
            self_loop_weight=1.0,
            normalization_in="sym",
            normalization_out=None,
            diffusion_kwargs={"method": method, **kwargs},
            sparsification_kwargs={"method": "threshold", "eps": 0.01},
            exact=True,
        )
        ref = gdc(Data(edge_index=before.edge_index, edge_attr=before.edge_weight.double(), num_nodes=before.num_nodes))
        assert torch.equal(after.edge_index, ref.edge_index)
        assert torch.allclose(after.edge_weight.double(), ref.edge_attr, atol=1e-5)


def test_drop_edge_on_graphs_beyond_16_bit_node_ids(helpers) -> None:
    """Graphs of >= 2**16 nodes take the two-round hash path; still symmetric and graph-by-graph exact."""
    n = (1 << 16) + 10
    a = torch.arange(0, n - 1, 7)
    pairs = [(int(i), int(i) + 1) for i in a.tolist()] + [(0, n - 1)]
    big = helpers.make_graph(n, pairs, generator=rng.make_generator(0))
    x = Batch.from_data_list([helpers.make_graph(5, [(0, 1), (3, 4)], generator=rng.make_generator(1)), big])
    op = DropEdge(0.5)
    out, params = op.augment(x, generator=rng.make_generator(2))
    helpers.check_consistent(out)
    helpers.check_undirected(out)
    helpers.check_edge_attr_follows(out)
    kept = out._slice_dict["edge_index"].diff()[1].item() / x._slice_dict["edge_index"].diff()[1].item()
    assert 0.4 < kept < 0.6
    single = op.apply(x.get_example(1), params.subset(torch.tensor([1])))
    assert torch.equal(single.edge_index, out.get_example(1).edge_index)
