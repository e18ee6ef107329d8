"""Parsing: tree-sitter grammars for every language, CPython's own parser as the Python check.

tree-sitter gives byte-accurate concrete syntax trees for all six languages, so
every transformation is a set of text edits on the original source: formatting
and comments that are not the target survive untouched.
"""

from __future__ import annotations

import bisect
import functools
import warnings
from collections.abc import Iterator

import tree_sitter as ts

from . import budget
from .payload import LANGUAGES

__all__ = [
    "language",
    "parse",
    "parse_error",
    "is_verified",
    "mark_verified",
    "forget_verified",
    "find",
    "walk",
    "walk_with_path",
    "text",
    "error_nodes",
    "error_signature",
    "ErrorRegions",
]


@functools.cache
def language(name: str) -> ts.Language:
    """The tree-sitter ``Language`` of ``name`` (one of ``LANGUAGES``)."""
    if name == "python":
        import tree_sitter_python as mod
    elif name == "java":
        import tree_sitter_java as mod
    elif name == "javascript":
        import tree_sitter_javascript as mod
    elif name == "c":
        import tree_sitter_c as mod
    elif name == "cpp":
        import tree_sitter_cpp as mod
    elif name == "go":
        import tree_sitter_go as mod
    else:
        raise KeyError(f"unsupported language {name!r}; supported: {', '.join(LANGUAGES)}")
    return ts.Language(mod.language())


@functools.cache
def _parser(name: str) -> ts.Parser:
    return ts.Parser(language(name))


def parse(source: str | bytes, lang: str) -> ts.Tree:
    """The tree-sitter tree of ``source``."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    return _parser(lang).parse(data)


_VERIFIED: dict[tuple[str, str], None] = {}
_VERIFIED_MAX = 4096


def parse_error(source: str, lang: str) -> str | None:
    """Why ``source`` does not parse as ``lang`` (None when it parses).

    Python is checked with CPython's own parser (what will run the code); the other
    languages with their tree-sitter grammar (no ERROR or MISSING nodes). Sources
    that parsed recently are remembered, so a pipeline checks each intermediate
    source once (as one op's output), not twice (again as the next op's input).
    """
    key = (lang, source)
    if key in _VERIFIED:
        return None
    problem = _parse_error(source, lang)
    if problem is None:
        mark_verified(source, lang)
    return problem


def is_verified(source: str, lang: str) -> bool:
    """Whether ``source`` parsed recently in this process (no need to parse it again)."""
    return (lang, source) in _VERIFIED


def mark_verified(source: str, lang: str) -> None:
    """Remember that ``source`` parses (e.g. a worker process checked it)."""
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.pop(next(iter(_VERIFIED)))
    _VERIFIED[(lang, source)] = None


def forget_verified() -> None:
    """Empty the cache of sources known to parse (benchmarks start cold)."""
    _VERIFIED.clear()


def _parse_error(source: str, lang: str) -> str | None:
    if lang == "python":
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # invalid escape sequences in user code
                compile(source, "<code>", "exec", dont_inherit=True)  # the full compiler: also `break` outside a loop
        except SyntaxError as exc:
            if "too many nested" in str(exc.msg) or "too complex" in str(exc.msg):
                raise budget.TooDeep(str(exc.msg)) from None
            return f"SyntaxError: {exc.msg} (line {exc.lineno})"
        except (RecursionError, MemoryError) as exc:  # CPython's compiler recursion limit
            raise budget.TooDeep(f"CPython's compiler: {type(exc).__name__}") from None
        except ValueError as exc:  # null bytes
            return f"ValueError: {exc}"
        return None
    root = parse(source, lang).root_node
    if root.has_error:
        bad = error_nodes(root, lang)
        where = bad[0].start_point[0] + 1 if bad else 1
        return f"{lang} syntax error near line {where}"
    return None


def error_nodes(root: ts.Node, lang: str) -> list[ts.Node]:
    """The ERROR and MISSING nodes under ``root`` (empty for a clean tree), in document order."""
    if not root.has_error:
        return []
    found = ts.QueryCursor(_error_query(lang)).captures(root)
    nodes = [*found.get("e", []), *found.get("m", [])]
    return sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))


@functools.cache
def _error_query(lang: str) -> ts.Query:
    return ts.Query(language(lang), "(ERROR) @e (MISSING) @m")


def error_signature(source: str, lang: str) -> tuple[tuple[str, str], ...]:
    """What tree-sitter could not parse in ``source``: the (kind, text) of every ERROR / MISSING node.

    A C-family op edits only what parses cleanly and leaves these regions alone; its
    output must have exactly the same signature (same unparsed text, nothing new).
    """
    root = parse(source, lang).root_node
    return tuple(("missing" if n.is_missing else "error", text(n)) for n in error_nodes(root, lang))


class ErrorRegions:
    """Byte spans a C-family op must not edit: ERROR / MISSING nodes and everything around them.

    A site is *clean* when it neither overlaps an error span nor lies in a function
    (or other construct) that contains one — tree-sitter's recovery around macros
    can misplace neighbouring nodes, so the whole enclosing function is left alone.
    """

    def __init__(self, root: ts.Node, lang: str) -> None:
        merged: list[list[int]] = []
        for n in error_nodes(root, lang):
            s, e = n.start_byte, max(n.end_byte, n.start_byte + 1)
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.spans = [(s, e) for s, e in merged]  # disjoint, sorted
        self._starts = [s for s, _ in self.spans]

    def __bool__(self) -> bool:
        return bool(self.spans)

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` touches an error span."""
        if not self.spans:
            return False
        i = bisect.bisect_left(self._starts, max(end, start + 1))  # spans starting before the end
        return i > 0 and self.spans[i - 1][1] > start

    def clean(self, node: ts.Node) -> bool:
        """Whether ``node`` contains no error and is not inside one."""
        if not self.spans:
            return True
        if node.has_error:
            return False
        p = node.parent
        while p is not None:
            if p.is_error:
                return False
            p = p.parent
        return not self.overlaps(node.start_byte, node.end_byte)


