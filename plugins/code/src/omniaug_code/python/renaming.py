"""α-renaming of Python code: local variables and parameters, functions, and name shuffling.

Source: the "variable renaming" / "function renaming" / "name shuffling"
transformations of the code-augmentation survey (Zhuo et al., "Source Code Data
Augmentation for Deep Learning: A Survey", 2023), NatGen (Chakraborty et al., 2022)
and ReCode (Wang et al., 2023). A rename changes every occurrence bound to one
binding (found by :mod:`.scopes`) and nothing else, so the result is the original
modulo a consistent name map. Fresh names are never keywords, soft keywords,
builtins, or any identifier already in the source.
"""

from __future__ import annotations

from dataclasses import dataclass

import tree_sitter as ts

from ..base import NotApplicable, Result
from ..edits import Edit, apply_edits
from ..keys import Keys
from .scopes import Scope, ScopeModel

__all__ = ["rename_variables", "rename_functions", "shuffle_names"]


@dataclass(frozen=True)
class _Candidate:
    scope: Scope
    name: str
    is_parameter: bool


def _keyword_only(scope: Scope) -> set[str]:
    """Keyword-only parameter names of a ``def`` (external callers pass them by name)."""
    assert scope.node is not None
    params = scope.node.child_by_field_name("parameters")
    out: set[str] = set()
    seen_star = False
    for p in params.named_children if params is not None else []:
        if p.type in ("keyword_separator", "list_splat_pattern") or (
            p.type == "typed_parameter" and p.named_children and p.named_children[0].type == "list_splat_pattern"
        ):
            seen_star = True
            continue
        if seen_star and p.type != "dictionary_splat_pattern":
            ident = (
                p
                if p.type == "identifier"
                else p.child_by_field_name("name")
                or next((c for c in p.named_children if c.type == "identifier"), None)
            )
            if ident is not None:
                out.add(ident.text.decode())
    return out


def _first_parameter(scope: Scope) -> str | None:
    assert scope.node is not None
    params = scope.node.child_by_field_name("parameters")
    if params is None or not params.named_children:
        return None
    p = params.named_children[0]
    ident = p if p.type == "identifier" else next((c for c in p.named_children if c.type == "identifier"), None)
    return ident.text.decode() if ident is not None else None


#: methods whose callers name the class or the instance, not the method
_CALLED_THROUGH_CLASS = {b"__init__", b"__new__", b"__call__", b"__init_subclass__", b"__class_getitem__"}


def _parameters_pinned(model: ScopeModel, func: Scope) -> bool:
    """Whether the function may be called in ways the source does not show, so its parameter names are API.

    A function whose name is used other than as the callee of a call (passed on,
    aliased, decorated into something else), a method called by keyword on an
    object other than ``self``/``cls``, or a constructor / ``__call__`` (called
    through the class or instance, under any alias), keeps its parameter names.
    """
    assert func.node is not None
    name_node = func.node.child_by_field_name("name")
    if name_node is None:
        return True
    fname = name_node.text
    if func.decorated:
        return True
    if func.parent is not None and func.parent.kind == "class":
        if fname in _CALLED_THROUGH_CLASS:
            return True  # called as `C(...)` / `obj(...)`, through any alias of the class (`P = table[k]; P(x=…)`)
        for attr in model.attributes_by_name.get(fname or b"", []):
            up = model.attribute_ancestors.get(attr.id, ())
            access = up[0] if up else None
            call = up[1] if len(up) > 1 else None
            obj = access.child_by_field_name("object") if access is not None else None
            if call is None or call.type != "call" or call.child_by_field_name("function") != access:
                return True
            if obj is None or obj.type != "identifier" or obj.text not in (b"self", b"cls"):
                args = call.child_by_field_name("arguments")
                if args is not None and any(
                    a.type in ("keyword_argument", "dictionary_splat") for a in args.named_children
                ):
                    return True
        return False
    def_occ = model.by_node.get(name_node.id)
    if def_occ is None:
        return True
    for occ in model.occurrences_of(def_occ.binding, def_occ.name) if def_occ.binding is not None else []:
        if occ.node == name_node:
            continue
        parent = occ.ancestors[0] if occ.ancestors else None
        if parent is None or parent.type != "call" or parent.child_by_field_name("function") != occ.node:
            return True
    return False


def _variable_candidates(
    model: ScopeModel, include_parameters: bool, public: PublicApi | None = None
) -> list[_Candidate]:
    out: list[_Candidate] = []
    for f in model.functions():
        if model.uses_introspection(f):
            continue
        pinned = include_parameters and (
            _parameters_pinned(model, f) or (public is not None and public.is_public_function(f))
        )
        kwonly = _keyword_only(f)
        skip_first = f.parent is not None and f.parent.kind == "class"
        first = _first_parameter(f) if skip_first else None
        for name in f.table.get_identifiers():
            sym = f.symbol(name)
            if sym is None or not name.isidentifier() or name.startswith("__"):
                continue
            if not sym.is_local() or sym.is_free() or sym.is_imported() or sym.is_global() or sym.is_namespace():
                continue
            if sym.is_parameter() and (not include_parameters or pinned or name in kwonly or name == first):
                continue
            if not model.occurrences_of(f, name):
                continue
            out.append(_Candidate(f, name, sym.is_parameter()))
    return out


