"""Keyed per-item randomness: a row's draws depend on (seed, item key, copy), never on its batch.

The rule (``docs/scale-out.md``): the randomness for item *i*, copy *k* of a run
with seed *s* comes from ``(s, key(i), k)`` — ``key`` is a stable item key such as a
relative path or a key column — and not from the item's batch position, the batch
size, block boundaries, the worker count or the processing order. An item's output
is then the same alone, in a batch of 64, on two workers or on a cluster.

:class:`KeyedGenerator` carries one 64-bit seed per row and is passed wherever a
``torch.Generator`` goes (``pipeline(x, generator=kg)``). Ops keep calling
:mod:`omniaug.rng`; when its generator is keyed, every draw is counter-based: row
``r``'s state is a Weyl sequence ``seed_r + calls_r · γ`` (one step per draw call the
row takes part in) and word ``e`` of the call is ``mix64(state_r + e · δ)``
(SplitMix64's finalizer): element ``e`` of most draws, elements ``2e`` and ``2e + 1``
of a normal draw (both Box–Muller outputs of the word). A draw for the whole batch
is one vectorized pass over ``(rows, words)``, and it equals the draws each row
would get alone: the batch composition never enters. Containers that run a branch on a subset of rows pass
:func:`restrict` ``(generator, idx)``, which advances only those rows' counters, so
a row's call count (and so its stream) depends only on its own path through the
pipeline.

What stays batch-level: a draw whose row count is not a multiple of the
generator's rows (e.g. one shift for the whole batch) and permutations over the
batch (mixers pair rows *of the batch*, so a mixed row cannot be independent of its
batch). Those come from a ``torch.Generator`` seeded from all rows' states: still
reproducible for the same batch, documented as batch-dependent.

On the CPU the hashing runs in NumPy (``uint64`` wraps like the 64-bit hash wants;
a NumPy op on a few hundred numbers costs a fraction of torch's dispatch); on other
devices the same formulas run in torch ``int64`` (tested bit-identical).
"""

from __future__ import annotations

import functools
import hashlib
import math
import sys
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import torch

from .errors import InputError

__all__ = [
    "KeyedGenerator",
    "item_hash",
    "row_seeds",
    "restrict",
    "is_keyed",
    "mix64",
    "uniform",
    "normal",
    "bernoulli",
    "randint",
    "beta",
    "random_bits",
    "permutation",
    "spawn",
]

_MASK64 = (1 << 64) - 1
#: per-call step of a row's Weyl state (the golden ratio, SplitMix64's increment)
GAMMA = 0x9E3779B97F4A7C15
#: per-element step inside one call (another odd constant, so element and call steps do not line up)
DELTA = 0xD1B54A32D192ED03
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB


def _const(value: int | float, dtype: type) -> np.ndarray:
    """A read-only 0-d array operand: a ufunc takes it with less per-call work than a NumPy scalar,
    which counts on the few-hundred-number draws of a keyed batch (eight hash passes and a
    conversion; docs/performance.md, "Design measurements")."""
    a: np.ndarray = np.array(value, dtype=dtype)
    a.flags.writeable = False
    return a


_GAMMA_U, _DELTA_U = _const(GAMMA, np.uint64), _const(DELTA, np.uint64)
_M1_U, _M2_U = _const(_M1, np.uint64), _const(_M2, np.uint64)
_S30, _S27, _S31, _S40, _S32, _S11 = (_const(s, np.uint64) for s in (30, 27, 31, 40, 32, 11))
_LOW32 = _const(0xFFFFFFFF, np.uint64)
_F24 = _const(2.0**-24, np.float32)


def _signed(c: int) -> int:
    """A 64-bit pattern as the ``int64`` torch stores it."""
    return c - (1 << 64) if c >= 1 << 63 else c


def mix64(x: int) -> int:
    """SplitMix64's finalizer on a Python int (the scalar oracle of the vectorized paths)."""
    x &= _MASK64
    x = ((x ^ (x >> 30)) * _M1) & _MASK64
    x = ((x ^ (x >> 27)) * _M2) & _MASK64
    return x ^ (x >> 31)


def _mix_np(x: np.ndarray) -> np.ndarray:
    """:func:`mix64` in place on a ``uint64`` array."""
    tmp = x >> _S30
    x ^= tmp
    x *= _M1_U
    np.right_shift(x, _S27, out=tmp)
    x ^= tmp
    x *= _M2_U
    np.right_shift(x, _S31, out=tmp)
    x ^= tmp
    return x


def _srl(x: torch.Tensor, s: int) -> torch.Tensor:
    """Logical right shift of ``int64`` bit patterns (torch's ``>>`` is arithmetic)."""
    return (x >> s) & ((1 << (64 - s)) - 1)


_T_CONST: dict[tuple[int, torch.device], torch.Tensor] = {}


def _tconst(c: int, device: torch.device) -> torch.Tensor:
    # a 0-d tensor operand: int64 × Python int takes a slow path in this torch build
    key = (c, device)
    t = _T_CONST.get(key)
    if t is None:
        t = _T_CONST[key] = torch.tensor(_signed(c), dtype=torch.int64, device=device)
    return t


def _mix_torch(x: torch.Tensor) -> torch.Tensor:
    """:func:`mix64` on ``int64`` tensors holding 64-bit patterns (products wrap modulo 2**64)."""
    x = x ^ _srl(x, 30)
    x = x * _tconst(_M1, x.device)
    x = x ^ _srl(x, 27)
    x = x * _tconst(_M2, x.device)
    return x ^ _srl(x, 31)


# ------------------------------------------------------------------ item keys and row seeds
_KEY_HASHER = hashlib.blake2b(digest_size=8, person=b"omniaug-key")


