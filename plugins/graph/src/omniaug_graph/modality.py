"""The ``graph`` modality: PyG ``Batch`` payloads (a single ``Data`` is a batch of one).

One sample is one graph. The modality supplies graph-aware ``batch_size``,
``subset`` (graphs by index → a proper ``Batch``), ``merge``, ``allclose``
(graph by graph, edges compared after canonical sorting) and ``validate`` with
clear :class:`omniaug.InputError`\\ s for what breaks batch-safe augmentation:
missing ``x``, malformed or out-of-range ``edge_index``, edges crossing graphs,
bookkeeping (``ptr``/``batch``/slices) that disagrees with the tensors.
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import torch
from torch_geometric.data import Batch, Data

from omniaug import InputError, Modality, host, memory, validation
from omniaug.parallel import value_range
from omniaug.validation import register_check, trusted

from . import batch_ops
from .batch_ops import attrs
from .counter_random import scalar_mul
from .examples_data import bad_examples, example_batch, example_variants, load_graphs, save_graphs
from .render import render_graphs, tag_nodes

__all__ = [
    "GRAPH",
    "GraphModality",
    "validate_graph",
    "known_edge_graph",
    "graph_batch_size",
    "graph_subset",
    "graph_merge",
    "graph_allclose",
]

PAYLOAD = "torch_geometric Batch (or a single Data) with x (N, F), edge_index (2, E)"
WHERE = "graph"


def _check_data_fields(m: dict[str, Any], *, check_range: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Check ``x.x`` and ``x.edge_index`` in a graph's attributes ``m`` (:func:`attrs`); return them."""
    feats = m.get("x")
    if not isinstance(feats, torch.Tensor):
        raise InputError("x.x", "a node feature tensor (N, F)", feats, where=WHERE)
    if feats.dim() != 2:
        raise InputError("x.x", "a 2-D node feature tensor (N, F)", feats, where=WHERE)
    ei = m.get("edge_index")
    if not isinstance(ei, torch.Tensor):
        raise InputError("x.edge_index", "an integer tensor (2, E) of node indices", ei, where=WHERE)
    if ei.dim() != 2 or ei.shape[0] != 2 or ei.dtype != torch.long:
        raise InputError("x.edge_index", "an int64 tensor of shape (2, E)", ei, where=WHERE)
    if check_range:
        _check_range(ei, feats.shape[0])
    # is_cpu first: a tensor's device is a new Python object on every read
    if not (ei.is_cpu and feats.is_cpu) and ei.device != feats.device:
        raise InputError("x.edge_index", f"a tensor on the node features' device {feats.device}", ei, where=WHERE)
    return feats, ei


def _check_range(ei: torch.Tensor, n: int) -> None:
    if ei.numel():
        low, high = value_range(ei)  # no OpenMP wake-up (see omniaug.parallel.value_range)
        if not (low >= 0 and high < n):
            raise InputError("x.edge_index", f"node indices in [0, num_nodes={n})", ei, where=WHERE)


def _graph_ids(
    num_graphs: int, dtype: torch.dtype, slices: torch.Tensor, size: int, *, field: str, rows: str, device: torch.device
) -> torch.Tensor:
    """Graph id of each of ``size`` rows (nodes or edges) from a slice tensor, on ``device``.

    ``dtype`` is the result's (int32 or int64); ``field`` / ``rows`` name the slice
    entry and its rows in errors. Small CPU batches repeat in NumPy (see
    :mod:`omniaug.host`: the torch form is an arange, a diff, a transfer and a
    repeat_interleave, more dispatch at 16 graphs than the NumPy form). Decreasing
    offsets (negative counts) raise :class:`InputError` on both paths.
    """
    if device.type == "cpu" and host.use_host(size) and slices.device.type == "cpu":
        np_dtype = np.int32 if dtype == torch.int32 else np.int64
        return torch.from_numpy(
            _host_graph_ids(slices.numpy(), size, field=field, rows=rows, source=slices, dtype=np_dtype)
        )
    try:
        graph_ids = torch.arange(num_graphs, device=device, dtype=dtype)
        return torch.repeat_interleave(graph_ids, slices.diff().to(device), output_size=size)
    except RuntimeError as exc:  # decreasing offsets (negative counts), or offsets not starting at 0
        expected = (
            f"non-decreasing {rows} offsets" if bool((slices.diff() < 0).any()) else f"{rows} offsets starting at 0"
        )
        raise InputError(f"x._slice_dict[{field!r}]", expected, slices, where=WHERE) from exc


