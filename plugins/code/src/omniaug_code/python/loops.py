"""for ↔ while loop exchange for Python.

Source: "loop exchange" in the code-augmentation survey (Zhuo et al., 2023), NatGen
("loop transformation") and ReCode ("for-while switch").

``for T in E: B else: C`` becomes::

    it = iter(E)
    stop = object()
    while (item := next(it, stop)) is not stop:
        T = item
        B
    else:
        C

which keeps every behaviour: ``continue`` re-evaluates the condition (fetches the
next item), ``break`` skips the ``else`` clause exactly as before, the ``else``
clause runs when the iterator is exhausted, and the iterable is evaluated once,
before the loop. ``it``, ``stop`` and ``item`` are fresh names. The inverse
rewrites this exact pattern back to the original ``for``.

A general ``while C: B`` (inside a function) becomes
``for fresh in iter(lambda: bool(C), False): B`` — ``iter(callable, sentinel)``
re-evaluates ``C`` before every iteration, ``continue``/``break``/``else`` keep
their meaning. Not applied when ``C`` contains ``yield``, ``await``, ``:=`` or
``super`` (a lambda changes their meaning).
"""

from __future__ import annotations

import re
import symtable

import tree_sitter as ts

from ..base import NotApplicable, Result
from ..edits import Edit, apply_edits, indent_at, is_line_start
from ..keys import Keys
from ..sites import pick_disjoint
from ..syntax import find, parse, text, walk
from .scopes import fresh_names, identifiers_of
from .tree import Outline

__all__ = ["exchange_loops"]

_PATTERN = re.compile(r"^\((\w+) := next\((\w+), (\w+)\)\) is not (\w+)$")
_ITER_CALL = re.compile(r"^(\w+) = iter\((.*)\)$", re.S)
_STOP = re.compile(r"^(\w+) = object\(\)$")
_BUILTINS_USED = ("iter", "next", "object", "bool")
_MENTIONS_BUILTINS = re.compile(r"\b(?:iter|next|object|bool)\b")
_LAMBDA_UNSAFE = {"yield", "await", "named_expression", "lambda"}


def _first_statement(block: ts.Node | None) -> ts.Node | None:
    if block is None:
        return None
    return next((c for c in block.named_children if c.type != "comment"), None)


def _colon(node: ts.Node) -> ts.Node | None:
    return next((c for c in node.children if c.type == ":"), None)


def _prev_statements(stmt: ts.Node, count: int) -> list[ts.Node] | None:
    out: list[ts.Node] = []
    s = stmt.prev_named_sibling
    while s is not None and len(out) < count:
        if s.type != "comment":
            out.append(s)
        s = s.prev_named_sibling
    return out[::-1] if len(out) == count else None


def _for_to_while(data: bytes, node: ts.Node, names: list[str], kind: str) -> list[Edit] | None:
    if any(c.type == "async" for c in node.children) or kind == "class":
        return None
    left, right, body = (node.child_by_field_name(f) for f in ("left", "right", "body"))
    colon, first = _colon(node), _first_statement(body)
    if left is None or right is None or colon is None or first is None or not is_line_start(data, first.start_byte):
        return None
    ind, body_ind = indent_at(data, node.start_byte), indent_at(data, first.start_byte)
    it, stop, item = names
    iterable = text(right)
    if right.type in ("expression_list", "pattern_list") or "\n" in iterable:
        iterable = f"({iterable})"
    header = (
        f"{it} = iter({iterable})\n{ind}{stop} = object()\n{ind}while ({item} := next({it}, {stop})) is not {stop}:"
    )
    target = text(left)
    return [
        Edit(node.start_byte, colon.end_byte, header),
        Edit(first.start_byte, first.start_byte, f"{target} = {item}\n{body_ind}"),
    ]