@functools.cache
def _query(lang: str, types: tuple[str, ...]) -> ts.Query:
    return ts.Query(language(lang), " ".join(f"({t}) @n" for t in types))


def find(node: ts.Node, lang: str, *types: str) -> list[ts.Node]:
    """Every node of the given types under ``node`` (itself included), in document order.

    Runs a tree-sitter query (in C) instead of walking the tree in Python.
    """
    found = ts.QueryCursor(_query(lang, types)).captures(node).get("n", [])
    return sorted(found, key=lambda n: (n.start_byte, -n.end_byte))


def walk(node: ts.Node) -> Iterator[ts.Node]:
    """Every node under ``node`` in document order (pre-order)."""
    cursor = node.walk()
    while True:
        budget.check()
        yield cursor.node  # type: ignore[misc]
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


def walk_with_path(node: ts.Node) -> Iterator[tuple[ts.Node, list[ts.Node]]]:
    """Like :func:`walk`, with the ancestors of each node (outermost first; the list is reused, copy to keep it).

    tree-sitter computes ``Node.parent`` by descending from the root, so code that
    needs parents for every node must carry them: this keeps a walk linear on deeply
    nested sources.
    """
    cursor = node.walk()
    path: list[ts.Node] = []
    while True:
        budget.check()
        current = cursor.node
        yield current, path  # type: ignore[misc]
        if cursor.goto_first_child():
            path.append(current)  # type: ignore[arg-type]
            if len(path) > budget.MAX_DEPTH:
                raise budget.TooDeep(f"more than {budget.MAX_DEPTH} levels of syntax")
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return
            path.pop()


def text(node: ts.Node) -> str:
    """The source text of ``node``."""
    return (node.text or b"").decode("utf-8")
