"""Helpers shared by transformations: choosing sites and walking statement blocks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import tree_sitter as ts

from .keys import Keys

__all__ = ["pick_disjoint", "indent_unit", "ancestors"]

T = TypeVar("T")


def pick_disjoint(
    candidates: Sequence[T], k: int, keys: Keys, span: Callable[[T], tuple[int, int]], *path: int | str
) -> list[T]:
    """Up to ``k`` candidates in random order whose byte spans do not overlap, returned in source order."""
    chosen: list[T] = []
    spans: list[tuple[int, int]] = []
    for i in keys.order(len(candidates), *path):
        if len(chosen) >= k:
            break
        s, e = span(candidates[i])
        if any(s < e2 and s2 < e for s2, e2 in spans):
            continue
        chosen.append(candidates[i])
        spans.append((s, e))
    return sorted(chosen, key=lambda c: span(c)[0])


def indent_unit(indent: str) -> str:
    """One more level of indentation in the style of ``indent``."""
    return "\t" if "\t" in indent else "    "


def ancestors(node: ts.Node) -> list[ts.Node]:
    out = []
    p = node.parent
    while p is not None:
        out.append(p)
        p = p.parent
    return out
