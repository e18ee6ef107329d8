"""Dead-code insertion for Python: statements that never run or bind only fresh names.

Source: "dead code insertion" / "unused statement insertion" in the code-augmentation
survey (Zhuo et al., 2023), NatGen (Chakraborty et al., 2022, "dead code
injection") and ReCode ("dead code insertion"). Every inserted statement binds
only a fresh name, so no global becomes a local and no existing binding changes;
statements that execute (``x = 0``) are inserted only in function bodies, where
they cannot add a class attribute or a module global.
"""

from __future__ import annotations

from ..base import NotApplicable, Result
from ..edits import Edit, apply_edits, indent_at
from ..keys import Keys
from ..sites import indent_unit
from ..syntax import parse
from .scopes import fresh_names, identifiers_of
from .tree import Outline, statements

__all__ = ["insert_dead_code"]

# {ind}: indentation of the statement, {in2}: one level deeper, {a}/{b}: fresh names, {k}: a small int
_NEVER_RUN = (
    "if False:\n{in2}{a} = {k}",
    "while False:\n{in2}{a} = {k}",
    "for {a} in ():\n{in2}pass",
    "if {k} < 0:\n{in2}{a} = {k}",
)
_RUNS = ("{a} = {k}", "{a} = [{k}]\n{ind}del {a}")


def insert_dead_code(source: str, keys: Keys, sites: int) -> Result:
    """Insert ``sites`` dead statements before randomly chosen statements."""
    data = source.encode("utf-8")
    tree = parse(data, "python")
    outline = Outline(tree.root_node)
    spots = []
    for block, i, stmt in statements(tree.root_node, data):
        if i == 0 and outline.is_docstring(stmt):
            continue
        if stmt.type == "future_import_statement":
            continue
        if (
            i == 0
            and block.type == "module"
            and stmt.type == "expression_statement"
            and stmt.named_children[0].type == "string"
        ):
            continue  # module docstring
        spots.append(stmt)
    # after `from __future__` imports only
    last_future = max((s.end_byte for s in spots if s.type == "future_import_statement"), default=-1)
    spots = [s for s in spots if s.start_byte > last_future]
    if not spots:
        raise NotApplicable("no statement to insert dead code before")
    picked = keys.sample(spots, sites, "spots")
    names = fresh_names(identifiers_of(tree.root_node), 2 * len(picked), keys, "fresh")
    kinds = outline.scope_kinds(picked)
    edits = []
    for j, stmt in enumerate(picked):
        ind = indent_at(data, stmt.start_byte)
        templates = _NEVER_RUN + (_RUNS if kinds[stmt.id] == "function" else ())
        tpl = keys.choice(templates, "template", j)
        code = tpl.format(
            ind=ind, in2=ind + indent_unit(ind), a=names[2 * j], b=names[2 * j + 1], k=keys.index(10, "k", j)
        )
        edits.append(Edit(stmt.start_byte, stmt.start_byte, code + "\n" + ind))
    return Result(apply_edits(data, edits), len(picked))
