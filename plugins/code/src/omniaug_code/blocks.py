"""Block swap: ``if c: A else: B`` → ``if not c: B else: A`` (all languages).

Source: "block swap" in NatGen (Chakraborty et al., 2022) and the code-augmentation
survey (Zhuo et al., 2023); ReCode's "if-else swap". The condition is evaluated
once either way and its truth value decides the same block. A condition that is
already a negation loses it instead (``if not c: A else: B`` → ``if c: B else: A``),
so swapping twice gives the original program back. Only ``if``/``else`` pairs
without ``elif`` / ``else if`` are swapped.
"""

from __future__ import annotations

import tree_sitter as ts

from .base import NotApplicable, Result
from .clike import clean_sites
from .edits import Edit, apply_edits, is_line_start
from .keys import Keys
from .sites import pick_disjoint
from .syntax import ErrorRegions, find, parse, text

__all__ = ["swap_blocks"]

_PY_TIGHT = {
    "identifier", "call", "attribute", "subscript", "parenthesized_expression", "comparison_operator",
    "string", "integer", "float", "true", "false", "none", "list", "dictionary", "tuple", "set",
}  # fmt: skip
_BLOCKS = {"compound_statement", "block", "statement_block"}


def _negate_python(cond: ts.Node) -> str:
    if cond.type == "not_operator":
        arg = cond.child_by_field_name("argument")
        assert arg is not None
        if arg.type == "parenthesized_expression" and arg.named_child_count == 1:
            inner = arg.named_children[0]
            if inner.type not in ("tuple", "yield", "generator_expression"):
                return text(inner)
        return text(arg)
    return f"not {text(cond)}" if cond.type in _PY_TIGHT else f"not ({text(cond)})"


def _python_site(data: bytes, node: ts.Node) -> list[Edit] | None:
    alts = node.children_by_field_name("alternative")
    cond, cons = node.child_by_field_name("condition"), node.child_by_field_name("consequence")
    if len(alts) != 1 or alts[0].type != "else_clause" or cond is None or cons is None:
        return None
    alt = alts[0].child_by_field_name("body")
    if alt is None:
        return None
    firsts = [next((c for c in b.named_children if c.type != "comment"), None) for b in (cons, alt)]
    if any(f is None or not is_line_start(data, f.start_byte) for f in firsts):
        return None
    return [
        Edit(cond.start_byte, cond.end_byte, _negate_python(cond)),
        Edit(cons.start_byte, cons.end_byte, text(alt)),
        Edit(alt.start_byte, alt.end_byte, text(cons)),
    ]


def _negate_c_like(cond: ts.Node, language: str) -> str:
    inner = cond
    if cond.type in ("parenthesized_expression", "condition_clause") and cond.named_child_count == 1:
        inner = cond.named_children[0]
    # strip a negation we (or the author) wrote: `!(x)` → `x`
    if inner.type == "unary_expression" and text(inner).startswith("!"):
        arg = inner.named_children[-1]
        if arg.type == "parenthesized_expression" and arg.named_child_count == 1:
            arg = arg.named_children[0]
        body = text(arg)
    else:
        body = f"!({text(inner)})"
    if language == "go":
        # a composite literal in an `if` condition must stay parenthesised (`if (T{x}).ok() {`)
        return f"({body})" if "{" in body and not body.startswith("!(") else body
    return f"({body})"


def _c_like_site(node: ts.Node, language: str) -> list[Edit] | None:
    cond, cons, alt = (node.child_by_field_name(f) for f in ("condition", "consequence", "alternative"))
    if cond is None or cons is None or alt is None:
        return None
    if alt.type == "else_clause":
        alt = alt.named_children[-1] if alt.named_children else None
    if alt is None or cons.type not in _BLOCKS or alt.type not in _BLOCKS:
        return None
    if cond.type == "condition_clause" and (cond.named_child_count != 1 or cond.child_by_field_name("initializer")):
        return None
    if language == "go" and node.child_by_field_name("initializer") is not None:
        pass  # `if v := f(); cond {` keeps its initializer; only the condition changes
    return [
        Edit(cond.start_byte, cond.end_byte, _negate_c_like(cond, language)),
        Edit(cons.start_byte, cons.end_byte, text(alt)),
        Edit(alt.start_byte, alt.end_byte, text(cons)),
    ]


def swap_blocks(source: str, language: str, keys: Keys, sites: int) -> Result:
    """Swap the branches of ``sites`` if/else statements, negating their conditions."""
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    errors = ErrorRegions(root, language, data)
    ifs = find(root, language, "if_statement")
    plans = []
    for n, ok in zip(ifs, clean_sites(ifs, root, errors, language)):
        if not ok:
            continue
        edits = _python_site(data, n) if language == "python" else _c_like_site(n, language)
        if (
            edits
            and errors.macros
            and (
                errors.near_macro(edits[0].start, edits[0].end)
                or any(errors.near_macro(e.start, e.start) or errors.near_macro(e.end, e.end) for e in edits[1:])
            )
        ):
            continue  # a macro token in the condition or next to a block would change what it applies to
        if edits:
            plans.append((n, edits))
    if not plans:
        raise NotApplicable("no if/else without elif")
    chosen = pick_disjoint(plans, sites, keys, lambda p: (p[0].start_byte, p[0].end_byte), "sites")
    return Result(apply_edits(data, [e for _, es in chosen for e in es]), len(chosen))
