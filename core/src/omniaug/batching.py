"""Batch utilities shared by every modality; device-agnostic, no modality names.

A *payload* is what an augmentation receives: a tensor with a leading batch
dimension, a list with one entry per sample, a dict or a dataclass whose fields are
such things, or any object whose modality supplies its own ``subset``/``merge``.
The generic functions here walk that structure:

* ``subset(x, index)`` takes samples ``index`` (a 1-D ``LongTensor``) out of ``x``;
* ``merge(base, index, part)`` returns a copy of ``base`` with samples ``index``
  replaced by ``part`` (out of place; ``base`` is never mutated).

Fields that are not per-sample (ints, floats, strings such as a sample rate) are
kept as they are. Tensors must have the batch in dimension 0.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import torch

from .errors import InputError

__all__ = [
    "subset",
    "merge",
    "batch_size_of",
    "apply_on_subset",
    "where_samples",
    "lengths_to_mask",
    "pad_sequences",
    "unpad",
    "chunked",
    "iter_chunks",
    "scatter_into",
    "put_rows",
    "tree_allclose",
    "any_requires_grad",
    "tree_clone",
    "tree_to",
    "CheckedTensors",
    "all_selected",
    "is_all_selected",
    "mask_scans",
]

T = TypeVar("T")


def _is_dataclass_instance(x: Any) -> bool:
    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def _index_list(x: Sequence[Any], index: torch.Tensor) -> list[Any]:
    return [x[i] for i in index.tolist()]


def _wide_rows(t: torch.Tensor) -> torch.Tensor | None:
    """A contiguous CPU tensor's samples as ``(B, k)`` rows of 8-byte words (None when that view does not exist).

    Gathering and scattering whole samples moves bytes only, and torch's CPU indexing
    kernels cost per element: a uint8 image batch seen as int64 words is indexed
    several times faster (docs/performance.md). The bytes moved are the same.
    """
    if t.device.type != "cpu" or t.dim() < 2 or not t.is_contiguous() or t.dtype == torch.bool or t.requires_grad:
        return None
    if t.shape[0] == 0:
        return None
    row_bytes = t[0].numel() * t.element_size()
    if row_bytes == 0 or row_bytes % 8 or t.element_size() >= 8 or t.is_complex() or t.is_quantized:
        return None
    if t.storage_offset() * t.element_size() % 8:
        return None
    return t.reshape(t.shape[0], -1).view(torch.int64)


#: rows at least this large (bytes) are gathered and merged as slices (:func:`_row_runs`)
RUN_MIN_ROW_BYTES = 2048


def _row_runs(t: torch.Tensor, index: torch.Tensor) -> list[tuple[int, int]] | None:
    """``index`` (ascending, no repeats) as maximal runs ``[(start, stop), ...]`` of consecutive rows of ``t``.

    None — use indexing — unless ``t`` is a CPU tensor (no grad) of rows of at least
    :data:`RUN_MIN_ROW_BYTES` and the plain kernels are not asked for. torch's CPU
    indexing kernels cost per element (even as 8-byte words, :func:`_wide_rows`),
    while ``torch.cat`` of ``k`` slices is ``k`` memcpys: for image rows it is several
    times faster (docs/performance.md). The rows moved are the same.
    """
    if t.device.type != "cpu" or t.dim() < 1 or t.requires_grad or index.device.type != "cpu" or index.dim() != 1:
        return None
    n = t.shape[0]
    if n == 0 or index.numel() == 0 or (t.numel() // n) * t.element_size() < RUN_MIN_ROW_BYTES:
        return None
    from .fusion import reference_kernels

    if reference_kernels():
        return None
    rows = index.tolist()
    runs: list[tuple[int, int]] = []
    start = prev = rows[0]
    if start < 0:
        return None
    for i in rows[1:]:
        if i != prev + 1:
            if i <= prev:  # not ascending (or repeated): indexing keeps its order
                return None
            runs.append((start, prev + 1))
            start = i
        prev = i
    if prev >= n:
        return None
    runs.append((start, prev + 1))
    return runs


def _one_thread() -> Any:
    """:func:`omniaug.parallel.single_thread`: a copy is memory-bound, and on a shared machine the OpenMP
    barrier of a two-thread copy can wait far longer than the copy for a descheduled partner
    (docs/performance.md, ``omniaug.parallel``)."""
    from .parallel import single_thread

    return single_thread()


def subset(x: Any, index: torch.Tensor) -> Any:
    """Samples ``index`` of payload ``x`` (see module docstring)."""
    if x is None:
        return x
    if isinstance(x, torch.Tensor):
        if x.dim() == 0:
            return x
        runs = _row_runs(x, index)
        if runs is not None:  # whole rows copied as a few slices (one memcpy each)
            with _one_thread():
                return torch.cat([x[a:b] for a, b in runs])
        # Advanced indexing, not index_select: on CPU, index_select of large rows is
        # many times slower (see docs/performance.md, "Design measurements").
        rows = _wide_rows(x)
        if rows is None:
            return x[index.to(x.device)]
        return rows[index.to(x.device)].view(x.dtype).view(-1, *x.shape[1:])
    if isinstance(x, list):
        return _index_list(x, index)  # type: ignore[return-value]
    if isinstance(x, tuple) and not hasattr(x, "_fields"):
        return _index_list(x, index)  # type: ignore[return-value]
    if isinstance(x, Mapping):
        return type(x)({k: subset(v, index) for k, v in x.items()})  # type: ignore[call-arg]
    if _is_dataclass_instance(x):
        changes = {f.name: subset(getattr(x, f.name), index) for f in dataclasses.fields(x) if f.init}
        return dataclasses.replace(x, **changes)  # type: ignore[type-var]
    return x  # scalars and other shared values


def merge(base: Any, index: torch.Tensor, part: Any) -> Any:
    """A copy of ``base`` whose samples ``index`` are replaced by ``part``."""
    if base is None:
        return part
    if isinstance(base, torch.Tensor):
        if base.dim() == 0:
            return base
        assert isinstance(part, torch.Tensor)
        if part.shape[1:] != base.shape[1:]:
            raise InputError(
                "part",
                f"per-sample shape {tuple(base.shape[1:])} (an op inside a per-sample container "
                "changed the sample shape, which cannot be merged back into the batch)",
                part,
                where="merge",
            )
        part = part.to(base.dtype)
        runs = _row_runs(base, index)
        if runs is not None and part.device == base.device and not part.requires_grad:
            # one pass: the output is written once, from slices of base and part in row order
            # (instead of a copy of base and then a scatter of part over it)
            pieces, prev, j = [], 0, 0
            for a, b in runs:
                if a > prev:
                    pieces.append(base[prev:a])
                pieces.append(part[j : j + b - a])
                j, prev = j + b - a, b
            if prev < base.shape[0]:
                pieces.append(base[prev:])
            with _one_thread():
                out = torch.cat(pieces)
                return out if out.is_contiguous() else out.contiguous()  # as the clone below
        out = base.clone(memory_format=torch.contiguous_format)
        rows, part_rows = _wide_rows(out), _wide_rows(part)
        if rows is None or part_rows is None:
            out[index.to(base.device)] = part
        else:
            rows[index.to(base.device)] = part_rows
        return out
    if isinstance(base, (list, tuple)) and not hasattr(base, "_fields"):
        items = list(base)
        for j, i in enumerate(index.tolist()):
            items[i] = part[j]  # type: ignore[index]
        return items if isinstance(base, list) else type(base)(items)  # type: ignore[return-value]
    if isinstance(base, Mapping):
        assert isinstance(part, Mapping)
        return type(base)({k: merge(v, index, part[k]) for k, v in base.items()})  # type: ignore[call-arg]
    if _is_dataclass_instance(base):
        changes = {
            f.name: merge(getattr(base, f.name), index, getattr(part, f.name))
            for f in dataclasses.fields(base)
            if f.init
        }
        return dataclasses.replace(base, **changes)  # type: ignore[type-var]
    return base


def put_rows(out: torch.Tensor, index: torch.Tensor, part: torch.Tensor) -> torch.Tensor:
    """Write ``part`` into rows ``index`` of ``out`` **in place** (``out[index] = part``); return ``out``.

    For a kernel's own buffers only (never a caller's tensor): the out-of-place
    :func:`merge` copies the whole batch each time. Rows of CPU tensors move as
    slices of consecutive rows (:func:`_row_runs`), like :func:`subset`.
    """
    runs = _row_runs(out, index)
    if runs is None or part.requires_grad or part.device != out.device:
        out[index.to(out.device)] = part.to(out.dtype)
        return out
    with _one_thread():
        j = 0
        for a, b in runs:
            out[a:b].copy_(part[j : j + b - a])
            j += b - a
    return out


def scatter_into(part: Any, index: torch.Tensor, batch_size: int) -> Any:
    """Spread a payload of ``len(index)`` samples into a batch of ``batch_size``.

    Rows not in ``index`` are zeros (tensors), ``False`` (bool tensors) or ``None``
    (lists): ``subset(scatter_into(p, idx, n), idx)`` returns ``p`` again. Used to
    keep the params of a branch that ran on a subset aligned with the full batch.
    """
    if isinstance(part, torch.Tensor):
        if part.dim() == 0:
            return part
        out = part.new_zeros((batch_size, *part.shape[1:]))
        if not part.requires_grad:
            return put_rows(out, index, part)  # large CPU rows: one slice copy per run of consecutive rows
        return out.index_copy(0, index.to(part.device), part)
    if isinstance(part, list):
        out_list: list[Any] = [None] * batch_size
        for j, i in enumerate(index.tolist()):
            out_list[i] = part[j]
        return out_list
    if isinstance(part, Mapping):
        return type(part)({k: scatter_into(v, index, batch_size) for k, v in part.items()})  # type: ignore[call-arg]
    return part


def batch_size_of(x: Any) -> int:
    """The batch size of a generic payload: the first tensor's dim 0 or a list's length."""
    if isinstance(x, torch.Tensor):
        if x.dim() == 0:
            raise InputError("x", "a batched tensor (batch in dimension 0)", x)
        return int(x.shape[0])
    if isinstance(x, (list, tuple)) and not hasattr(x, "_fields"):
        return len(x)
    if isinstance(x, Mapping):
        for v in x.values():
            try:
                return batch_size_of(v)
            except InputError:
                continue
    if _is_dataclass_instance(x):
        for f in dataclasses.fields(x):
            try:
                return batch_size_of(getattr(x, f.name))
            except InputError:
                continue
    raise InputError("x", "a tensor, list, dict or dataclass holding a batch", x)


def apply_on_subset(
    x: T,
    mask: torch.Tensor,
    fn: Callable[[T, torch.Tensor], T],
    *,
    subset_fn: Callable[[Any, torch.Tensor], Any] = subset,
    merge_fn: Callable[[Any, torch.Tensor, Any], Any] = merge,
) -> T:
    """Run ``fn(subset(x, idx), idx)`` on the samples where ``mask`` is True and merge back.

    Gather → op → scatter: ``fn`` runs once, vectorized, on the selected samples.
    When every sample is selected ``x`` goes through whole; when none is, ``x`` is
    returned unchanged. Finding the selected samples costs one device sync.
    """
    if mask.numel() and mask in _ALL_SELECTED:  # p = 1: the whole batch, without reading the mask
        return fn(x, torch.arange(mask.numel(), device=mask.device))
    _SCANS.count = getattr(_SCANS, "count", 0) + 1
    idx = mask.nonzero().flatten()
    n = idx.numel()
    if n == 0:
        return x
    if n == mask.numel():
        return fn(x, idx)
    part = fn(subset_fn(x, idx), idx)
    return merge_fn(x, idx, part)


def where_samples(mask: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Per-sample select: ``a[i]`` where ``mask[i]`` else ``b[i]`` (no device sync)."""
    return torch.where(mask.reshape(-1, *([1] * (a.dim() - 1))), a, b)


