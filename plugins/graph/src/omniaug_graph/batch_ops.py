"""Batch surgery on PyG ``Batch`` objects that keeps ``to_data_list()`` working.

A collated ``Batch`` is a disjoint union of graphs plus bookkeeping: ``batch``
(graph id per node), ``ptr`` (node offsets), and ``_slice_dict`` / ``_inc_dict``
(per attribute, where each graph's rows start and by how much its indices were
shifted). Only PyG's public surface is used: attributes through ``b[key]`` /
``to_dict()`` / ``copy.copy``, and the bookkeeping as the attributes that
``Batch.from_data_list`` itself sets (``b._slice_dict = ...``), which
``to_data_list()`` / ``get_example`` read; never its storage objects. PyG's batch-wide utilities (``dropout_edge``, ``subgraph``, …) change
the tensors but not that bookkeeping, so ``to_data_list()`` afterwards slices the
wrong rows or crashes. The functions here filter, insert and gather nodes, edges
and whole graphs in one vectorized pass *and* rewrite the bookkeeping of every
attribute they touch. They never mutate their input.

Attribute kinds are read from the slice bookkeeping: an attribute whose per-graph
row counts equal the node counts is node-level, equal to the edge counts is
edge-level (names containing ``edge`` win a tie), anything else (graph labels,
names, …) is graph-level and kept as is by node/edge surgery.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch_geometric.data import Batch, Data

from omniaug import InputError
from omniaug.host import host_views

__all__ = [
    "Layout",
    "attrs",
    "store_meta",
    "as_batch",
    "restore",
    "layout",
    "check_only_edge_index",
    "exclusive_cumsum",
    "select_edges",
    "segment_rows",
    "with_values",
    "filter_edges",
    "filter_edges_host",
    "filter_nodes",
    "insert_edges",
    "gather_graphs",
    "subset_graphs",
    "merge_graphs",
    "edge_graph",
    "is_index_key",
]

_BOOKKEEPING = ("batch", "ptr")


def attrs(x: Data) -> dict[str, Any]:
    """A snapshot of ``x``'s attributes as a plain dict (PyG's ``to_dict()``; read it, write through ``x[key]``).

    Why: ``x.key`` / ``x[key]`` passes through two or three ``__getattr__`` /
    ``__getitem__`` layers on every read; an op reading many attributes reads them
    from one snapshot. A batch that carries explicit node counts also lists
    ``_num_nodes`` here.
    """
    return x.to_dict()


_META = ("_slice_dict", "_inc_dict", "_num_graphs")


def store_meta(b: Batch) -> dict[str, Any]:
    """The collation bookkeeping ``Batch.from_data_list`` sets on a batch (``_slice_dict``,
    ``_inc_dict``, ``_num_graphs``): those present, read as attributes (read-only).

    Empty for a ``Data`` that is not a ``Batch``: PyG answers a missing attribute by
    raising and catching two exceptions, and a plain ``Data`` has no collation
    bookkeeping. Hot paths read the one entry they need (``b._slice_dict``) instead.
    """
    if not isinstance(b, Batch):
        return {}
    out = {}
    for key in _META:
        value = getattr(b, key, None)
        if value is not None:
            out[key] = value
    return out


def as_batch(x: Data | Batch) -> tuple[Batch, bool]:
    """``x`` as a ``Batch`` and whether it was a single ``Data`` (promoted to a batch of one).

    Equal to ``Batch.from_data_list([x])`` (tested) but built directly: a batch of
    one needs no concatenation or increments, and PyG's general collation
    dominated per-step augmentation of one large graph (docs/performance.md).
    """
    if isinstance(x, Batch):
        return x, False
    out = copy.copy(_empty_batch(type(x)))
    slices: dict[str, Any] = {}
    incs: dict[str, Any] = {}
    for key, value in x.to_dict().items():
        if key in ("num_nodes", "_num_nodes"):
            continue
        if isinstance(value, torch.Tensor):
            dim = x.__cat_dim__(key, value)
            if dim is None or value.dim() == 0:
                value, dim = value.unsqueeze(0), 0
            slices[key] = torch.tensor([0, value.shape[dim]])
            incs[key] = torch.zeros(1, dtype=torch.long)
        else:
            value = [value]
            slices[key] = torch.tensor([0, 1])
            incs[key] = None
        out[key] = value
    n = int(x.num_nodes) if x.num_nodes is not None else 0
    device = x.x.device if isinstance(getattr(x, "x", None), torch.Tensor) else torch.device("cpu")
    out.batch = torch.zeros(n, dtype=torch.long, device=device)
    out.ptr = torch.tensor([0, n], device=device)
    if "num_nodes" in x:
        out._num_nodes = [n]  # as collation records explicit per-graph node counts
        out.num_nodes = n
    out._slice_dict = slices
    out._inc_dict = incs
    out._num_graphs = 1
    return out, True


_EMPTY_BATCHES: dict[type, Batch] = {}


def _empty_batch(data_cls: type) -> Batch:
    """An empty ``Batch`` of ``data_cls`` to copy (PyG builds its dynamic class with ``inspect`` on every call)."""
    if data_cls not in _EMPTY_BATCHES:
        _EMPTY_BATCHES[data_cls] = Batch(_base_cls=data_cls)
    return _EMPTY_BATCHES[data_cls]


def restore(out: Batch, was_single: bool) -> Data | Batch:
    """Undo :func:`as_batch`: a batch of one goes back to a ``Data`` (as ``get_example(0)`` would)."""
    if not was_single:
        return out
    if out.num_graphs != 1:
        return out.get_example(0)
    data = type(out).__bases__[-1]()
    stored = out.to_dict()
    for key, value in stored.items():
        if key in _BOOKKEEPING or key in ("num_nodes", "_num_nodes"):
            continue
        data[key] = value[0] if isinstance(value, list) else value
    if "_num_nodes" in stored:
        data.num_nodes = stored["_num_nodes"][0]
    return data


def is_index_key(key: str) -> bool:
    """Whether PyG increments attribute ``key`` by the node count when collating."""
    return "index" in key or key == "face"


def select_edges(edge_index: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    """``edge_index[:, rows]`` as two contiguous 1-D gathers written in place.

    Several times faster than a dim-1 ``index_select`` (which copies column by column)
    and, writing straight into the output rows, without the extra copy of a stack.
    """
    out = edge_index.new_empty(2, rows.numel())
    torch.index_select(edge_index[0], 0, rows, out=out[0])
    torch.index_select(edge_index[1], 0, rows, out=out[1])
    return out


def check_only_edge_index(x: Data, where: str) -> None:
    """Raise ``InputError`` if ``x`` has node-index attributes besides ``edge_index`` (ops that renumber nodes cannot remap them)."""
    extra = [k for k in x.keys() if is_index_key(k) and k != "edge_index"]
    if extra:
        raise InputError("x", "a graph whose only node-index attribute is edge_index", sorted(extra), where=where)


def exclusive_cumsum(counts: torch.Tensor) -> torch.Tensor:
    """``[0, c0, c0 + c1, …]`` (length ``len(counts) + 1``), as ``int64``."""
    return torch.cat([counts.new_zeros(1, dtype=torch.long), counts.long().cumsum(0)])


def segment_rows(starts: torch.Tensor, counts: torch.Tensor, total: int | None = None) -> torch.Tensor:
    """Concatenated ``arange(starts[i], starts[i] + counts[i])`` for every segment, without a loop."""
    counts = counts.long()
    total = int(counts.sum()) if total is None else total
    offsets = exclusive_cumsum(counts)[:-1]
    return torch.repeat_interleave(starts.long() - offsets, counts, output_size=total) + torch.arange(
        total, device=counts.device
    )


@dataclass(frozen=True)
class Layout:
    """Where each graph's nodes and edges are, and the kind of every attribute."""

    num_graphs: int
    node_slices: torch.Tensor  # (G + 1,) CPU
    edge_slices: torch.Tensor  # (G + 1,) CPU
    node_keys: tuple[str, ...]  # node-level, concatenated along dim 0 (includes "x")
    edge_keys: tuple[str, ...]  # edge-level, concatenated along dim 0 (excludes "edge_index")
    graph_keys: tuple[str, ...]  # everything else that is sliced per graph
    extra_index_keys: tuple[str, ...]  # node-index-valued attributes other than edge_index
    #: the batch's attributes (:func:`attrs`) and slice bookkeeping as read by :func:`layout`:
    #: an op that asked for the layout reads them here instead of from the batch again
    values: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)
    slice_dict: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def node_counts(self) -> torch.Tensor:
        return self.node_slices.diff()

    @property
    def edge_counts(self) -> torch.Tensor:
        return self.edge_slices.diff()


