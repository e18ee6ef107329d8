"""Parsing: tree-sitter grammars for every language, CPython's own parser as the Python check.

tree-sitter gives byte-accurate concrete syntax trees for all six languages, so
every transformation is a set of text edits on the original source: formatting
and comments that are not the target survive untouched.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterator

import tree_sitter as ts

from .payload import LANGUAGES

__all__ = ["language", "parse", "parse_error", "is_verified", "mark_verified", "forget_verified", "find", "walk", "text"]


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
            return f"SyntaxError: {exc.msg} (line {exc.lineno})"
        except ValueError as exc:  # null bytes
            return f"ValueError: {exc}"
        return None
    root = parse(source, lang).root_node
    if root.has_error:
        bad = next((n for n in walk(root) if n.is_error or n.is_missing), root)
        return f"{lang} syntax error near line {bad.start_point[0] + 1}"
    return None


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
        yield cursor.node  # type: ignore[misc]
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


def text(node: ts.Node) -> str:
    """The source text of ``node``."""
    return (node.text or b"").decode("utf-8")
