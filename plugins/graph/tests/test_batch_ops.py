"""Batch surgery and the modality's functions against PyG's own collation as the oracle."""

from __future__ import annotations

import pytest
import torch
from torch_geometric.data import Batch, Data

from omniaug import InputError, OneOf, SomeOf, rng
from omniaug_graph import GRAPH, DropEdge, DropNode, MaskFeature, batch_ops
from omniaug_graph.examples_data import bad_examples
from omniaug_graph.modality import graph_allclose, known_edge_graph, validate_graph


def _same(a: Batch, b: Batch) -> bool:
    """Exact equality of every stored tensor/list and of the bookkeeping."""
    if set(a.keys()) != set(b.keys()) or a.num_graphs != b.num_graphs:
        return False
    for key in a.keys():
        va, vb = a[key], b[key]
        if isinstance(va, torch.Tensor):
            if not torch.equal(va, vb):
                return False
        elif va != vb:
            return False
    return all(torch.equal(a._slice_dict[k], b._slice_dict[k]) for k in a._slice_dict) and all(
        (a._inc_dict[k] is None and b._inc_dict[k] is None) or torch.equal(a._inc_dict[k], b._inc_dict[k])
        for k in a._inc_dict
    )


def test_subset_equals_collating_the_selected_graphs(helpers) -> None:
    x = helpers.traceable_batch(9)
    x.name = [f"g{i}" for i in range(9)]  # a list attribute (one entry per graph)
    x = Batch.from_data_list(x.to_data_list())
    idx = torch.tensor([7, 2, 2, 0])
    got = GRAPH.subset(x, idx)
    want = Batch.from_data_list([x.get_example(i) for i in idx.tolist()])
    assert _same(got, want)
    helpers.check_consistent(got)


def test_merge_equals_collating_the_merged_list(helpers) -> None:
    x = helpers.traceable_batch(8, seed=1)
    part = DropNode(0.5)(GRAPH.subset(x, torch.tensor([1, 5, 6])), generator=rng.make_generator(0))
    got = GRAPH.merge(x, torch.tensor([1, 5, 6]), part)
    graphs = x.to_data_list()
    for j, i in enumerate([1, 5, 6]):
        graphs[i] = part.get_example(j)
    assert _same(got, Batch.from_data_list(graphs))
    helpers.check_consistent(got)
    assert _same(x, helpers.traceable_batch(8, seed=1)), "merge must not mutate its base"


def test_merge_rejects_different_attributes(helpers) -> None:
    x = helpers.traceable_batch(4)
    other = Batch.from_data_list([Data(x=torch.zeros(2, 6), edge_index=torch.zeros(2, 0, dtype=torch.long))])
    with pytest.raises(InputError, match="attributes"):
        GRAPH.merge(x, torch.tensor([0]), other)


def test_filter_nodes_and_edges_against_rebuilt_graphs(helpers) -> None:
    x = helpers.traceable_batch(8, seed=2)
    keep = torch.arange(x.num_nodes) % 3 != 1
    got = batch_ops.filter_nodes(x, keep)
    graphs = []
    for d in x.to_data_list():
        k = keep[int(x.ptr[len(graphs)]) : int(x.ptr[len(graphs) + 1])]
        graphs.append(d.subgraph(k))  # PyG's own per-graph node filtering
    assert _same(got, Batch.from_data_list(graphs))
    keep_e = torch.arange(x.edge_index.shape[1]) % 2 == 0
    got = batch_ops.filter_edges(x, keep_e)
    helpers.check_consistent(got)
    assert torch.equal(got.edge_attr, x.edge_attr[keep_e])


def test_containers_merge_graph_subsets(helpers) -> None:
    x = helpers.traceable_batch(10, seed=5)
    for pipe in (OneOf([DropEdge(0.5), DropNode(0.3), MaskFeature(0.5)]), SomeOf([DropEdge(0.5), DropNode(0.3)], n=1)):
        out, params = pipe.augment(x, generator=rng.make_generator(3))
        helpers.check_consistent(out)
        helpers.check_edge_attr_follows(out)
        assert GRAPH.allclose(pipe.apply(x, params), out)


def test_allclose_ignores_edge_order_but_not_content(helpers) -> None:
    x = helpers.traceable_batch(5)
    d = x.get_example(4)
    perm = torch.randperm(d.edge_index.shape[1], generator=rng.make_generator(0))
    shuffled = Data(
        **{
            k: (v[:, perm] if k == "edge_index" else v[perm] if k in ("edge_attr", "edge_weight") else v)
            for k, v in d.items()
        }
    )
    assert graph_allclose(d, shuffled)
    broken = shuffled.clone()
    broken.edge_weight = broken.edge_weight.roll(1)
    assert not graph_allclose(d, broken)


@pytest.mark.parametrize("i", range(6))
def test_validate_rejects_bad_examples_clearly(i) -> None:
    bad = bad_examples()[i]
    with pytest.raises(InputError) as err:
        validate_graph(bad)
    assert "must be" in str(err.value)


def test_validate_names_the_problem() -> None:
    no_x, out_of_range, float_index, flat_x, crossing, tensor = bad_examples()
    cases = [
        (no_x, "x.x"),
        (out_of_range, "num_nodes=3"),
        (float_index, "int64"),
        (flat_x, "2-D"),
        (crossing, "inside their own graph"),
        (tensor, "Data or Batch"),
    ]
    for bad, text in cases:
        with pytest.raises(InputError, match=text):
            validate_graph(bad)


