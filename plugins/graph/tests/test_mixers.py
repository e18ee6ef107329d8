"""G-Mixup and NodeMixup: graphon estimation oracle, sampling statistics, soft labels, replay."""

from __future__ import annotations

import copy

import pytest
import torch
from torch_geometric.data import Batch, Data

from omniaug import InputError, from_config, rng, to_config
from omniaug_graph import GMixup, NodeMixup, estimate_graphons
from omniaug_graph.examples_data import random_graph


def _graphon_oracle(d: Data, k: int) -> torch.Tensor:
    """Independent estimate: upsample the degree-sorted adjacency to an (n·k)² grid and block-average."""
    n = d.num_nodes
    adj = torch.zeros(n, n)
    adj[d.edge_index[0], d.edge_index[1]] = 1.0
    adj = torch.maximum(adj, adj.t())
    order = sorted(range(n), key=lambda i: (-float(adj[i].sum()), i))
    adj = adj[order][:, order]
    fine = adj.repeat_interleave(k, 0).repeat_interleave(k, 1)  # (n k) x (n k): step function samples
    return fine.reshape(k, n, k, n).mean(dim=(1, 3))


def test_graphon_estimate_matches_upsampling_oracle() -> None:
    g = rng.make_generator(0)
    graphs = [random_graph(n, 2 * n, 3, generator=g) for n in (3, 7, 16, 23)]
    b = Batch.from_data_list(graphs)
    for k in (4, 16):
        graphon, feats = estimate_graphons(b, k)
        for i, d in enumerate(graphs):
            assert torch.allclose(graphon[i], _graphon_oracle(d, k), atol=1e-5)
        # features: block averages, so the mean over blocks equals the mean feature
        assert torch.allclose(feats.mean(1), torch.stack([d.x.mean(0) for d in graphs]), atol=1e-5)


def _dense_batch(num: int, n: int, dense: bool, g: torch.Generator) -> list[Data]:
    out = []
    for _ in range(num):
        if dense:
            a, b = torch.triu_indices(n, n, 1)
            ei = torch.cat([torch.stack([a, b]), torch.stack([b, a])], 1)
        else:
            ei = torch.zeros(2, 0, dtype=torch.long)
        out.append(Data(x=torch.full((n, 2), 1.0 if dense else 0.0), edge_index=ei, y=torch.tensor([int(dense)])))
    return out


def test_gmixup_class_graphons_mix_complete_and_empty_graphs() -> None:
    """Class 1 = complete graphs, class 0 = empty graphs: a mixed graph's density and features track λ."""
    g = rng.make_generator(0)
    graphs = _dense_batch(6, 30, True, g) + _dense_batch(6, 30, False, g)
    b = Batch.from_data_list(graphs)
    labels = torch.tensor([1] * 6 + [0] * 6)
    mixer = GMixup(alpha=1.0, resolution=10, num_nodes=60, num_classes=2)
    out, soft, params = mixer.augment_with_labels(b, labels, generator=rng.make_generator(1))
    lam, partner = params["lam"], params["partners"][:, 0]
    for i, d in enumerate(out.to_data_list()):
        share_dense = lam[i] * labels[i] + (1 - lam[i]) * labels[partner[i]]
        assert torch.allclose(soft[i, 1], share_dense, atol=1e-5)
        w = lam[i] * params["graphon"][i] + (1 - lam[i]) * params["partner_graphon"][i]
        block = ((torch.arange(60) + 0.5) * 10 / 60).long()
        prob = w[block][:, block].triu(1)  # exact edge probabilities of the 60-node sample
        expected, std = float(prob.sum()), float((prob * (1 - prob)).sum()) ** 0.5
        assert abs(d.edge_index.shape[1] / 2 - expected) <= 5 * std + 1
        # complete graphs of 30 nodes on a 10-grid: diagonal blocks hold 3 nodes (2/3 dense), others 1
        full = torch.full((10, 10), 1.0).fill_diagonal_(2 / 3)
        assert torch.allclose(w, share_dense * full, atol=1e-5)
        assert torch.allclose(d.x.mean(), share_dense.float(), atol=1e-4)
        assert d.num_nodes == 60 and bool((d.edge_index[0] != d.edge_index[1]).all())