def _check_edges_inside_graphs(
    ei: torch.Tensor,
    ids: torch.Tensor,
    n: int,
    edge_slices: torch.Tensor,
    node_slices: torch.Tensor,
) -> torch.Tensor:
    """Every edge's two ends belong to the graph whose edge slice holds it; return each edge's graph id.

    ``ids`` is the graph id of every node (equal to ``batch``, checked, but int32
    when ids < N < 2**31, as are the results): at 4096 graphs the int64 form
    allocated ~40 MB per call and was page-fault bound, several times slower. Both rows
    are gathered in one call (one op less per row on small batches, where each
    costs microseconds of dispatch). On CPU the range check is folded into the
    gather (an out-of-range index raises there); other devices check the range
    first, since an out-of-range gather is a device-side assert there.

    Small CPU batches check the same thing without the gather: node ``i`` is in
    graph ``g`` iff ``node_slices[g] <= i < node_slices[g + 1]`` (``batch`` was checked
    against these offsets), so each edge's ends are compared with its graph's node
    range, in NumPy (see :mod:`omniaug.host`; less time at 16 graphs, docs/performance.md).
    """
    e = ei.shape[1]
    owner = _graph_ids(
        edge_slices.numel() - 1, ids.dtype, edge_slices, e, field="edge_index", rows="edge", device=ids.device
    )
    if ei.device.type == owner.device.type == node_slices.device.type == "cpu" and host.use_host(e):
        nodes_at, edges_at, ends_h = node_slices.numpy(), edge_slices.numpy(), ei.numpy()
        counts = edges_at[1:] - edges_at[:-1]  # valid: _graph_ids checked them
        low, high = nodes_at[:-1].repeat(counts), nodes_at[1:].repeat(counts)
        if not ((ends_h >= low).all() and (ends_h < high).all()):
            _check_range(ei, n)  # raises the clear error if an index is out of range
            raise InputError(
                "x.edge_index", "edges inside their own graph (no edge may join nodes of two graphs)", ei, where=WHERE
            )
        return owner
    ends = memory.empty((2, e), dtype=owner.dtype, device=owner.device)
    if ei.device.type != "cpu":
        _check_range(ei, n)
    try:
        torch.index_select(ids, 0, ei.reshape(-1), out=ends.view(-1))
    except (IndexError, RuntimeError):
        _check_range(ei, n)  # raises the clear error if that was the cause
        raise
    if not (torch.equal(ends[0], owner) and torch.equal(ends[1], owner)):
        raise InputError(
            "x.edge_index", "edges inside their own graph (no edge may join nodes of two graphs)", ei, where=WHERE
        )
    return owner


def _host_graph_ids(
    slices: np.ndarray, size: int, *, field: str, rows: str, source: torch.Tensor, dtype: type = np.int64
) -> np.ndarray:
    """Graph id of each of ``size`` rows from CPU slice offsets, with :func:`_graph_ids`' errors."""
    try:
        # the method, not np.repeat (no Python wrapper); raises on a negative count
        ids = np.arange(slices.shape[0] - 1, dtype=dtype).repeat(slices[1:] - slices[:-1])
    except ValueError as exc:
        raise InputError(f"x._slice_dict[{field!r}]", f"non-decreasing {rows} offsets", source, where=WHERE) from exc
    if ids.shape[0] != size:  # only if the offsets do not start at 0 (the end was checked)
        raise InputError(f"x._slice_dict[{field!r}]", f"{rows} offsets starting at 0", source, where=WHERE)
    return ids


