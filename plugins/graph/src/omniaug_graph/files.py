"""Graph files for ``omniaug apply``: one graph per ``.pt`` file, read without running code.

Reading never unpickles arbitrary objects: files are opened with
``torch.load(weights_only=True)``, which only rebuilds tensors, plain containers
and the PyG record classes allowed here. A file whose pickle names anything else
(a class, a function, ``os.system``) is refused with an :class:`InputError`
before any of it runs. Two layouts are read: ``torch.save(data)`` of one PyG
``Data``, and what :func:`encode_graph` writes — ``{"format": "omniaug-graph/1",
"data": data.to_dict()}``, plain tensors and values, loadable anywhere with
``weights_only=True``.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch_geometric.data import Batch, Data
from torch_geometric.data.data import DataEdgeAttr, DataTensorAttr
from torch_geometric.data.storage import GlobalStorage

from omniaug.files import FileCodec, check_paths, file_error, require_paths

__all__ = ["FORMAT", "FILES", "read_graph", "encode_graph", "load_graphs", "save_graphs"]

FORMAT = "omniaug-graph/1"
_SAFE_GLOBALS = [Data, DataEdgeAttr, DataTensorAttr, GlobalStorage]
_EXPECTED = "a graph file written by omniaug or by torch.save(Data) (read with weights_only=True)"


def read_graph(path: Path) -> Data:
    """One ``.pt`` file → a PyG ``Data``, safely (see the module doc)."""
    try:
        with torch.serialization.safe_globals(_SAFE_GLOBALS):
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, AttributeError, TypeError, OSError) as exc:
        raise file_error(path, _EXPECTED, exc, where="graph.load") from None
    if isinstance(obj, Mapping) and obj.get("format") == FORMAT and isinstance(obj.get("data"), Mapping):
        try:
            return Data(**dict(obj["data"]))
        except Exception as exc:
            raise file_error(path, _EXPECTED, exc, where="graph.load") from None
    if isinstance(obj, Data) and not isinstance(obj, Batch):
        return obj
    raise file_error(path, _EXPECTED, f"holding {type(obj).__name__}", where="graph.load")


def encode_graph(graph: Data) -> bytes:
    """The bytes of a graph file: plain tensors and values only (byte-identical for equal graphs)."""
    buf = io.BytesIO()
    torch.save({"format": FORMAT, "data": graph.cpu().to_dict()}, buf)
    return buf.getvalue()


def load_graphs(paths: Sequence[Path]) -> Batch:
    """Read graph files (see :func:`read_graph`) into a ``Batch``."""
    return Batch.from_data_list([read_graph(p) for p in require_paths(paths, "graph file", where="graph.load")])


def save_graphs(payload: Data | Batch, paths: Sequence[Path]) -> None:
    """Write each graph of ``payload`` to its path (the format :func:`read_graph` reads)."""
    graphs = payload.to_data_list() if isinstance(payload, Batch) else [payload]
    for g, path in zip(graphs, check_paths(paths, len(graphs), where="graph.save")):
        path.write_bytes(encode_graph(g))


def _probe(path: Path, options: Mapping[str, Any]) -> tuple[Hashable, int]:
    return None, 1  # graphs of any size batch together


def _read(path: Path, options: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    return [read_graph(path)], {}


def _collate(samples: list[Any]) -> Batch:
    return Batch.from_data_list(samples)


def _encode(samples: list[Any], meta: dict[str, Any], target: Path, options: Mapping[str, Any]) -> bytes:
    (sample,) = samples
    graph = sample.to_data_list()[0] if isinstance(sample, Batch) else sample
    return encode_graph(graph)


FILES = FileCodec(
    patterns=("*.pt",),
    probe=_probe,
    read=_read,
    collate=_collate,
    encode=_encode,
    preserves=(
        "Every attribute of the graph (node and edge tensors, labels, extra attributes) with its dtype; "
        "the file is written as plain tensors and values, readable with torch.load(weights_only=True)."
    ),
)
