"""docs/cli.md says what `apply` keeps for every modality that reads files, with every option."""

from __future__ import annotations

from pathlib import Path

import omniaug
from omniaug.files import codec_of

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_every_file_modality_its_patterns_and_options_are_documented():
    text = DOC.read_text(encoding="utf-8")
    reg = omniaug.registry()
    documented = 0
    for name, spec in sorted(reg.modalities.items()):
        if spec.files is None:
            continue
        codec = codec_of(spec)
        row = next((line for line in text.splitlines() if line.startswith(f"| {name} |")), None)
        assert row is not None, f"docs/cli.md has no row for modality {name!r}"
        for pattern in codec.patterns:
            if pattern.lower() == pattern:
                assert pattern in row, f"{name}: pattern {pattern} not documented"
        for option in codec.options:
            assert f"{option}=" in text or f"`{option}`" in text, f"{name}: option {option} not documented"
        documented += 1
    assert documented >= 1
