"""Python-specific tree queries on tree-sitter trees: statements, docstrings, enclosing scopes."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts

from ..edits import is_line_start
from ..sites import innermost
from ..syntax import find

__all__ = [
    "statements",
    "docstring_of",
    "is_docstring",
    "scope_kind",
    "in_function",
    "multiline_string_rows",
    "Outline",
]

_SCOPES = {"function_definition": "function", "class_definition": "class", "lambda": "lambda"}


def statements(root: ts.Node, data: bytes) -> Iterator[tuple[ts.Node, int, ts.Node]]:
    """``(block, index, statement)`` for every statement that starts its own line."""
    for node in find(root, "python", "block", "module"):
        stmts = [c for c in node.named_children if c.type not in ("comment", "case_clause")]
        for i, s in enumerate(stmts):
            if is_line_start(data, s.start_byte):
                yield node, i, s


def _lone_string(stmt: ts.Node) -> bool:
    return (
        stmt.type == "expression_statement" and stmt.named_child_count == 1 and stmt.named_children[0].type == "string"
    )


def docstring_of(body: ts.Node) -> ts.Node | None:
    """The docstring statement of a module, class or function ``body`` (a lone string first, comments aside), or None."""
    first = next((c for c in body.named_children if c.type != "comment"), None)
    return first if first is not None and _lone_string(first) else None


def is_docstring(stmt: ts.Node) -> bool:
    """Whether ``stmt`` is the docstring of a module, class or function."""
    if not _lone_string(stmt):
        return False
    parent = stmt.parent
    if parent is None or (parent.type == "block" and (parent.parent is None or parent.parent.type not in _SCOPES)):
        return False
    return docstring_of(parent) == stmt


def scope_kind(node: ts.Node) -> str:
    """``"module"``, ``"function"``, ``"class"`` or ``"lambda"``: the innermost scope holding ``node``."""
    p = node.parent
    while p is not None:
        if p.type in _SCOPES:
            return _SCOPES[p.type]
        p = p.parent
    return "module"


def in_function(node: ts.Node) -> bool:
    return scope_kind(node) == "function"


def multiline_string_rows(root: ts.Node) -> set[int]:
    """Rows (0-based) that continue a multi-line string: their text belongs to the string."""
    rows: set[int] = set()
    for n in find(root, "python", "string"):
        if n.end_point[0] > n.start_point[0]:
            rows.update(range(n.start_point[0] + 1, n.end_point[0] + 1))
    return rows


class Outline:
    """Docstrings and enclosing scopes of a Python tree, computed once with queries and one sweep.

    :func:`is_docstring` and :func:`scope_kind` ask ``Node.parent``, which tree-sitter
    computes by descending from the root: per statement of a large module that is
    quadratic. An op that asks for many statements builds one ``Outline`` instead.
    """

    def __init__(self, root: ts.Node) -> None:
        self.root = root
        self.defs = find(root, "python", *_SCOPES)
        bodies = [root] + [
            b for b in (d.child_by_field_name("body") for d in self.defs if d.type != "lambda") if b is not None
        ]
        self.docstrings = {doc.id for doc in map(docstring_of, bodies) if doc is not None}
        self._kinds: dict[int, str] = {}

    def is_docstring(self, stmt: ts.Node) -> bool:
        """Whether ``stmt`` is the docstring of the module, a class or a function."""
        return stmt.id in self.docstrings

    def scope_kinds(self, nodes: list[ts.Node]) -> dict[int, str]:
        """For each node (by id): ``"module"``, ``"function"``, ``"class"`` or ``"lambda"``."""
        enclosing = innermost(nodes, self.defs)
        return {i: ("module" if d is None else _SCOPES[d.type]) for i, d in enclosing.items()}
