"""Every distribution ships the licence its pyproject declares."""

from __future__ import annotations

from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent


def _distributions() -> list[Path]:
    dirs = [ROOT / "core", ROOT / "examples" / "omniaug-example-plugin"]
    dirs += sorted(p.parent for p in (ROOT / "plugins").glob("*/pyproject.toml"))
    return dirs


def test_every_distribution_ships_the_apache_licence():
    top = (ROOT / "LICENSE").read_text()
    assert "Apache License" in top and "Version 2.0" in top
    for d in _distributions():
        meta = tomllib.loads((d / "pyproject.toml").read_text())["project"]
        assert "Apache-2.0" in str(meta.get("license")), f"{d.name}: licence not declared"
        assert (d / "LICENSE").read_text() == top, f"{d.name}: LICENSE missing or different"
