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
from .sites import indent_unit, innermost, pick_disjoint
from .syntax import ErrorRegions, find, parse, text, walk, walk_with_path

__all__ = ["rename_locals", "insert_dead_code", "exchange_loops", "KEYWORDS", "clean_sites"]

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
    "java": ("method_declaration", "constructor_declaration", "lambda_expression", "compact_constructor_declaration"),
    "javascript": (
        "function_declaration",
        "function_expression",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    ),
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
    "java": ("identifier", "type_identifier"),
    "javascript": ("identifier", "property_identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern",
                   "private_property_identifier", "statement_identifier"),
    "c": ("identifier", "field_identifier", "type_identifier", "statement_identifier"),
    "cpp": ("identifier", "field_identifier", "type_identifier", "namespace_identifier", "statement_identifier"),
    "go": ("identifier", "field_identifier", "type_identifier", "package_identifier", "label_name"),
}  # fmt: skip
#: nodes that open a block scope (a declaration inside is visible from it to the end of the node)
_SCOPE_NODES = {
    "c": {"compound_statement", "for_statement"},
    "cpp": {"compound_statement", "for_statement", "for_range_loop", "if_statement", "while_statement", "switch_statement",
            "catch_clause"},
    "java": {"block", "for_statement", "enhanced_for_statement", "catch_clause", "try_with_resources_statement", "switch_block"},
    "javascript": {"statement_block", "for_statement", "for_in_statement", "catch_clause", "switch_body", "class_body"},
    "go": {"block", "for_statement", "if_statement", "expression_switch_statement", "type_switch_statement", "select_statement",
           "expression_case", "default_case", "type_case", "communication_case"},
}  # fmt: skip


def _identifiers(root: ts.Node, language: str) -> set[str]:
    return {text(n) for n in find(root, language, *_IDENTIFIER_TYPES[language])}


# -- scope model of one C-family function ------------------------------------------------------


class _Decl:
    __slots__ = ("end", "name", "node", "start")

    def __init__(self, name: str, node: ts.Node, start: int, end: int) -> None:
        self.name, self.node, self.start, self.end = name, node, start, end


class _Function:
    """What one function declares and uses, its nested functions excluded (they have their own)."""

    def __init__(self, node: ts.Node, parent: _Function | None) -> None:
        self.node = node
        self.parent = parent
        self.children: list[_Function] = []
        self.decls: dict[str, list[_Decl]] = {}
        self.uses: dict[str, list[tuple[ts.Node, str]]] = {}  # name → (node, how to rename: "name" / "shorthand")
        self.ambiguous: set[str] = set()  # names used in a way the model does not resolve
        self.params: set[str] = set()
        self.clean = True

    def subtree(self) -> list[_Function]:
        out, stack = [], [self]
        while stack:
            f = stack.pop()
            out.append(f)
            stack.extend(f.children)
        return out


def _declarator_name(d: ts.Node | None) -> ts.Node | None:
    """The identifier a C/C++ declarator declares (through pointers, arrays, references, initialisers)."""
    while d is not None and d.type not in ("identifier", "function_declarator"):
        if d.type in (
            "qualified_identifier",
            "field_identifier",
            "operator_name",
            "destructor_name",
            "type_identifier",
        ):
            return None
        nxt = d.child_by_field_name("declarator")
        if nxt is None:
            nxt = next((c for c in d.named_children if c.type.endswith("declarator") or c.type == "identifier"), None)
        d = nxt
    return d


def _js_pattern_names(node: ts.Node) -> list[tuple[ts.Node, str]]:
    """The names a JavaScript binding pattern binds: ``(node, "name" | "shorthand")``."""
    out: list[tuple[ts.Node, str]] = []
    stack = [node]
    while stack:
        n = stack.pop()
        t = n.type
        if t == "identifier":
            out.append((n, "name"))
        elif t == "shorthand_property_identifier_pattern":
            out.append((n, "shorthand"))
        elif t in ("object_pattern", "array_pattern", "rest_pattern"):
            stack.extend(n.named_children)
        elif t == "pair_pattern":
            value = n.child_by_field_name("value")
            if value is not None:
                stack.append(value)
        elif t in ("assignment_pattern", "object_assignment_pattern"):
            left = n.child_by_field_name("left")
            if left is not None:
                stack.append(left)
    return out