@functools.lru_cache(maxsize=1 << 16)
def _str_hash(key: str) -> int:
    """BLAKE2b of a path-like key (``\\`` read as ``/``: the same relative path on every OS); cached,
    since a training loop sees the same keys every epoch and ``apply`` every copy."""
    h = _KEY_HASHER.copy()
    h.update(key.replace("\\", "/").encode("utf-8"))
    return int.from_bytes(h.digest(), "little")


def item_hash(key: str | bytes | int | np.integer) -> int:
    """A stable 64-bit hash of an item key (relative path, key column value, index).

    Stable across processes and machines (BLAKE2b for strings and bytes, SplitMix64
    for integers), unlike Python's salted ``hash``. ``"3"`` and ``3`` differ.
    """
    if type(key) is str:
        return _str_hash(key)
    if isinstance(key, (bool, np.bool_)):
        raise InputError("key", "a str, bytes or int item key", key, where="item_hash")
    if isinstance(key, (int, np.integer)):
        return mix64(int(key) & _MASK64)
    if isinstance(key, str):  # a str subclass (e.g. NumPy's str_)
        return _str_hash(str(key))
    if isinstance(key, (bytes, bytearray)):
        h = _KEY_HASHER.copy()
        h.update(bytes(key))
        return int.from_bytes(h.digest(), "little")
    raise InputError("key", "a str, bytes or int item key", key, where="item_hash")


def _seed_of(seed: int, h: int, copy: int) -> int:
    s = mix64(mix64(int(seed) & _MASK64) ^ h)
    return mix64(s ^ (int(copy) & _MASK64))


def row_seeds(seed: int, keys: Iterable[Any], *, copy: int = 0) -> np.ndarray:
    """One 64-bit seed per item: ``mix(mix(mix(seed) ^ item_hash(key)) ^ copy)``, as ``uint64``.

    ``copy`` is the copy index of an offline run or the epoch of a training loop.
    Integer keys given as an array are hashed vectorized; the mixing is vectorized
    for any keys (only string hashing is per key, and cached).
    """
    if isinstance(keys, (np.ndarray, torch.Tensor)) and not (isinstance(keys, np.ndarray) and keys.dtype.kind in "OUS"):
        arr = keys.detach().cpu().numpy() if isinstance(keys, torch.Tensor) else keys
        if arr.dtype.kind not in "iu":
            raise InputError("keys", "integer item keys (or a sequence of str / bytes / int)", keys, where="row_seeds")
        h = _mix_np(arr.astype(np.int64).view(np.uint64).copy())
    else:
        h = np.array([item_hash(k) for k in keys], dtype=np.uint64).reshape(-1)
    s = np.full(h.shape, mix64(int(seed) & _MASK64), dtype=np.uint64) ^ h
    return _mix_np(_mix_np(s) ^ np.uint64(int(copy) & _MASK64))


# ------------------------------------------------------------------ the generator
class _Rows:
    """The shared per-row state of a keyed generator and its row views.

    Row ``r``'s state after ``c`` calls is ``seed_r + c · γ``. While every row has
    taken part in every call (no view over a subset has drawn yet) the count is one
    number, and the first word of each call comes from a cache of the next calls'
    first words, filled a block at a time (a block is the same numbers, computed
    once for several calls: one pass instead of a hash pass per call).
    """

    __slots__ = ("base", "cache", "calls", "derived", "seed", "spreads", "sync", "width")
    # ``cache`` is (width, rows): a call's words are one contiguous row of it

    def __init__(self, seed: Any) -> None:
        self.seed = seed  # uint64 array (CPU) or int64 tensor (other devices)
        self.calls: Any = None  # per-row call counts, once rows diverge
        self.sync = 0  # the common call count while ``calls`` is None
        self.cache: Any = None  # (width, rows) first words of calls base+1 … base+width
        self.derived: dict[Any, Any] = {}  # the block's words converted (uniform, normal, …), made on first use
        self.base = 0
        self.width = 0
        self.spreads: dict[int, np.ndarray] = {}  # m → (rows, m) ``seed_r + e · δ`` (CPU, small draws)

    def spread(self, m: int) -> np.ndarray:
        """``seed_r + e · δ`` for ``e < m``, ``(rows, m)``, read-only: the start of every small
        in-step draw of ``m`` words (a broadcast add over short rows costs more than the hash passes)."""
        a = self.spreads.get(m)
        if a is None:
            if len(self.spreads) >= 8:
                self.spreads.clear()
            a = self.spreads[m] = self.seed[:, None] + _offsets(0, m)[None, :]
            a.flags.writeable = False
        return a

    def _diverge(self) -> Any:
        if self.calls is None:
            if isinstance(self.seed, np.ndarray):
                self.calls = np.full(self.seed.shape, self.sync, dtype=np.uint64)
            else:
                self.calls = torch.full(self.seed.shape, self.sync, dtype=torch.int64, device=self.seed.device)
            self.cache = None
        return self.calls

    def advance(self, idx: np.ndarray | None) -> Any:
        """One call for rows ``idx`` (all: None): their new states ``seed + calls · γ``."""
        if idx is None and self.calls is None:
            self.sync += 1
            if isinstance(self.seed, np.ndarray):
                return self.seed + np.uint64((self.sync * GAMMA) & _MASK64)
            return self.seed + _tconst((self.sync * GAMMA) & _MASK64, self.seed.device)
        calls = self._diverge()
        if isinstance(calls, np.ndarray):
            if idx is None:
                calls += np.uint64(1)
                c = calls
            else:
                c = calls[idx] + np.uint64(1)
                calls[idx] = c
            s = c * _GAMMA_U
            s += self.seed if idx is None else self.seed[idx]
            return s
        if idx is None:
            calls.add_(1)
            c, seed = calls, self.seed
        else:
            ti = torch.from_numpy(idx).to(calls.device)
            c = calls.index_select(0, ti) + 1
            calls.index_copy_(0, ti, c)
            seed = self.seed.index_select(0, ti)
        return seed + c * _tconst(GAMMA, calls.device)

    def first(self, idx: np.ndarray | None, convert: Any = None) -> Any:
        """Element 0 of one call for rows ``idx``: ``convert(mix64(state))`` (the words if None).

        While in sync on the CPU this is a row of the block cache: the conversion then
        runs once per block, on first use (each cached row is handed out once, so
        callers may keep or modify it).
        """
        if idx is not None or self.calls is not None or not isinstance(self.seed, np.ndarray):
            w = _words(self.advance(idx), 0, 1, own=True)[:, 0]
            return w if convert is None else convert(w)
        self.sync += 1
        col = self.sync - self.base - 1
        if self.cache is None or col >= self.width:
            # next block: twice the last one (4 … 64 calls), so short-lived generators waste little
            self.width = min(max(2 * self.width, 4), 64)
            self.base = self.sync - 1
            steps = (np.arange(self.base + 1, self.base + 1 + self.width, dtype=np.uint64) * _GAMMA_U)[:, None]
            self.cache = _mix_np(self.seed[None, :] + steps)
            self.derived = {}
            col = 0
        if convert is None:
            return self.cache[col]
        block = self.derived.get(convert)
        if block is None:
            block = self.derived[convert] = convert(self.cache)
        return block[col]


