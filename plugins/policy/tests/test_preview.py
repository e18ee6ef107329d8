"""``omniaug preview`` of a learned policy draws its op/magnitude distribution."""

from __future__ import annotations

import pytest

import omniaug
from omniaug.cli import main
from omniaug_policy import LearnedPolicy

pytest.importorskip("matplotlib")


def test_preview_of_a_learned_policy_writes_its_distribution_plot(tmp_path, capsys):
    policy = LearnedPolicy(
        "timeseries",
        [
            [["timeseries.jitter", 1.0, 0.2]],
            [["timeseries.jitter", 1.0, 0.8]],
            [["timeseries.scaling", 0.5, 0.4]],
            [["identity", 1.0, 0.0]],
        ],
        [0.5, 0.2, 0.2, 0.1],
    )
    config = tmp_path / "learned.yaml"
    config.write_text(omniaug.to_yaml(policy), encoding="utf-8")
    out = tmp_path / "learned.png"
    assert main(["preview", str(config), "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    mass = policy.op_mass()
    assert mass["timeseries.jitter"] == pytest.approx(0.7) and mass["timeseries.scaling"] == pytest.approx(0.1)