def lengths_to_mask(lengths: torch.Tensor, max_len: int) -> torch.Tensor:
    """``(B,)`` valid lengths → ``(B, max_len)`` boolean mask of valid positions."""
    positions = torch.arange(max_len, device=lengths.device)
    return positions.unsqueeze(0) < lengths.reshape(-1, 1)


def pad_sequences(
    sequences: Sequence[torch.Tensor], *, value: float = 0.0, dim: int = -1
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack variable-length tensors padded along ``dim`` with ``value``; return ``(batch, lengths)``."""
    if not sequences:
        raise InputError("sequences", "a non-empty sequence of tensors", sequences)
    ref = sequences[0]
    d = dim % ref.dim()
    lengths = torch.tensor([s.shape[d] for s in sequences], device=ref.device)
    max_len = max(s.shape[d] for s in sequences)
    out_shape = list(ref.shape)
    out_shape[d] = max_len
    out = ref.new_full((len(sequences), *out_shape), value)
    for i, s in enumerate(sequences):  # collation of a Python list, not a batch op
        out[i].narrow(d, 0, s.shape[d]).copy_(s)
    return out, lengths


def unpad(batch: torch.Tensor, lengths: torch.Tensor, *, dim: int = -1) -> list[torch.Tensor]:
    """Inverse of :func:`pad_sequences`: a list of per-sample tensors trimmed to their lengths."""
    d = dim % (batch.dim() - 1)
    return [batch[i].narrow(d, 0, int(n)) for i, n in enumerate(lengths.tolist())]


def iter_chunks(batch_size: int, chunk_size: int) -> Iterator[torch.Tensor]:
    """Index tensors covering ``range(batch_size)`` in chunks of at most ``chunk_size``."""
    if chunk_size <= 0:
        raise InputError("chunk_size", "a positive integer", chunk_size)
    for start in range(0, batch_size, chunk_size):
        yield torch.arange(start, min(start + chunk_size, batch_size))


def chunked(
    fn: Callable[[Any], Any],
    x: Any,
    chunk_size: int,
    *,
    concat: Callable[[list[Any]], Any] | None = None,
) -> Any:
    """Apply ``fn`` to ``x`` in chunks of ``chunk_size`` samples to bound peak memory.

    ``concat`` joins the chunk results (default: ``torch.cat`` for tensors, list
    concatenation for lists). Randomness: pass a generator to ``fn`` via a closure;
    the chunks then consume it in order, so the result is reproducible but not equal
    to one unchunked call.
    """
    n = batch_size_of(x)
    if n <= chunk_size:
        return fn(x)
    results = [fn(subset(x, idx)) for idx in iter_chunks(n, chunk_size)]
    if concat is not None:
        return concat(results)
    if isinstance(results[0], torch.Tensor):
        return torch.cat(results, dim=0)
    if isinstance(results[0], list):
        return [item for r in results for item in r]
    raise InputError("concat", "a function joining chunk results of this payload type", results[0])


def tree_clone(x: Any) -> Any:
    """A deep copy of a payload's tensors (for mutation checks)."""
    if isinstance(x, torch.Tensor):
        return x.clone()  # type: ignore[return-value]
    if isinstance(x, list):
        return [tree_clone(v) for v in x]  # type: ignore[return-value]
    if isinstance(x, tuple) and not hasattr(x, "_fields"):
        return tuple(tree_clone(v) for v in x)  # type: ignore[return-value]
    if isinstance(x, Mapping):
        return type(x)({k: tree_clone(v) for k, v in x.items()})  # type: ignore[call-arg]
    if _is_dataclass_instance(x):
        return dataclasses.replace(
            x, **{f.name: tree_clone(getattr(x, f.name)) for f in dataclasses.fields(x) if f.init}
        )  # type: ignore[type-var]
    return x


def any_requires_grad(x: Any) -> bool:
    """Whether any tensor of a payload (tensor, list, tuple, mapping, dataclass) requires grad."""
    if isinstance(x, torch.Tensor):
        return x.requires_grad
    if isinstance(x, (list, tuple)):
        if not x or isinstance(x[0], (str, bytes, int, float)):  # text, code, ids: nothing to look at
            return False
        return any(any_requires_grad(v) for v in x)
    if isinstance(x, Mapping):
        return any(any_requires_grad(v) for v in x.values())
    if _is_dataclass_instance(x):
        return any(any_requires_grad(getattr(x, f.name)) for f in dataclasses.fields(x))
    return False


def tree_to(x: Any, device: torch.device | str) -> Any:
    """Move every tensor of a payload to ``device``."""
    if isinstance(x, torch.Tensor):
        return x.to(device)  # type: ignore[return-value]
    if isinstance(x, list):
        return [tree_to(v, device) for v in x]  # type: ignore[return-value]
    if isinstance(x, tuple) and not hasattr(x, "_fields"):
        return tuple(tree_to(v, device) for v in x)  # type: ignore[return-value]
    if isinstance(x, Mapping):
        return type(x)({k: tree_to(v, device) for k, v in x.items()})  # type: ignore[call-arg]
    if _is_dataclass_instance(x):
        return dataclasses.replace(
            x, **{f.name: tree_to(getattr(x, f.name), device) for f in dataclasses.fields(x) if f.init}
        )  # type: ignore[type-var]
    if hasattr(x, "to") and callable(x.to):
        return x.to(device)
    return x


def tree_allclose(a: Any, b: Any, *, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    """Structural equality of two payloads, tensors compared with ``allclose`` (and equal dtype)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype == torch.bool or not (a.is_floating_point() or a.is_complex()):
            return bool(torch.equal(a, b))
        return bool(torch.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(tree_allclose(x, y, rtol=rtol, atol=atol) for x, y in zip(a, b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(tree_allclose(a[k], b[k], rtol=rtol, atol=atol) for k in a)
    if _is_dataclass_instance(a) and _is_dataclass_instance(b):
        return type(a) is type(b) and all(
            tree_allclose(getattr(a, f.name), getattr(b, f.name), rtol=rtol, atol=atol) for f in dataclasses.fields(a)
        )
    return bool(a == b)


class CheckedTensors:
    """Remembers tensors with a property known without reading them, until they are changed in place.

    An entry holds a weak reference and torch's version counter, which every in-place
    change bumps, so a modified tensor drops out and so does a freed one. At most
    ``capacity`` tensors are remembered (the most recent ones).

    Writes through a NumPy view (``t.numpy()[:] = nan``) or any other alias outside
    torch do not bump the version counter: this suits data the library made itself
    (the all-selected masks). Validation of the caller's data goes through
    :mod:`omniaug.validation`, whose record lasts one op call.
    """

    def __init__(self, capacity: int = 64) -> None:
        self.capacity = capacity
        self._entries: dict[int, tuple[weakref.ref[torch.Tensor], int]] = {}

    def add(self, t: torch.Tensor) -> torch.Tensor:
        """Remember ``t`` as checked; return it."""
        key = id(t)
        self._entries.pop(key, None)
        while len(self._entries) >= self.capacity:
            self._entries.pop(next(iter(self._entries)))

        def forget(_: weakref.ref[torch.Tensor], k: int = key) -> None:
            self._entries.pop(k, None)

        self._entries[key] = (weakref.ref(t, forget), t._version)
        return t

    def __contains__(self, t: object) -> bool:
        if not isinstance(t, torch.Tensor):
            return False
        entry = self._entries.get(id(t))
        return entry is not None and entry[0]() is t and entry[1] == t._version


#: all-True apply masks made by :func:`all_selected` (until changed in place or freed)
_ALL_SELECTED = CheckedTensors(capacity=256)
#: per-thread count of masks :func:`apply_on_subset` had to read (see :func:`mask_scans`)
_SCANS = threading.local()


def all_selected(n: int, device: torch.device | str) -> torch.Tensor:
    """An all-True ``(n,)`` apply mask that :func:`apply_on_subset` recognises without reading it.

    The p = 1 shortcut: the mask of an op that is always applied is made here, so the
    masked path hands the whole batch to the kernel with no ``nonzero()`` (a device
    sync on GPU) and no gather/scatter, for every op whatever it overrides. A mask
    changed in place afterwards is read again (torch's version counter).
    """
    return _ALL_SELECTED.add(torch.ones(n, dtype=torch.bool, device=device))


def is_all_selected(mask: Any) -> bool:
    """Whether ``mask`` is an unchanged mask from :func:`all_selected`."""
    return mask in _ALL_SELECTED


def mask_scans() -> int:
    """How many apply masks :func:`apply_on_subset` has read on this thread (the contract suite's p = 1 check)."""
    return int(getattr(_SCANS, "count", 0))
