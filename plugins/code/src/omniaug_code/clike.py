"""Transformations for the C family (Java, JavaScript, C, C++, Go) on tree-sitter trees.

Operand swap, block swap and comment removal are shared with Python (see
:mod:`.operands`, :mod:`.blocks`, :mod:`.comments`); this module adds local-variable
renaming, dead-code insertion and ``for`` → ``while`` exchange. Outputs are
checked for parsing (tree-sitter) on every call; the tests also check α-renaming
and compile and run C, C++, Java and JavaScript variants against the original.
"""

from __future__ import annotations

import re

import tree_sitter as ts

from .base import NotApplicable, Result
from .edits import Edit, apply_edits, indent_at, is_line_start
from .keys import Keys
from .python.scopes import fresh_names
from .sites import ancestors, indent_unit, pick_disjoint
from .syntax import find, parse, text, walk

__all__ = ["rename_locals", "insert_dead_code", "exchange_loops", "KEYWORDS"]

KEYWORDS: dict[str, frozenset[str]] = {
    "java": frozenset(
        "abstract assert boolean break byte case catch char class const continue default do double else enum extends "
        "final finally float for goto if implements import instanceof int interface long native new package private "
        "protected public return short static strictfp super switch synchronized this throw throws transient try void "
        "volatile while var record yield true false null String Object Math System".split()
    ),
    "javascript": frozenset(
        "break case catch class const continue debugger default delete do else export extends finally for function if "
        "import in instanceof new return super switch this throw try typeof var void while with yield let static await "
        "async of true false null undefined NaN Infinity arguments eval Math Object Array String Number JSON console "
        "window document".split()
    ),
    "c": frozenset(
        "auto break case char const continue default do double else enum extern float for goto if inline int long "
        "register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while "
        "bool true false NULL size_t main printf malloc free".split()
    ),
    "go": frozenset(
        "break case chan const continue default defer else fallthrough for func go goto if import interface map package "
        "range return select struct switch type var true false nil iota append cap close copy delete len make new panic "
        "print println recover string int bool byte rune error float64 int64".split()
    ),
}
KEYWORDS["cpp"] = KEYWORDS["c"] | frozenset(
    "class namespace template typename public private protected virtual new delete this throw try catch using auto "
    "operator friend explicit nullptr std vector string".split()
)

_FUNCTIONS = {
    "java": ("method_declaration", "constructor_declaration", "lambda_expression"),
    "javascript": ("function_declaration", "function_expression", "arrow_function", "method_definition"),
    "c": ("function_definition",),
    "cpp": ("function_definition", "lambda_expression"),
    "go": ("function_declaration", "method_declaration", "func_literal"),
}
_BLOCKS = {"compound_statement", "block", "statement_block", "statement_list"}
_BLOCK_TYPES = {
    "java": ("block",),
    "javascript": ("statement_block",),
    "c": ("compound_statement",),
    "cpp": ("compound_statement",),
    "go": ("statement_list",),
}
_IDENTIFIER_TYPES = {
    "java": ("identifier",),
    "javascript": ("identifier", "property_identifier", "shorthand_property_identifier"),
    "c": ("identifier", "field_identifier", "type_identifier"),
    "cpp": ("identifier", "field_identifier", "type_identifier", "namespace_identifier"),
    "go": ("identifier", "field_identifier", "type_identifier", "package_identifier"),
}


def _identifiers(root: ts.Node, language: str) -> set[str]:
    return {text(n) for n in find(root, language, *_IDENTIFIER_TYPES[language])}


