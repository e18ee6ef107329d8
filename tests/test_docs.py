"""Documentation stays runnable: every ```python block of each page runs, in order, in a fresh process.

Blocks of one page share a namespace (they build on each other); other fences
(bash, text, toml) are not executed.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")],
    key=lambda p: str(p),
)
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```", re.S | re.M)


def _blocks(page: Path) -> list[str]:
    return FENCE.findall(page.read_text(encoding="utf-8"))


@pytest.mark.parametrize("page", [p for p in PAGES if _blocks(p)], ids=lambda p: str(p.relative_to(ROOT)))
def test_python_blocks_run(page, tmp_path):
    script = "\n\n".join(_blocks(page))
    (tmp_path / "doc_script.py").write_text(script, encoding="utf-8")
    res = subprocess.run(
        [sys.executable, "doc_script.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert res.returncode == 0, f"{page.relative_to(ROOT)} failed:\n{res.stderr[-3000:]}"


def test_core_pages_have_examples():
    for name in ("README.md", "docs/core.md", "docs/plugins/authoring.md"):
        assert _blocks(ROOT / name), f"{name} has no runnable example"
