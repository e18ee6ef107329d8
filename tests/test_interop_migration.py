"""docs/migrating.md shows the tables the mapping tables generate, for every peer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("albumentations")
pytest.importorskip("torchvision")
pytest.importorskip("kornia")
pytest.importorskip("audiomentations")
pytest.importorskip("torch_audiomentations")
pytest.importorskip("nlpaug")

from omniaug.interop import migration_tables

PAGE = Path(__file__).resolve().parents[1] / "docs" / "migrating.md"


def _documented() -> str:
    text = PAGE.read_text(encoding="utf-8")
    found = re.search(r"<!-- migration-tables:start -->\n(.*?)<!-- migration-tables:end -->", text, re.S)
    assert found, "docs/migrating.md lost its generated-tables markers"
    return found.group(1)


def test_doc_tables_equal_the_generated_ones():
    assert _documented().strip() == migration_tables().strip()


def test_one_table_per_peer_with_every_mapping():
    from omniaug.interop import _module

    doc = _documented()
    for peer, title in (
        ("albumentations", "albumentations"),
        ("torchvision", "torchvision.transforms.v2"),
        ("kornia", "kornia.augmentation"),
        ("audiomentations", "audiomentations"),
        ("torch_audiomentations", "torch-audiomentations"),
        ("nlpaug", "nlpaug"),
    ):
        assert f"### {title}\n" in doc
        mod = _module(peer)
        for name in [*mod.MAPPINGS, *mod.WRAPPED]:
            assert f"| `{name}` |" in doc, (peer, name)