class _Model:
    """Functions of a C-family tree with their declarations (and scope regions) and name uses."""

    def __init__(self, root: ts.Node, data: bytes, language: str) -> None:
        self.language = language
        self.data = data
        self.errors = ErrorRegions(root, language, data)
        self.macro_names = _macro_names(data) if language in ("c", "cpp") else set()
        self.stringifying = _stringifying_macros(data) if language in ("c", "cpp") else set()
        self.functions: list[_Function] = []
        self._resolved: set[int] = set()  # identifier nodes already classified (declarations)
        fn_types = set(_FUNCTIONS[language])
        # one pre-order pass; `stack` holds (end_byte, function) of the functions we are inside
        stack: list[tuple[int, _Function]] = []
        for n, path in walk_with_path(root):
            while stack and n.start_byte >= stack[-1][0] and not (n.start_byte == n.end_byte == stack[-1][0]):
                stack.pop()
            self._path = path
            if n.type in fn_types:
                parent = stack[-1][1] if stack else None
                f = _Function(n, parent)
                f.clean = not n.has_error and not any(a.is_error for a in path)
                if parent is not None:
                    parent.children.append(f)
                    name = n.child_by_field_name("name")
                    if name is not None:
                        parent.ambiguous.add(text(name))  # a nested named function binds its name in the parent
                self.functions.append(f)
                stack.append((n.end_byte, f))
                self._parameters(f)
                continue
            if not stack:
                continue
            self._visit(n, stack[-1][1])

    # -- declarations ------------------------------------------------------------------
    def _declare(self, f: _Function, ident: ts.Node, region: ts.Node | None, how: str = "name") -> None:
        name = text(ident)
        if not name or name == "_":
            return
        start = f.node.start_byte if region is None else ident.start_byte
        end = f.node.end_byte if region is None else region.end_byte
        f.decls.setdefault(name, []).append(_Decl(name, ident, start, end))
        f.uses.setdefault(name, []).append((ident, how))
        self._resolved.add(ident.id)

    def _region(self, node: ts.Node, f: _Function) -> ts.Node:
        """The innermost scope node around ``node`` (the node being visited or one of its children)."""
        scope_nodes = _SCOPE_NODES[self.language]
        path = self._path if node is self._current else [*self._path, self._current]
        for p in reversed(path):
            if p == f.node:
                break
            if p.type in scope_nodes and p != node:
                return p
        return f.node

    def _parameters(self, f: _Function) -> None:
        lang, fn = self.language, f.node
        lists: list[ts.Node] = []
        if lang in ("c", "cpp"):
            d = fn.child_by_field_name("declarator")
            while d is not None and d.type != "function_declarator" and d.type != "abstract_function_declarator":
                d = d.child_by_field_name("declarator") or next(
                    (c for c in d.named_children if "declarator" in c.type), None
                )
            if d is not None and d.child_by_field_name("parameters") is not None:
                lists.append(d.child_by_field_name("parameters"))  # type: ignore[arg-type]
            for p in (pl.named_children for pl in lists):
                for param in p:
                    if param.type in ("parameter_declaration", "optional_parameter_declaration"):
                        ident = _declarator_name(param.child_by_field_name("declarator"))
                        if ident is not None and ident.type == "identifier":
                            self._declare(f, ident, None)
                            f.params.add(text(ident))
            return
        if lang == "java":
            params = fn.child_by_field_name("parameters")
            if params is not None and params.type == "identifier":
                self._declare(f, params, None)
                f.params.add(text(params))
            elif params is not None:
                for param in params.named_children:
                    ident = None
                    if param.type == "formal_parameter":
                        ident = param.child_by_field_name("name")
                    elif param.type == "spread_parameter":
                        vd = next((c for c in param.named_children if c.type == "variable_declarator"), None)
                        ident = vd.child_by_field_name("name") if vd is not None else None
                    elif param.type == "identifier":  # inferred lambda parameters
                        ident = param
                    if ident is not None and ident.type == "identifier":
                        self._declare(f, ident, None)
                        f.params.add(text(ident))
            return
        if lang == "javascript":
            params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
            if params is None:
                return
            roots = [params] if params.type == "identifier" else params.named_children
            for r in roots:
                for ident, how in _js_pattern_names(r):
                    self._declare(f, ident, None, how)
                    f.params.add(text(ident))
            return
        if lang == "go":
            for field in ("receiver", "parameters", "result"):
                pl = fn.child_by_field_name(field)
                if pl is None or pl.type != "parameter_list":
                    continue
                for param in pl.named_children:
                    if param.type in ("parameter_declaration", "variadic_parameter_declaration"):
                        for ident in param.children_by_field_name("name"):
                            self._declare(f, ident, None)
                            f.params.add(text(ident))

    def _visit(self, n: ts.Node, f: _Function) -> None:
        t, lang = n.type, self.language
        if n.is_error or n.is_missing:
            f.clean = False
            return
        if n.id in self._resolved:
            return
        self._current = n
        parent = self._path[-1] if self._path else None
        if lang == "javascript" and (t == "with_statement" or (t == "identifier" and n.text == b"eval")):
            f.clean = False  # `with` and direct `eval` make local names observable
            return
        # ---- declarations
        if (lang in ("c", "cpp") and t in ("declaration", "condition_clause")) or (
            lang == "cpp" and t == "for_range_loop"
        ):
            self._c_declaration(n, f)
        elif (
            lang in ("c", "cpp")
            and t == "parameter_declaration"
            and len(self._path) >= 2
            and self._path[-2].type == "catch_clause"
        ):
            ident = _declarator_name(n.child_by_field_name("declarator"))
            if ident is not None and ident.type == "identifier":
                self._declare(f, ident, self._path[-2])
        elif lang == "cpp" and t == "structured_binding_declarator":
            for ident in n.named_children:
                if ident.type == "identifier":
                    self._declare(f, ident, self._region(n, f))
        elif (
            lang == "java"
            and t == "variable_declarator"
            and parent is not None
            and parent.type in ("local_variable_declaration", "resource")
        ):
            ident = n.child_by_field_name("name")
            if ident is not None and ident.type == "identifier":
                self._declare(f, ident, self._region(n, f))
        elif lang == "java" and t == "resource":
            ident = n.child_by_field_name("name")
            if ident is not None and ident.type == "identifier":
                self._declare(f, ident, self._region(n, f))
        elif lang == "java" and t in ("catch_formal_parameter", "enhanced_for_statement"):
            ident = n.child_by_field_name("name")
            if ident is not None and ident.type == "identifier":
                self._declare(f, ident, parent if t == "catch_formal_parameter" and parent is not None else n)
        elif (
            lang == "java" and t == "variable_declarator" and parent is not None and parent.type == "field_declaration"
        ):
            ident = n.child_by_field_name("name")
            if ident is not None:
                f.ambiguous.add(text(ident))  # a field of a local or anonymous class
        elif lang == "java" and t in (
            "instanceof_expression",
            "record_pattern",
            "type_pattern",
            "labeled_statement",
            "break_statement",
            "continue_statement",
        ):
            for c in n.named_children:
                if c.type == "identifier":
                    f.ambiguous.add(text(c))
        elif lang == "javascript" and t == "variable_declarator":
            name = n.child_by_field_name("name")
            decl = parent
            is_var = decl is not None and decl.type == "variable_declaration"
            for ident, how in _js_pattern_names(name) if name is not None else []:
                self._declare(f, ident, None if is_var else self._region(n, f), how)
        elif lang == "javascript" and t == "catch_clause":
            param = n.child_by_field_name("parameter")
            for ident, how in _js_pattern_names(param) if param is not None else []:
                self._declare(f, ident, n, how)
        elif lang == "javascript" and t == "for_in_statement":
            kind = n.child_by_field_name("kind")
            left = n.child_by_field_name("left")
            if kind is not None and left is not None:
                for ident, how in _js_pattern_names(left):
                    self._declare(f, ident, None if text(kind) == "var" else n, how)
        elif lang == "javascript" and t in ("class_declaration", "class"):
            name = n.child_by_field_name("name")
            if name is not None:
                f.ambiguous.add(text(name))
        elif lang == "go" and t in ("short_var_declaration", "range_clause"):
            if t == "range_clause" and not any(c.type == ":=" for c in n.children):
                pass
            else:
                left = n.child_by_field_name("left")
                region = self._region(n, f)
                for ident in left.named_children if left is not None else []:
                    if ident.type == "identifier":
                        self._declare(f, ident, region)
        elif lang == "go" and t in ("var_spec", "const_spec"):
            for ident in n.children_by_field_name("name"):
                self._declare(f, ident, self._region(n, f))
        elif lang == "go" and t in ("type_switch_statement", "labeled_statement", "type_spec"):
            for c in n.named_children:
                if c.type in ("identifier", "expression_list", "type_identifier"):
                    for i in [c, *c.named_children]:
                        f.ambiguous.add(text(i))
        elif lang == "go" and t == "keyed_element":
            key = n.named_children[0] if n.named_children else None
            if key is not None:
                for i in walk(key):
                    if i.type == "identifier":
                        f.ambiguous.add(text(i))  # a struct field name or a map key: cannot tell
        # ---- preprocessor: identifiers the preprocessor reads are not variables
        if t in ("preproc_if", "preproc_ifdef", "preproc_elif", "preproc_def", "preproc_function_def", "preproc_call"):
            for field in ("condition", "name"):
                c = n.child_by_field_name(field)
                for i in walk(c) if c is not None else []:
                    if i.type == "identifier":
                        f.ambiguous.add(text(i))
        if lang in ("c", "cpp") and t == "call_expression" and self.stringifying:
            callee = n.child_by_field_name("function")
            if callee is not None and text(callee) in self.stringifying:
                for i in walk(n):
                    if i.type == "identifier":
                        f.ambiguous.add(text(i))  # `#arg` turns the argument's spelling into a string
        # ---- uses
        if t == "identifier":
            kind = self._identifier_kind(n, parent)
            if kind == "use":
                f.uses.setdefault(text(n), []).append((n, "name"))
            elif kind == "ambiguous":
                f.ambiguous.add(text(n))
        elif t == "shorthand_property_identifier":
            f.uses.setdefault(text(n), []).append((n, "shorthand"))
        elif t == "shorthand_property_identifier_pattern":
            if not any(n == d.node for d in f.decls.get(text(n), [])):
                f.uses.setdefault(text(n), []).append((n, "shorthand"))
        elif t == "type_identifier" and lang in ("c", "cpp", "java", "go"):
            f.ambiguous.add(text(n))

    def _c_declaration(self, n: ts.Node, f: _Function) -> None:
        region = self._region(n, f)
        if n.type == "for_range_loop":
            ident = _declarator_name(n.child_by_field_name("declarator"))
            if ident is not None and ident.type == "identifier":
                self._declare(f, ident, n)
            return
        if n.type == "condition_clause":
            return  # its `declaration` child is visited on its own
        extern = any(c.type == "storage_class_specifier" and c.text == b"extern" for c in n.children)
        for d in n.children_by_field_name("declarator"):
            if extern:
                ident = _declarator_name(d)
                if ident is not None:
                    f.ambiguous.add(
                        text(ident)
                        if ident.type == "identifier"
                        else text(ident.child_by_field_name("declarator") or ident)
                    )
                    self._resolved.add(ident.id)
                continue
            ident = _declarator_name(d)
            if ident is None:
                continue
            if ident.type == "identifier":
                self._declare(f, ident, region)
                continue
            # `T v(a, b);` — tree-sitter reads a function declarator; in C++ it is a variable when
            # every "parameter" is a bare name of a variable declared in scope (direct initialisation)
            fname = ident.child_by_field_name("declarator")
            params = ident.child_by_field_name("parameters")
            if fname is None or fname.type != "identifier" or params is None:
                continue
            args = [p for p in params.named_children if p.type != "comment"]
            bare = [
                p.child_by_field_name("type")
                for p in args
                if p.type == "parameter_declaration"
                and p.child_by_field_name("declarator") is None
                and p.named_child_count == 1
            ]
            names = [text(b) for b in bare if b is not None and b.type == "type_identifier"]
            visible = {name for g in self._lineage(f) for name in g.decls}
            if self.language == "cpp" and args and len(names) == len(args) and all(x in visible for x in names):
                self._declare(f, fname, region)
                for b in bare:
                    assert b is not None
                    f.uses.setdefault(text(b), []).append((b, "name"))
                    self._resolved.add(b.id)
            else:
                f.ambiguous.add(text(fname))  # a local function declaration

    @staticmethod
    def _lineage(f: _Function) -> list[_Function]:
        out: list[_Function] = []
        g: _Function | None = f
        while g is not None:
            out.append(g)
            g = g.parent
        return out

    def _identifier_kind(self, node: ts.Node, parent: ts.Node | None) -> str:
        """``"use"`` (a variable reference or declaration), ``"skip"`` (not a variable) or ``"ambiguous"``."""
        if parent is None:
            return "use"
        lang, pt = self.language, parent.type
        if pt in _FUNCTIONS[lang] and parent.child_by_field_name("name") == node:
            return "skip"
        if lang == "java":
            if pt == "method_invocation" and parent.child_by_field_name("name") == node:
                return "skip"
            if pt == "field_access" and parent.child_by_field_name("field") == node:
                return "skip"
            if pt in (
                "method_reference",
                "scoped_identifier",
                "annotation",
                "marker_annotation",
                "labeled_statement",
                "break_statement",
                "continue_statement",
                "element_value_pair",
            ):
                return "ambiguous"
        if lang in ("c", "cpp"):
            if pt == "function_declarator" and parent.child_by_field_name("declarator") == node:
                return "skip" if self._is_definition_name() else "ambiguous"
            if pt in (
                "qualified_identifier",
                "template_function",
                "destructor_name",
                "using_declaration",
                "namespace_definition",
                "preproc_defined",
                "goto_statement",
                "labeled_statement",
            ):
                return "ambiguous"
        if lang == "javascript":
            if pt in (
                "import_specifier",
                "export_specifier",
                "labeled_statement",
                "break_statement",
                "continue_statement",
                "namespace_import",
                "import_clause",
            ):
                return "ambiguous"
        if (
            lang == "go"
            and pt in ("qualified_type", "selector_expression")
            and parent.child_by_field_name("field") == node
        ):
            return "skip"
        return "use"

    def _is_definition_name(self) -> bool:
        """Whether the function declarator holding the current identifier is a definition's (path[-1])."""
        for p in reversed(self._path[:-1]):
            if p.type in ("pointer_declarator", "reference_declarator", "parenthesized_declarator"):
                continue
            return p.type in ("function_definition", "lambda_expression")
        return False

    # -- queries -------------------------------------------------------------------------
    def candidates(self, include_parameters: bool) -> list[tuple[_Function, str]]:
        """``(function, name)`` pairs whose every use resolves to a declaration of that function."""
        out: list[tuple[_Function, str]] = []
        for f in self.functions:
            if not f.clean or not f.decls:
                continue
            sub = f.subtree()
            if not all(g.clean for g in sub):
                continue
            nested = sub[1:]
            for name in sorted(f.decls):
                if name in KEYWORDS[self.language] or name in self.macro_names:
                    continue
                if not include_parameters and name in f.params:
                    continue
                if any(name in g.ambiguous for g in sub):
                    continue
                if any(name in g.decls for g in nested):
                    continue  # a nested function declares the same name: skip rather than model the shadowing
                regions = [(d.start, d.end) for d in f.decls[name]]
                uses = [u for g in sub for u in g.uses.get(name, [])]
                if all(any(s <= node.start_byte < e for s, e in regions) for node, _ in uses):
                    out.append((f, name))
        return out

    def uses_of(self, f: _Function, name: str) -> list[tuple[ts.Node, str]]:
        return [u for g in f.subtree() for u in g.uses.get(name, [])]


