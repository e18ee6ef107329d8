"""The NumPy paths for small CPU batches (``omniaug.host``) agree with the torch paths.

Each test runs with the host paths forced on (``omniaug.host.force("host")``) and
forced off (``force("torch")``, the path large batches and other devices take), so both are
exercised whatever the test data's size; results must be bit-identical, and bad
input must be rejected with the same named error on both.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch_geometric.data import Batch

from omniaug import InputError, host, rng
from omniaug_graph import DropEdge, MaskFeature, batch_ops
from omniaug_graph.counter_random import (
    KEY_HIGH,
    drop_edge_keep_host,
    graph_keys,
    hash_pair,
    pair_keep_small,
    to_uniform,
)
from omniaug_graph.modality import known_edge_graph, validate_graph


@pytest.fixture(params=["host", "torch"])
def path(request):
    with host.force(request.param):
        yield str(request.param)


def _run_both(monkeypatch, fn):
    with host.force("host"):
        on_host = fn()
    with host.force("torch"):
        return on_host, fn()


def _bits(t: torch.Tensor) -> torch.Tensor:
    """Bit patterns of a float tensor (so NaN and -0.0 compare exactly)."""
    ints = {8: torch.int64, 4: torch.int32, 2: torch.int16, 1: torch.uint8}[t.element_size()]
    return t.view(ints) if t.is_floating_point() else t


def _assert_identical(a: Batch, b: Batch) -> None:
    assert set(a.keys()) == set(b.keys())
    for key in a.keys():
        va, vb = a[key], b[key]
        if isinstance(va, torch.Tensor):
            assert va.dtype == vb.dtype and torch.equal(_bits(va), _bits(vb)), key
        else:
            assert va == vb, key
    for key in a._slice_dict:
        assert torch.equal(a._slice_dict[key], b._slice_dict[key]), key


def test_graph_keys_agree(monkeypatch) -> None:
    seeds = torch.cat([torch.tensor([0, 1, 2**63 - 1]), rng.sample_seeds(61, generator=rng.make_generator(3))])
    for salt in (0, 0x1D0E, 0xFFFFFFFF):
        on_host, in_torch = _run_both(monkeypatch, lambda s=salt: graph_keys(seeds, s))
        assert on_host.dtype == in_torch.dtype == torch.long
        assert torch.equal(on_host, in_torch)
        assert bool(((on_host >= 0) & (on_host < KEY_HIGH)).all())
        want = [rng.seed_for(int(v), salt) & (KEY_HIGH - 1) for v in seeds]  # the core's scalar derivation
        assert on_host.tolist() == want


@pytest.mark.parametrize("with_slices", [True, False])
def test_pair_keep_small_matches_the_per_edge_rule(path, with_slices) -> None:
    """The fast DropEdge decision equals the generic per-edge rule, on both paths, with or without edge offsets."""
    g = rng.make_generator(12)
    counts = rng.randint(30, 0, 400, generator=g)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    eg = torch.repeat_interleave(torch.arange(30, dtype=torch.int32), counts)
    local = torch.stack([rng.randint(eg.numel(), 0, 1 << 20, generator=g) % counts[eg] for _ in range(2)])
    ei = local + ptr[eg]
    keys = graph_keys(torch.cat([torch.tensor([0, 2**63 - 1]), rng.sample_seeds(28, generator=g)]), 7)
    rate = rng.uniform(30, 0.0, 1.0, generator=g)
    rate[:3] = torch.tensor([0.0, 1.0, 0.5])
    for undirected in (True, False):
        a, b = (local.min(0).values, local.max(0).values) if undirected else (local[0], local[1])
        want = to_uniform(hash_pair(keys[eg.long()], a, b, small=True)) >= rate[eg.long()]
        got = pair_keep_small(ei, eg, keys, ptr, rate, undirected=undirected, edge_slices=ptr if with_slices else None)
        assert torch.equal(got, want)
        assert 0.3 < want.float().mean() < 0.7, "the oracle itself is not degenerate"


@pytest.mark.parametrize("undirected", [True, False])
def test_drop_edge_keep_host_equals_keys_then_pair_keep(undirected) -> None:
    """The fused host decision (keys mixed in uint32, offsets folded) equals graph_keys + pair_keep_small."""
    g = rng.make_generator(13)
    counts = rng.randint(25, 0, 300, generator=g)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    edge_counts = rng.randint(25, 0, 500, generator=g)
    edge_sl = torch.cat([torch.zeros(1, dtype=torch.long), edge_counts.cumsum(0)])
    eg = torch.repeat_interleave(torch.arange(25, dtype=torch.int32), edge_counts)
    n_of_edge = counts[eg.long()].clamp_min(1)
    local = torch.stack([rng.randint(eg.numel(), 0, 1 << 20, generator=g) % n_of_edge for _ in range(2)])
    ei = local + ptr[eg.long()]
    seed = torch.cat([torch.tensor([0, 2**63 - 1]), rng.sample_seeds(23, generator=g)])
    rate = rng.uniform(25, 0.0, 1.0, generator=g)
    rate[:3] = torch.tensor([0.0, 1.0, 0.5])
    for salt in (0, 0x1D0E, 0xFFFFFFFF):
        want = pair_keep_small(ei, eg, graph_keys(seed, salt), ptr, rate, undirected=undirected)
        got = drop_edge_keep_host(
            ei.numpy(), edge_sl.numpy(), ptr.numpy(), seed.numpy(), rate.numpy(), salt, undirected=undirected
        )
        assert torch.equal(torch.from_numpy(got), want)
        assert 0.3 < want.float().mean() < 0.7, "the oracle itself is not degenerate"


@pytest.mark.parametrize("rate", [0.0, 2.0**-25, 0.3, 0.5, 1.0 - 2.0**-24, 1.0])
@pytest.mark.parametrize("undirected", [True, False])
def test_one_rate_for_every_graph_matches_the_per_edge_rule(path, rate, undirected) -> None:
    """A rate shared by all graphs (a fixed DropEdge rate) takes the one-number cut; same decision as the rule."""
    g = rng.make_generator(14)
    counts = rng.randint(20, 1, 300, generator=g)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    edge_counts = rng.randint(20, 0, 400, generator=g)
    edge_sl = torch.cat([torch.zeros(1, dtype=torch.long), edge_counts.cumsum(0)])
    eg = torch.repeat_interleave(torch.arange(20, dtype=torch.int32), edge_counts)
    local = torch.stack([rng.randint(eg.numel(), 0, 1 << 20, generator=g) % counts[eg.long()] for _ in range(2)])
    ei = local + ptr[eg.long()]
    seed = rng.sample_seeds(20, generator=g)
    rates = torch.full((20,), rate)
    a, b = (local.min(0).values, local.max(0).values) if undirected else (local[0], local[1])
    keys = graph_keys(seed, 0x1D0E)
    want = to_uniform(hash_pair(keys[eg.long()], a, b, small=True)) >= rates[eg.long()]
    got = pair_keep_small(ei, eg, keys, ptr, rates, undirected=undirected, edge_slices=edge_sl)
    assert torch.equal(got, want)
    fused = drop_edge_keep_host(
        ei.numpy(), edge_sl.numpy(), ptr.numpy(), seed.numpy(), rates.numpy(), 0x1D0E, undirected=undirected
    )
    assert torch.equal(torch.from_numpy(fused), want)
    if 0.1 < rate < 0.9:
        assert 0 < int(want.sum()) < want.numel(), "the oracle itself is not degenerate"


def test_with_values_copies_and_leaves_the_original_untouched(helpers) -> None:
    """The copy gets the new attributes and bookkeeping; the original keeps its own (public PyG surface only)."""
    x = helpers.traceable_batch(5)
    before = {key: value for key, value in x.to_dict().items()}
    slices_before = dict(x._slice_dict)
    out = batch_ops.with_values(x, {"x": x.x + 1, "edge_attr": None}, slices={"x": x._slice_dict["x"].clone()})
    assert type(out) is type(x) and out is not x
    assert torch.equal(out.x, x.x + 1) and "edge_attr" not in out
    assert x.to_dict().keys() == before.keys() and all(x[k] is v for k, v in before.items()), "original untouched"
    assert x._slice_dict == slices_before and out._slice_dict is not x._slice_dict
    helpers.check_consistent(out)


def test_graph_plugin_uses_no_private_pyg_or_torch_internals() -> None:
    """No PyG storage internals or torch._C in the plugin's source (a ~1 µs saving is not worth them)."""
    import re
    from pathlib import Path

    import omniaug_graph

    banned = re.compile(r"\._store\b|_mapping\b|_(?:edge|node|global)_store\b|torch\._C\b|\.__dict__")
    found = [
        f"{path.name}:{i}: {line.strip()}"
        for path in sorted(Path(omniaug_graph.__file__).parent.rglob("*.py"))
        for i, line in enumerate(path.read_text().splitlines(), 1)
        if banned.search(line)
    ]
    assert not found, found
    assert banned.search("b._store._mapping") and banned.search("torch._C._VariableFunctions"), (
        "the pattern itself works"
    )


