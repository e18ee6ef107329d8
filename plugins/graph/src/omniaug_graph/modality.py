"""The ``graph`` modality: PyG ``Batch`` payloads (a single ``Data`` is a batch of one).

One sample is one graph. The modality supplies graph-aware ``batch_size``,
``subset`` (graphs by index → a proper ``Batch``), ``merge``, ``allclose``
(graph by graph, edges compared after canonical sorting) and ``validate`` with
clear :class:`omniaug.InputError`\\ s for what breaks batch-safe augmentation:
missing ``x``, malformed or out-of-range ``edge_index``, edges crossing graphs,
bookkeeping (``ptr``/``batch``/slices) that disagrees with the tensors.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch
from torch_geometric.data import Batch, Data

from omniaug import InputError, Modality

from . import batch_ops
from .counter_random import scalar_mul
from .examples_data import bad_examples, example_batch, load_graphs, save_graphs
from .render import render_graphs

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


def _check_data_fields(x: Data, *, check_range: bool = True) -> None:
    feats = getattr(x, "x", None)
    if not isinstance(feats, torch.Tensor):
        raise InputError("x.x", "a node feature tensor (N, F)", feats, where=WHERE)
    if feats.dim() != 2:
        raise InputError("x.x", "a 2-D node feature tensor (N, F)", feats, where=WHERE)
    ei = getattr(x, "edge_index", None)
    if not isinstance(ei, torch.Tensor):
        raise InputError("x.edge_index", "an integer tensor (2, E) of node indices", ei, where=WHERE)
    if ei.dim() != 2 or ei.shape[0] != 2 or ei.dtype != torch.long:
        raise InputError("x.edge_index", "an int64 tensor of shape (2, E)", ei, where=WHERE)
    if check_range:
        _check_range(ei, feats.shape[0])
    if ei.device != feats.device:
        raise InputError("x.edge_index", f"a tensor on the node features' device {feats.device}", ei, where=WHERE)


def _check_range(ei: torch.Tensor, n: int) -> None:
    if ei.numel():
        low, high = torch.aminmax(ei)
        if not (bool(low >= 0) and bool(high < n)):
            raise InputError("x.edge_index", f"node indices in [0, num_nodes={n})", ei, where=WHERE)


def _check_edges_inside_graphs(b: Batch, graph_ids: torch.Tensor, edge_counts: torch.Tensor) -> torch.Tensor:
    """Every edge's two ends belong to the graph whose edge slice holds it; return each edge's graph id.

    One row at a time in int32 (graph ids < N < 2**31) into one reused buffer:
    at 4096 graphs the int64 form allocated ~40 MB per call and was page-fault
    bound (~4× slower). On CPU the range check is folded into the gather (an
    out-of-range index raises there); other devices check the range first,
    since an out-of-range gather is a device-side assert there.
    """
    ei, n, e = b.edge_index, b.x.shape[0], b.edge_index.shape[1]
    narrow = n < (1 << 31)
    ids = b.batch.to(torch.int32) if narrow else b.batch
    owner = torch.repeat_interleave(graph_ids.to(ids.dtype), edge_counts.to(ids.device), output_size=e)
    ends = torch.empty_like(owner)
    on_cpu = ei.device.type == "cpu"
    if not on_cpu:
        _check_range(ei, n)
    for row in (0, 1):
        try:
            torch.index_select(ids, 0, ei[row], out=ends)
        except (IndexError, RuntimeError):
            _check_range(ei, n)  # raises the clear error if that was the cause
            raise
        if not torch.equal(ends, owner):
            raise InputError(
                "x.edge_index", "edges inside their own graph (no edge may join nodes of two graphs)", ei, where=WHERE
            )
    return owner


def _check_batch_bookkeeping(b: Batch) -> torch.Tensor | None:
    """Check ptr/batch/slices/increments and graph membership of edges; return each edge's graph id (if any edges)."""
    slices = getattr(b, "_slice_dict", None)
    if not isinstance(slices, dict) or "x" not in slices or "edge_index" not in slices:
        raise InputError(
            "x", "a Batch made by Batch.from_data_list (with slice bookkeeping for x and edge_index)", b, where=WHERE
        )
    for key, value in slices.items():
        v = b[key]
        if not isinstance(v, (torch.Tensor, list)):
            raise InputError(f"x.{key}", "a tensor or a list (one entry per graph)", v, where=WHERE)
        if key not in ("x", "edge_index") and "batch" in key:
            raise InputError(f"x.{key}", "an attribute with a standard increment (none or node-index)", v, where=WHERE)
        if not isinstance(value, torch.Tensor) or value.dim() != 1:
            raise InputError(f"x._slice_dict[{key!r}]", "a 1-D slice tensor", value, where=WHERE)
    node_sl, edge_sl = slices["x"], slices["edge_index"]
    g = node_sl.numel() - 1
    n, e = b.x.shape[0], b.edge_index.shape[1]
    if int(node_sl[-1]) != n or int(edge_sl[-1]) != e or edge_sl.numel() != g + 1:
        raise InputError(
            "x._slice_dict", f"slices ending at num_nodes={n} / num_edges={e} for {g} graphs",
            {"x": node_sl, "edge_index": edge_sl}, where=WHERE,
        )
    ptr, batch = getattr(b, "ptr", None), getattr(b, "batch", None)
    if not isinstance(ptr, torch.Tensor) or not isinstance(batch, torch.Tensor):
        raise InputError("x.ptr / x.batch", "the node offsets and graph ids of a collated Batch", ptr, where=WHERE)
    if ptr.shape != (g + 1,) or not torch.equal(ptr.cpu(), node_sl):
        raise InputError("x.ptr", f"node offsets matching the slice bookkeeping {node_sl.tolist()[:8]}…", ptr, where=WHERE)
    graph_ids = torch.arange(g, device=batch.device)
    if batch.shape != (n,) or not torch.equal(batch, torch.repeat_interleave(graph_ids, ptr.diff(), output_size=n)):
        raise InputError("x.batch", f"graph ids (N,) = ({n},) consistent with ptr", batch, where=WHERE)
    inc = b._inc_dict.get("edge_index")
    if not isinstance(inc, torch.Tensor) or not torch.equal(inc.cpu(), node_sl[:-1]):
        raise InputError("x._inc_dict['edge_index']", "per-graph node offsets", inc, where=WHERE)
    if e:
        return _check_edges_inside_graphs(b, graph_ids, edge_sl.diff())
    return None