def layout(b: Batch) -> Layout:
    """Classify the attributes of a validated batch (see module docstring)."""
    m = attrs(b)  # plain dict reads: PyG's b[key] has layers (see attrs)
    slices: Mapping[str, Any] = b._slice_dict
    node_sl = slices["x"]
    edge_sl = slices["edge_index"]
    node_keys, edge_keys, graph_keys, index_keys = ["x"], [], [], []
    # PyG's own Data.__cat_dim__ gives 0 for every key that is not an index key and has
    # no "adj" in its name; calling it per key costs time, so it is only called when a
    # data class overrides it or for such names
    default_cat = type(b).__cat_dim__ is Data.__cat_dim__
    n_rows, e_rows = m["x"].shape[0], m["edge_index"].shape[1]
    for key, sl in slices.items():
        if key in ("x", "edge_index"):
            continue
        value = m.get(key)
        if not isinstance(value, torch.Tensor) or value.dim() == 0:
            graph_keys.append(key)
            continue
        if is_index_key(key):
            index_keys.append(key)
            continue
        cat_dim = 0 if default_cat and "adj" not in key else b.__cat_dim__(key, value)
        if cat_dim != 0 or not isinstance(sl, torch.Tensor) or sl.dim() != 1:
            graph_keys.append(key)
            continue
        # slices all start at 0, so equal slices <=> equal per-graph counts (no diff needed);
        # rows concatenated per graph end at the slices' end, so a row count other than the
        # batch's node (edge) count rules the kind out without comparing slices
        rows = value.shape[0]
        as_node = sl is node_sl or (rows == n_rows and torch.equal(sl, node_sl))
        as_edge = sl is edge_sl or (rows == e_rows and torch.equal(sl, edge_sl))
        if as_node and as_edge:
            (edge_keys if "edge" in key else node_keys).append(key)
        elif as_node:
            node_keys.append(key)
        elif as_edge:
            edge_keys.append(key)
        else:
            graph_keys.append(key)
    return Layout(
        num_graphs=int(node_sl.numel() - 1),
        node_slices=node_sl,
        edge_slices=edge_sl,
        node_keys=tuple(node_keys),
        edge_keys=tuple(edge_keys),
        graph_keys=tuple(graph_keys),
        extra_index_keys=tuple(index_keys),
        values=m,
        slice_dict=slices,
    )


