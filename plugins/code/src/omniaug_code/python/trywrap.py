"""Wrap a Python statement in a ``try`` that changes no behaviour.

Source: "exception handling insertion" / "try-catch wrapping" in the
code-augmentation survey (Zhuo et al., 2023) and ReCode. The statement is wrapped
in ``try: S`` followed by either ``except Exception: raise`` (a bare ``raise``
re-raises the very same exception object with its traceback) or
``finally: pass``. Docstrings, ``global``/``nonlocal`` declarations and
``__future__`` imports are never wrapped, nor statements with a multi-line string
(re-indenting would change the string).
"""

from __future__ import annotations

from ..base import NotApplicable, Result
from ..edits import Edit, apply_edits, indent_at, line_start
from ..keys import Keys
from ..sites import indent_unit
from ..syntax import find, parse
from .tree import Outline, statements

__all__ = ["wrap_try"]

_NEVER = {
    "global_statement",
    "nonlocal_statement",
    "future_import_statement",
    "import_from_statement",
    "import_statement",
}
_HANDLERS = ("except Exception:\n{in2}raise", "except BaseException:\n{in2}raise", "finally:\n{in2}pass")


def wrap_try(source: str, keys: Keys, sites: int) -> Result:
    """Wrap ``sites`` statements (in function bodies) in behaviour-preserving try statements."""
    data = source.encode("utf-8")
    root = parse(data, "python").root_node
    outline = Outline(root)
    stmts = [stmt for _, _, stmt in statements(root, data)]
    kinds = outline.scope_kinds(stmts)
    cands = []
    for stmt in stmts:
        if stmt.type in _NEVER or outline.is_docstring(stmt) or kinds[stmt.id] != "function":
            continue
        if any(n.end_point[0] > n.start_point[0] for n in find(stmt, "python", "string")):
            continue
        cands.append(stmt)
    if not cands:
        raise NotApplicable("no statement in a function body to wrap")
    # nested statements would be re-indented twice: keep only non-overlapping ones
    picked = []
    for s in keys.sample(cands, len(cands), "order"):
        if len(picked) < sites and not any(p.start_byte <= s.start_byte < p.end_byte for p in picked):
            picked = [p for p in picked if not (s.start_byte <= p.start_byte < s.end_byte)] + [s]
    edits = []
    for j, stmt in enumerate(picked):
        ind = indent_at(data, stmt.start_byte)
        unit = indent_unit(ind)
        start = line_start(data, stmt.start_byte)
        lines = data[start : stmt.end_byte].decode("utf-8").split("\n")
        body = "\n".join((unit + ln) if ln.strip() else ln for ln in lines)
        handler = keys.choice(_HANDLERS, "handler", j).format(in2=ind + unit)
        edits.append(Edit(start, stmt.end_byte, f"{ind}try:\n{body}\n{ind}{handler}"))
    return Result(apply_edits(data, edits), len(picked))