class PublicApi:
    """The public names of a module: what other code may import and call by keyword.

    Public: every name in a literal ``__all__`` and every module-level name without a
    leading underscore (an unreadable ``__all__`` makes every module-level name
    public). A function is public API when it is module-level and public, or a public
    (or dunder) method of a module-level class — private classes included, their public
    subclasses inherit the methods; its parameters are API (callers may pass them by keyword).
    """

    def __init__(self, model: ScopeModel) -> None:
        self.model = model
        self.all_names, self.all_known = _dunder_all(model.tree.root_node)

    def is_public_name(self, name: str) -> bool:
        return not self.all_known or name in self.all_names or not name.startswith("_")

    def is_public_function(self, f: Scope) -> bool:
        chain: list[Scope] = []
        s: Scope | None = f
        while s is not None and s.kind != "module":
            if s.kind not in ("function", "class") or (s is not f and s.kind == "function"):
                return False  # nested in a function: private to it
            chain.append(s)
            s = s.parent
        for sc in chain:
            assert sc.node is not None
            name_node = sc.node.child_by_field_name("name")
            name = name_node.text.decode() if name_node is not None and name_node.text else ""
            is_dunder = name.startswith("__") and name.endswith("__")
            if sc.parent is not None and sc.parent.kind == "module":
                # a private class's public methods count too: public subclasses inherit them (`_BaseNetwork.subnets`)
                if sc.kind == "function" and not self.is_public_name(name):
                    return False
            elif not (is_dunder or not name.startswith("_")):
                return False
        return True


def _dunder_all(root: ts.Node) -> tuple[set[str], bool]:
    """Names listed in a module-level ``__all__`` and whether the list is fully known (literal strings)."""
    names: set[str] = set()
    known = True
    for stmt in root.named_children:
        if stmt.type != "expression_statement" or not stmt.named_children:
            continue
        e = stmt.named_children[0]
        target = value = None
        if e.type in ("assignment", "augmented_assignment"):
            target, value = e.child_by_field_name("left"), e.child_by_field_name("right")
        elif e.type == "call":
            fn = e.child_by_field_name("function")
            if fn is not None and fn.type == "attribute" and (fn.text or b"").startswith(b"__all__."):
                target, value = fn.child_by_field_name("object"), e.child_by_field_name("arguments")
                if value is not None and value.named_child_count == 1 and (fn.text or b"").endswith(b".extend"):
                    value = value.named_children[0]
        if target is None or target.text != b"__all__":
            continue
        items = value.named_children if value is not None and value.type in ("list", "tuple", "argument_list") else None
        if items is None or not all(i.type == "string" for i in items):
            known = False
            continue
        for i in items:
            content = [c for c in i.named_children if c.type == "string_content"]
            names.add(content[0].text.decode() if content and content[0].text else "")
    return names, known


def _call_site_keywords(model: ScopeModel, func: Scope, param: str) -> list[ts.Node]:
    """``param=`` keyword-argument names in the calls of ``func`` found in the source."""
    assert func.node is not None
    name_node = func.node.child_by_field_name("name")
    assert name_node is not None
    fname = name_node.text.decode()
    def_occ = model.by_node.get(name_node.id)
    is_method = func.parent is not None and func.parent.kind == "class"
    out: list[ts.Node] = []
    for call in model.calls:
        callee = call.child_by_field_name("function")
        if callee is None:
            continue
        match = False
        if callee.type == "identifier" and def_occ is not None and callee.text.decode() == fname:
            occ = model.by_node.get(callee.id)
            match = occ is not None and occ.binding is def_occ.binding
        elif callee.type == "attribute" and is_method:
            obj = callee.child_by_field_name("object")
            attr = callee.child_by_field_name("attribute")
            match = (
                obj is not None
                and obj.type == "identifier"
                and obj.text in (b"self", b"cls")
                and attr is not None
                and attr.text.decode() == fname
            )
        if not match:
            continue
        args = call.child_by_field_name("arguments")
        for arg in args.named_children if args is not None else []:
            if arg.type == "keyword_argument":
                kw = arg.child_by_field_name("name")
                if kw is not None and kw.text.decode() == param:
                    out.append(kw)
    return out


def _rename_edits(model: ScopeModel, renames: list[tuple[Scope, str, str]], keywords: bool) -> list[Edit]:
    edits: dict[int, Edit] = {}
    for scope, old, new in renames:
        for occ in model.occurrences_of(scope, old):
            edits[occ.node.start_byte] = Edit(occ.node.start_byte, occ.node.end_byte, new)
        sym = scope.symbol(old)
        if keywords and scope.kind == "function" and sym is not None and sym.is_parameter():
            for kw in _call_site_keywords(model, scope, old):
                edits[kw.start_byte] = Edit(kw.start_byte, kw.end_byte, new)
    return list(edits.values())