@pytest.mark.parametrize("undirected", [True, False])
def test_drop_edge_identical_on_both_paths(monkeypatch, helpers, undirected) -> None:
    x = helpers.traceable_batch(12)
    op = DropEdge([0.1, 0.7], undirected=undirected)
    on_host, in_torch = _run_both(monkeypatch, lambda: op(x, generator=rng.make_generator(4)))
    _assert_identical(on_host, in_torch)
    assert on_host.edge_index.shape[1] < x.edge_index.shape[1], "something was dropped"
    helpers.check_consistent(on_host)


@pytest.mark.parametrize("value", [0.0, -0.0, 2.5, math.nan])
@pytest.mark.parametrize(
    "dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16]
)  # bfloat16: no NumPy view
def test_mask_feature_columns_identical_on_both_paths(monkeypatch, helpers, value, dtype) -> None:
    """The bitwise column masking equals ``where(mask, value, x)`` bit for bit (NaN, -0.0, inf inputs too)."""
    x = helpers.traceable_batch(9)
    x.x = x.x.to(dtype)
    x.x[0, 0], x.x[1, 1], x.x[2, 2], x.x[3, 3] = math.nan, -0.0, math.inf, -math.inf
    op = MaskFeature(0.5, mode="column", fill=value)
    params = op.sample_params(x, generator=rng.make_generator(5))
    want = torch.where(params["columns"][x.batch], torch.tensor(value, dtype=dtype), x.x)
    on_host, in_torch = _run_both(monkeypatch, lambda: op(x, params=params))
    assert torch.equal(_bits(on_host.x), _bits(want)) and torch.equal(_bits(in_torch.x), _bits(want))
    assert 0 < int(params["columns"].sum()) < params["columns"].numel(), "some columns masked, some kept"


