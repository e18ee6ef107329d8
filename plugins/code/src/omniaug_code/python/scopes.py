"""Python scope analysis: which binding every identifier of a source refers to.

Scopes and the class of every symbol (local, parameter, free, global, imported, …)
come from :mod:`symtable` — CPython's own compiler pass, so the answer is the
interpreter's by definition (``global``/``nonlocal``, closures, comprehensions and
class bodies included). tree-sitter places each identifier in its scope, following
the rules symtable follows: default values, annotations and decorators belong to
the enclosing scope, a comprehension's first iterable too, and free names skip
class scopes.

Why not libcst's ``ScopeProvider``: its metadata pass walks the tree twice in
Python, which alone would exceed the benchmark's time budget per function and op;
symtable + tree-sitter stay far inside it (docs/performance.md, "Design
measurements"). The test suite cross-checks this analysis against libcst's
``ScopeProvider`` on the corpus.
"""

from __future__ import annotations

import builtins
import keyword
import symtable
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Literal

import tree_sitter as ts

from .. import budget
from ..keys import Keys
from ..syntax import find, parse, walk

__all__ = ["Scope", "Occurrence", "ScopeModel", "RESERVED", "FRESH_NAMES", "fresh_names", "identifiers_of", "is_store"]

ScopeKind = Literal["module", "function", "lambda", "class", "comprehension"]

_COMPREHENSIONS = {
    "list_comprehension": "listcomp",
    "set_comprehension": "setcomp",
    "dictionary_comprehension": "dictcomp",
    "generator_expression": "genexpr",
}
#: names a fresh identifier must never be: keywords, soft keywords, builtins
RESERVED: frozenset[str] = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
#: builtins whose use makes local names observable (renaming would change behaviour)
INTROSPECTION = frozenset({"locals", "vars", "eval", "exec", "dir", "globals", "__import__"})

#: a natural vocabulary for fresh names (NatGen/ReCode use natural-looking names)
FRESH_NAMES: tuple[str, ...] = (
    "value", "item", "result", "temp", "data", "count", "index", "elem", "node", "acc", "buf", "key", "val",
    "total", "tmp", "cur", "res", "part", "entry", "obj", "arg", "num", "pos", "size", "flag", "state", "seq",
    "chunk", "token", "piece", "record", "target", "source", "field", "label", "head", "tail", "step", "mark",
)  # fmt: skip


@dataclass(eq=False)
class Scope:
    """One Python scope with its symbol table and tree-sitter node (None for the module)."""

    kind: ScopeKind
    table: symtable.SymbolTable
    node: ts.Node | None
    parent: Scope | None
    children: list[Scope] = field(default_factory=list)
    #: a ``def`` under decorators (the name may end up bound to something else)
    decorated: bool = False

    @property
    def is_function_like(self) -> bool:
        return self.kind in ("function", "lambda", "comprehension")

    #: name -> Symbol, filled on first use (see :meth:`symbol`)
    _symbols: dict[str, symtable.Symbol | None] = field(default_factory=dict, repr=False)
    _namespaces: dict[str, list[symtable.SymbolTable]] | None = field(default=None, repr=False)

    def symbol(self, name: str) -> symtable.Symbol | None:
        """The table's symbol for ``name`` (None when the scope never mentions it).

        ``SymbolTable.lookup`` scans every child table for each new name (CPython
        3.11), which made a module of 6000 functions take seconds: the children are
        grouped by name once here and the symbol built from the table's own flags.
        """
        if name in self._symbols:
            return self._symbols[name]
        flags = getattr(getattr(self.table, "_table", None), "symbols", None)
        if flags is None:  # another symtable implementation: its own lookup
            try:
                sym: symtable.Symbol | None = self.table.lookup(name)
            except KeyError:
                sym = None
        elif name not in flags:
            sym = None
        else:
            if self._namespaces is None:
                self._namespaces = defaultdict(list)
                for child in self.table.get_children():
                    self._namespaces[child.get_name()].append(child)
            sym = symtable.Symbol(
                name, flags[name], self._namespaces.get(name) or None, module_scope=self.kind == "module"
            )
        self._symbols[name] = sym
        return sym

    def descendants(self) -> list[Scope]:
        out: list[Scope] = []
        stack = list(self.children)
        while stack:
            s = stack.pop()
            out.append(s)
            stack.extend(s.children)
        return out


@dataclass(eq=False)
class Occurrence:
    """An identifier that names a variable, with the scope it appears in and the scope that binds it."""

    node: ts.Node
    name: str
    scope: Scope
    binding: Scope | None  # None: a builtin or an undefined global
    ancestors: tuple[ts.Node, ...] = ()  # the nearest ancestors, parent first (tree-sitter's .parent is slow)