def rename_variables(
    source: str, keys: Keys, sites: int, *, include_parameters: bool = True, public_api: bool = False
) -> Result:
    """Rename ``sites`` local variables / parameters to fresh names (keyword arguments of calls follow).

    ``public_api``: also rename parameters of the module's public functions and methods
    (an API change: external callers passing them by keyword break).
    """
    model = ScopeModel(source)
    cands = _variable_candidates(model, include_parameters, None if public_api else PublicApi(model))
    if not cands:
        raise NotApplicable("no renamable local variable or parameter")
    picked = keys.sample(cands, sites, "pick")
    fresh = model.fresh_names(len(picked), keys, "fresh")
    renames = [(c.scope, c.name, new) for c, new in zip(picked, fresh)]
    edits = _rename_edits(model, renames, keywords=True)
    return Result(apply_edits(model.data, edits), len(picked), ", ".join(f"{o}->{n}" for _, o, n in renames))


def rename_functions(source: str, keys: Keys, sites: int, *, public_api: bool = False) -> Result:
    """Rename ``sites`` functions (not methods) and every reference to them.

    Never renamed: methods, dunder names, names in ``__all__``, public module-level
    functions unless ``public_api`` (the module's API), any module-level function of a
    module with ``from … import *`` (the star import may rebind it), and any name its
    scope binds more than once (``bisect = …``, a second ``def``, an import) — the
    references would then not all mean this function. A private module-level function
    keeps its leading underscore (``_helper`` → ``_value``).
    """
    model = ScopeModel(source)
    public = PublicApi(model)
    star = {id(sc) for sc in model.star_imports}
    cands: list[tuple[Scope, str]] = []
    seen: set[tuple[int, str]] = set()
    for f in model.functions():
        assert f.node is not None
        name_node = f.node.child_by_field_name("name")
        occ = model.by_node.get(name_node.id) if name_node is not None else None
        if occ is None or occ.binding is None or occ.binding.kind == "class":
            continue
        key = (id(occ.binding), occ.name)
        if key in seen:
            continue
        seen.add(key)
        binding = occ.binding
        if occ.name.startswith("__") or id(binding) in star:
            continue
        if binding.kind == "module":
            if occ.name in public.all_names or not public.all_known:
                continue
            if not public_api and public.is_public_name(occ.name):
                continue
        if model.bindings(binding, occ.name) != 1:
            continue
        if model.uses_introspection(binding if binding.kind != "module" else model.module):
            continue
        cands.append((binding, occ.name))
    if not cands:
        raise NotApplicable(
            "no renamable function (methods, public API, names in __all__ and names bound more than once are kept)"
        )
    picked = keys.sample(cands, sites, "pick")
    fresh = model.fresh_names(len(picked), keys, "fresh")
    # a private module-level function stays private (`_helper` → `_value`): a public-looking
    # name would join the module's API (`from m import *`, checks of `__all__`)
    taken = set(model.identifiers) | set(fresh)
    renames = []
    for (scope, old), new in zip(picked, fresh):
        if scope.kind == "module" and old.startswith("_"):
            cand, k = "_" + new, 1
            while cand in taken:
                cand, k = f"_{new}{k}", k + 1
            taken.add(cand)
            new = cand
        renames.append((scope, old, new))
    edits = _rename_edits(model, renames, keywords=False)
    pairs = tuple((old, new) for _, old, new in renames)
    return Result(apply_edits(model.data, edits), len(picked), ", ".join(f"{o}->{n}" for o, n in pairs), pairs)


def shuffle_names(source: str, keys: Keys, sites: int) -> Result:
    """Permute the names of ``sites + 1`` local variables of one function among themselves.

    Only locals used in the function's own scope (not from nested scopes) take part,
    so no swapped name can be captured by a nested binding.
    """
    model = ScopeModel(source)
    by_scope: dict[int, list[_Candidate]] = {}
    for c in _variable_candidates(model, include_parameters=False):
        if all(o.scope is c.scope for o in model.occurrences_of(c.scope, c.name)):
            by_scope.setdefault(id(c.scope), []).append(c)
    groups = [g for g in by_scope.values() if len(g) >= 2]
    if not groups:
        raise NotApplicable("no function with two or more local variables to shuffle")
    group = keys.choice(groups, "function")
    picked = keys.sample(group, max(2, sites + 1), "pick")
    names = [c.name for c in picked]
    # a cyclic shift of a random order is a permutation without fixed points
    order = keys.order(len(names), "order")
    new = {names[order[i]]: names[order[(i + 1) % len(order)]] for i in range(len(order))}
    renames = [(c.scope, c.name, new[c.name]) for c in picked]
    edits = _rename_edits(model, renames, keywords=False)
    return Result(apply_edits(model.data, edits), len(picked), ", ".join(f"{o}->{n}" for _, o, n in renames))