def _declared_names(fn: ts.Node, language: str) -> set[str]:
    """Names of the parameters and local variables declared in a function."""
    names: set[str] = set()
    for n in walk(fn):
        t = n.type
        ident: ts.Node | None = None
        if t in ("variable_declarator",):  # Java, JavaScript
            ident = n.child_by_field_name("name")
        elif t in ("formal_parameter", "catch_formal_parameter", "enhanced_for_statement"):  # Java
            ident = n.child_by_field_name("name")
        elif t in ("init_declarator", "parameter_declaration", "declaration") and language in ("c", "cpp"):
            d = n.child_by_field_name("declarator")
            while d is not None and d.type != "identifier":
                d = d.child_by_field_name("declarator")
            ident = d
        elif t == "formal_parameters" and language == "javascript":
            for c in n.named_children:
                if c.type == "identifier":
                    names.add(text(c))
                elif c.type == "assignment_pattern":
                    left = c.child_by_field_name("left")
                    if left is not None and left.type == "identifier":
                        names.add(text(left))
        elif t == "short_var_declaration" and language == "go":
            left = n.child_by_field_name("left")
            for c in left.named_children if left is not None else []:
                if c.type == "identifier":
                    names.add(text(c))
        elif t in ("var_spec", "parameter_declaration", "range_clause") and language == "go":
            for c in n.children_by_field_name("name") or []:
                names.add(text(c))
            if t == "range_clause":
                left = n.child_by_field_name("left")
                for c in left.named_children if left is not None else []:
                    if c.type == "identifier":
                        names.add(text(c))
        if ident is not None and ident.type == "identifier":
            names.add(text(ident))
    names.discard("_")
    return names


def _is_variable_ref(node: ts.Node, language: str) -> bool:
    parent = node.parent
    if parent is None:
        return True
    if language == "java":
        if parent.type == "method_invocation" and parent.child_by_field_name("name") == node:
            return False
        if parent.type == "field_access" and parent.child_by_field_name("field") == node:
            return False
    if language in ("c", "cpp") and parent.type == "function_declarator" and parent.child_by_field_name("declarator") == node:
        return False
    return True


def rename_locals(source: str, language: str, keys: Keys, sites: int) -> Result:
    """Rename ``sites`` parameters/local variables of functions (every use inside that function)."""
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    taken = _identifiers(root, language)
    cands: list[tuple[ts.Node, str]] = []
    fns = find(root, language, *_FUNCTIONS[language])
    for fn in fns:
        inner = [f for f in fns if f != fn and fn.start_byte <= f.start_byte and f.end_byte <= fn.end_byte]
        for name in sorted(_declared_names(fn, language)):
            # a nested function declaring the same name would shadow it: skip the name
            if any(name in _declared_names(f, language) for f in inner):
                continue
            outer = [f for f in fns if f != fn and f.start_byte <= fn.start_byte and fn.end_byte <= f.end_byte]
            if any(name in _declared_names(f, language) for f in outer):
                continue
            cands.append((fn, name))
    if not cands:
        raise NotApplicable("no local variable or parameter")
    picked = keys.sample(cands, sites, "pick")
    fresh = fresh_names(taken, len(picked), keys, "fresh", reserved=KEYWORDS[language])
    edits: dict[int, Edit] = {}
    for (fn, old), new in zip(picked, fresh):
        for n in walk(fn):
            if n.type == "identifier" and text(n) == old and _is_variable_ref(n, language):
                edits[n.start_byte] = Edit(n.start_byte, n.end_byte, new)
    detail = ", ".join(f"{old}->{new}" for (_, old), new in zip(picked, fresh))
    return Result(apply_edits(data, edits.values()), len(picked), detail)


_DEAD = {
    # Java rejects `while (false)` as an unreachable statement; `if (false)` is allowed by design
    "java": ("if (false) {{ int {a} = {k}; }}", "{{ int {a} = {k}; }}", "if ({k} < 0) {{ int {a} = {k}; }}"),
    "javascript": ("if (false) {{ let {a} = {k}; }}", "while (false) {{ let {a} = {k}; }}", "let {a} = {k};"),
    "c": ("if (0) {{ int {a} = {k}; }}", "while (0) {{ int {a} = {k}; }}", "{{ int {a} = {k}; (void){a}; }}"),
    "cpp": ("if (false) {{ int {a} = {k}; }}", "while (false) {{ int {a} = {k}; }}", "{{ int {a} = {k}; (void){a}; }}"),
    "go": ("if false {{ {a} := {k}; _ = {a} }}", "for false {{ {a} := {k}; _ = {a} }}"),
}