def clean_sites(nodes: list[ts.Node], root: ts.Node, errors: ErrorRegions, language: str) -> list[bool]:
    """Per node, whether an op may edit there: its function (or the node itself, outside functions)
    holds no region tree-sitter could not parse and lies in none."""
    if not errors:
        return [True] * len(nodes)
    fns = find(root, language, *_FUNCTIONS.get(language, ()))
    enclosing = innermost(nodes, fns)
    out = []
    for n in nodes:
        target = enclosing.get(n.id) or n
        out.append(not target.has_error and not errors.overlaps(target.start_byte, target.end_byte))
    return out


# the body: every `\`-continued line, then the last one (a greedy `.*` first would stop at the first line)
_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?((?:.*\\\n)*.*)", re.M)
_WORD = re.compile(rb"[A-Za-z_]\w*")


def _macro_names(data: bytes) -> set[str]:
    """Names defined as macros in the file and every word their bodies mention (a macro may read a local)."""
    out: set[str] = set()
    for m in _DEFINE.finditer(data):
        out.add(m.group(1).decode())
        params = set(_WORD.findall(m.group(2) or b""))
        out.update(w.decode() for w in _WORD.findall(m.group(3)) if w not in params)
    return out


def _stringifying_macros(data: bytes) -> set[str]:
    """Function-like macros of the file that stringify an argument (``#x``): renaming it changes a string."""
    out = set()
    for m in _DEFINE.finditer(data):
        if m.group(2) and re.search(rb"(?<!#)#\s*[A-Za-z_]", m.group(3)):
            out.add(m.group(1).decode())
    return out