def test_gmixup_output_is_a_consistent_undirected_batch(helpers) -> None:
    x = helpers.traceable_batch(8, seed=2)
    labels = torch.arange(8) % 2
    mixer = GMixup(resolution=8, num_classes=2, p=0.6)
    out, soft, params = mixer.augment_with_labels(x, labels, generator=rng.make_generator(0))
    helpers.check_consistent(out)
    helpers.check_undirected(out)
    applied = params["apply"]
    n_self, n_other = x.ptr.diff(), x.ptr.diff()[params["partners"][:, 0]]
    sizes = torch.floor(params["lam"] * n_self + (1 - params["lam"]) * n_other + 0.5).clamp_min(1).long()
    assert torch.equal(out.ptr.diff()[applied], sizes[applied])
    assert torch.equal(soft[~applied], torch.nn.functional.one_hot(labels[~applied], 2).float())
    # replay gives the same batch and labels
    again = mixer.augment_with_labels(x, labels, params=params)
    assert torch.equal(again.output.edge_index, out.edge_index) and torch.equal(again.labels, soft)


def test_gmixup_without_labels_uses_own_graphons(helpers) -> None:
    x = helpers.traceable_batch(6, seed=3)
    out = GMixup(resolution=4)(x, generator=rng.make_generator(0))
    helpers.check_consistent(out)


# -- NodeMixup ----------------------------------------------------------------------------------


def test_node_mixup_partners_are_other_nodes_of_the_same_graph(helpers) -> None:
    x = helpers.traceable_batch(10, seed=4)
    mixer = NodeMixup()
    seed = torch.arange(10)
    partner = mixer.node_partners(x, seed)
    assert torch.equal(x.batch[partner], x.batch), "partners stay inside their graph"
    sizes = x.ptr.diff()[x.batch]
    assert bool((partner[sizes > 1] != torch.arange(x.num_nodes)[sizes > 1]).all())
    assert torch.equal(torch.sort(partner).values, torch.arange(x.num_nodes)), "a permutation of the nodes"


def test_node_mixup_features_and_labels(helpers) -> None:
    x = helpers.traceable_batch(10, seed=5)
    y = torch.arange(x.num_nodes) % 3
    mixer = NodeMixup(alpha=0.5, num_classes=3, p=0.7)
    out, soft, params = mixer.augment_with_labels(x, y, generator=rng.make_generator(2))
    partner = mixer.node_partners(x, params["seed"])
    lam = torch.where(params["apply"], params["lam"], torch.ones(10))[x.batch]
    assert torch.allclose(out.x, lam[:, None] * x.x + (1 - lam[:, None]) * x.x[partner], atol=1e-6)
    onehot = torch.nn.functional.one_hot(y, 3).float()
    assert torch.allclose(soft, lam[:, None] * onehot + (1 - lam[:, None]) * onehot[partner], atol=1e-6)
    assert torch.allclose(soft.sum(1), torch.ones(x.num_nodes))
    assert torch.equal(out.edge_index, x.edge_index)
    again = mixer.augment_with_labels(x, y, params=params)
    assert torch.equal(again.output.x, out.x) and torch.equal(again.labels, soft)


def test_node_mixup_contract_equivalents(helpers) -> None:
    """The core mixer checks, with node-level labels: p=0, no mutation, config round trip, bad input."""
    x = helpers.traceable_batch(6, seed=6)
    y = torch.arange(x.num_nodes) % 2
    off = NodeMixup(num_classes=2, p=0.0)
    out, soft = off(x, y, generator=rng.make_generator(0))
    assert torch.equal(out.x, x.x) and torch.equal(soft, torch.nn.functional.one_hot(y, 2).float())
    before = x.x.clone()
    NodeMixup(num_classes=2)(x, y, generator=rng.make_generator(0))
    assert torch.equal(x.x, before)
    mixer = NodeMixup(alpha=0.3, num_classes=2)
    rebuilt = from_config(copy.deepcopy(to_config(mixer)))
    a = mixer(x, y, generator=rng.make_generator(5))
    b = rebuilt(x, y, generator=rng.make_generator(5))
    assert torch.equal(a[0].x, b[0].x) and torch.equal(a[1], b[1])
    with pytest.raises(InputError, match="one per node"):
        mixer(x, torch.zeros(x.num_graphs, dtype=torch.long))
    with pytest.raises(InputError):
        mixer(torch.zeros(3, 4), y)