def insert_dead_code(source: str, language: str, keys: Keys, sites: int) -> Result:
    """Insert ``sites`` dead statements (binding fresh names) before statements inside function bodies."""
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    spots = []
    for block in find(root, language, *_BLOCK_TYPES[language]):
        if not any(a.type in _FUNCTIONS[language] for a in ancestors(block)):
            continue
        if block.parent is not None and block.parent.type in ("switch_body", "switch_block", "case_statement"):
            continue
        for s in block.named_children:
            if "comment" in s.type or s.type in ("statement_list", "case_statement", "switch_block_statement_group"):
                continue
            if s.type.endswith("label") or s.type == "labeled_statement":
                continue
            if is_line_start(data, s.start_byte):
                spots.append(s)
    if not spots:
        raise NotApplicable("no statement inside a function body")
    taken = _identifiers(root, language)
    picked = keys.sample(spots, sites, "spots")
    names = fresh_names(taken, len(picked), keys, "fresh", reserved=KEYWORDS[language])
    edits = []
    for j, s in enumerate(picked):
        tpl = keys.choice(_DEAD[language], "template", j)
        code = tpl.format(a=names[j], k=keys.index(10, "k", j))
        edits.append(Edit(s.start_byte, s.start_byte, code + "\n" + indent_at(data, s.start_byte)))
    return Result(apply_edits(data, edits), len(picked))


_CONTINUE = re.compile(r"\bcontinue\b")


def _loop_plan(data: bytes, node: ts.Node, language: str) -> list[Edit] | None:
    """``for (init; cond; update) { B }`` → ``{ init; while (cond) { B update; } }`` (no ``continue`` in B)."""
    if language == "go":
        clause = next((c for c in node.named_children if c.type == "for_clause"), None)
        if clause is None:
            return None
        fields = {f: clause.child_by_field_name(f) for f in ("initializer", "condition", "update")}
    else:
        init_field = "init" if language == "java" else "initializer"
        update_field = "increment" if language == "javascript" else "update"
        fields = {
            "initializer": node.child_by_field_name(init_field),
            "condition": next((c for c in node.children_by_field_name("condition") if c.is_named), None),
            "update": node.child_by_field_name(update_field),
        }
    body = node.child_by_field_name("body")
    if body is None or body.type not in _BLOCKS or _CONTINUE.search(text(body)):
        return None
    if language == "java" and len(node.children_by_field_name("update")) > 1:
        return None
    if language == "javascript" and fields["initializer"] is not None and text(fields["initializer"]).startswith("let"):
        if re.search(r"\bfunction\b|=>", text(body)):
            return None  # closures would see one binding instead of one per iteration
    close = body.children[-1]
    if close.type != "}" or not is_line_start(data, close.start_byte):
        return None
    ind = indent_at(data, node.start_byte)
    unit = indent_unit(ind)
    init = text(fields["initializer"]) if fields["initializer"] is not None else ""
    cond = text(fields["condition"]) if fields["condition"] is not None else ("1" if language == "c" else "true")
    update = text(fields["update"]) if fields["update"] is not None else ""
    if language == "go":
        head = f"{init}\n{ind}for {cond}" if init else f"for {cond}"
        edits = [Edit(node.start_byte, body.start_byte, "{\n" + ind + head + " ")]
    else:
        if init and not init.endswith(";"):
            init += ";"
        head = (f"{init}\n{ind}" if init else "") + f"while ({cond}) "
        edits = [Edit(node.start_byte, body.start_byte, "{\n" + ind + head)]
    if update:
        sep = "" if language == "go" else ";"
        edits.append(Edit(close.start_byte, close.start_byte, f"{unit}{update}{sep}\n{ind}"))
    edits.append(Edit(body.end_byte, body.end_byte, "\n" + ind + "}"))
    return edits


def exchange_loops(source: str, language: str, keys: Keys, sites: int) -> Result:
    """Turn ``sites`` three-clause ``for`` loops into ``while`` loops (Go: condition-only ``for``)."""
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    plans = []
    for n in find(root, language, "for_statement"):
        if True:
            edits = _loop_plan(data, n, language)
            if edits:
                plans.append((n, edits))
    if not plans:
        raise NotApplicable("no three-clause for loop without continue")
    chosen = pick_disjoint(plans, sites, keys, lambda p: (p[0].start_byte, p[0].end_byte), "loops")
    return Result(apply_edits(data, [e for _, es in chosen for e in es]), len(chosen))