def _check_bookkeeping_host(
    batch: torch.Tensor,
    inc: Any,
    ei: torch.Tensor,
    n: int,
    node_sl: torch.Tensor,
    edge_sl: torch.Tensor,
    nodes_at: np.ndarray,
    edges_at: np.ndarray,
) -> None:
    """The checks of :func:`_check_batch_bookkeeping` after ``ptr``, on NumPy views (small CPU batch).

    ``nodes_at`` / ``edges_at`` are NumPy views of the slices ``node_sl`` / ``edge_sl``.
    Same checks, same errors, in the same order (tested on both paths). Why: on a
    batch of 16 small graphs the torch form is a dozen ops, each paying torch's dispatch cost,
    plus an ``(E,)`` graph-id vector; here no per-edge graph ids are built at all
    (an edge op that needs them derives them later, see :func:`known_edge_graph`).
    Edges stay inside their graphs iff, graph by graph, the smallest and the largest
    end of its edges lie in its node range: two segment reductions over the edges
    (``reduceat``), no per-edge bounds to build and compare.
    """
    ids = _host_graph_ids(nodes_at, n, field="x", rows="node", source=node_sl)
    if batch.shape != (n,) or batch.dtype != torch.long or not torch.equal(batch, torch.from_numpy(ids)):
        raise InputError("x.batch", f"graph ids (N,) = ({n},) consistent with ptr", batch, where=WHERE)
    if not isinstance(inc, torch.Tensor) or not torch.equal(inc if inc.is_cpu else inc.cpu(), node_sl[:-1]):
        raise InputError("x._inc_dict['edge_index']", "per-graph node offsets", inc, where=WHERE)
    e = ei.shape[1]
    if not e:
        return
    counts = edges_at[1:] - edges_at[:-1]
    fewest = counts.min() if counts.shape[0] else 0
    if fewest < 0:
        raise InputError("x._slice_dict['edge_index']", "non-decreasing edge offsets", edge_sl, where=WHERE)
    if edges_at[0] != 0:  # the end was checked: the counts then sum to fewer than the edges
        raise InputError("x._slice_dict['edge_index']", "edge offsets starting at 0", edge_sl, where=WHERE)
    # node i is in graph g iff node_sl[g] <= i < node_sl[g + 1]: each graph's extreme edge ends
    # against its node range (graphs without edges left out: reduceat needs increasing starts)
    if fewest > 0:
        starts, low, high = edges_at[:-1], nodes_at[:-1], nodes_at[1:]
    else:
        nonempty = counts > 0
        starts, low, high = edges_at[:-1][nonempty], nodes_at[:-1][nonempty], nodes_at[1:][nonempty]
    ends = ei.numpy()
    if not (
        (np.minimum.reduceat(ends, starts, axis=1) >= low).all()
        and (np.maximum.reduceat(ends, starts, axis=1) < high).all()
    ):
        _check_range(ei, n)  # raises the clear error if an index is out of range
        raise InputError(
            "x.edge_index", "edges inside their own graph (no edge may join nodes of two graphs)", ei, where=WHERE
        )