class KeyedGenerator:
    """Per-row seeded randomness that ``omniaug.rng`` draws from vectorized.

    Args:
        seeds: one 64-bit seed per row (``uint64`` / ``int64`` array or tensor, or
            ints), e.g. from :func:`row_seeds`.
        device: where draws are made (like ``torch.Generator.device``).

    Use :meth:`from_keys` to build one from ``(seed, item keys, copy)``. A keyed
    generator is stateful like a ``torch.Generator``: each draw call advances the
    counters of the rows it draws for.
    """

    def __init__(self, seeds: Any, *, device: torch.device | str = "cpu") -> None:
        self.device = torch.device(device)
        if isinstance(seeds, torch.Tensor):
            seeds = seeds.detach().cpu().numpy()
        arr = np.asarray(seeds)
        if arr.dtype.kind not in "iu":
            arr = np.array([int(s) & _MASK64 for s in np.ravel(arr)], dtype=np.uint64)
        arr = arr.reshape(-1).astype(np.int64 if arr.dtype.kind == "i" else np.uint64).view(np.uint64).copy()
        seed = arr if self.device.type == "cpu" else torch.from_numpy(arr.view(np.int64)).to(self.device)
        self._root = _Rows(seed)
        self._idx: np.ndarray | None = None  # rows of the root this generator draws for (None: all)
        self._rows = int(arr.shape[0])

    @classmethod
    def from_keys(
        cls, seed: int, keys: Iterable[Any], *, copy: int = 0, device: torch.device | str = "cpu"
    ) -> KeyedGenerator:
        """A generator for items ``keys`` of a run with ``seed``; ``copy`` = copy index or epoch."""
        return cls(row_seeds(seed, keys, copy=copy), device=device)

    @property
    def rows(self) -> int:
        """Number of rows (items) this generator draws for."""
        return self._rows

    def __len__(self) -> int:
        return self._rows

    def __repr__(self) -> str:
        return f"KeyedGenerator(rows={self._rows}, device={self.device})"

    def subset(self, idx: torch.Tensor | np.ndarray | Sequence[int]) -> KeyedGenerator:
        """A view drawing for rows ``idx`` only; its draws advance those rows here too."""
        if isinstance(idx, torch.Tensor):
            idx = idx.detach().to("cpu").numpy()
        idx = np.asarray(idx, dtype=np.int64).reshape(-1)
        if idx.size and (idx.min() < 0 or idx.max() >= self._rows):
            raise InputError("idx", f"row indices in [0, {self._rows})", idx, where="KeyedGenerator.subset")
        child = object.__new__(KeyedGenerator)
        child.device = self.device
        child._root = self._root
        child._idx = idx if self._idx is None else self._idx[idx]
        child._rows = int(idx.size)
        return child

    def _advance(self) -> Any:
        return self._root.advance(self._idx)

    def batch_generator(self) -> torch.Generator:
        """A ``torch.Generator`` for a batch-level draw, seeded from every row's state (advances all rows)."""
        s = self._advance()
        arr = s if isinstance(s, np.ndarray) else s.cpu().numpy().view(np.uint64)
        h = 0x6A09E667F3BCC908
        for v in _mix_np(arr.copy()).tolist():
            h = mix64(h ^ v)
        g = torch.Generator(device=self.device)
        g.manual_seed(h & ((1 << 63) - 1))
        return g


def is_keyed(generator: Any) -> bool:
    """Whether ``generator`` is a :class:`KeyedGenerator`."""
    return isinstance(generator, KeyedGenerator)


def restrict(generator: Any, idx: torch.Tensor) -> Any:
    """The generator for a sub-batch of rows ``idx``: a keyed view, or ``generator`` itself.

    Containers call this before running a branch on ``subset(x, idx)``.
    """
    return generator.subset(idx) if isinstance(generator, KeyedGenerator) else generator


# ------------------------------------------------------------------ words
@functools.lru_cache(maxsize=256)
def _offsets(start: int, m: int) -> np.ndarray:
    """``(start + e) · δ`` for ``e < m`` (read-only, shared)."""
    offs = np.arange(start, start + m, dtype=np.uint64)
    offs *= _DELTA_U
    offs.flags.writeable = False
    return offs