def _restore_for(data: bytes, node: ts.Node) -> tuple[list[Edit], int] | None:
    """Undo :func:`_for_to_while` on its exact output pattern; returns the edits and the span start."""
    cond, body, colon = node.child_by_field_name("condition"), node.child_by_field_name("body"), _colon(node)
    if cond is None or body is None or colon is None:
        return None
    m = _PATTERN.match(text(cond))
    if m is None or m.group(3) != m.group(4):
        return None
    item, it, stop = m.group(1), m.group(2), m.group(3)
    prev = _prev_statements(node, 2)
    if prev is None:
        return None
    m_iter, m_stop = _ITER_CALL.match(text(prev[0])), _STOP.match(text(prev[1]))
    if m_iter is None or m_stop is None or m_iter.group(1) != it or m_stop.group(1) != stop:
        return None
    stmts = [c for c in body.named_children if c.type != "comment"]
    if len(stmts) < 2 or stmts[0].type != "expression_statement":
        return None
    assign = stmts[0].named_children[0]
    value = assign.child_by_field_name("right") if assign.type == "assignment" else None
    target = assign.child_by_field_name("left") if assign.type == "assignment" else None
    if value is None or target is None or text(value) != item:
        return None
    header = f"for {text(target)} in {m_iter.group(2)}:"
    edits = [
        Edit(prev[0].start_byte, colon.end_byte, header),
        Edit(stmts[0].start_byte, stmts[1].start_byte, ""),
    ]
    return edits, prev[0].start_byte


def _while_to_for(data: bytes, node: ts.Node, name: str, kind: str) -> list[Edit] | None:
    if kind != "function":
        return None
    cond, colon = node.child_by_field_name("condition"), _colon(node)
    if cond is None or colon is None:
        return None
    for n in walk(cond):
        if n.type in _LAMBDA_UNSAFE or (n.type == "identifier" and n.text == b"super"):
            return None
    return [Edit(node.start_byte, colon.end_byte, f"for {name} in iter(lambda: bool({text(cond)}), False):")]


def _rebound_builtins(source: str) -> set[str]:
    """Which of the builtins the rewrites call (``iter``, ``next``, ``object``, ``bool``) the source rebinds."""
    out: set[str] = set()
    if _MENTIONS_BUILTINS.search(source) is None:
        return out  # none of the names appears at all: skip the symbol tables
    stack = [symtable.symtable(source, "<code>", "exec")]
    while stack:
        table = stack.pop()
        for name in _BUILTINS_USED:
            try:
                sym = table.lookup(name)
            except KeyError:
                continue
            if sym.is_assigned() or sym.is_imported() or sym.is_parameter() or sym.is_namespace():
                out.add(name)
        stack.extend(table.get_children())
    return out


def exchange_loops(source: str, keys: Keys, sites: int) -> Result:
    """Exchange ``sites`` loops: ``for`` → ``while``, our ``while`` pattern → ``for``, other ``while`` → ``for``."""
    data = source.encode("utf-8")
    tree = parse(data, "python")
    loops = find(tree.root_node, "python", "for_statement", "while_statement")
    if not loops:
        raise NotApplicable("no loop")
    rebound = _rebound_builtins(source)
    if rebound:
        raise NotApplicable(f"the source rebinds {', '.join(sorted(rebound))}, which the rewritten loops call")
    taken = identifiers_of(tree.root_node)
    names = fresh_names(taken, 3 * len(loops), keys, "fresh")
    kinds = Outline(tree.root_node).scope_kinds(loops)
    plans: list[tuple[int, int, list[Edit]]] = []
    for j, loop in enumerate(loops):
        header_end = (_colon(loop) or loop).end_byte
        if loop.type == "for_statement":
            edits = _for_to_while(data, loop, names[3 * j : 3 * j + 3], kinds[loop.id])
            if edits:
                plans.append((loop.start_byte, header_end, edits))
        else:
            restored = _restore_for(data, loop)
            if restored is not None:
                edits, start = restored
                body_first = _first_statement(loop.child_by_field_name("body"))
                assert body_first is not None
                second = body_first.next_named_sibling
                plans.append((start, second.start_byte if second is not None else header_end, edits))
                continue
            edits = _while_to_for(data, loop, names[3 * j], kinds[loop.id])
            if edits:
                plans.append((loop.start_byte, header_end, edits))
    if not plans:
        raise NotApplicable(
            "no exchangeable loop (async loops, loops in class bodies and while loops outside functions are kept)"
        )
    # header spans (and, for restored loops, the removed assignment) must not overlap another plan's edits
    chosen = pick_disjoint(plans, sites, keys, lambda p: (p[0], p[1]), "loops")
    return Result(apply_edits(data, [e for _, _, es in chosen for e in es]), len(chosen))