def edge_graph(b: Batch, lay: Layout | None = None, *, dtype: torch.dtype = torch.long) -> torch.Tensor:
    """Graph id of every edge (from the edge slices; no gather over nodes).

    ``dtype=torch.int32`` halves the memory of this ``(E,)`` index (fine for
    ``index_select``; ``index_put`` needs the default ``int64``).
    """
    lay = layout(b) if lay is None else lay
    ei = attrs(b)["edge_index"]
    counts = lay.edge_counts.to(ei.device)
    return torch.repeat_interleave(
        torch.arange(lay.num_graphs, device=ei.device, dtype=dtype), counts, output_size=ei.shape[1]
    )


def with_values(
    b: Batch,
    values: Mapping[str, Any],
    *,
    slices: Mapping[str, torch.Tensor] | None = None,
    incs: Mapping[str, torch.Tensor] | None = None,
    num_graphs: int | None = None,
    lay: Layout | None = None,
) -> Batch:
    """A shallow copy of ``b`` (``copy.copy``: shared tensors) with some attributes and bookkeeping replaced.

    ``None`` removes an attribute. A bookkeeping dict that changes (``slices``,
    ``incs``) is a new dict, set as ``Batch.from_data_list`` sets it; one that does
    not is shared with ``b``, as ``copy.copy`` shares it (nothing here changes a
    bookkeeping dict in place). ``lay``: ``b``'s :func:`layout`, if the caller has
    it (its slice dict is then not read from ``b`` again).

    Why not always new dicts: on a batch of a few graphs each PyG attribute write
    costs a noticeable share of an op (docs/performance.md).
    """
    out = copy.copy(b)
    for key, value in values.items():
        out[key] = value  # PyG: None deletes
    if slices:
        old_sl = lay.slice_dict if lay is not None and lay.slice_dict else b._slice_dict
        out._slice_dict = {**old_sl, **slices}
    if incs:
        out._inc_dict = {**b._inc_dict, **incs}
    if num_graphs is not None:
        out._num_graphs = num_graphs
    return out


