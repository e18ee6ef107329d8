"""examples/dataloader.py runs: the generator-in-__init__ trap repeats across workers, the fixes do not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_dataloader_example_shows_the_trap_and_the_fix():
    pytest.importorskip("omniaug_image")
    pytest.importorskip("sklearn")
    res = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "dataloader.py")], capture_output=True, text=True, timeout=600
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert (
        "4 of 4 batch pairs repeat each other" in res.stdout
        and "3. generator made in the worker: 0 repeats" in res.stdout
    )