class ScopeModel:
    """Every variable occurrence of a Python source, resolved to its binding scope."""

    def __init__(self, source: str | bytes) -> None:
        self.data = source.encode("utf-8") if isinstance(source, str) else source
        text = self.data.decode("utf-8")
        self.tree = parse(self.data, "python")
        self.module = Scope("module", symtable.symtable(text, "<code>", "exec"), None, None)
        self._pending: dict[int, dict[tuple[str, int], deque[symtable.SymbolTable]]] = {}
        self.occurrences: list[Occurrence] = []
        self.non_variable: list[ts.Node] = []  # attribute / keyword-argument / import identifiers
        self.identifiers: set[str] = set()
        self.scope_of_node: dict[int, Scope] = {}
        self.calls: list[ts.Node] = []
        self.attribute_names: list[ts.Node] = []  # the `name` of every `obj.name`
        self.import_bindings: dict[tuple[int, str], int] = {}  # (scope id, name) → imports binding it
        self.star_imports: list[Scope] = []  # scopes with `from … import *`
        self.attribute_ancestors: dict[int, tuple[ts.Node, ...]] = {}
        self._inner: dict[int, Scope] = {}
        self._path: list[ts.Node] = []
        self._walk(self.tree.root_node, self.module)
        self._by_binding: dict[tuple[int, str], list[Occurrence]] = defaultdict(list)
        introspective: list[Scope] = []
        for occ in self.occurrences:
            budget.check()
            occ.binding = self._resolve(occ.scope, occ.name)
            self._by_binding[(id(occ.binding), occ.name)].append(occ)
            if occ.binding is None and occ.name in INTROSPECTION:
                introspective.append(occ.scope)
        self.by_node: dict[int, Occurrence] = {o.node.id: o for o in self.occurrences}
        # a scope "uses introspection" when it or a scope nested in it does
        self._introspective: set[int] = set()
        for sc in introspective:
            s: Scope | None = sc
            while s is not None and id(s) not in self._introspective:
                self._introspective.add(id(s))
                s = s.parent
        self.attributes_by_name: dict[bytes, list[ts.Node]] = defaultdict(list)
        for attr in self.attribute_names:
            self.attributes_by_name[attr.text or b""].append(attr)

    # -- tree walk (iterative: deeply nested sources must not hit Python's recursion limit) ----------
    def _new_scope(self, kind: ScopeKind, name: str, node: ts.Node, parent: Scope) -> Scope:
        table = self._child_table(parent, name, node.start_point[0] + 1)
        scope = Scope(kind, table, node, parent)
        scope.decorated = bool(self._path) and self._path[-1].type == "decorated_definition"
        parent.children.append(scope)
        self.scope_of_node[node.id] = scope
        return scope

    def _child_table(self, parent: Scope, name: str, line: int) -> symtable.SymbolTable:
        key = id(parent)
        if key not in self._pending:
            by_key: dict[tuple[str, int], deque[symtable.SymbolTable]] = defaultdict(deque)
            for child in parent.table.get_children():
                by_key[(child.get_name(), child.get_lineno())].append(child)
            self._pending[key] = by_key
        queue = self._pending[key].get((name, line))
        if not queue:
            raise LookupError(f"no symbol table for {name!r} at line {line}")
        return queue.popleft()

    def _walk(self, root: ts.Node, scope: Scope) -> None:
        """Visit the tree in document order (pre-order), each node with the scope it is evaluated in.

        Iterative (deeply nested sources must not hit Python's recursion limit), and
        it carries each node's ancestors: tree-sitter's ``Node.parent`` descends from
        the root, so calling it per identifier would make large files quadratic.
        """
        stack: list[tuple[ts.Node, Scope, int, str]] = [(root, scope, 0, "")]
        path: list[ts.Node] = []
        self._path = path
        while stack:
            node, sc, depth, mode = stack.pop()
            budget.check()
            del path[depth:]
            items = self._expand(node, sc, mode)
            path.append(node)
            if items:
                stack.extend((c, s, depth + 1, m) for c, s, m in reversed(items))

    def _ancestors(self) -> tuple[ts.Node, ...]:
        """The nearest ancestors of the node being expanded (parent first)."""
        return tuple(self._path[-1:-9:-1])

    def _expand(self, node: ts.Node, scope: Scope, mode: str) -> list[tuple[ts.Node, Scope, str]]:
        t = node.type
        if mode:
            return self._expand_mode(node, scope, mode)
        if t == "identifier":
            self._identifier(node, scope)
            return []
        if t == "function_definition":
            return self._function(node, scope)
        if t == "lambda":
            return self._lambda(node, scope)
        if t == "class_definition":
            return self._class(node, scope)
        if t in _COMPREHENSIONS:
            return self._comprehension(node, scope)
        if t in ("import_statement", "import_from_statement", "future_import_statement"):
            self._import(node, scope)
            return []
        if t == "call":
            self.calls.append(node)
        return [(child, scope, "") for child in node.named_children]  # identifiers are named nodes; tokens hold none

    def _expand_mode(self, node: ts.Node, scope: Scope, mode: str) -> list[tuple[ts.Node, Scope, str]]:
        """Children of a parameter list / parameter / first ``for`` clause: some belong to the inner scope."""
        inner = self._inner[node.id]
        if mode == "params":  # parameters / lambda_parameters: names bind in the inner scope
            items: list[tuple[ts.Node, Scope, str]] = []
            for p in node.named_children:
                if p.type == "identifier":
                    items.append((p, inner, ""))
                else:
                    self._inner[p.id] = inner
                    items.append((p, scope, "param"))
            return items
        if mode == "param":  # default values and annotations are evaluated outside
            outer_children = {
                c.id for c in (node.child_by_field_name("value"), node.child_by_field_name("type")) if c is not None
            }
            return [(c, scope if c.id in outer_children else inner, "") for c in node.children]
        # "for_in": the first iterable of a comprehension is evaluated in the enclosing scope
        right = node.child_by_field_name("right")
        return [(c, scope if right is not None and c.id == right.id else inner, "") for c in node.children]

    def _import(self, node: ts.Node, scope: Scope) -> None:
        module = node.child_by_field_name("module_name")
        for n in walk(node):
            if n.type == "identifier":
                self.identifiers.add(n.text.decode())
                self.non_variable.append(n)
        for c in node.named_children:
            if c == module:
                continue
            bound = None
            if c.type == "aliased_import":
                alias = c.child_by_field_name("alias")
                bound = alias.text.decode() if alias is not None else None
            elif c.type == "dotted_name":
                bound = c.text.decode().split(".")[0]
            if bound:
                key = (id(scope), bound)
                self.import_bindings[key] = self.import_bindings.get(key, 0) + 1
        if any(c.type == "wildcard_import" for c in node.children):
            self.star_imports.append(scope)

    def _identifier(self, node: ts.Node, scope: Scope) -> None:
        name = node.text.decode()
        self.identifiers.add(name)
        ancestors = self._ancestors()
        parent = ancestors[0] if ancestors else None
        if parent is not None:
            if parent.type == "attribute" and parent.child_by_field_name("attribute") == node:
                self.non_variable.append(node)
                self.attribute_names.append(node)
                self.attribute_ancestors[node.id] = ancestors
                return
            if parent.type == "keyword_argument" and parent.child_by_field_name("name") == node:
                self.non_variable.append(node)
                return
            if parent.type in ("keyword_pattern",):
                self.non_variable.append(node)
                return
        self.occurrences.append(Occurrence(node, name, scope, None, ancestors))

    def _function(self, node: ts.Node, scope: Scope) -> list[tuple[ts.Node, Scope, str]]:
        name_node = node.child_by_field_name("name")
        assert name_node is not None
        inner = self._new_scope("function", name_node.text.decode(), node, scope)
        ret = node.child_by_field_name("return_type")
        items: list[tuple[ts.Node, Scope, str]] = []
        for child in node.children:
            if child.type == "parameters":
                self._inner[child.id] = inner
                items.append((child, scope, "params"))
            elif child.type == "block":
                items.append((child, inner, ""))
            else:  # the name, the return annotation, tokens
                items.append((child, scope, ""))
        del ret
        return items

    def _lambda(self, node: ts.Node, scope: Scope) -> list[tuple[ts.Node, Scope, str]]:
        inner = self._new_scope("lambda", "lambda", node, scope)
        body = node.child_by_field_name("body")
        items: list[tuple[ts.Node, Scope, str]] = []
        for child in node.children:
            if child.type == "lambda_parameters":
                self._inner[child.id] = inner
                items.append((child, scope, "params"))
            elif body is not None and child.id == body.id:
                items.append((child, inner, ""))
        return items

    def _class(self, node: ts.Node, scope: Scope) -> list[tuple[ts.Node, Scope, str]]:
        name_node = node.child_by_field_name("name")
        assert name_node is not None
        inner = self._new_scope("class", name_node.text.decode(), node, scope)
        return [(child, inner if child.type == "block" else scope, "") for child in node.children]

    def _comprehension(self, node: ts.Node, scope: Scope) -> list[tuple[ts.Node, Scope, str]]:
        inner = self._new_scope("comprehension", _COMPREHENSIONS[node.type], node, scope)
        first = True
        items: list[tuple[ts.Node, Scope, str]] = []
        for child in node.children:
            if child.type == "for_in_clause" and first:
                first = False
                self._inner[child.id] = inner
                items.append((child, scope, "for_in"))
            else:
                items.append((child, inner, ""))
        return items

    # -- resolution -------------------------------------------------------------------
    def _module_binding(self, name: str) -> Scope | None:
        sym = self.module.symbol(name)
        if sym is not None and (sym.is_assigned() or sym.is_imported() or sym.is_local()):
            return self.module
        return None

    def _resolve(self, scope: Scope, name: str) -> Scope | None:
        sym = scope.symbol(name)
        if scope.kind == "module":
            return self._module_binding(name)
        if sym is None:
            return None
        if sym.is_global() or sym.is_declared_global():
            return self._module_binding(name)
        if sym.is_free() or sym.is_nonlocal():
            s = scope.parent
            while s is not None and s.kind != "module":
                if s.is_function_like:
                    inner = s.symbol(name)
                    if inner is not None and inner.is_local() and not inner.is_free():
                        return s
                s = s.parent
            return self._module_binding(name)
        if sym.is_local():
            return scope
        return self._module_binding(name)

    # -- queries ------------------------------------------------------------------------
    def functions(self) -> list[Scope]:
        """Every ``def`` scope, in source order."""
        out = [s for s in self.module.descendants() if s.kind == "function"]
        return sorted(out, key=lambda s: s.node.start_byte if s.node is not None else 0)

    def occurrences_of(self, binding: Scope | None, name: str) -> list[Occurrence]:
        """Every occurrence of ``name`` bound in ``binding`` (indexed: no scan of the whole source)."""
        return self._by_binding.get((id(binding), name), [])

    def uses_introspection(self, scope: Scope) -> bool:
        """Whether ``scope`` or a nested scope calls ``locals()``, ``eval`` and friends."""
        return id(scope) in self._introspective

    def bindings(self, scope: Scope, name: str) -> int:
        """How many statements bind ``name`` in ``scope``: assignments, ``def``/``class``, imports, ``del``, …"""
        stores = sum(1 for o in self.occurrences_of(scope, name) if is_store(o.node, o.ancestors))
        return stores + self.import_bindings.get((id(scope), name), 0)

    def fresh_names(self, count: int, keys: Keys, *path: int | str) -> list[str]:
        """``count`` new names: natural-looking, never reserved, never already used in the source."""
        return fresh_names(self.identifiers, count, keys, *path)