def _num_nodes_fields(b: Batch, node_counts_cpu: torch.Tensor) -> dict[str, Any]:
    """Updated explicit ``num_nodes`` bookkeeping, if the batch carries any."""
    if hasattr(b, "_num_nodes") or "num_nodes" in b:
        return {"num_nodes": int(node_counts_cpu.sum())}
    return {}


def _set_num_nodes_list(out: Batch, node_counts_cpu: torch.Tensor) -> None:
    """Explicit per-graph node counts (collation's ``_num_nodes``), if the batch carries them."""
    if hasattr(out, "_num_nodes"):
        out._num_nodes = node_counts_cpu.tolist()


def filter_edges(b: Batch, keep: torch.Tensor, lay: Layout | None = None) -> Batch:
    """Keep the edges where ``keep`` (``(E,)`` bool) is set, with every edge-level attribute."""
    lay = layout(b) if lay is None else lay
    m = lay.values or attrs(b)
    ei = m["edge_index"]
    host = host_views(keep, ei, lay.edge_slices) if keep.dtype == torch.bool else None
    if host is not None:
        return filter_edges_host(b, host[0], lay)
    # one nonzero, shared by every edge attribute; on the mask's bytes (uint8 view):
    # the same indices, faster than torch's bool nonzero on CPU (docs/performance.md)
    rows = (keep.view(torch.uint8) if keep.dtype == torch.bool else keep).nonzero().flatten()
    # rows is sorted: kept edges before each old slice boundary by binary search, O(G log E), no pass over E
    new_sl = torch.searchsorted(rows, lay.edge_slices.to(rows.device)).cpu()
    values: dict[str, Any] = {"edge_index": select_edges(ei, rows)}
    for key in lay.edge_keys:
        values[key] = m[key].index_select(0, rows)
    slices = dict.fromkeys(("edge_index", *lay.edge_keys), new_sl)
    return with_values(b, values, slices=slices, lay=lay)


def filter_edges_host(
    b: Batch,
    keep: np.ndarray,
    lay: Layout,
    *,
    edge_index: np.ndarray | None = None,
    edge_slices: np.ndarray | None = None,
) -> Batch:
    """:func:`filter_edges` of a small CPU batch with a NumPy bool mask (see :mod:`omniaug.host`; same result, tested).

    The caller checked that ``b``'s edge tensors are CPU tensors (``edge_index`` and
    the edge slices viewable as arrays); it may pass those views (``edge_index``,
    ``edge_slices``) if it has them.
    """
    m = lay.values or attrs(b)
    rows_h = keep.nonzero()[0]
    sl_h = lay.edge_slices.numpy() if edge_slices is None else edge_slices
    ei_h = m["edge_index"].numpy() if edge_index is None else edge_index
    new_sl = torch.from_numpy(rows_h.searchsorted(sl_h))
    rows = torch.from_numpy(rows_h)
    values: dict[str, Any] = {"edge_index": torch.from_numpy(ei_h.take(rows_h, axis=1))}
    # index_select for the attributes (any dtype or device-agnostic layout); a NumPy
    # gather of (E, 3) rows as opaque items was faster alone but not inside a call (measured)
    for key in lay.edge_keys:
        values[key] = m[key].index_select(0, rows)
    slices = dict.fromkeys(("edge_index", *lay.edge_keys), new_sl)
    return with_values(b, values, slices=slices, lay=lay)