def _check_batch_bookkeeping(
    b: Batch, m: dict[str, Any], slices: Any, feats: torch.Tensor, ei: torch.Tensor
) -> torch.Tensor | None:
    """Check ptr/batch/slices/increments and graph membership of edges; return each edge's graph id (if any edges).

    ``m`` are the batch's attributes (:func:`attrs`), ``slices`` its ``_slice_dict``.
    Plain dict reads and about twenty tensor ops whatever the batch size: on a
    small batch each op's fixed dispatch cost is most of the check.
    """
    if not isinstance(slices, dict) or "x" not in slices or "edge_index" not in slices:
        raise InputError(
            "x", "a Batch made by Batch.from_data_list (with slice bookkeeping for x and edge_index)", b, where=WHERE
        )
    for key, value in slices.items():
        v = m.get(key)
        if not isinstance(v, (torch.Tensor, list)):
            raise InputError(f"x.{key}", "a tensor or a list (one entry per graph)", v, where=WHERE)
        if key not in ("x", "edge_index") and "batch" in key:
            raise InputError(f"x.{key}", "an attribute with a standard increment (none or node-index)", v, where=WHERE)
        if not isinstance(value, torch.Tensor) or value.dim() != 1:
            raise InputError(f"x._slice_dict[{key!r}]", "a 1-D slice tensor", value, where=WHERE)
    node_sl, edge_sl = slices["x"], slices["edge_index"]
    g = node_sl.shape[0] - 1
    n, e = feats.shape[0], ei.shape[1]
    # the last node and edge offsets as Python ints (two numbers, for the totals check): read from NumPy
    # views on CPU, cheaper than a 0-d tensor select and conversion
    nodes_at = edges_at = None
    if g < 0:
        ends = []
    elif node_sl.is_cpu and edge_sl.is_cpu and edge_sl.shape[0]:
        nodes_at, edges_at = node_sl.numpy(), edge_sl.numpy()
        ends = [int(nodes_at[-1]), int(edges_at[-1])]
    else:
        ends = node_sl[-1:].tolist() + edge_sl[-1:].tolist()
    if edge_sl.shape[0] != g + 1 or g < 0 or ends != [n, e]:
        raise InputError(
            "x._slice_dict",
            f"slices ending at num_nodes={n} / num_edges={e} for {g} graphs",
            {"x": node_sl, "edge_index": edge_sl},
            where=WHERE,
        )
    ptr, batch = m.get("ptr"), m.get("batch")
    if not isinstance(ptr, torch.Tensor) or not isinstance(batch, torch.Tensor):
        raise InputError("x.ptr / x.batch", "the node offsets and graph ids of a collated Batch", ptr, where=WHERE)
    if ptr.shape != (g + 1,) or not torch.equal(ptr if ptr.is_cpu else ptr.cpu(), node_sl):
        raise InputError(
            "x.ptr", f"node offsets matching the slice bookkeeping {node_sl.tolist()[:8]}…", ptr, where=WHERE
        )
    inc = (getattr(b, "_inc_dict", None) or {}).get("edge_index")
    if nodes_at is not None and edges_at is not None and batch.is_cpu and ei.is_cpu and host.use_host(max(n, e)):
        _check_bookkeeping_host(batch, inc, ei, n, node_sl, edge_sl, nodes_at, edges_at)
        return None  # each edge's graph id is derived on demand (known_edge_graph)
    # int32 graph ids (< N < 2**31): the (N,) and (E,) id vectors below are half the bytes
    gid_dtype = torch.int32 if n < (1 << 31) else torch.long
    ids = _graph_ids(g, gid_dtype, node_sl, n, field="x", rows="node", device=batch.device)
    # compared across dtypes (exact: ids < 2**31); ids then stands in for batch, no int32 copy of it needed
    if batch.shape != (n,) or batch.dtype != torch.long or not torch.equal(batch, ids):
        raise InputError("x.batch", f"graph ids (N,) = ({n},) consistent with ptr", batch, where=WHERE)
    if not isinstance(inc, torch.Tensor) or not torch.equal(inc.cpu(), node_sl[:-1]):
        raise InputError("x._inc_dict['edge_index']", "per-graph node offsets", inc, where=WHERE)
    if e:
        return _check_edges_inside_graphs(ei, ids, n, edge_sl, node_sl)
    return None