def rename_locals(source: str, language: str, keys: Keys, sites: int, *, include_parameters: bool = True) -> Result:
    """Rename ``sites`` parameters/local variables of functions (every use inside that function).

    A name is renamed only when every use of it in the function (nested functions
    included) lies in the scope region of one of the function's own declarations
    of it — so a global, a field or a name from a macro that a block-local shadows
    elsewhere is never touched — and no nested function redeclares it. JavaScript
    shorthand properties ``{ x }`` become ``{ x: new }`` (object literals and
    destructuring patterns alike).
    """
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    model = _Model(root, data, language)
    cands = model.candidates(include_parameters)
    if not cands:
        raise NotApplicable("no local variable or parameter whose every use resolves to its declaration")
    picked = keys.sample(cands, sites, "pick")
    taken = (
        _identifiers(root, language) | model.macro_names | {data[s:e].decode("utf-8") for s, e in model.errors.macros}
    )
    fresh = fresh_names(taken, len(picked), keys, "fresh", reserved=KEYWORDS[language])
    edits: dict[int, Edit] = {}
    for (fn, old), new in zip(picked, fresh):
        for node, how in model.uses_of(fn, old):
            edits[node.start_byte] = Edit(
                node.start_byte, node.end_byte, f"{old}: {new}" if how == "shorthand" else new
            )
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


