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
            ident = p if p.type == "identifier" else p.child_by_field_name("name") or next(
                (c for c in p.named_children if c.type == "identifier"), None
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


def _parameters_pinned(model: ScopeModel, func: Scope) -> bool:
    """Whether the function may be called in ways the source does not show, so its parameter names are API.

    A function whose name is used other than as the callee of a call (passed on,
    aliased, decorated into something else), or a method called by keyword on an
    object other than ``self``/``cls``, keeps its parameter names.
    """
    assert func.node is not None
    name_node = func.node.child_by_field_name("name")
    if name_node is None:
        return True
    fname = name_node.text
    if func.node.parent is not None and func.node.parent.type == "decorated_definition":
        return True
    if func.parent is not None and func.parent.kind == "class":
        for attr in model.attribute_names:
            if attr.text != fname:
                continue
            access = attr.parent
            call = access.parent if access is not None else None
            obj = access.child_by_field_name("object") if access is not None else None
            if call is None or call.type != "call" or call.child_by_field_name("function") != access:
                return True
            if obj is None or obj.type != "identifier" or obj.text not in (b"self", b"cls"):
                args = call.child_by_field_name("arguments")
                if args is not None and any(a.type in ("keyword_argument", "dictionary_splat") for a in args.named_children):
                    return True
        return False
    def_occ = model.by_node.get(name_node.id)
    if def_occ is None:
        return True
    for occ in model.occurrences_of(def_occ.binding, def_occ.name) if def_occ.binding is not None else []:
        if occ.node == name_node:
            continue
        parent = occ.node.parent
        if parent is None or parent.type != "call" or parent.child_by_field_name("function") != occ.node:
            return True
    return False


def _variable_candidates(model: ScopeModel, include_parameters: bool) -> list[_Candidate]:
    out: list[_Candidate] = []
    for f in model.functions():
        if model.uses_introspection(f):
            continue
        pinned = include_parameters and _parameters_pinned(model, f)
        kwonly = _keyword_only(f)
        skip_first = f.parent is not None and f.parent.kind == "class"
        first = _first_parameter(f) if skip_first else None
        for sym in f.table.get_symbols():
            name = sym.get_name()
            if not name.isidentifier() or name.startswith("__"):
                continue
            if not sym.is_local() or sym.is_free() or sym.is_imported() or sym.is_global() or sym.is_namespace():
                continue
            if sym.is_parameter() and (not include_parameters or pinned or name in kwonly or name == first):
                continue
            if not model.occurrences_of(f, name):
                continue
            out.append(_Candidate(f, name, sym.is_parameter()))
    return out


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
                obj is not None and obj.type == "identifier" and obj.text in (b"self", b"cls")
                and attr is not None and attr.text.decode() == fname
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


def rename_variables(source: str, keys: Keys, sites: int, *, include_parameters: bool = True) -> Result:
    """Rename ``sites`` local variables / parameters to fresh names (keyword arguments of calls follow)."""
    model = ScopeModel(source)
    cands = _variable_candidates(model, include_parameters)
    if not cands:
        raise NotApplicable("no renamable local variable or parameter")
    picked = keys.sample(cands, sites, "pick")
    fresh = model.fresh_names(len(picked), keys, "fresh")
    renames = [(c.scope, c.name, new) for c, new in zip(picked, fresh)]
    edits = _rename_edits(model, renames, keywords=True)
    return Result(apply_edits(model.data, edits), len(picked), ", ".join(f"{o}->{n}" for _, o, n in renames))


def rename_functions(source: str, keys: Keys, sites: int) -> Result:
    """Rename ``sites`` functions (module-level or nested, not methods) and every call site."""
    model = ScopeModel(source)
    has_all = model.module.symbol("__all__") is not None
    cands: list[tuple[Scope, str]] = []
    seen: set[tuple[int, str]] = set()
    for f in model.functions():
        assert f.node is not None
        name_node = f.node.child_by_field_name("name")
        occ = model.by_node.get(name_node.id) if name_node is not None else None
        if occ is None or occ.binding is None or occ.binding.kind == "class":
            continue
        if occ.name.startswith("__") or (occ.binding.kind == "module" and has_all):
            continue
        if model.uses_introspection(occ.binding if occ.binding.kind != "module" else model.module):
            continue
        key = (id(occ.binding), occ.name)
        if key not in seen:
            seen.add(key)
            cands.append((occ.binding, occ.name))
    if not cands:
        raise NotApplicable("no renamable function (methods and names exported by __all__ are kept)")
    picked = keys.sample(cands, sites, "pick")
    fresh = model.fresh_names(len(picked), keys, "fresh")
    renames = [(scope, old, new) for (scope, old), new in zip(picked, fresh)]
    edits = _rename_edits(model, renames, keywords=False)
    pairs = tuple((old, new) for _, old, new in renames)
    return Result(apply_edits(model.data, edits), len(picked), ", ".join(f"{o}->{n}" for o, n in pairs), pairs)


def shuffle_names(source: str, keys: Keys, sites: int) -> Result:
    """Permute the names of ``sites + 1`` local variables of one function among themselves.

    Only locals used in the function's own scope (not from nested scopes) take part,
    so no swapped name can be captured by a nested binding.
    """
    model = ScopeModel(source)
    groups: list[list[_Candidate]] = []
    for f in model.functions():
        local = [
            c
            for c in _variable_candidates(model, include_parameters=False)
            if c.scope is f and all(o.scope is f for o in model.occurrences_of(f, c.name))
        ]
        if len(local) >= 2:
            groups.append(local)
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