def _words(state: Any, start: int, m: int, *, own: bool = False) -> Any:
    """``(rows, m)`` 64-bit words ``mix64(state_r + (start + e) · δ)`` of one call (``own``: ``state`` may be overwritten)."""
    if isinstance(state, np.ndarray):
        if m == 1 and start == 0:
            return _mix_np(state if own else state.copy()).reshape(-1, 1)
        return _mix_np(state[:, None] + _offsets(start, m)[None, :])
    toffs = torch.arange(start, start + m, dtype=torch.int64, device=state.device) * _tconst(DELTA, state.device)
    return _mix_torch(state[:, None] + toffs[None, :])


#: hashed draws of more than ``SPLIT`` words go tile by tile, at least two tiles of at most about
#: ``TILE`` words, the tiles spread over the threads. A normal draw's tile (its words and their
#: conversion, ~1.8 MB) stays in a core's L2 cache. Each of a tile's ~20 NumPy calls hands the GIL
#: to the other thread and back, so tiles are as large as the cache allows: 16 384-word tiles made
#: two threads slower than one (docs/performance.md, "Design measurements").
TILE = 1 << 16
SPLIT = 1 << 15


def _hashed(state: Any, m: int, convert: Any = None, *, tiled: bool = True) -> Any:
    """``convert(_words(state, 0, m))`` (the words if ``convert`` is None): ``(rows, m · per)``,
    ``per`` the numbers a converter makes of one word (2 for :func:`_gauss2`, else 1).

    Large CPU draws go tile by tile — ``TILE`` words of some rows (or of one row) at a
    time, tiles shared by the threads (:func:`omniaug.parallel.run_shared`) — instead
    of eight whole-array hash passes plus the conversion's through memory. ``convert``
    works element by element, so every number is the one-pass path's (``tiled=False``,
    the reference the tests compare with).
    """
    rows = state.shape[0] if isinstance(state, np.ndarray) else 0
    if not tiled or not rows or rows * m <= SPLIT:
        w = _words(state, 0, m)
        return w if convert is None else convert(w)
    from .parallel import run_shared

    if m >= TILE:  # tiles of one row: columns [c, c + TILE)
        width = -(-m // -(-m // TILE))  # even widths, none a small remainder
        tiles = [(r, r + 1, c, min(m, c + width)) for r in range(rows) for c in range(0, m, width)]
    else:  # tiles of whole rows, as even as the rows allow (the last one is not a small remainder)
        count = min(rows, max(2, -(-rows * m // TILE)))
        step = -(-rows // count)
        tiles = [(r, min(rows, r + step), 0, m) for r in range(0, rows, step)]
    probe = _words(state[:1], 0, 1)
    probe = probe if convert is None else convert(probe)
    per = probe.shape[1]
    out = np.empty((rows, m * per), dtype=probe.dtype)

    def fill(i: int) -> None:
        r0, r1, c0, c1 = tiles[i]
        offs = _offsets(0, m) if c0 == 0 and c1 == m else np.arange(c0, c1, dtype=np.uint64) * _DELTA_U
        w = _mix_np(state[r0:r1, None] + offs[None, :])
        if convert is None:
            out[r0:r1, c0:c1] = w
        elif convert is _gauss2:  # written straight into the output (no tile-sized copy)
            _gauss2(w, out=out[r0:r1, 2 * c0 : 2 * c1])
        else:
            out[r0:r1, per * c0 : per * c1] = convert(w)

    run_shared(len(tiles), fill, torch.device("cpu"))
    return out


def _unit24(w: Any) -> Any:
    """Words → float32 ``k / 2**24`` (exact) for their top 24 bits ``k``: uniform in [0, 1)."""
    if isinstance(w, np.ndarray):
        u = (w >> _S40).view(np.int64).astype(np.float32)
        u *= _F24
        return u
    return _srl(w, 40).to(torch.float32) * (2.0**-24)


def _scale(u: Any, scale: float, low: float) -> Any:
    """``u · scale + low`` in float32 (rounded the same way in NumPy and torch)."""
    if isinstance(u, np.ndarray):
        if scale != 1.0:
            u = u * np.float32(scale)
        if low != 0.0:
            u = u + np.float32(low)
        return u
    if scale != 1.0:
        u = u * torch.tensor(scale, dtype=torch.float32, device=u.device)
    if low != 0.0:
        u = u + torch.tensor(low, dtype=torch.float32, device=u.device)
    return u


@functools.lru_cache(maxsize=256)
def _uniform24(scale: float, low: float) -> Any:
    """The converter words → ``_scale(_unit24(w), scale, low)``, bit for bit, in fewer passes.

    ``k · 2**-24`` is exact for the top 24 bits ``k``, so ``(k · 2**-24) · s`` and
    ``k · (s · 2**-24)`` are the same real number rounded once (``s · 2**-24`` is exact
    while it stays a normal float32; tinier scales take the two-step path).
    """
    s32, l32 = np.float32(scale), np.float32(low)
    fused = np.float32(s32 * _F24)
    if scale == 1.0 or not abs(fused) >= np.finfo(np.float32).tiny:

        def two_step(w: Any) -> Any:
            return _scale(_unit24(w), scale, low)

        return two_step

    def convert(w: Any) -> Any:
        if not isinstance(w, np.ndarray):
            return _scale(_unit24(w), scale, low)
        u = (w >> _S40).view(np.int64).astype(np.float32)
        u *= fused
        if low != 0.0:
            u += l32
        return u

    return convert


@functools.lru_cache(maxsize=256)
def _below24(p: float) -> Any:
    """The converter words → ``_unit24(w) < float32(p)`` (a Bernoulli draw), bit for bit, without floats:
    ``k · 2**-24 < p`` for an integer ``k`` is ``k < ceil(p · 2**24)``."""
    p32 = np.float32(p)
    if not np.isfinite(p32):

        def plain(w: Any) -> Any:
            u = _unit24(w)
            return u < (p32 if isinstance(u, np.ndarray) else float(p))

        return plain
    thr = np.uint64(min(max(math.ceil(float(p32) * 2.0**24), 0), 1 << 24))

    def convert(w: Any) -> Any:
        if not isinstance(w, np.ndarray):
            return _unit24(w) < float(p)
        return (w >> _S40) < thr

    return convert


@functools.lru_cache(maxsize=256)
def _bounded(span: int, low: int) -> Any:
    """The converter words → ``low + ((w >>> 32) · span) >>> 32`` (``int64``), one object per ``(span, low)``."""

    def convert(w: np.ndarray) -> np.ndarray:
        prod = (w >> _S32) * np.uint64(span)
        prod >>= _S32
        v = prod.view(np.int64)
        return v + low if low != 0 else v

    return convert


def _hi32(w: Any) -> Any:
    """The words' high 32 bits (``uint64`` / ``int64``)."""
    return w >> _S32 if isinstance(w, np.ndarray) else _srl(w, 32)


def _unit53(w: Any) -> Any:
    """Words → float64 uniform in [0, 1) from their top 53 bits."""
    if isinstance(w, np.ndarray):
        return (w >> _S11).astype(np.float64) * (2.0**-53)
    return _srl(w, 11).to(torch.float64) * (2.0**-53)


_TWO_PI_32 = np.float32(2.0 * math.pi * 2.0**-32)
_LITTLE = sys.byteorder == "little"


def _radius(w: np.ndarray) -> np.ndarray:
    """Box–Muller's radius ``sqrt(-2 ln u1)``, ``u1 = (hi + 1) / 2**32`` from the words' high halves."""
    hi = w >> _S32
    hi += np.uint64(1)
    u1 = hi.view(np.int64).astype(np.float32)
    u1 *= np.float32(2.0**-32)
    np.log(u1, out=u1)
    u1 *= np.float32(-2.0)
    np.sqrt(u1, out=u1)
    return u1


def _angle(w: np.ndarray) -> np.ndarray:
    """Box–Muller's angle ``2π · lo / 2**32`` from the words' low halves."""
    if _LITTLE and w.flags.c_contiguous and w.ndim:
        # the low halves read in place as uint32 (a float32 of the same integer: the same bits, one pass fewer)
        th = w.view(np.uint32)[..., 0::2].astype(np.float32)
    else:
        th = (w & _LOW32).view(np.int64).astype(np.float32)
    th *= _TWO_PI_32
    return th


def _gauss(w: Any) -> Any:
    """Words → standard normal float32, one per word: Box–Muller's cosine output.

    The radius uses ``u1 = (hi + 1) / 2**32`` in (0, 1], so the tails reach ±6.7σ;
    the angle uses the low half. This is element ``2j`` of :func:`_gauss2` bit for
    bit (one-number draws, Marsaglia–Tsang's normals in :func:`beta`). Float32
    transcendental functions: NumPy and torch agree to rounding, not bit for bit
    (CPU draws always take the NumPy path).
    """
    if isinstance(w, np.ndarray):
        r = _radius(w)
        th = _angle(w)
        np.cos(th, out=th)
        r *= th
        return r
    tu1 = (_srl(w, 32) + 1).to(torch.float32) * (2.0**-32)
    tth = (w & 0xFFFFFFFF).to(torch.float32) * _TWO_PI_32.item()
    return torch.sqrt(-2.0 * torch.log(tu1)) * torch.cos(tth)


def _gauss2(w: Any, out: np.ndarray | None = None) -> Any:
    """Words ``(rows, m)`` → standard normal float32 ``(rows, 2m)``: both Box–Muller outputs of word ``j``,
    ``r cos θ`` and ``r sin θ``, as elements ``2j`` and ``2j + 1``.

    One hash word, one logarithm and one square root per two numbers; element ``2j``
    is :func:`_gauss`'s number, bit for bit. An element depends on its position only
    (never on ``m``), so padded draws keep their prefixes. ``out``: written there (NumPy).
    """
    if not isinstance(w, np.ndarray):
        tu1 = (_srl(w, 32) + 1).to(torch.float32) * (2.0**-32)
        tth = (w & 0xFFFFFFFF).to(torch.float32) * _TWO_PI_32.item()
        tr = torch.sqrt(-2.0 * torch.log(tu1))
        return torch.stack((tr * torch.cos(tth), tr * torch.sin(tth)), dim=-1).reshape(*w.shape[:-1], -1)
    r = _radius(w)
    th = _angle(w)
    if out is None:
        out = np.empty((*w.shape[:-1], 2 * w.shape[-1]), dtype=np.float32)
    trig = np.cos(th)
    np.multiply(r, trig, out=out[..., 0::2])
    np.sin(th, out=trig)
    np.multiply(r, trig, out=out[..., 1::2])
    return out


def _tensor(a: Any, device: torch.device) -> torch.Tensor:
    if isinstance(a, np.ndarray):
        t = torch.from_numpy(a if a.flags.c_contiguous else np.ascontiguousarray(a))
    else:
        t = a
    return t.to(device, non_blocking=True) if t.device != device else t


_WARNED = False


def _per_row(gen: KeyedGenerator, n: int, where: str) -> int | None:
    """Draws per row for a request of ``n`` rows: 1 when ``n`` is the row count, ``k`` when
    ``n = k · rows`` (row-major, e.g. ``k`` boxes per image), None for a batch-level draw."""
    if n == gen.rows:
        return 1
    if gen.rows > 0 and n % gen.rows == 0:
        return n // gen.rows
    global _WARNED
    if not _WARNED:
        _WARNED = True
        warnings.warn(
            f"omniaug: a draw of {n} values for {gen.rows} keyed rows ({where}) is batch-level: "
            "the rows it affects depend on their batch (docs/scale-out.md)",
            stacklevel=4,
        )
    return None


def _finish(
    t: torch.Tensor, n: int, shape: Sequence[int], same_on_batch: bool, device: torch.device, dtype: torch.dtype | None
) -> torch.Tensor:
    if (shape or t.dim() != 1) and t.shape != (n, *shape):
        t = t.reshape(n, *shape)
    if dtype is not None and t.dtype != dtype:
        t = t.to(dtype)
    t = t.to(device, non_blocking=True) if t.device != device else t
    if same_on_batch and n > 1:
        t = t[:1].expand(n, *t.shape[1:]).contiguous()
    return t


#: per-row draws of more than this many numbers (CPU) take only their first ``LARGE`` numbers
#: from the hash; the rest come from torch generators seeded per row and block: their Mersenne
#: Twister fill beats 8 hash passes per number
LARGE = 1 << 13
#: the numbers past ``LARGE`` come in blocks of this many, each from its own generator
BLOCK = 1 << 16
_TAIL = 0x5851F42D4C957F2D  # salt of the tail blocks' seeds (keeps them apart from the hash words)


def _large(
    gen: KeyedGenerator,
    kind: str,
    k: int,
    shape: Sequence[int],
    head: Any,
    a: float = 0.0,
    b: float = 1.0,
) -> torch.Tensor | None:
    """``(rows, m)`` numbers of a large per-row CPU draw, ``m = k · prod(shape) > LARGE`` (None if not large).

    Elements ``0 … LARGE-1`` of row ``r`` are the hash words of the small path,
    converted by ``head`` exactly as the small path converts them (:func:`_gauss2`:
    two numbers per word, words ``0 … LARGE/2-1``); element
    ``LARGE + j · BLOCK + i`` is number ``i`` of a ``torch.Generator`` seeded with
    ``mix64(state_r ^ (salt + (j+1) · γ))``. Every element depends only on the row's
    key, call count and position, never on ``m``: a draw padded to the widest row of
    a batch (ragged text, node lists) gives each row a prefix of what it gets alone,
    on either side of ``LARGE``. Rows are filled in parallel
    (:func:`omniaug.parallel.run_shared`).
    """
    m = k * math.prod(shape)
    if m <= LARGE or gen.device.type != "cpu":
        return None
    from . import memory
    from .parallel import run_shared
    from .rng import _fill

    state = gen._advance()
    # a pair converter (normal) makes two numbers of a word: the head is LARGE / 2 words
    first = torch.from_numpy(np.ascontiguousarray(_hashed(state, LARGE // 2 if head is _gauss2 else LARGE, head)))
    out = memory.empty((gen.rows, m), dtype=first.dtype, device="cpu")
    out[:, :LARGE] = first
    blocks = -(-(m - LARGE) // BLOCK)
    salts = (np.arange(1, blocks + 1, dtype=np.uint64) * _GAMMA_U) + np.uint64(_TAIL)
    seeds = (_mix_np(state[:, None] ^ salts[None, :]) >> np.uint64(1)).tolist()

    def fill(i: int) -> None:
        row, row_seeds_ = out[i], seeds[i]
        for j in range(blocks):
            lo = LARGE + j * BLOCK
            hi = min(lo + BLOCK, m)
            g = torch.Generator()
            g.manual_seed(row_seeds_[j])
            if kind == "normal" and (hi - lo) % 16:
                # torch's normal fill is a prefix of a longer fill only in whole 16-number chunks
                tmp = torch.empty(-(-(hi - lo) // 16) * 16, dtype=row.dtype)
                row[lo:hi] = _fill(tmp, kind, g, a, b)[: hi - lo]
            else:
                _fill(row[lo:hi], kind, g, a, b)

    run_shared(gen.rows, fill, gen.device)
    return out


def _call_words(gen: KeyedGenerator, k: int, shape: Sequence[int], convert: Any = None) -> Any:
    """The words of one call, ``(rows, k · prod(shape))``, or ``convert(words)`` (element by element)."""
    m = k * math.prod(shape)
    if m == 1:
        w = gen._root.first(gen._idx).reshape(-1, 1)
        return w if convert is None else convert(w)
    root = gen._root
    if (
        convert is not None
        and gen._idx is None
        and root.calls is None
        and isinstance(root.seed, np.ndarray)
        and gen.rows * m <= SPLIT
    ):
        # rows in step, a small draw: (seed + c·γ) + e·δ is (seed + e·δ) + c·γ modulo 2**64, and
        # seed + e·δ is the same for every call of this width: kept, the call adds its step to it
        root.sync += 1
        return convert(_mix_np(root.spread(m) + np.uint64((root.sync * GAMMA) & _MASK64)))
    state = gen._advance()
    if convert is not None:
        return _hashed(state, m, convert)
    return _words(state, 0, m, own=True) if not isinstance(state, np.ndarray) else _hashed(state, m)


# ------------------------------------------------------------------ draws (called by omniaug.rng)
def uniform(
    n: int,
    low: float | torch.Tensor,
    high: float | torch.Tensor,
    *,
    shape: Sequence[int] = (),
    generator: KeyedGenerator,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    same_on_batch: bool = False,
) -> torch.Tensor:
    """Keyed :func:`omniaug.rng.uniform`."""
    device = torch.device(device)
    k = _per_row(generator, n, "uniform")
    if k is None:
        from . import rng

        return rng.uniform(
            n,
            low,
            high,
            shape=shape,
            generator=generator.batch_generator(),
            device=device,
            dtype=dtype,
            same_on_batch=same_on_batch,
        )
    if (
        isinstance(low, (int, float))
        and isinstance(high, (int, float))
        and low <= high
        and k * math.prod(shape) > LARGE
    ):
        lo_f, hi_f = float(low), float(high)

        def head(w: np.ndarray) -> np.ndarray:  # the small path's numbers, bit for bit
            if dtype == torch.float64:
                return _unit53(w) * (hi_f - lo_f) + lo_f
            return _scale(_unit24(w), hi_f - lo_f, lo_f)

        big = _large(generator, "uniform", k, shape, head, lo_f, hi_f)
        if big is not None:
            return _finish(big, n, shape, same_on_batch, device, dtype)
    if dtype != torch.float64 and k == 1 and not shape:
        u = generator._root.first(generator._idx, _unit24)
    elif dtype != torch.float64 and isinstance(low, (int, float)) and isinstance(high, (int, float)):
        # scaled in the same pass (tile by tile for large draws), the same bits as below
        u = _call_words(generator, k, shape, _uniform24(float(high) - float(low), float(low)))
        return _finish(_tensor(u, device), n, shape, same_on_batch, device, dtype)
    else:
        u = _call_words(generator, k, shape, _unit53 if dtype == torch.float64 else _unit24)
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        if dtype == torch.float64:
            u = u * (float(high) - float(low)) + float(low)
        else:
            u = _scale(u, float(high) - float(low), float(low))
        return _finish(_tensor(u, device), n, shape, same_on_batch, device, dtype)
    u = _finish(_tensor(u, device), n, shape, same_on_batch, device, dtype)
    low_t = torch.as_tensor(low, dtype=dtype, device=device)
    high_t = torch.as_tensor(high, dtype=dtype, device=device)
    return low_t + (high_t - low_t) * u


def normal(
    n: int,
    mean: float | torch.Tensor = 0.0,
    std: float | torch.Tensor = 1.0,
    *,
    shape: Sequence[int] = (),
    generator: KeyedGenerator,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    same_on_batch: bool = False,
) -> torch.Tensor:
    """Keyed :func:`omniaug.rng.normal`."""
    device = torch.device(device)
    k = _per_row(generator, n, "normal")
    if k is None:
        from . import rng

        return rng.normal(
            n,
            mean,
            std,
            shape=shape,
            generator=generator.batch_generator(),
            device=device,
            dtype=dtype,
            same_on_batch=same_on_batch,
        )
    big = _large(generator, "normal", k, shape, _gauss2)
    if big is not None:
        z = _finish(big, n, shape, same_on_batch, device, dtype)
    else:
        if k == 1 and not shape:
            g = generator._root.first(generator._idx, _gauss)
        else:
            # element 2j / 2j + 1 is word j's cosine / sine output: ceil(m / 2) words, any m
            m = k * math.prod(shape)
            g = _call_words(generator, 1, ((m + 1) // 2,), _gauss2)
            if m % 2:
                g = g[:, :m]
        z = _finish(_tensor(g, device), n, shape, same_on_batch, device, dtype)
    if isinstance(mean, (int, float)) and isinstance(std, (int, float)):
        return z.mul_(float(std)).add_(float(mean)) if (std != 1.0 or mean != 0.0) else z
    return torch.as_tensor(mean, dtype=dtype, device=device) + torch.as_tensor(std, dtype=dtype, device=device) * z


def bernoulli(
    n: int,
    p: float | torch.Tensor,
    *,
    shape: Sequence[int] = (),
    generator: KeyedGenerator,
    device: torch.device | str = "cpu",
    same_on_batch: bool = False,
) -> torch.Tensor:
    """Keyed :func:`omniaug.rng.bernoulli`."""
    device = torch.device(device)
    k = _per_row(generator, n, "bernoulli")
    if k is None:
        from . import rng

        return rng.bernoulli(
            n, p, shape=shape, generator=generator.batch_generator(), device=device, same_on_batch=same_on_batch
        )
    if isinstance(p, (int, float)) and not isinstance(p, bool):
        if k == 1 and not shape:
            u = generator._root.first(generator._idx, _unit24)
            b = u < (np.float32(p) if isinstance(u, np.ndarray) else float(p))
        else:
            b = _call_words(generator, k, shape, _below24(float(p)))
        return _finish(_tensor(b, device), n, shape, same_on_batch, device, None)
    u = _finish(_tensor(_unit24(_call_words(generator, k, shape)), device), n, shape, same_on_batch, device, None)
    return u < torch.as_tensor(p, dtype=u.dtype, device=device)


def randint(
    n: int,
    low: int,
    high: int | torch.Tensor,
    *,
    shape: Sequence[int] = (),
    generator: KeyedGenerator,
    device: torch.device | str = "cpu",
    same_on_batch: bool = False,
) -> torch.Tensor:
    """Keyed :func:`omniaug.rng.randint` (exact multiply-shift for spans up to 2**31)."""
    device = torch.device(device)
    k = _per_row(generator, n, "randint")
    if k is None:
        from . import rng

        return rng.randint(
            n, low, high, shape=shape, generator=generator.batch_generator(), device=device, same_on_batch=same_on_batch
        )
    if isinstance(high, int) and isinstance(low, int) and high > low:
        span = high - low
        if span <= 1 << 31:  # ((w >>> 32) · span) >>> 32 is uniform on [0, span) up to 2**-32 bias
            v: Any
            if (
                k == 1
                and not shape
                and generator._idx is None
                and generator._root.calls is None
                and generator.device.type == "cpu"
            ):
                # rows in step: the block cache converts once per block (one converter per (span, low))
                v = generator._root.first(None, _bounded(span, low))
                return _finish(_tensor(v, device), n, shape, same_on_batch, device, None)
            hi = (
                generator._root.first(generator._idx, _hi32)
                if k == 1 and not shape
                else _hi32(_call_words(generator, k, shape))
            )
            if isinstance(hi, np.ndarray):
                prod = hi * np.uint64(span)
                prod >>= _S32
                v = prod.view(np.int64)
            else:
                v = _srl(hi * span, 32)
            if low != 0:
                v = v + low
            return _finish(_tensor(v, device), n, shape, same_on_batch, device, None)
        u = _unit53(_call_words(generator, k, shape))
        v = np.floor(u * span) if isinstance(u, np.ndarray) else torch.floor(u * span)
        v = (v.astype(np.int64) if isinstance(v, np.ndarray) else v.to(torch.int64)) + low
        v = v.clip(low, high - 1) if isinstance(v, np.ndarray) else v.clamp(low, high - 1)
        return _finish(_tensor(v, device), n, shape, same_on_batch, device, None)
    u = _finish(_tensor(_unit53(_call_words(generator, k, shape)), device), n, shape, same_on_batch, device, None)
    high_t = torch.as_tensor(high, device=device)
    if high_t.dim() > 0 and len(shape) > 0:
        high_t = high_t.reshape(-1, *([1] * len(shape)))
    span_t = (high_t - low).to(torch.float64)
    return (low + torch.floor(u * span_t)).to(torch.long).clamp_max((high_t - 1).clamp_min(low))


def random_bits(
    count: int | tuple[int, int], *, generator: KeyedGenerator, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """Keyed :func:`omniaug.rng.random_bits`: ``count`` words, or ``(rows, words per row)``.

    A flat ``count`` must be a multiple of the rows (each row gets ``count / rows``
    consecutive words); else the draw is batch-level.
    """
    device = torch.device(device)
    if isinstance(count, tuple):
        n, per = count
        k = _per_row(generator, n, "random_bits")
        if k is None:
            from . import rng

            return rng.random_bits(count, generator=generator.batch_generator(), device=device)
        big = _large(generator, "bits", k, (per,), _as_int64)
        return (
            (big if big is not None else _bits_tensor(_call_words(generator, k, (per,)), device))
            .reshape(n, per)
            .to(device)
        )
    k = _per_row(generator, count, "random_bits") if generator.rows and count % max(generator.rows, 1) == 0 else None
    if k is None:
        if count and generator.rows and count % generator.rows:
            _per_row(generator, -1, "random_bits")  # the batch-level warning
        from . import rng

        return rng.random_bits(count, generator=generator.batch_generator(), device=device)
    big = _large(generator, "bits", count // generator.rows, (), _as_int64)
    return (
        (big if big is not None else _bits_tensor(_call_words(generator, count // generator.rows, ()), device))
        .reshape(count)
        .to(device)
    )


def _as_int64(w: np.ndarray) -> np.ndarray:
    return w.view(np.int64)


def _bits_tensor(w: Any, device: torch.device) -> torch.Tensor:
    if isinstance(w, np.ndarray):
        w = w.view(np.int64)
    return _tensor(w, device)


def beta(
    n: int,
    alpha: float,
    beta_: float | None = None,
    *,
    generator: KeyedGenerator,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    same_on_batch: bool = False,
) -> torch.Tensor:
    """Keyed :func:`omniaug.rng.beta`: X / (X + Y), X, Y ~ Gamma by Marsaglia–Tsang.

    Round ``j`` of the rejection sampler reads words ``4kj … 4k(j + 1) - 1`` of the row's
    call (``k`` draws per row, two gammas each, a normal and a uniform word per gamma),
    so a row's result does not depend on how many rounds the other rows needed.
    """
    if alpha <= 0 or (beta_ is not None and beta_ <= 0):
        raise ValueError(f"beta: concentration must be > 0, got alpha={alpha}, beta={beta_}")
    device = torch.device(device)
    k = _per_row(generator, n, "beta")
    if k is None:
        from . import rng

        return rng.beta(
            n,
            alpha,
            beta_,
            generator=generator.batch_generator(),
            device=device,
            dtype=dtype,
            same_on_batch=same_on_batch,
        )
    b = alpha if beta_ is None else beta_
    state = generator._advance()
    if not isinstance(state, np.ndarray):
        state = state.cpu().numpy().view(np.uint64)  # a handful of numbers per row: host math
    conc = np.array([alpha, b], dtype=np.float64)
    boost = conc < 1
    a = np.where(boost, conc + 1, conc)
    d = a - 1.0 / 3.0
    c = 1.0 / np.sqrt(9.0 * d)
    rows = state.shape[0]
    out = np.zeros((rows, k, 2))
    done = np.zeros((rows, k, 2), dtype=bool)
    per = 2 * k  # values per round per row (k draws × 2 gammas)
    for j in range(32):
        w = _words(state, 2 * per * j, 2 * per).reshape(rows, 2, k, 2)
        z, u = _gauss(w[:, 0]), _unit53(w[:, 1])
        v = (1 + c * z) ** 3
        with np.errstate(divide="ignore", invalid="ignore"):
            ok = (v > 0) & (np.log(np.maximum(u, 1e-300)) < 0.5 * z * z + d - d * v + d * np.log(np.maximum(v, 1e-300)))
        out = np.where(ok & ~done, d * v, out)
        done |= ok
        if done.all():
            break
    out = np.where(done, out, d)
    if boost.any():
        u = _unit53(_words(state, 2 * per * 32, per).reshape(rows, k, 2))
        out = np.where(boost, out * np.maximum(u, 1e-300) ** (1.0 / conc), out)
    x = out[..., 0] / np.maximum(out[..., 0] + out[..., 1], np.finfo(np.float64).tiny)
    return _finish(torch.from_numpy(x), n, (), same_on_batch, device, dtype)


def permutation(n: int, *, generator: KeyedGenerator, device: torch.device | str = "cpu") -> torch.Tensor:
    """A permutation of the batch: batch-level by nature (seeded from all rows' states)."""
    from . import rng

    return rng.permutation(n, generator=generator.batch_generator(), device=device)


def spawn(generator: KeyedGenerator, count: int) -> list[KeyedGenerator]:
    """``count`` independent keyed generators over the same rows (one call of each row)."""
    w = _words(generator._advance(), 0, max(count, 1))
    if not isinstance(w, np.ndarray):
        w = w.cpu().numpy().view(np.uint64)
    return [KeyedGenerator(w[:, i].copy(), device=generator.device) for i in range(count)]
