"""Operand swap for comparisons: ``a < b`` → ``b > a`` (all languages).

Source: "operand swap" in the code-augmentation survey (Zhuo et al., 2023), NatGen
("operand swap") and ReCode. Only single comparisons whose two operands are names,
literals or attribute/subscript chains of them are swapped, so no side effect or
evaluation order can change; operators are mirrored (``<``↔``>``, ``<=``↔``>=``)
or kept when symmetric (``==``, ``!=``, ``is``, ``is not``); ``in`` is never swapped.
Arithmetic operators are left alone: ``+`` and ``*`` are not commutative for
strings, lists or matrices.
"""

from __future__ import annotations

import tree_sitter as ts

from .base import NotApplicable, Result
from .edits import Edit, apply_edits
from .keys import Keys
from .sites import pick_disjoint
from .syntax import find, parse, text

__all__ = ["swap_operands"]

_MIRROR = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!=", "===": "===", "!==": "!=="}
_PY_MIRROR = {**_MIRROR, "is": "is", "is not": "is not"}
_ATOMS = {
    "identifier", "integer", "float", "true", "false", "none", "number_literal", "decimal_integer_literal",
    "decimal_floating_point_literal", "number", "int_literal", "float_literal", "null", "null_literal",
    "nullptr", "this", "self", "field_identifier", "property_identifier", "char_literal", "character_literal",
}  # fmt: skip
_CHAINS = {"attribute", "field_access", "member_expression", "field_expression", "selector_expression"}


def _pure(node: ts.Node) -> bool:
    """A name, literal, or attribute chain of those: evaluating it cannot affect the other operand."""
    if node.type in _ATOMS:
        return True
    if node.type == "string":
        return not any(c.type == "interpolation" for c in node.children)
    if node.type in _CHAINS:
        return all(_pure(c) for c in node.named_children)
    if node.type in ("parenthesized_expression",) and node.named_child_count == 1:
        return _pure(node.named_children[0])
    if node.type == "unary_operator" or node.type == "unary_expression":
        arg = node.named_children[-1] if node.named_children else None
        return arg is not None and arg.type in _ATOMS and text(node)[:1] == "-"
    return False


def _python_sites(root: ts.Node) -> list[tuple[ts.Node, str]]:
    out = []
    for n in find(root, "python", "comparison_operator"):
        if n.named_child_count != 2:
            continue
        ops = [c for c in n.children if not c.is_named]
        op = " ".join(text(c) for c in ops)
        if op in _PY_MIRROR and all(_pure(c) for c in n.named_children):
            out.append((n, _PY_MIRROR[op]))
    return out


def _c_like_sites(root: ts.Node, language: str) -> list[tuple[ts.Node, str]]:
    out = []
    for n in find(root, language, "binary_expression"):
        op_node = n.child_by_field_name("operator")
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        if op_node is None or left is None or right is None:
            continue
        op = text(op_node)
        if op in _MIRROR and _pure(left) and _pure(right):
            out.append((n, _MIRROR[op]))
    return out


def swap_operands(source: str, language: str, keys: Keys, sites: int) -> Result:
    """Swap the operands of ``sites`` comparisons."""
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    cands = _python_sites(root) if language == "python" else _c_like_sites(root, language)
    if not cands:
        raise NotApplicable("no comparison between side-effect-free operands")
    chosen = pick_disjoint(cands, sites, keys, lambda c: (c[0].start_byte, c[0].end_byte), "sites")
    edits = []
    for node, mirrored in chosen:
        left, right = node.named_children[0], node.named_children[-1]
        edits.append(Edit(node.start_byte, node.end_byte, f"{text(right)} {mirrored} {text(left)}"))
    return Result(apply_edits(data, edits), len(chosen))