def _directives(block: ts.Node) -> set[int]:
    """Ids of the directive prologue of a JavaScript body (``'use strict'`` …): nothing may go above them."""
    out = set()
    for s in block.named_children:
        if s.type == "comment":
            continue
        if s.type == "expression_statement" and s.named_child_count == 1 and s.named_children[0].type == "string":
            out.add(s.id)
            continue
        break
    return out


_NO_DEAD_BEFORE = {
    "statement_list", "case_statement", "switch_block_statement_group", "labeled_statement", "switch_case",
    "switch_default", "switch_rule", "expression_case", "default_case", "type_case", "communication_case",
    "explicit_constructor_invocation",  # Java: super(...) / this(...) must come first
}  # fmt: skip


def insert_dead_code(source: str, language: str, keys: Keys, sites: int) -> Result:
    """Insert ``sites`` dead statements (binding fresh names) before statements inside function bodies.

    Never above a JavaScript directive prologue (``'use strict'`` would stop being a
    directive), before a label, a ``case`` or Java's ``super(...)``/``this(...)``, nor in
    a function with a region tree-sitter could not parse.
    """
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    errors = ErrorRegions(root, language, data)
    blocks = find(root, language, *_BLOCK_TYPES[language])
    in_function = innermost(blocks, find(root, language, *_FUNCTIONS[language]))
    blocks = [b for b in blocks if in_function.get(b.id) is not None]
    spots = []
    for block, ok in zip(blocks, clean_sites(blocks, root, errors, language)):
        if not ok:
            continue
        directives = _directives(block) if language == "javascript" else set()
        for s in block.named_children:
            if "comment" in s.type or s.type in _NO_DEAD_BEFORE or s.type.endswith("label") or s.id in directives:
                continue
            if language in ("c", "cpp") and s.type.startswith("preproc"):
                continue
            if errors.macros and errors.near_macro(s.start_byte, s.start_byte):
                continue  # after a macro token (a statement macro without `;` would take the dead code as its body)
            if is_line_start(data, s.start_byte):
                spots.append(s)
    if not spots:
        raise NotApplicable("no statement inside a function body")
    taken = _identifiers(root, language) | (_macro_names(data) if language in ("c", "cpp") else set())
    taken |= {data[s:e].decode("utf-8") for s, e in errors.macros}
    picked = keys.sample(spots, sites, "spots")
    names = fresh_names(taken, len(picked), keys, "fresh", reserved=KEYWORDS[language])
    edits = []
    for j, s in enumerate(picked):
        tpl = keys.choice(_DEAD[language], "template", j)
        code = tpl.format(a=names[j], k=keys.index(10, "k", j))
        edits.append(Edit(s.start_byte, s.start_byte, code + "\n" + indent_at(data, s.start_byte)))
    return Result(apply_edits(data, edits), len(picked))