def validate_graph(x: Any) -> None:
    """Raise :class:`InputError` unless ``x`` is a well-formed homogeneous ``Data`` or ``Batch``.

    The check (``"graph.structure"``) runs once per graph per op call: the core's record
    (:mod:`omniaug.validation`) keeps a graph that passed, or that a graph op built and
    claimed valid, with the identity and version counter of each of its tensors
    (:func:`_signature`); any in-place change or reassigned attribute triggers a full check.
    """
    validation.ensure("graph.structure", x)


def known_edge_graph(b: Batch) -> torch.Tensor | None:
    """The graph id of every edge of ``b`` (``int32``) if ``b`` is known valid and unchanged since, else None.

    Validation needs each edge's graph to check membership on large batches; an
    edge op on the same batch reuses it instead of a second ``(E,)`` pass and
    allocation. Small CPU batches are validated without it (see
    :func:`_check_bookkeeping_host`): it is derived here on first request and kept.
    """
    extras = validation.notes("graph.structure", b)
    if extras is None:
        return None
    edge_sl = b._slice_dict.get("edge_index")
    eg = extras.get("edge_graph")
    if eg is None:
        m = attrs(b)
        ei = m["edge_index"]
        dtype = torch.int32 if m["x"].shape[0] < (1 << 31) else torch.long
        eg = _graph_ids(
            edge_sl.numel() - 1, dtype, edge_sl, ei.shape[1], field="edge_index", rows="edge", device=ei.device
        )
        extras["edge_graph"], extras["edge_slices"] = eg, edge_sl
        return eg
    if extras.get("edge_slices") is not edge_sl:
        return None
    return eg


def _signature(x: Data) -> tuple[Any, ...]:
    """What changes when a graph changes: the identity and version counter of each tensor, the bookkeeping dicts."""
    # This runs a few times per op call (the check's record, a claim, the next op's lookup): one
    # attribute snapshot read by C-level loops (the versions by one map when every attribute is
    # a tensor, the usual case), and the two bookkeeping dicts read only on a Batch (a plain Data
    # has none, and PyG answers a missing attribute with two raised exceptions)
    m = x.to_dict()
    values = m.values()
    try:
        versions = tuple(map(_VERSION, values))
    except AttributeError:  # a non-tensor attribute (a list of names, a number)
        versions = tuple([v._version if isinstance(v, torch.Tensor) else -1 for v in values])
    if isinstance(x, Batch):
        return (
            tuple(m),
            tuple(map(id, values)),
            versions,
            id(getattr(x, "_slice_dict", None)),
            id(getattr(x, "_inc_dict", None)),
        )
    return (tuple(m), tuple(map(id, values)), versions)


_VERSION = operator.attrgetter("_version")


def mark_valid(b: Batch) -> Batch:
    """Claim that ``b`` (built by batch surgery from a validated batch) is valid; return it."""
    return trusted("graph.structure", b)  # the contract suite runs the full check on every claim


def _structure_check(x: Any, argument: str = "x") -> dict[str, Any] | None:
    """The full structure check of a graph (``"graph.structure"``): reads the data, no record.

    Returns what it learned for :func:`known_edge_graph` (each edge's graph id, on large batches).
    """
    if not isinstance(x, Data):
        raise InputError(argument, "a torch_geometric Data or Batch (homogeneous graph)", x, where=WHERE)
    m = attrs(x)
    if not isinstance(x, Batch):
        _check_data_fields(m)
        return None
    feats, ei = _check_data_fields(m, check_range=False)  # a batch's ranges are checked with its graph membership
    slices = getattr(x, "_slice_dict", None)
    edge_graph = _check_batch_bookkeeping(x, m, slices, feats, ei)
    if edge_graph is None:
        return None
    return {"edge_graph": edge_graph, "edge_slices": slices["edge_index"]}


register_check("graph.structure", _structure_check, signature=_signature)


