"""Formatting changes for Python that leave the token stream (and so the program) unchanged.

Source: "code formatting / layout changes" in the code-augmentation survey
(Zhuo et al., 2023) and ReCode's "syntax-preserving format" perturbations
(indentation, newline insertion, line splits). Three kinds of site:

* **indentation style** (once per source): every indentation level of 4 spaces
  becomes 2 spaces, 3 spaces, 8 spaces or a tab — applied only when all
  statement lines are indented by multiples of 4 spaces, so the block structure
  is kept; lines inside multi-line strings are never touched;
* **blank line**: a blank line before a statement;
* **line split**: a call's arguments split one per line (inside brackets, so the
  layout is free).
"""

from __future__ import annotations

from ..base import NotApplicable, Result
from ..edits import Edit, apply_edits, indent_at
from ..keys import Keys
from ..syntax import find, parse
from .tree import multiline_string_rows, statements

__all__ = ["reformat"]

_UNITS = ("  ", "   ", "        ", "\t")


def _reindent_edits(data: bytes, root: object, keys: Keys) -> list[Edit] | None:
    stmt_rows = {s.start_point[0] for _, _, s in statements(root, data)}  # type: ignore[arg-type]
    skip = multiline_string_rows(root)  # type: ignore[arg-type]
    lines = data.split(b"\n")
    edits = []
    pos = 0
    unit = keys.choice(_UNITS, "unit")
    any_indent = False
    for row, line in enumerate(lines):
        ws = len(line) - len(line.lstrip(b" \t"))
        lead = line[:ws]
        if row not in skip and line.strip():
            if row in stmt_rows and (b"\t" in lead or ws % 4):
                return None
            if lead and b"\t" not in lead and ws % 4 == 0:
                edits.append(Edit(pos, pos + ws, unit * (ws // 4)))
                any_indent = True
        pos += len(line) + 1
    return edits if any_indent else None


def reformat(source: str, keys: Keys, sites: int) -> Result:
    """Make ``sites`` formatting changes (indentation style, blank lines, argument line splits)."""
    data = source.encode("utf-8")
    root = parse(data, "python").root_node
    skip = multiline_string_rows(root)
    blank_spots = [s for _, i, s in statements(root, data) if i > 0 and s.start_point[0] not in skip]
    calls = []
    for n in find(root, "python", "call"):
        if n.start_point[0] == n.end_point[0]:
            args = n.child_by_field_name("arguments")
            if args is not None and args.type == "argument_list" and args.named_child_count >= 2:
                calls.append(args)
    kinds: list[str] = []
    for j in range(sites):
        options = [
            k
            for k, ok in (("indent", "indent" not in kinds), ("blank", bool(blank_spots)), ("split", bool(calls)))
            if ok
        ]
        if options:
            kinds.append(keys.choice(options, "kind", j))
    edits: list[Edit] = []
    done = 0
    if "indent" in kinds:
        reindent = _reindent_edits(data, root, keys)
        if reindent:
            edits.extend(reindent)
            done += 1
    n_blank = kinds.count("blank")
    for s in keys.sample(blank_spots, n_blank, "blank"):
        start = s.start_byte - len(indent_at(data, s.start_byte).encode("utf-8"))
        edits.append(Edit(start, start, "\n"))
        done += 1
    n_split = kinds.count("split")
    taken_rows: set[int] = set()
    for args in keys.sample(calls, n_split, "split"):
        if args.start_point[0] in taken_rows:
            continue  # two calls on one line: splitting both would nest the edits
        taken_rows.add(args.start_point[0])
        ind = indent_at(data, args.start_byte) + "    "
        for c in args.children:
            if c.type in ("(", ","):
                nxt = c.next_sibling
                if nxt is not None and nxt.type != ")":
                    edits.append(Edit(c.end_byte, nxt.start_byte, "\n" + ind))
        done += 1
    if not done:
        raise NotApplicable("nothing to reformat")
    # indentation edits start at line starts and blank-line insertions sit at the same offsets: order inserts first
    return Result(apply_edits(data, _order(edits)), done)


def _order(edits: list[Edit]) -> list[Edit]:
    return sorted(edits, key=lambda e: (e.start, e.end))