_CONTINUE = re.compile(r"\bcontinue\b")
_JAVA_NORMAL_END = {"expression_statement", "local_variable_declaration"}


def _joined(nodes: list[ts.Node], language: str, data: bytes) -> str:
    """The text of for-clause parts as statements (Java's ``a = 0, b = 1`` is two statements)."""
    if not nodes:
        return ""
    if language == "java" and len(nodes) > 1:
        return "; ".join(text(n) for n in nodes)
    return data[nodes[0].start_byte : nodes[-1].end_byte].decode("utf-8")


def _loop_plan(data: bytes, node: ts.Node, language: str, labeled: set[int] = frozenset()) -> list[Edit] | None:  # type: ignore[assignment]
    """``for (init; cond; update) { B }`` → ``{ init; while (cond) { B update; } }`` (no ``continue`` in B)."""
    if language == "go":
        clause = next((c for c in node.named_children if c.type == "for_clause"), None)
        if clause is None:
            return None
        inits = [n for n in [clause.child_by_field_name("initializer")] if n is not None]
        conds = [n for n in [clause.child_by_field_name("condition")] if n is not None]
        updates = [n for n in [clause.child_by_field_name("update")] if n is not None]
        if node.id in labeled:
            return None  # `break L` must name a loop in Go
    else:
        init_field = "init" if language == "java" else "initializer"
        update_field = "increment" if language == "javascript" else "update"
        inits = [c for c in node.children_by_field_name(init_field) if c.is_named]
        conds = [c for c in node.children_by_field_name("condition") if c.is_named]
        updates = [c for c in node.children_by_field_name(update_field) if c.is_named]
    if len(conds) > 1 or any(c.type == "comment" for c in (*inits, *conds, *updates)):
        return None
    body = node.child_by_field_name("body")
    if body is None or body.type not in _BLOCKS or _CONTINUE.search(text(body)):
        return None
    if language in ("javascript", "go") and inits and re.search(r"\bfunction\b|=>|\bfunc\b|&", text(body)):
        # JavaScript `let` and Go (1.22+) give each iteration its own binding, seen by closures
        # (and by `&v` in Go); a while loop has one binding for all iterations
        if language == "go" or text(inits[0]).startswith(("let", "const")):
            return None
    stmts = [c for c in body.named_children if "comment" not in c.type]
    if language == "java" and updates and stmts and stmts[-1].type not in _JAVA_NORMAL_END:
        return None  # the update after a final return/throw/if… would be an unreachable statement for javac
    close = body.children[-1]
    if close.type != "}" or not is_line_start(data, close.start_byte):
        return None
    ind = indent_at(data, node.start_byte)
    unit = indent_unit(ind)
    init = _joined(inits, language, data)
    cond = text(conds[0]) if conds else ("1" if language == "c" else "true")
    update = _joined(updates, language, data)
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
    """Turn ``sites`` three-clause ``for`` loops into ``while`` loops (Go: condition-only ``for``).

    Every initialiser and every update is kept (``for (a = 0, b = 10; …; a++, b--)``).
    """
    data = source.encode("utf-8")
    root = parse(data, language).root_node
    errors = ErrorRegions(root, language, data)
    labeled = (
        {c.id for lab in find(root, language, "labeled_statement") for c in lab.named_children}
        if language == "go"
        else set()
    )
    loops = find(root, language, "for_statement")
    plans = []
    for n, ok in zip(loops, clean_sites(loops, root, errors, language)):
        if not ok:
            continue
        edits = _loop_plan(data, n, language, labeled)
        if edits and errors.macros:
            body = n.child_by_field_name("body")
            if body is not None and errors.near_macro(n.start_byte, body.start_byte):
                continue  # a macro token in the loop header would be dropped or moved
        if edits:
            plans.append((n, edits))
    if not plans:
        raise NotApplicable("no three-clause for loop without continue")
    chosen = pick_disjoint(plans, sites, keys, lambda p: (p[0].start_byte, p[0].end_byte), "loops")
    return Result(apply_edits(data, [e for _, es in chosen for e in es]), len(chosen))
