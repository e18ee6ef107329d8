"""Docstring removal and docstring perturbation for Python.

Source: ReCode's docstring perturbations (Wang et al., 2023) and "comment/docstring
removal" in the code-augmentation survey (Zhuo et al., 2023).

* Removal deletes the docstring statement (a body left empty gets ``pass``).
  Only ``__doc__`` changes.
* Perturbation edits the prose of a docstring — deletes a word, swaps two adjacent
  words or changes a word's case — and never touches identifiers: words that name
  something in the source, words with ``_``, digits or backticks, doctest lines
  (``>>>``/``...`` and their output) and words after a backslash are kept.
"""

from __future__ import annotations

import re

import tree_sitter as ts

from ..base import NotApplicable, Result
from ..edits import Edit, apply_edits, indent_at, is_line_start, line_start
from ..keys import Keys
from ..syntax import find, parse
from .scopes import identifiers_of
from .tree import docstring_of

__all__ = ["remove_docstrings", "perturb_docstrings"]

_WORD = re.compile(r"(?<![\\\w`'\"./-])[A-Za-z]{2,}(?![\w`(.'\"/-])")


def _docstrings(root: ts.Node) -> list[tuple[ts.Node, ts.Node]]:
    """``(docstring statement, the body holding it)`` for the module, every class and every function."""
    bodies = [root] + [
        b for b in (d.child_by_field_name("body") for d in find(root, "python", "function_definition", "class_definition"))
        if b is not None
    ]  # fmt: skip
    out = [(doc, body) for body in bodies if (doc := docstring_of(body)) is not None]
    return sorted(out, key=lambda p: p[0].start_byte)


_DOCTEST = re.compile(rb"^\s*>>>", re.M)


def remove_docstrings(source: str, keys: Keys, sites: int, *, keep_doctests: bool = True) -> Result:
    """Remove ``sites`` docstrings (``keep_doctests``: never one with a ``>>>`` doctest, which is a test)."""
    data = source.encode("utf-8")
    root = parse(data, "python").root_node
    cands = [d for d in _docstrings(root) if is_line_start(data, d[0].start_byte)]
    if keep_doctests:
        cands = [d for d in cands if not _DOCTEST.search(d[0].text or b"")]
    if not cands:
        raise NotApplicable("no docstring" + (" without doctests" if keep_doctests else ""))
    edits = []
    picked = keys.sample(cands, sites, "sites")
    for d, body in picked:
        start = line_start(data, d.start_byte)
        end = d.end_byte + (1 if data[d.end_byte : d.end_byte + 1] == b"\n" else 0)
        siblings = [c for c in body.named_children if c.type != "comment"]
        alone = len(siblings) == 1 and body.type == "block"
        edits.append(Edit(start, end, f"{indent_at(data, d.start_byte)}pass\n" if alone else ""))
    return Result(apply_edits(data, edits), len(picked))


def _prose_words(body: str, protected: set[str]) -> list[re.Match[str]]:
    words = []
    in_doctest = False
    offset = 0
    for line in body.split("\n"):
        stripped = line.strip()
        if stripped.startswith((">>>", "...")):
            in_doctest = True
        elif not stripped:
            in_doctest = False
        if not in_doctest:
            for m in _WORD.finditer(line):
                if m.group(0) not in protected:
                    words.append((offset, m))
        offset += len(line) + 1
    return [_Shifted(o, m) for o, m in words]  # type: ignore[misc]


class _Shifted:
    """A regex match moved by ``offset`` characters."""

    def __init__(self, offset: int, m: re.Match[str]) -> None:
        self.s, self.e, self.text = offset + m.start(), offset + m.end(), m.group(0)


def _perturb(body: str, protected: set[str], keys: Keys, sites: int) -> tuple[str, int]:
    words: list[_Shifted] = _prose_words(body, protected)  # type: ignore[assignment]
    if not words:
        return body, 0
    chosen = keys.sample(range(len(words)), sites, "words")
    out = list(body)
    done = 0
    used: set[int] = set()
    for i in sorted(chosen, reverse=True):
        w = words[i]
        if i in used:
            continue
        kind = keys.index(3, "kind", i)
        if kind == 0 and i + 1 < len(words) and i + 1 not in used and "\n" not in body[w.s : words[i + 1].e]:
            nxt = words[i + 1]
            out[w.s : nxt.e] = list(nxt.text + body[w.e : nxt.s] + w.text)
            used.update({i, i + 1})
        elif kind == 1 and len(words) > 1:
            end = w.e + 1 if body[w.e : w.e + 1] == " " else w.e
            out[w.s : end] = []
            used.add(i)
        else:
            new = w.text.lower() if w.text[0].isupper() else w.text.capitalize()
            if new == w.text:
                new = w.text.upper()
            out[w.s : w.e] = list(new)
            used.add(i)
        done += 1
    return "".join(out), done


def perturb_docstrings(source: str, keys: Keys, sites: int) -> Result:
    """Perturb ``sites`` words of the prose of the docstrings (identifiers untouched)."""
    data = source.encode("utf-8")
    root = parse(data, "python").root_node
    protected = identifiers_of(root)
    edits = []
    total = 0
    for j, (d, _) in enumerate(_docstrings(root)):
        string = d.named_children[0]
        content = [c for c in string.named_children if c.type == "string_content"]
        if len(content) != 1 or any(c.type == "interpolation" for c in string.named_children):
            continue
        c = content[0]
        body = (c.text or b"").decode("utf-8")
        new, done = _perturb(body, protected, keys.child("doc", j), sites)
        if done and new != body:
            edits.append(Edit(c.start_byte, c.end_byte, new))
            total += done
    if not edits:
        raise NotApplicable("no docstring with prose words to perturb")
    return Result(apply_edits(data, edits), total)
