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

import re

import tree_sitter as ts

from .base import NotApplicable, Result
from .clike import clean_sites
from .edits import Edit, apply_edits
from .keys import Keys
from .sites import pick_disjoint
from .syntax import ErrorRegions, find, parse, text

__all__ = ["swap_operands"]

_MIRROR = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "==": "==", "!=": "!=", "===": "===", "!==": "!=="}
_PY_MIRROR = {**_MIRROR, "is": "is", "is not": "is not"}
_ATOMS = {
    "identifier", "integer", "float", "true", "false", "none", "number_literal", "decimal_integer_literal",
    "decimal_floating_point_literal", "number", "int_literal", "float_literal", "null", "null_literal",
    "nullptr", "this", "self", "field_identifier", "property_identifier", "char_literal", "character_literal",
}  # fmt: skip
_CHAINS = {"attribute", "field_access", "member_expression", "field_expression", "selector_expression"}


def _pure(node: ts.Node, depth: int = 0) -> bool:
    """A name, literal, or attribute chain of those: evaluating it cannot affect the other operand."""
    if depth > 64:
        return False  # long chains are not worth swapping (and the check stays shallow)
    if node.type in _ATOMS:
        return True
    if node.type == "string":
        return not any(c.type == "interpolation" for c in node.children)
    if node.type in _CHAINS:
        return all(_pure(c, depth + 1) for c in node.named_children)
    if node.type in ("parenthesized_expression",) and node.named_child_count == 1:
        return _pure(node.named_children[0], depth + 1)
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


_LITERALS = {"number_literal", "char_literal", "true", "false", "nullptr", "null"}


def _c_like_sites(root: ts.Node, language: str, data: bytes) -> list[tuple[ts.Node, str]]:
    errors = ErrorRegions(root, language, data)
    macros = _expression_macros(data) if language in ("c", "cpp") else set()
    builtin = _builtin_typed_names(root) if language == "cpp" else set()
    out = []
    for n in find(root, language, "binary_expression"):
        op_node = n.child_by_field_name("operator")
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        if op_node is None or left is None or right is None:
            continue
        op = text(op_node)
        if op not in _MIRROR or not (_pure(left) and _pure(right)):
            continue
        if macros and (text(left) in macros or text(right) in macros):
            continue  # a macro expanding to an unparenthesised expression would re-associate
        if language == "cpp" and not all(
            o.type in _LITERALS or (o.type == "identifier" and text(o) in builtin) for o in (left, right)
        ):
            continue  # an overloaded operator< need not have a matching operator>: built-in types only
        if errors.macros and errors.near_macro(n.start_byte, n.end_byte):
            continue  # a cast-like macro before the left operand would apply to the right one
        out.append((n, _MIRROR[op]))
    keep = clean_sites([n for n, _ in out], root, errors, language)
    return [c for c, ok in zip(out, keep) if ok]


def _builtin_typed_names(root: ts.Node) -> set[str]:
    """C++ names every declaration of which in the file has a built-in arithmetic type (or is a pointer)."""
    kinds: dict[str, bool] = {}
    for decl in find(
        root, "cpp", "declaration", "parameter_declaration", "field_declaration", "optional_parameter_declaration"
    ):
        type_node = decl.child_by_field_name("type")
        builtin = type_node is not None and type_node.type in ("primitive_type", "sized_type_specifier")
        for d in decl.children_by_field_name("declarator"):
            pointer = False
            while d is not None and d.type != "identifier":
                pointer = pointer or d.type == "pointer_declarator"
                nxt = d.child_by_field_name("declarator")
                if nxt is None:
                    nxt = next(
                        (c for c in d.named_children if c.type.endswith("declarator") or c.type == "identifier"), None
                    )
                d = nxt
            if d is not None and d.type == "identifier":
                name = text(d)
                kinds[name] = kinds.get(name, True) and (builtin or pointer)
    return {name for name, ok in kinds.items() if ok}


_OBJECT_MACRO = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+(.*)$", re.M)


def _expression_macros(data: bytes) -> set[str]:
    """Object-like macros of the file whose body is not a single token or a parenthesised expression."""
    out = set()
    for m in _OBJECT_MACRO.finditer(data):
        body = m.group(2).split(b"//")[0].split(b"/*")[0].strip()
        if not re.fullmatch(rb"-?[\w.]+|\(.*\)", body):
            out.add(m.group(1).decode())
    return out


def swap_operands(source: str, language: str, keys: Keys, sites: int) -> Result:
    """Swap the operands of ``sites`` comparisons."""
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    cands = _python_sites(root) if language == "python" else _c_like_sites(root, language, data)
    if not cands:
        raise NotApplicable("no comparison between side-effect-free operands")
    chosen = pick_disjoint(cands, sites, keys, lambda c: (c[0].start_byte, c[0].end_byte), "sites")
    edits = []
    for node, mirrored in chosen:
        left, right = node.named_children[0], node.named_children[-1]
        edits.append(Edit(node.start_byte, node.end_byte, f"{text(right)} {mirrored} {text(left)}"))
    return Result(apply_edits(data, edits), len(chosen))
