"""Deterministic per-sample random keys derived from one seed drawn from the caller's generator.

Code ops need many small random choices per sample (which sites, which fresh name,
which template) whose number depends on the source. Drawing them all as tensors up
front is impossible, so each sample gets one 63-bit seed from the core's per-sample
seed facility (:func:`omniaug.rng.sample_seeds`), and every choice is a pure hash of
``(seed, purpose, index)`` (SplitMix64 via :func:`omniaug.rng.seed_for`; purposes
named by strings are hashed with :func:`omniaug.keyed.item_hash`). No global state
is read or written; the same seed gives the same choices in any process.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from omniaug.keyed import GAMMA, item_hash, mix64
from omniaug.rng import seed_for

__all__ = ["Keys"]

T = TypeVar("T")
_SCALE = float(1 << 63)


class Keys:
    """Hash-based random choices for one sample."""

    __slots__ = ("seed",)

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def child(self, *path: int | str) -> Keys:
        """An independent key stream for a sub-task."""
        return Keys(self._hash(*path))

    def _hash(self, *path: int | str) -> int:
        ints = [p if isinstance(p, int) else item_hash(p) for p in path]
        return seed_for(self.seed, *ints)

    def uniform(self, *path: int | str) -> float:
        """A number in ``[0, 1)`` for ``path``."""
        return self._hash(*path) / _SCALE

    def index(self, n: int, *path: int | str) -> int:
        """An integer in ``[0, n)``."""
        return min(int(self.uniform(*path) * n), n - 1)

    def choice(self, items: Sequence[T], *path: int | str) -> T:
        return items[self.index(len(items), *path)]

    def order(self, n: int, *path: int | str) -> list[int]:
        """A random permutation of ``range(n)`` (sorting by counter-based keys ``mix64(base + (i + 1) · γ)`` of one derived seed)."""
        base = self._hash(*path)
        return sorted(range(n), key=lambda i: mix64(base + (i + 1) * GAMMA))

    def sample(self, items: Sequence[T], k: int, *path: int | str) -> list[T]:
        """``min(k, len(items))`` distinct items, kept in their original order."""
        picked = sorted(self.order(len(items), *path)[: max(0, k)])
        return [items[i] for i in picked]
