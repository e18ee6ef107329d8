"""docs/differentiable.md lists the differentiable ops per modality exactly as the registry declares them.

The table between the ``registry-table`` markers is generated from the installed
plugins' declarations (``differentiable``, ``requires_model``), so it cannot
drift: when an op is added or its flag changes, this test fails and prints the
new table. Rewrite it with::

    .venv/bin/python tests/test_differentiable_docs.py --write
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "differentiable.md"
BEGIN, END = (
    "<!-- registry-table:begin (generated: tests/test_differentiable_docs.py) -->",
    "<!-- registry-table:end -->",
)


def _names(classes: list[type], modality: str) -> str:
    short = [
        f"`{c.name[len(modality) + 1 :]}`" + (" (model)" if getattr(c, "requires_model", False) is True else "")
        for c in classes
    ]
    return ", ".join(short) or "—"


def generated_table() -> str:
    """The markdown table: per modality, differentiable ops, differentiable mixers, and the others."""
    from omniaug.registry import Registry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = Registry()
    failed = {n: p.error for n, p in reg.plugins.items() if p.status == "failed"}
    assert not failed, f"plugins failed to load, so the registry's table is incomplete: {failed}"
    rows = [
        "| modality | differentiable ops | differentiable mixers | not differentiable (refuse grad inputs) |",
        "| --- | --- | --- | --- |",
    ]
    blind: list[str] = []
    for m in sorted(reg.modalities):
        ops = [reg.augmentations[n] for n in sorted(reg.augmentations) if reg.augmentations[n].modality_name() == m]
        mixers = [reg.mixers[n] for n in sorted(reg.mixers) if reg.mixers[n].modality_name() == m]
        diff_ops = [c for c in ops if getattr(c, "differentiable", False) is True]
        diff_mix = [c for c in mixers if getattr(c, "differentiable", False) is True]
        others = [c for c in ops + mixers if getattr(c, "differentiable", False) is not True]
        if not diff_ops and not diff_mix:
            blind.append(f"`{m}`")
            continue
        rows.append(f"| `{m}` | {_names(diff_ops, m)} | {_names(diff_mix, m)} | {_names(others, m)} |")
    rows.append("")
    rows.append(
        f"No op or mixer of {', '.join(blind)} is declared differentiable. "
        "(model): needs a `ModelContext` (docs/modalities/adversarial.md)."
    )
    return "\n".join(rows)


def _current() -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(re.escape(BEGIN) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    assert found, f"{DOC.name} lacks the {BEGIN!r} … {END!r} block"
    return found.group(1)


def test_differentiable_md_lists_what_the_registry_declares() -> None:
    expected = generated_table()
    assert _current() == expected, (
        "docs/differentiable.md is out of date with the registry; run "
        "`.venv/bin/python tests/test_differentiable_docs.py --write`. Expected:\n" + expected
    )


if __name__ == "__main__" and "--write" in sys.argv:
    text = DOC.read_text(encoding="utf-8")
    start, stop = text.index(BEGIN) + len(BEGIN), text.index(END)
    DOC.write_text(text[:start] + "\n" + generated_table() + "\n" + text[stop:], encoding="utf-8")
    print(f"wrote the registry table of {DOC}")
