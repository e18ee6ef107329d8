"""Helpers shared by transformations: choosing sites and walking statement blocks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import tree_sitter as ts

from .keys import Keys

__all__ = ["pick_disjoint", "indent_unit", "ancestors", "innermost"]

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


def innermost(nodes: Sequence[ts.Node], containers: Sequence[ts.Node]) -> dict[int, ts.Node | None]:
    """For each node (by id), the smallest container that strictly encloses it (None when none does).

    One sweep over both lists sorted by position — linear, unlike walking
    ``Node.parent`` (which tree-sitter computes by descending from the root, so
    that asking it for every node of a large file is quadratic). Containers must
    come from one tree (they nest or are disjoint).
    """
    events = sorted(
        [(c.start_byte, -c.end_byte, 0, c) for c in containers] + [(n.start_byte, -n.end_byte, 1, n) for n in nodes],
        key=lambda e: (e[0], e[1], e[2]),
    )
    out: dict[int, ts.Node | None] = {}
    stack: list[ts.Node] = []
    for start, neg_end, kind, node in events:
        end = -neg_end
        while stack and stack[-1].end_byte <= start and not (stack[-1].end_byte == start == end):
            stack.pop()
        if kind == 0:
            stack.append(node)
            continue
        # the innermost open container that encloses [start, end) and is not the node itself
        j = len(stack) - 1
        while j >= 0 and (stack[j].id == node.id or stack[j].end_byte < end):
            j -= 1
        out[node.id] = stack[j] if j >= 0 else None
    return out
