"""Oracle for level 2: is one program an α-renaming of another?

Python: the two ``ast`` trees must be equal node for node, except identifiers
(``Name.id``, ``arg.arg``, function/class names, ``keyword.arg``, ``global``/
``nonlocal`` names, ``except … as`` names), which must follow a consistent,
injective name map within each scope (function, lambda, class, comprehension):
one binding may be renamed in one scope and a same-named binding kept in another. C family: the tree-sitter trees must have the same node
types and token texts, identifiers again mapped consistently per top-level node.
"""

from __future__ import annotations

import ast
from typing import Any

from omniaug_code.syntax import parse

_ID_FIELDS = {("Name", "id"), ("arg", "arg"), ("FunctionDef", "name"), ("AsyncFunctionDef", "name"),
              ("ClassDef", "name"), ("Global", "names"), ("Nonlocal", "names"),
              ("ExceptHandler", "name"), ("alias", "asname"), ("MatchAs", "name"), ("MatchStar", "name")}  # fmt: skip
_SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


class NotAlpha(AssertionError):
    pass


_KEYWORDS: dict[str, str] = {}


def _bind(mapping: dict[str, str], inverse: dict[str, str], a: str, b: str) -> None:
    if mapping.setdefault(a, b) != b or inverse.setdefault(b, a) != a:
        raise NotAlpha(f"inconsistent renaming {a!r} -> {b!r} (already {mapping.get(a)!r} / {inverse.get(b)!r})")


def _compare(x: Any, y: Any, mapping: dict[str, str], inverse: dict[str, str], out: list[dict[str, str]]) -> None:
    if isinstance(x, _SCOPES) and type(x) is type(y):
        # the scope's own name (def/class) binds in the enclosing scope; the rest gets a fresh map
        if isinstance(x, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            _bind(mapping, inverse, x.name, y.name)
        inner: dict[str, str] = {}
        out.append(inner)
        inner_inverse: dict[str, str] = {}
        if isinstance(x, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            # the first iterable is evaluated in the enclosing scope
            _compare(x.generators[0].iter, y.generators[0].iter, mapping, inverse, out)
            for gx, gy in zip(x.generators, y.generators):
                _compare(gx.target, gy.target, inner, inner_inverse, out)
                _compare(gx.ifs, gy.ifs, inner, inner_inverse, out)
                if gx is not x.generators[0]:
                    _compare(gx.iter, gy.iter, inner, inner_inverse, out)
            for field in ("elt", "key", "value"):
                if hasattr(x, field):
                    _compare(getattr(x, field), getattr(y, field), inner, inner_inverse, out)
            return
        if isinstance(x, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            # decorators and default values are evaluated in the enclosing scope
            _compare(getattr(x, "decorator_list", []), getattr(y, "decorator_list", []), mapping, inverse, out)
            _compare(x.args.defaults, y.args.defaults, mapping, inverse, out)
            _compare(x.args.kw_defaults, y.args.kw_defaults, mapping, inverse, out)
            for field in ("posonlyargs", "args", "vararg", "kwonlyargs", "kwarg"):
                _compare(getattr(x.args, field), getattr(y.args, field), inner, inner_inverse, out)
            _compare(x.body, y.body, inner, inner_inverse, out)
            return
        for field in x._fields:
            if field != "name":
                _compare(getattr(x, field), getattr(y, field), inner, inner_inverse, out)
        return
    if type(x) is not type(y):
        raise NotAlpha(f"{type(x).__name__} vs {type(y).__name__}")
    if isinstance(x, ast.Call):
        # keyword names belong to the callee: consistent per callee, independent of the caller's locals
        _compare(x.func, y.func, mapping, inverse, out)
        _compare(x.args, y.args, mapping, inverse, out)
        if len(x.keywords) != len(y.keywords):
            raise NotAlpha("different keyword arguments")
        callee = ast.dump(x.func)
        for kx, ky in zip(x.keywords, y.keywords):
            if (kx.arg is None) != (ky.arg is None):
                raise NotAlpha("** and keyword argument mixed up")
            if kx.arg is not None:
                _bind(_KEYWORDS, {}, f"{callee}.{kx.arg}", f"{callee}.{ky.arg}")
            _compare(kx.value, ky.value, mapping, inverse, out)
        return
    if isinstance(x, list):
        if len(x) != len(y):
            raise NotAlpha(f"list lengths {len(x)} vs {len(y)}")
        for a, b in zip(x, y):
            _compare(a, b, mapping, inverse, out)
        return
    if not isinstance(x, ast.AST):
        if x != y:
            raise NotAlpha(f"{x!r} vs {y!r}")
        return
    for field in x._fields:
        a, b = getattr(x, field), getattr(y, field)
        if (type(x).__name__, field) in _ID_FIELDS and a is not None:
            for s, t in zip(a, b) if isinstance(a, list) else [(a, b)]:
                _bind(mapping, inverse, s, t)
            if isinstance(a, list) and len(a) != len(b):
                raise NotAlpha("name lists differ")
        else:
            _compare(a, b, mapping, inverse, out)


def python_name_maps(before: str, after: str) -> list[dict[str, str]]:
    """Per scope, the name map turning ``before`` into ``after`` (raises NotAlpha)."""
    a, b = ast.parse(before), ast.parse(after)
    _KEYWORDS.clear()
    module_map: dict[str, str] = {}
    maps = [module_map]
    _compare(a.body, b.body, module_map, {}, maps)
    return maps


def tree_name_maps(before: str, after: str, language: str) -> list[dict[str, str]]:
    """The same check on tree-sitter trees of a C-family language."""
    ra, rb = parse(before, language).root_node, parse(after, language).root_node
    if ra.child_count != rb.child_count:
        raise NotAlpha("different number of top-level nodes")
    maps = []
    for x, y in zip(ra.children, rb.children):
        mapping: dict[str, str] = {}
        inverse: dict[str, str] = {}
        stack = [(x, y)]
        while stack:
            p, q = stack.pop()
            if p.type != q.type or p.child_count != q.child_count:
                raise NotAlpha(f"{p.type} vs {q.type}")
            if p.child_count == 0:
                tp, tq = p.text.decode(), q.text.decode()
                if p.type == "identifier":
                    _bind(mapping, inverse, tp, tq)
                elif tp != tq:
                    raise NotAlpha(f"token {tp!r} vs {tq!r}")
            stack.extend(zip(p.children, q.children))
        maps.append(mapping)
    return maps