def graph_batch_size(x: Any) -> int:
    """Number of graphs (a single ``Data`` is one)."""
    if isinstance(x, Batch):
        # PyG's num_graphs returns this stored count when there is one (read directly: no property layers)
        count = getattr(x, "_num_graphs", None)
        return count if type(count) is int else int(x.num_graphs)
    if isinstance(x, Data):
        return 1
    raise InputError("x", "a torch_geometric Data or Batch", x, where=WHERE)


def graph_subset(x: Any, index: torch.Tensor) -> Any:
    """Graphs ``index`` of ``x`` as a ``Batch`` (a ``Data`` stays a ``Data``)."""
    if isinstance(x, Batch):
        return batch_ops.subset_graphs(x, index)
    return x


def graph_merge(base: Any, index: torch.Tensor, part: Any) -> Any:
    """A copy of ``base`` with graphs ``index`` replaced by the graphs of ``part``."""
    if isinstance(base, Batch):
        part_b, _ = batch_ops.as_batch(part)
        return batch_ops.merge_graphs(base, index, part_b)
    return part


def _canonical_edge_order(b: Batch) -> torch.Tensor:
    ei = b.edge_index
    n = max(int(b.x.shape[0]), 1)
    key = scalar_mul(ei[0], n) + ei[1]
    return torch.sort(key, stable=True).indices


def _tensors_close(a: torch.Tensor, b: torch.Tensor, rtol: float, atol: float) -> bool:
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.is_floating_point() or a.is_complex():
        return bool(torch.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    return bool(torch.equal(a, b))


def graph_allclose(a: Any, b: Any, *, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """Graph-by-graph equality: same node/edge counts per graph, attributes close, edges compared sorted."""
    if type(a) is not type(b) or not isinstance(a, Data):
        return False
    ba, _ = batch_ops.as_batch(a)
    bb, _ = batch_ops.as_batch(b)
    if set(ba.keys()) != set(bb.keys()) or ba.num_graphs != bb.num_graphs:
        return False
    la, lb = batch_ops.layout(ba), batch_ops.layout(bb)
    if not (torch.equal(la.node_slices, lb.node_slices) and torch.equal(la.edge_slices, lb.edge_slices)):
        return False
    oa, ob = _canonical_edge_order(ba), _canonical_edge_order(bb)
    if not torch.equal(ba.edge_index[:, oa], bb.edge_index[:, ob]):
        return False
    for key in ba.keys():
        if key == "edge_index":
            continue
        va, vb = ba[key], bb[key]
        if key in la.edge_keys:
            va, vb = va[oa], vb[ob]
        if isinstance(va, torch.Tensor) or isinstance(vb, torch.Tensor):
            if not (isinstance(va, torch.Tensor) and isinstance(vb, torch.Tensor)):
                return False
            if not _tensors_close(va, vb, rtol, atol):
                return False
        elif va != vb:
            return False
    return True


class GraphModality(Modality):
    """A :class:`Modality` whose payload device is the node features' device."""

    def device_of(self, x: Any) -> torch.device:
        feats = attrs(x).get("x") if isinstance(x, Data) else None  # the store's dict: skips PyG's getattr layers
        return feats.device if isinstance(feats, torch.Tensor) else torch.device("cpu")


GRAPH = GraphModality(
    name="graph",
    payload=PAYLOAD,
    validate=validate_graph,
    batch_size=graph_batch_size,
    subset=graph_subset,
    merge=graph_merge,
    allclose=graph_allclose,
    example=example_batch,
    render=render_graphs,
    extra={"preview_input": tag_nodes},
    load=load_graphs,
    save=save_graphs,
    file_patterns=("*.pt",),
    files="omniaug_graph.files:FILES",
    float_tolerance=(1e-5, 1e-5),
    bad_examples=bad_examples,
    example_variants=example_variants,
    description=(
        "Graphs as PyTorch Geometric batches: structure ops (edge drop/add, node drop, subgraphs, "
        "diffusion) and feature ops with per-graph parameters, vectorized over the whole batch."
    ),
)