def validate_graph(x: Any) -> None:
    """Raise :class:`InputError` unless ``x`` is a well-formed homogeneous ``Data`` or ``Batch``.

    A batch that passed (or was built by a graph op, valid by construction) is
    remembered with the identity and version counter of each of its tensors, so a
    pipeline validates its input once, not once per op; any in-place change or
    reassigned attribute changes that signature and triggers a full check again.
    """
    if not isinstance(x, Data):
        raise InputError("x", "a torch_geometric Data or Batch (homogeneous graph)", x, where=WHERE)
    if _VALIDATED.known(x):
        return
    is_batch = isinstance(x, Batch)
    _check_data_fields(x, check_range=not is_batch)  # a batch's ranges are checked with its graph membership
    edge_graph = _check_batch_bookkeeping(x) if is_batch else None
    _VALIDATED.remember(x, edge_graph=edge_graph)


def known_edge_graph(b: Batch) -> torch.Tensor | None:
    """The graph id of every edge of ``b`` if validation computed it (and ``b`` is unchanged since), else None.

    Validation needs each edge's graph to check membership; an edge op on the
    same batch reuses it instead of a second ``(E,)`` pass and allocation.
    """
    extras = _VALIDATED.extras(b)
    eg = extras.get("edge_graph") if extras else None
    if eg is None or extras.get("edge_slices") is not b._slice_dict.get("edge_index"):
        return None
    return eg


class _ValidatedBatches:
    """Batches known to be valid, keyed by object identity and a signature of their tensors."""

    def __init__(self) -> None:
        self._entries: dict[int, tuple[weakref.ref[Any], tuple[Any, ...], dict[str, Any]]] = {}

    @staticmethod
    def _signature(x: Data) -> tuple[Any, ...]:
        items = []
        for key, value in x._store.items():
            if isinstance(value, torch.Tensor):
                items.append((key, id(value), value._version))
            else:
                items.append((key, id(value)))
        slices = getattr(x, "_slice_dict", None) if isinstance(x, Batch) else None
        return (tuple(items), id(slices), id(getattr(x, "_inc_dict", None)))

    def known(self, x: Data) -> bool:
        entry = self._entries.get(id(x))
        return entry is not None and entry[0]() is x and entry[1] == self._signature(x)

    def extras(self, x: Data) -> dict[str, Any] | None:
        """What validation remembered about ``x`` (only while ``x`` is unchanged)."""
        entry = self._entries.get(id(x))
        if entry is None or entry[0]() is not x or entry[1] != self._signature(x):
            return None
        return entry[2]

    def remember(self, x: Data, *, edge_graph: torch.Tensor | None = None) -> None:
        if not isinstance(x, Batch):
            return
        key = id(x)
        extras: dict[str, Any] = {}
        if edge_graph is not None:
            extras = {"edge_graph": edge_graph, "edge_slices": x._slice_dict["edge_index"]}
        ref = weakref.ref(x, lambda _, k=key: self._entries.pop(k, None))
        self._entries[key] = (ref, self._signature(x), extras)


_VALIDATED = _ValidatedBatches()


def mark_valid(b: Batch) -> Batch:
    """Record that ``b`` (built by batch surgery from a validated batch) is valid; return it."""
    _VALIDATED.remember(b)
    return b


def graph_batch_size(x: Any) -> int:
    """Number of graphs (a single ``Data`` is one)."""
    if isinstance(x, Batch):
        return int(x.num_graphs)
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
        feats = getattr(x, "x", None) if isinstance(x, Data) else None
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
    load=load_graphs,
    save=save_graphs,
    file_patterns=("*.pt",),
    float_tolerance=(1e-5, 1e-5),
    bad_examples=bad_examples,
    description=(
        "Graphs as PyTorch Geometric batches: structure ops (edge drop/add, node drop, subgraphs, "
        "diffusion) and feature ops with per-graph parameters, vectorized over the whole batch."
    ),
)