_PATTERNS = {"pattern_list", "tuple_pattern", "list_pattern", "list_splat_pattern", "parenthesized_expression",
             "tuple", "list", "expression_list"}  # fmt: skip


def is_store(node: ts.Node, ancestors: tuple[ts.Node, ...]) -> bool:
    """Whether an identifier is bound (assigned, defined, imported as, deleted) at this occurrence.

    ``ancestors``: its nearest ancestors, parent first.
    """
    child = node
    chain = list(ancestors)
    while chain and chain[0].type in _PATTERNS:
        child = chain.pop(0)
    if not chain:
        return False
    p = chain[0]
    t = p.type
    if t in ("assignment", "augmented_assignment", "for_statement", "for_in_clause"):
        return p.child_by_field_name("left") == child
    if t in ("named_expression", "function_definition", "class_definition"):
        return p.child_by_field_name("name") == child
    return t in ("as_pattern_target", "delete_statement")


def identifiers_of(root: ts.Node) -> set[str]:
    """Every identifier text in a tree."""
    return {n.text.decode() for n in find(root, "python", "identifier")}


def fresh_names(
    taken: set[str], count: int, keys: Keys, *path: int | str, reserved: frozenset[str] = RESERVED
) -> list[str]:
    """``count`` distinct natural-looking names not in ``taken`` nor ``reserved``."""
    used = set(taken) | reserved
    out: list[str] = []
    order = keys.order(len(FRESH_NAMES), *path)
    suffix = 0
    while len(out) < count:
        for i in order:
            cand = FRESH_NAMES[i] if suffix == 0 else f"{FRESH_NAMES[i]}{suffix}"
            if cand not in used:
                used.add(cand)
                out.append(cand)
                if len(out) == count:
                    break
        suffix += 1
    return out