def filter_nodes(b: Batch, keep: torch.Tensor, lay: Layout | None = None) -> Batch:
    """Remove the nodes where ``keep`` is False, their edges, and relabel what remains.

    Node-level attributes, the ``batch`` vector, ``ptr``, edge-level attributes
    and the slice/increment bookkeeping are all updated, so pooling and
    ``to_data_list()`` see the smaller graphs.
    """
    lay = layout(b) if lay is None else lay
    if lay.extra_index_keys:
        raise InputError(
            "x",
            "a batch whose only node-index attribute is edge_index (node removal cannot remap "
            f"{', '.join(lay.extra_index_keys)})",
            sorted(lay.extra_index_keys),
            where="filter_nodes",
        )
    keep_l = keep.long()
    node_map = keep_l.cumsum(0) - 1
    ei = b.edge_index
    edge_keep = keep[ei[0]] & keep[ei[1]]
    kept_nodes_before = exclusive_cumsum(keep_l)
    new_ptr = kept_nodes_before[b.ptr]
    new_ptr_cpu = new_ptr.cpu()
    new_edge_sl = exclusive_cumsum(edge_keep)[lay.edge_slices.to(ei.device)].cpu()
    values: dict[str, Any] = {"edge_index": node_map[ei[:, edge_keep]], "batch": b.batch[keep], "ptr": new_ptr}
    for key in lay.node_keys:
        values[key] = b[key][keep]
    for key in lay.edge_keys:
        values[key] = b[key][edge_keep]
    counts_cpu = new_ptr_cpu.diff()
    values.update(_num_nodes_fields(b, counts_cpu))
    slices = dict.fromkeys(lay.node_keys, new_ptr_cpu)
    slices.update(dict.fromkeys(("edge_index", *lay.edge_keys), new_edge_sl))
    out = with_values(b, values, slices=slices, incs={"edge_index": new_ptr_cpu[:-1].clone()})
    _set_num_nodes_list(out, counts_cpu)
    return out


def insert_edges(
    b: Batch,
    src: torch.Tensor,
    dst: torch.Tensor,
    counts: torch.Tensor,
    fill: Mapping[str, float],
    lay: Layout | None = None,
    *,
    default_fill: float = 0.0,
) -> Batch:
    """Append new edges to each graph's edge block, keeping edges grouped by graph.

    ``src``/``dst`` are global node ids of the new edges, grouped by graph in graph
    order; ``counts`` (``(G,)``) says how many belong to each graph. Edge-level
    attributes of new edges get ``fill[key]`` (else ``default_fill``).
    """
    lay = layout(b) if lay is None else lay
    ei = b.edge_index
    device = ei.device
    e_old, m_new = ei.shape[1], src.numel()
    counts = counts.to(device).long()
    new_before = exclusive_cumsum(counts)
    graphs = torch.arange(lay.num_graphs, device=device)
    old_graph = torch.repeat_interleave(graphs, lay.edge_counts.to(device), output_size=e_old)
    new_graph = torch.repeat_interleave(graphs, counts, output_size=m_new)
    pos_old = torch.arange(e_old, device=device) + new_before[old_graph]
    edge_sl_dev = lay.edge_slices.to(device)
    pos_new = edge_sl_dev[new_graph + 1] + torch.arange(m_new, device=device)
    out_ei = ei.new_empty(2, e_old + m_new)
    out_ei[:, pos_old] = ei
    out_ei[:, pos_new] = torch.stack([src, dst]).to(ei.dtype)
    values: dict[str, Any] = {"edge_index": out_ei}
    for key in lay.edge_keys:
        v = b[key]
        out = v.new_empty((e_old + m_new, *v.shape[1:]))
        out[pos_old] = v
        out[pos_new] = torch.as_tensor(fill.get(key, default_fill), dtype=v.dtype, device=v.device)
        values[key] = out
    new_sl = (edge_sl_dev + new_before).cpu()
    return with_values(b, values, slices=dict.fromkeys(("edge_index", *lay.edge_keys), new_sl))


