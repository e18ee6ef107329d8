"""Boolean rewriting (De Morgan) in truth-value contexts of Python code.

Source: "boolean/logical expression transformation" in the code-augmentation
survey (Zhuo et al., 2023) and ReCode's expression rewrites. ``A and B`` becomes
``not (not A or not B)`` and ``A or B`` becomes ``not (not A and not B)``, but only
where the value is used for its truth alone (``if``/``elif``/``while`` conditions,
``assert`` tests, conditional-expression tests, operands of ``not`` and of
``and``/``or`` in such a context): there the truth values and the short-circuit
order are the same, while elsewhere ``and``/``or`` return an operand, not a bool.
"""

from __future__ import annotations

import tree_sitter as ts

from ..base import NotApplicable, Result
from ..edits import Edit, apply_edits
from ..keys import Keys
from ..sites import pick_disjoint
from ..syntax import find, parse, text

__all__ = ["rewrite_booleans"]

_LOOSE = {"boolean_operator", "conditional_expression", "lambda", "named_expression", "not_operator"}


def _truth_operators(root: ts.Node) -> list[ts.Node]:
    """Every ``and``/``or`` whose value is used only for its truth value, in document order.

    Top-down from the truth contexts (conditions of ``if``/``elif``/``while``, the test
    of ``assert`` and of a conditional expression, the operand of ``not``) through
    parentheses, ``not`` and the operands of ``and``/``or`` — no ``Node.parent`` walks,
    which tree-sitter answers by descending from the root.
    """
    roots: list[ts.Node] = []
    for n in find(root, "python", "if_statement", "elif_clause", "while_statement", "assert_statement",
                  "conditional_expression", "not_operator"):  # fmt: skip
        if n.type in ("if_statement", "elif_clause", "while_statement"):
            c = n.child_by_field_name("condition")
        elif n.type == "assert_statement":
            c = n.named_children[0] if n.named_children else None
        elif n.type == "conditional_expression":
            c = n.named_children[1] if n.named_child_count == 3 else None
        else:
            c = n.child_by_field_name("argument")
        if c is not None:
            roots.append(c)
    found: dict[int, ts.Node] = {}
    stack = roots
    while stack:
        n = stack.pop()
        if n.type == "parenthesized_expression":
            stack.extend(n.named_children)
        elif n.type == "boolean_operator":
            found[n.id] = n
            stack.extend(c for c in (n.child_by_field_name("left"), n.child_by_field_name("right")) if c is not None)
        elif n.type == "not_operator":
            arg = n.child_by_field_name("argument")
            if arg is not None:
                stack.append(arg)
    return sorted(found.values(), key=lambda n: n.start_byte)


def _negated(node: ts.Node) -> str:
    if node.type == "not_operator":  # `not not x` has the truth value of `x`
        arg = node.child_by_field_name("argument")
        if arg is not None:
            return f"({text(arg)})" if arg.type in _LOOSE else text(arg)
    return f"not ({text(node)})" if node.type in _LOOSE else f"not {text(node)}"


def rewrite_booleans(source: str, keys: Keys, sites: int) -> Result:
    """Apply De Morgan's law to ``sites`` ``and``/``or`` expressions in truth-value contexts."""
    data = source.encode("utf-8")
    root = parse(data, "python").root_node
    cands = _truth_operators(root)
    if not cands:
        raise NotApplicable("no and/or expression used as a condition")
    chosen = pick_disjoint(cands, sites, keys, lambda n: (n.start_byte, n.end_byte), "sites")
    edits = []
    for n in chosen:
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        op = n.child_by_field_name("operator")
        assert left is not None and right is not None and op is not None
        dual = "or" if text(op) == "and" else "and"
        edits.append(Edit(n.start_byte, n.end_byte, f"not ({_negated(left)} {dual} {_negated(right)})"))
    return Result(apply_edits(data, edits), len(chosen))
