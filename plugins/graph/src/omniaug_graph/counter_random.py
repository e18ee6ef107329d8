"""Counter-based random numbers: per-element draws keyed by a per-graph seed.

A graph op needs random values per node, per edge or per node pair, but its
params must have one row per *graph* so that they slice per sample (the core's
"batch result == per-sample results with sliced params" invariant). So each graph
gets a seed from the core's per-sample seed facility (:func:`omniaug.rng.sample_seeds`,
63 bits from the caller's generator), an op's per-graph key is the low 32 bits of
:func:`omniaug.rng.derive_seeds` ``(seed, salt)`` (the core's SplitMix64 derivation,
once per graph), and every element's value is a 32-bit hash of ``(key, local
counters)`` — e.g. the node's index inside its graph. The result depends only on the graph and the element, never on where
the graph sits in the batch, so a graph alone reproduces its batch result exactly;
and an undirected edge can be keyed by its unordered endpoint pair so that an edge
and its reverse get the same draw without any sorting or matching.

The per-element mixer is Chris Wellons' ``lowbias32`` (two multiply–xorshift
rounds), cheaper per element than a 64-bit mix: computed on ``int64`` holding 32-bit
values (:func:`_mix32`, the low 32 bits of every product are exact) or in place on
32-bit patterns (:func:`_mix32_`), so the result is identical on every device.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from omniaug import rng
from omniaug.host import host_views, namespace

__all__ = [
    "KEY_HIGH",
    "draw_seeds",
    "graph_keys",
    "hash32",
    "hash_counters",
    "hash_pair",
    "pair_keep_small",
    "hashed_normal",
    "hashed_uniform",
    "scalar_mul",
    "to_uniform",
]

#: per-graph keys (:func:`graph_keys`) and element hashes are in ``[0, KEY_HIGH)``
KEY_HIGH = 2**32
_M32 = 0xFFFFFFFF


def draw_seeds(n: int, *, generator: torch.Generator | None, device: torch.device | str = "cpu") -> torch.Tensor:
    """``n`` per-graph seeds (``int64`` in ``[0, 2**63)``): :func:`omniaug.rng.sample_seeds`.

    Drawn on the generator's device and then moved, so a generator gives the same
    seeds whatever the batch's device; a keyed generator gives each graph its own.
    """
    return rng.sample_seeds(n, generator=generator, device=device)


def scalar_mul(x: Any, c: int) -> Any:
    """``x * c`` for an integer tensor (or NumPy array) and a Python int.

    The constant is wrapped in a 0-d tensor: in this torch build, ``int64_tensor *
    python_int`` takes a slow non-vectorized path (orders of magnitude slower). The
    0-d tensors of the hash constants are cached (read-only operands; bounded, since
    some callers pass data-dependent factors): building one is a noticeable share
    of an op on a small batch. NumPy arrays multiply directly
    (their integer products wrap modulo 2**64 like torch's).
    """
    if isinstance(x, np.ndarray):
        return x * c
    key = (c, x.dtype, x.device)
    const = _CONSTANTS.get(key)
    if const is None:
        const = torch.tensor(c, dtype=x.dtype, device=x.device)
        if len(_CONSTANTS) < 64:
            _CONSTANTS[key] = const
    return x * const


_CONSTANTS: dict[tuple[int, torch.dtype, torch.device], torch.Tensor] = {}


def _mix32(x: Any) -> Any:
    # Written for int64 tensors and int64 NumPy arrays alike (same operators, same bits).
    # x < 2**32 and the constants < 2**32, so each product is the exact low 64 bits
    # of the true product (integer multiplication wraps modulo 2**64 on every torch
    # backend); masking keeps its low 32 bits, which is all lowbias32 needs.
    x = x ^ (x >> 16)
    x = scalar_mul(x, 0x7FEB352D) & _M32
    x = x ^ (x >> 15)
    x = scalar_mul(x, 0x846CA68B) & _M32
    return x ^ (x >> 16)


def graph_keys(seed: torch.Tensor, salt: int) -> torch.Tensor:
    """An op's 32-bit keys from seeds: the low 32 bits of ``rng.derive_seeds(seed, salt)`` (``int64``).

    Once per graph, before gathering to elements. Small CPU batches mix in NumPy
    (:mod:`omniaug.host`): a few dozen numbers, pure dispatch cost in torch.
    """
    host = host_views(seed) if seed.dtype == torch.long else None
    if host is not None:
        return torch.from_numpy(rng.derive_seeds(host[0], salt) & _M32)
    return rng.derive_seeds(seed, salt) & _M32


def hash32(seed: torch.Tensor, salt: int, *counters: torch.Tensor) -> torch.Tensor:
    """A 32-bit hash (``int64`` in ``[0, 2**32)``) of a seed, a salt and integer counters (broadcast)."""
    return hash_counters(graph_keys(seed, salt), *counters)


def hash_counters(keys: torch.Tensor, *counters: torch.Tensor) -> torch.Tensor:
    """Hash integer counters into keys from :func:`graph_keys` (one mixing round per counter)."""
    h = keys
    for c in counters:
        h = _mix32(h ^ (c & _M32))
    return h


def hash_pair(
    keys: torch.Tensor, a: torch.Tensor, b: torch.Tensor, *, small: bool, packed: bool = False
) -> torch.Tensor:
    """Hash a pair of local indices; one mixing round when both are below 2**16 (``small``).

    The small form mixes ``(key + ((a << 16) | b)) mod 2**32``: an addition (not a
    XOR) so that a per-graph node offset can be folded into the key once per graph
    (see :func:`pair_keep_small`). With ``packed=True``, ``a`` already holds
    ``(a << 16) | b`` (``b`` is ignored).
    """
    if small:
        return _mix32((keys + (a if packed else ((a << 16) | b))) & _M32)
    return hash_counters(keys, a, b)


# lowbias32's rounds (right shift, multiplier) for 32-bit patterns: NumPy uint32, and torch
# int32 holding the same bits (the second multiplier as its int32 pattern, above 2**31 - 1)
_ROUNDS_U32 = ((16, np.uint32(0x7FEB352D)), (15, np.uint32(0x846CA68B)), (16, None))
_ROUNDS_I32 = ((16, 0x7FEB352D), (15, 0x846CA68B - (1 << 32)), (16, None))


def _mix32_(x: Any, tmp: Any) -> Any:
    """:func:`_mix32` in place on 32-bit patterns: a NumPy ``uint32`` array or a torch ``int32`` tensor.

    One formula for both namespaces (bit-identical to :func:`_mix32`, tested). Why
    32-bit: half the memory traffic of the int64 form and no masking after each
    product (32-bit multiplication wraps modulo 2**32, exactly the low 32 bits
    lowbias32 keeps), several times faster on the per-edge hot path of DropEdge
    (docs/performance.md, "Design measurements"). torch has no uint32 arithmetic, so
    its int32 right shift copies the sign bit, which a mask removes (a logical
    shift). ``tmp`` is scratch of ``x``'s shape, so the whole mix allocates nothing.
    """
    xp = namespace(x)
    signed = xp is torch
    for shift, mult in _ROUNDS_I32 if signed else _ROUNDS_U32:
        xp.bitwise_right_shift(x, shift, out=tmp)
        if signed:
            xp.bitwise_and(tmp, (1 << (32 - shift)) - 1, out=tmp)
        xp.bitwise_xor(x, tmp, out=x)
        if mult is not None:
            xp.multiply(x, mult, out=x)  # a Python-int factor is fast for int32 (unlike int64, see scalar_mul)
    return x


def _as_int32_bits(v: torch.Tensor) -> torch.Tensor:
    """``int64`` values → ``int32`` tensors holding their low 32 bits (the cast wraps modulo 2**32, tested)."""
    return v.to(torch.int32)


def pair_keep_small(
    edge_index: torch.Tensor,
    edge_graph: torch.Tensor,
    keys: torch.Tensor,
    ptr: torch.Tensor,
    threshold: torch.Tensor,
    *,
    undirected: bool,
    edge_slices: torch.Tensor | None = None,
) -> torch.Tensor:
    """Per-edge ``to_uniform(hash_pair(key_g, a, b, small=True)) >= threshold_g`` on a whole batch.

    ``a``/``b`` are the edge's local endpoint ids (``(min, max)`` when ``undirected``),
    which must be below 2**16, and the batch's global ids below 2**31.
    ``threshold`` (``(G,)`` float) is each graph's rate; ``keys`` come from
    :func:`graph_keys`; ``edge_slices`` (optional, ``(G + 1,)``) are the edge
    offsets ``edge_graph`` was made from. Bit-identical to the generic form (tested), but computed
    in place on an int32 copy of ``edge_index`` plus one scratch row: the
    global→local offset is folded into the key once per graph (``(a_global << 16) + b_global - ptr_g · (2**16 + 1) + key_g``
    is ``key_g + local code`` modulo 2**32), so per edge it costs one gather and
    about fifteen in-place int32 passes instead of ~25 allocating int64 ones.
    Small CPU batches take the same steps in NumPy (:func:`_pair_keep_small_host`).
    """
    host = host_views(edge_graph, edge_index, keys, ptr, threshold)
    if host is not None:
        eg_h, ei_h, keys_h, ptr_h, thr_h = host
        sl_h = edge_slices.numpy() if edge_slices is not None and edge_slices.device.type == "cpu" else None
        return torch.from_numpy(
            _pair_keep_small_host(ei_h, eg_h, keys_h, ptr_h, thr_h, undirected=undirected, edge_slices=sl_h)
        )
    # One narrowing copy first: min/max on int32 read half the bytes, and writing an
    # int64 op's result into an int32 ``out=`` is slower than both steps together.
    # Then everything runs in place in that copy and one scratch row: fewer fresh
    # allocations means fewer page faults, which dominated at thousands of graphs.
    ends = edge_index.to(torch.int32, copy=True)  # always our own copy: it is overwritten below
    x, second, scratch = ends[0], ends[1], torch.empty_like(ends[1])
    if undirected:
        torch.maximum(x, second, out=scratch)
        torch.minimum(x, second, out=x)  # in place: each element reads only its own inputs
        second, scratch = scratch, second
    folded = _as_int32_bits(keys - scalar_mul(ptr[:-1], (1 << 16) + 1))
    x.bitwise_left_shift_(16).add_(second)
    x.add_(torch.index_select(folded, 0, edge_graph, out=second))
    _mix32_(x, second)
    # keep iff to_uniform(h) >= rate  <=>  (h >>> 8) >= ceil(rate · 2**24) (exact: u has 24 bits)
    torch.bitwise_right_shift(x, 8, out=second)
    second.bitwise_and_(0xFFFFFF)
    cut = torch.ceil(threshold * float(1 << 24)).to(torch.int32)
    return second >= torch.index_select(cut, 0, edge_graph, out=scratch)


def _pair_keep_small_host(
    edge_index: np.ndarray,
    edge_graph: np.ndarray | None,
    keys: np.ndarray,
    ptr: np.ndarray | None,
    threshold: np.ndarray,
    *,
    undirected: bool,
    edge_slices: np.ndarray | None = None,
    folded: bool = False,
) -> np.ndarray:
    """:func:`pair_keep_small` in NumPy ``uint32`` (bit-identical, tested).

    ``folded=True``: ``keys`` are already the ``uint32`` keys with the node offsets
    folded in (``ptr`` unused) and ``edge_slices`` must be given.

    Why: on a small batch the torch form is ~20 ops, each paying torch's fixed dispatch
    cost, on a few thousand edges; NumPy's dispatch is a fraction of that, and ``uint32``
    has the logical shift and wrapping product lowbias32 wants (no masks). With
    ``edge_slices`` (the batch's edge offsets, which ``edge_graph`` was made from),
    per-graph values reach the edges by a repeat, cheaper than a gather.
    """
    if edge_slices is None:

        def per_edge(v: np.ndarray) -> np.ndarray:
            return v.take(edge_graph)  # array methods: no Python wrapper to pay for
    else:
        counts = edge_slices[1:] - edge_slices[:-1]

        def per_edge(v: np.ndarray) -> np.ndarray:
            return v.repeat(counts)

    ends = edge_index.astype(np.uint32)  # values < 2**31: exact; min/max then read half the bytes
    x, second = ends[0], ends[1]
    if undirected:
        lo = np.minimum(x, second)
        np.maximum(x, second, out=second)
        x = lo
    # the per-graph offset folded into the key, as in the torch form (modulo 2**32)
    if not folded:
        keys = ((keys - ptr[:-1] * ((1 << 16) + 1)) & _M32).astype(np.uint32)
    np.left_shift(x, 16, out=x)
    x += second
    x += per_edge(keys)
    _mix32_(x, second)
    first = float(threshold[0]) if threshold.shape[0] else math.nan
    if 0.0 <= first <= 1.0 and (threshold == threshold[0]).all():
        # one rate for every graph (a fixed rate): one number, no per-edge cut and no shift, as
        # (h >>> 8) >= c  <=>  h >= c · 2**8 for c < 2**24 (c = 2**24 keeps nothing); the cut is
        # computed in Python (rate · 2**24 is exact in float32 and in float64 alike)
        c = math.ceil(first * (1 << 24))
        return x >= np.uint32(c << 8) if c < (1 << 24) else np.zeros(x.shape, dtype=bool)
    # a cut outside [0, 2**24] keeps all / no edges either way; clipped so the uint32 cast is exact
    # (two ufuncs in place: ndarray.clip goes through a Python wrapper)
    cut = np.ceil(threshold * np.float32(1 << 24))
    np.minimum(np.maximum(cut, 0, out=cut), 1 << 24, out=cut)
    np.right_shift(x, 8, out=x)
    return x >= per_edge(cut.astype(np.uint32))


def drop_edge_keep_host(
    edge_index: np.ndarray,
    edge_slices: np.ndarray,
    ptr: np.ndarray,
    seed: np.ndarray,
    rate: np.ndarray,
    salt: int,
    *,
    undirected: bool,
) -> np.ndarray:
    """DropEdge's whole keep decision on host arrays: ``graph_keys`` + :func:`pair_keep_small` in one pass.

    Bit-identical to ``pair_keep_small(edge_index, ., graph_keys(seed, salt), ptr, rate, ...)``
    (tested). Why one function: on a batch of 16 small graphs the separate steps
    cost mostly per-call overhead (tensor↔array views, int64 key mixing with
    masks, a per-edge graph-id vector that the repeat below does not need); here
    the per-graph keys (:func:`graph_keys`) are cast to ``uint32`` and folded with
    the node offsets before one repeat to the edges.
    """
    # the C cast keeps the low 32 bits: graph_keys' `& 0xFFFFFFFF`
    keys = rng.derive_seeds(seed, salt).astype(np.uint32)
    tmp = np.empty_like(keys)
    # (key_g - ptr_g · (2**16 + 1)) mod 2**32, as in pair_keep_small (uint32 wraps)
    keys -= np.multiply(ptr[:-1], (1 << 16) + 1, dtype=np.uint32, casting="unsafe", out=tmp)
    return _pair_keep_small_host(
        edge_index, None, keys, None, rate, undirected=undirected, edge_slices=edge_slices, folded=True
    )


def to_uniform(h: torch.Tensor) -> torch.Tensor:
    """A 32-bit hash → ``float32`` uniform in ``[0, 1)`` (its top 24 bits)."""
    return (h >> 8).to(torch.float32) * (1.0 / (1 << 24))


def _keys(seed: torch.Tensor, salt: int, index: torch.Tensor | None) -> torch.Tensor:
    keys = graph_keys(seed, salt)
    return keys if index is None else keys.index_select(0, index.flatten()).view(index.shape)


def hashed_uniform(
    seed: torch.Tensor, salt: int, *counters: torch.Tensor, index: torch.Tensor | None = None
) -> torch.Tensor:
    """Uniform ``float32`` in ``[0, 1)`` (24 random bits) from :func:`hash32`.

    With ``index`` (graph id per element, any shape broadcastable with the
    counters), ``seed`` holds one seed per graph: it is mixed once per graph and
    then gathered, instead of once per element.
    """
    return to_uniform(hash_counters(_keys(seed, salt, index), *counters))


def hashed_normal(
    seed: torch.Tensor, salt: int, *counters: torch.Tensor, index: torch.Tensor | None = None
) -> torch.Tensor:
    """Standard normal ``float32`` draws (Box–Muller on two hashed uniforms)."""
    u1 = hashed_uniform(seed, salt, *counters, index=index)
    u2 = hashed_uniform(seed, salt ^ 0x5BD1E995, *counters, index=index)
    radius = torch.sqrt(-2.0 * torch.log1p(-u1))  # 1 - u1 in (0, 1]: finite
    return radius * torch.cos((2.0 * math.pi) * u2)