def gather_graphs(sources: Sequence[Batch], source_id: torch.Tensor, source_graph: torch.Tensor) -> Batch:
    """A new batch whose graph ``i`` is graph ``source_graph[i]`` of ``sources[source_id[i]]``.

    Every sliced attribute is gathered with one ``index_select`` over the
    concatenated sources; node-index attributes are shifted to their new offsets
    and the slice/increment bookkeeping, ``batch`` and ``ptr`` are rebuilt.
    """
    base = sources[0]
    keys = list(base._slice_dict.keys())
    for s in sources[1:]:
        if list(s._slice_dict.keys()) != keys:
            raise InputError("part", f"graphs with the attributes {keys}", sorted(s._slice_dict.keys()), where="merge")
    source_id = source_id.cpu().long()
    source_graph = source_graph.cpu().long()
    n_out = int(source_id.numel())

    def per_graph(tables: list[torch.Tensor], shift: list[int] | None = None) -> torch.Tensor:
        out = torch.zeros(n_out, dtype=torch.long)
        for s, table in enumerate(tables):
            sel = source_id == s
            out[sel] = table[source_graph[sel]] + (shift[s] if shift else 0)
        return out

    node_tables = [s._slice_dict["x"] for s in sources]
    node_counts = per_graph([t.diff() for t in node_tables])
    new_node_sl = exclusive_cumsum(node_counts)
    device = base.x.device
    values: dict[str, Any] = {}
    slices: dict[str, torch.Tensor] = {}
    incs: dict[str, Any] = {}
    for key in keys:
        vals = [s[key] for s in sources]
        sls = [s._slice_dict[key] for s in sources]
        v0 = vals[0]
        if isinstance(v0, torch.Tensor):
            dim = base.__cat_dim__(key, v0)
            dim = 0 if dim is None else (dim + v0.dim() if dim < 0 else dim)
            sizes = [int(v.shape[dim]) for v in vals]
            offsets = exclusive_cumsum(torch.tensor(sizes)).tolist()
            starts = per_graph([sl[:-1] for sl in sls], offsets)
            counts = per_graph([sl.diff() for sl in sls])
            full = vals[0] if len(vals) == 1 else torch.cat(vals, dim=dim)
            rows = segment_rows(starts, counts).to(v0.device)
            new = full.index_select(dim, rows)
            inc0 = base._inc_dict.get(key)
            if is_index_key(key):
                old_inc = per_graph([s._inc_dict[key] for s in sources])
                delta = new_node_sl[:-1] - old_inc
                shift = torch.repeat_interleave(delta, counts).to(v0.device)
                shape = [1] * new.dim()
                shape[dim] = -1
                new = new + shift.view(shape).to(new.dtype)
                incs[key] = new_node_sl[:-1].clone()
            elif isinstance(inc0, torch.Tensor):
                incs[key] = torch.zeros(n_out, dtype=inc0.dtype)
            else:
                incs[key] = inc0
            values[key] = new
            slices[key] = exclusive_cumsum(counts)
        else:
            flat: list[Any] = [item for v in vals for item in v]
            list_offsets = exclusive_cumsum(torch.tensor([len(v) for v in vals])).tolist()
            picks = per_graph([torch.arange(len(v)) for v in vals], list_offsets)
            values[key] = [flat[i] for i in picks.tolist()]
            slices[key] = torch.arange(n_out + 1)
            incs[key] = base._inc_dict.get(key)
    graph_ids = torch.arange(n_out, device=device)
    values["batch"] = torch.repeat_interleave(graph_ids, node_counts.to(device))
    values["ptr"] = new_node_sl.to(device)
    values.update(_num_nodes_fields(base, node_counts))
    out = copy.copy(base)
    for key, value in values.items():
        out[key] = value
    out._slice_dict = slices
    out._inc_dict = incs
    out._num_graphs = n_out
    _set_num_nodes_list(out, node_counts)
    return out


def subset_graphs(b: Batch, index: torch.Tensor) -> Batch:
    """Graphs ``index`` of ``b`` as a proper ``Batch`` (vectorized, bookkeeping rebuilt)."""
    index = index.cpu().long()
    return gather_graphs([b], torch.zeros_like(index), index)


def merge_graphs(base: Batch, index: torch.Tensor, part: Batch) -> Batch:
    """A copy of ``base`` whose graphs ``index`` are replaced by the graphs of ``part``."""
    index = index.cpu().long()
    n = int(base.num_graphs)
    source_id = torch.zeros(n, dtype=torch.long)
    source_graph = torch.arange(n)
    source_id[index] = 1
    source_graph[index] = torch.arange(index.numel())
    return gather_graphs([base, part], source_id, source_graph)
