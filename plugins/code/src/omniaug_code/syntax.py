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
from .macros import macro_spans
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
    "masked_macros",
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
    """The tree-sitter tree of ``source``.

    C and C++: when the plain parse has errors that macros explain (``local int f``,
    ``static void XMLCALL f``, … see :mod:`omniaug_code.macros`), the tree of a
    parse that leaves those macro tokens out — node texts still slice the original
    bytes; :func:`masked_macros` gives the spans left out.
    """
    data = source.encode("utf-8") if isinstance(source, str) else source
    if lang not in ("c", "cpp"):
        return _parser(lang).parse(data)
    key = (lang, data)
    spans = _MASKS.get(key)
    if spans is None:
        tree = _parser(lang).parse(data)
        spans = _choose_masks(data, lang, tree) if tree.root_node.has_error else ()
        _remember(key, spans)
        if not spans:
            return tree
    return _parse_masked(data, lang, spans) if spans else _parser(lang).parse(data)


_MASKS: dict[tuple[str, bytes], tuple[tuple[int, int], ...]] = {}
_MASKS_MAX = 64


def _remember(key: tuple[str, bytes], spans: tuple[tuple[int, int], ...]) -> None:
    if len(_MASKS) >= _MASKS_MAX:
        _MASKS.pop(next(iter(_MASKS)))
    _MASKS[key] = spans


def masked_macros(source: str | bytes, lang: str) -> tuple[tuple[int, int], ...]:
    """Byte spans of the macro tokens :func:`parse` leaves out of ``source`` (empty for a clean parse)."""
    if lang not in ("c", "cpp"):
        return ()
    data = source.encode("utf-8") if isinstance(source, str) else source
    spans = _MASKS.get((lang, data))
    if spans is None:
        parse(data, lang)
        spans = _MASKS.get((lang, data), ())
    return spans


def _choose_masks(data: bytes, lang: str, tree: ts.Tree) -> tuple[tuple[int, int], ...]:
    """Macro spans to leave out, when leaving them out leaves fewer errors (else none)."""
    before = error_nodes(tree.root_node, lang)
    lines: set[int] = set()
    for n in before:
        lines.update(range(max(0, n.start_point[0] - 1), n.end_point[0] + 1))
    spans = tuple(macro_spans(data, lang, lines))
    if not spans:
        return ()
    after = error_nodes(_parse_masked(data, lang, spans).root_node, lang)
    return spans if len(after) < len(before) else ()


def _parse_masked(data: bytes, lang: str, spans: tuple[tuple[int, int], ...]) -> ts.Tree:
    bounds = sorted({b for s in spans for b in s} | {0, len(data)})
    points: dict[int, ts.Point] = {}
    row, last_nl, pos = 0, -1, 0
    for b in bounds:
        nl = data.find(b"\n", pos, b)
        while nl != -1:
            row, last_nl = row + 1, nl
            nl = data.find(b"\n", nl + 1, b)
        pos = b
        points[b] = ts.Point(row, b - last_nl - 1)
    ranges, prev = [], 0
    for s, e in spans:
        if s > prev:
            ranges.append(ts.Range(points[prev], points[s], prev, s))
        prev = e
    if prev < len(data) or not ranges:
        ranges.append(ts.Range(points[prev], points[len(data)], prev, len(data)))
    return ts.Parser(language(lang), included_ranges=ranges).parse(data)


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
    if problem is None and not masked_macros(source, lang):  # "verified" means: no error signature at all
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
    """What tree-sitter could not parse in ``source``: the (kind, text) of every ERROR / MISSING
    node, and (C/C++) of every macro token the parse left out.

    A C-family op edits only what parses cleanly and leaves these regions alone; its
    output must have exactly the same signature (same unparsed text, nothing new).
    """
    data = source.encode("utf-8")
    root = parse(data, lang).root_node
    out = [("missing" if n.is_missing else "error", text(n)) for n in error_nodes(root, lang)]
    out += [("macro", data[s:e].decode("utf-8")) for s, e in masked_macros(data, lang)]
    return tuple(out)


class ErrorRegions:
    """Byte spans a C-family op must not edit: ERROR / MISSING nodes and everything around them.

    A site is *clean* when it neither overlaps an error span nor lies in a function
    (or other construct) that contains one — tree-sitter's recovery around macros
    can misplace neighbouring nodes, so the whole enclosing function is left alone.
    With ``data`` (C/C++), also the macro tokens the parse left out
    (:func:`masked_macros`): an op must not edit next to one (:meth:`near_macro`).
    """

    def __init__(self, root: ts.Node, lang: str, data: bytes | None = None) -> None:
        merged: list[list[int]] = []
        for n in error_nodes(root, lang):
            s, e = n.start_byte, max(n.end_byte, n.start_byte + 1)
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        self.spans = [(s, e) for s, e in merged]  # disjoint, sorted
        self._starts = [s for s, _ in self.spans]
        self.data = data
        self.macros = list(masked_macros(data, lang)) if data is not None else []
        self._macro_starts = [s for s, _ in self.macros]

    def near_macro(self, start: int, end: int) -> bool:
        """Whether a masked macro token lies in ``[start, end)`` or only whitespace away from it."""
        if not self.macros or self.data is None:
            return False
        data = self.data
        lo = start
        while lo > 0 and data[lo - 1 : lo] in (b" ", b"\t", b"\n", b"\r"):
            lo -= 1
        hi = end
        while hi < len(data) and data[hi : hi + 1] in (b" ", b"\t", b"\n", b"\r"):
            hi += 1
        i = bisect.bisect_right(self._macro_starts, hi)  # macros starting at or before hi
        return i > 0 and self.macros[i - 1][1] >= lo

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