def test_validation_cache_notices_in_place_changes(helpers) -> None:
    x = helpers.traceable_batch(4)
    validate_graph(x)
    x.edge_index[1, 0] = int(x.ptr[-1]) - 1  # in place: now crosses into the last graph
    with pytest.raises(InputError, match="inside their own graph"):
        validate_graph(x)


def test_helpers_detect_corruption(helpers) -> None:
    """The invariant checks used everywhere can fail: misaligned attributes and stale bookkeeping are caught."""
    x = helpers.traceable_batch(6)
    rolled = batch_ops.with_values(x, {"edge_attr": x.edge_attr.roll(1, 0)})
    with pytest.raises(AssertionError):
        helpers.check_edge_attr_follows(rolled)
    unsafe = x.clone()  # what PyG's batch-wide dropout_edge leaves: tensors filtered, slices stale
    unsafe.edge_index = x.edge_index[:, ::2]
    with pytest.raises((AssertionError, RuntimeError, IndexError)):
        helpers.check_consistent(unsafe)


def test_fast_promotion_equals_pyg_collation(helpers) -> None:
    d = helpers.traceable_batch(5).get_example(4)
    d.name = "graph four"
    d.scalar = torch.tensor(3.0)
    fast, single = batch_ops.as_batch(d)
    assert single and _same(fast, Batch.from_data_list([d]))
    back = batch_ops.restore(fast, True)
    ref = Batch.from_data_list([d]).get_example(0)
    assert set(back.keys()) == set(ref.keys())
    for key in ref.keys():
        assert torch.equal(back[key], ref[key]) if isinstance(ref[key], torch.Tensor) else back[key] == ref[key]
    explicit = Data(x=torch.zeros(3, 1), edge_index=torch.zeros(2, 0, dtype=torch.long), num_nodes=3)
    assert _same(batch_ops.as_batch(explicit)[0], Batch.from_data_list([explicit]))


def test_node_removal_refuses_other_node_index_attributes() -> None:
    d = Data(x=torch.zeros(4, 2), edge_index=torch.tensor([[0, 1], [1, 0]]), face=torch.tensor([[0], [1], [2]]))
    b = Batch.from_data_list([d, d])
    with pytest.raises(InputError, match="only node-index attribute is edge_index"):
        DropNode(0.5)(b, generator=rng.make_generator(0))
    assert DropEdge(0.5)(b, generator=rng.make_generator(0)).face.shape == (3, 2)  # edge ops keep it as is


def test_edge_graph_from_validation_is_reused_only_while_the_batch_is_unchanged(helpers) -> None:
    from omniaug import validation

    with validation.call_scope():  # what validation learns is kept within one op call
        _edge_graph_reuse(helpers)


def _edge_graph_reuse(helpers) -> None:
    x = helpers.traceable_batch(6)
    assert known_edge_graph(x) is None, "nothing known before validation"
    validate_graph(x)
    want = torch.repeat_interleave(torch.arange(x.num_graphs), x._slice_dict["edge_index"].diff())
    assert torch.equal(known_edge_graph(x).long(), want)
    x.edge_index[0, 0] = x.edge_index[0, 0]  # in place (same values): the version counter moves
    assert known_edge_graph(x) is None
    validate_graph(x)
    x.edge_index = x.edge_index.clone()  # a new tensor object
    assert known_edge_graph(x) is None
    validate_graph(x)
    x._slice_dict = {**x._slice_dict, "edge_index": x._slice_dict["edge_index"].clone()}
    assert known_edge_graph(x) is None


@pytest.mark.parametrize("with_names", [False, True], ids=["tensors-only", "with-a-list-attribute"])
def test_the_record_notices_every_kind_of_change(helpers, with_names) -> None:
    # the graph signature reads versions with one map when every attribute is a tensor and
    # falls back to a per-value loop otherwise (a list of names): both must see each change
    from omniaug import validation

    def fresh() -> Batch:
        x = helpers.traceable_batch(3)
        if with_names:
            x = Batch.from_data_list([d.update({"name": f"g{i}"}) for i, d in enumerate(x.to_data_list())])
        return x

    changes = [
        lambda x: x.x.add_(1.0),  # in place
        lambda x: setattr(x, "x", x.x.clone()),  # a new tensor object
        lambda x: setattr(x, "extra", torch.zeros(1)),  # a new attribute
        lambda x: setattr(x, "_slice_dict", dict(x._slice_dict)),  # new bookkeeping
        lambda x: setattr(x, "_inc_dict", dict(x._inc_dict)),
    ]
    with validation.call_scope():
        for change in changes:
            x = fresh()
            validate_graph(x)
            assert validation.checked("graph.structure", x)
            change(x)
            assert not validation.checked("graph.structure", x)
        single = fresh().get_example(0)
        validate_graph(single)
        assert validation.checked("graph.structure", single)
        single.edge_index.add_(0)
        assert not validation.checked("graph.structure", single)


class _PlainDropEdge(DropEdge):
    """DropEdge through the plain path (sample_params then apply): the base class's augment takes it
    for ops that override either."""

    def sample_params(self, x, *, generator=None, model=None):
        return super().sample_params(x, generator=generator)


@pytest.mark.parametrize("p", [1.0, 0.5])
def test_the_direct_augment_path_equals_the_plain_one_on_graphs(helpers, p) -> None:
    x = helpers.traceable_batch(7)
    out, params = DropEdge(0.3, p=p).augment(x, generator=rng.make_generator(4))
    ref, ref_params = _PlainDropEdge(0.3, p=p).augment(x, generator=rng.make_generator(4))
    assert _same(out, ref) and params.keys() == ref_params.keys()
    assert all(torch.equal(params[k], ref_params[k]) for k in params)
    helpers.check_consistent(out)
