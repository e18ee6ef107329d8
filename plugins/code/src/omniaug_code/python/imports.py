"""Import reordering for Python, where it is safe.

Source: "statement permutation / import reordering" in the code-augmentation
survey (Zhuo et al., 2023) and NatGen's statement-level permutations. Only runs of
consecutive module-level ``import`` statements (nothing but blank lines between
them) are permuted, and only when no two statements of the run bind the same name
(``import os`` and ``import os.path`` both bind ``os``), none is a star import and
none is a ``__future__`` import. The permutation moves every statement (a cyclic
shift of a random order, so nothing stays in place).
"""

from __future__ import annotations

import tree_sitter as ts

from ..base import NotApplicable, Result
from ..edits import Edit, apply_edits, is_line_start
from ..keys import Keys
from ..syntax import parse, text

__all__ = ["reorder_imports"]


def _bound_names(stmt: ts.Node) -> list[str] | None:
    if any(c.type == "wildcard_import" for c in stmt.children):
        return None
    names = []
    if stmt.type == "import_statement":
        for c in stmt.named_children:
            if c.type == "aliased_import":
                alias = c.child_by_field_name("alias")
                names.append(text(alias) if alias is not None else "")
            else:
                names.append(text(c).split(".")[0])
    else:
        module = stmt.child_by_field_name("module_name")
        for c in stmt.named_children:
            if c == module:
                continue
            if c.type == "aliased_import":
                alias = c.child_by_field_name("alias")
                names.append(text(alias) if alias is not None else "")
            elif c.type == "dotted_name":
                names.append(text(c))
    return names


def _runs(root: ts.Node, data: bytes) -> list[list[ts.Node]]:
    runs: list[list[ts.Node]] = []
    current: list[ts.Node] = []
    for c in root.children:
        ok = c.type in ("import_statement", "import_from_statement") and is_line_start(data, c.start_byte)
        if ok and current and data[current[-1].end_byte : c.start_byte].strip():
            ok = False  # something other than whitespace between (a ';' or a comment)
        if ok:
            current.append(c)
            continue
        if len(current) >= 2:
            runs.append(current)
        current = (
            [c] if c.type in ("import_statement", "import_from_statement") and is_line_start(data, c.start_byte) else []
        )
    if len(current) >= 2:
        runs.append(current)
    safe = []
    for run in runs:
        bound = [_bound_names(s) for s in run]
        flat = [n for b in bound if b is not None for n in b]
        if all(b is not None for b in bound) and len(flat) == len(set(flat)):
            safe.append(run)
    return safe


def reorder_imports(source: str, keys: Keys, sites: int) -> Result:
    """Permute the statements of up to ``sites`` runs of module-level imports."""
    data = source.encode("utf-8")
    root = parse(data, "python").root_node
    if any(c.type == "future_import_statement" for c in root.children):
        raise NotApplicable("module has __future__ imports")
    runs = _runs(root, data)
    if not runs:
        raise NotApplicable("no run of two or more independent module-level imports")
    edits = []
    picked = keys.sample(runs, sites, "runs")
    for j, run in enumerate(picked):
        order = keys.order(len(run), "order", j)
        perm = {order[i]: order[(i + 1) % len(order)] for i in range(len(order))}
        for i, stmt in enumerate(run):
            edits.append(Edit(stmt.start_byte, stmt.end_byte, text(run[perm[i]])))
    return Result(apply_edits(data, edits), len(picked))
