"""The core contract suite, run on every op this plugin registers."""

from __future__ import annotations

from omniaug.testing import AugmentationContract, plugin_ops


class TestCodeOpContract(AugmentationContract):
    omniaug_ops = plugin_ops("code")


def test_every_op_is_registered() -> None:
    from omniaug_code import ALL_OPS

    assert {c.name for c in plugin_ops("code")} == {c.name for c in ALL_OPS}