def test_validation_and_known_edge_graph(path, helpers) -> None:
    from omniaug import validation

    x = helpers.traceable_batch(8)
    with validation.call_scope():  # what validation learns is kept within one op call
        validate_graph(x)
        want = torch.repeat_interleave(torch.arange(x.num_graphs), x._slice_dict["edge_index"].diff())
        assert torch.equal(known_edge_graph(x).long(), want)
    assert known_edge_graph(x) is None  # after the call: a NumPy view may have refilled it


def _broken(helpers, how: str) -> Batch:
    x = helpers.traceable_batch(6)
    x.edge_index = x.edge_index.clone()
    last = x.edge_index.shape[1] - 1
    if how == "crossing":  # the last graph's last edge now ends in the graph before it
        x.edge_index[1, last] = int(x.ptr[-2]) - 1
    elif how == "crossing_forward":  # an edge of graph 2 ends in graph 3
        x.edge_index[0, int(x._slice_dict["edge_index"][2])] = int(x.ptr[3])
    elif how == "too_large":
        x.edge_index[0, last] = int(x.ptr[-1])
    elif how == "negative":  # -1 would wrap to the last node (the last graph's) in a plain gather
        x.edge_index[1, last] = -1
    elif how == "edge_offsets":
        sl = x._slice_dict["edge_index"].clone()
        sl[2] = sl[3] + 1  # graph 2 gets -1 edges
        x._slice_dict = {**x._slice_dict, "edge_index": sl}
    elif how == "node_offsets":
        sl = x._slice_dict["x"].clone()
        sl[3] = sl[4] + 1  # graph 3 gets -1 nodes
        x._slice_dict = {**x._slice_dict, "x": sl}
        x.ptr = sl.clone()
    elif how == "node_start":  # graph 0 (one node) starts at node 1: no negative count, wrong start
        sl = x._slice_dict["x"].clone()
        sl[0] = 1
        x._slice_dict = {**x._slice_dict, "x": sl}
        x.ptr = sl.clone()
    elif how == "edge_start":  # graphs 0 and 1 have no edges; offsets 1, 1, 1 then graph 2's end
        sl = x._slice_dict["edge_index"].clone()
        sl[:3] = 1
        x._slice_dict = {**x._slice_dict, "edge_index": sl}
    elif how == "batch":
        x.batch = x.batch.flip(0)
    elif how == "inc":
        x._inc_dict = {**x._inc_dict, "edge_index": x._inc_dict["edge_index"] + 1}
    return x


@pytest.mark.parametrize(
    ("how", "text"),
    [
        ("crossing", "inside their own graph"),
        ("crossing_forward", "inside their own graph"),
        ("too_large", "node indices in"),
        ("negative", "node indices in"),
        ("edge_offsets", "non-decreasing edge offsets"),
        ("node_offsets", "non-decreasing node offsets"),
        ("node_start", r"_slice_dict\['x'\]` must be node offsets starting at 0"),
        ("edge_start", r"_slice_dict\['edge_index'\]` must be .*edge offsets starting at 0"),
        ("batch", "consistent with ptr"),
        ("inc", "per-graph node offsets"),
    ],
)
def test_validation_rejects_the_same_on_both_paths(path, helpers, how, text) -> None:
    with pytest.raises(InputError, match=text):
        validate_graph(_broken(helpers, how))
