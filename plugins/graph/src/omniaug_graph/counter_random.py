"""Counter-based random numbers: per-element draws keyed by a per-graph seed.

A graph op needs random values per node, per edge or per node pair, but its
params must have one row per *graph* so that they slice per sample (the core's
"batch result == per-sample results with sliced params" invariant). So each graph
gets a random 32-bit seed drawn from the caller's generator, and every element's
value is a hash of ``(seed, salt, local counters)`` — e.g. the node's index inside
its graph. The result depends only on the graph and the element, never on where
the graph sits in the batch, so a graph alone reproduces its batch result exactly;
and an undirected edge can be keyed by its unordered endpoint pair so that an edge
and its reverse get the same draw without any sorting or matching.

The mixer is Chris Wellons' ``lowbias32`` (two multiply–xorshift rounds), computed
on ``int64`` tensors holding 32-bit values (the low 32 bits of every product are
exact), so the result is identical on every device.
"""

from __future__ import annotations

import math

import torch

from omniaug import rng

__all__ = [
    "SEED_HIGH",
    "draw_seeds",
    "graph_keys",
    "hash32",
    "hash_counters",
    "hash_pair",
    "hashed_normal",
    "hashed_uniform",
    "scalar_mul",
    "to_uniform",
]

SEED_HIGH = 2**32
_M32 = 0xFFFFFFFF


def draw_seeds(
    n: int, *, generator: torch.Generator | None, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """``n`` random 32-bit seeds (``int64``) from the caller's generator, one per graph."""
    return rng.randint(n, 0, SEED_HIGH, generator=generator, device=device)


def scalar_mul(x: torch.Tensor, c: int) -> torch.Tensor:
    """``x * c`` for an integer tensor and a Python int.

    The constant is wrapped in a 0-d tensor: in this torch build, ``int64_tensor *
    python_int`` takes a slow non-vectorized path (~1000× slower, measured).
    """
    return x * torch.tensor(c, dtype=x.dtype, device=x.device)


def _mix32(x: torch.Tensor) -> torch.Tensor:
    # x < 2**32 and the constants < 2**32, so each product is the exact low 64 bits
    # of the true product (integer multiplication wraps modulo 2**64 on every torch
    # backend); masking keeps its low 32 bits, which is all lowbias32 needs.
    x = x ^ (x >> 16)
    x = scalar_mul(x, 0x7FEB352D) & _M32
    x = x ^ (x >> 15)
    x = scalar_mul(x, 0x846CA68B) & _M32
    return x ^ (x >> 16)


def graph_keys(seed: torch.Tensor, salt: int) -> torch.Tensor:
    """Mix per-graph seeds with an op's salt — once per graph, before gathering to elements."""
    return _mix32((seed & _M32) ^ (salt & _M32))


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

    With ``packed=True``, ``a`` already holds ``(a << 16) | b`` (``b`` is ignored).
    """
    if small:
        return _mix32(keys ^ (a if packed else ((a << 16) | b)))
    return hash_counters(keys, a, b)


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
