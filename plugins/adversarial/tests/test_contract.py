"""Every op of the plugin through the shared contract suite (incl. the model-aware and differentiability checks)."""

from __future__ import annotations

from omniaug.testing import AugmentationContract, plugin_ops


def test_plugin_registers_its_ops() -> None:
    names = {c.name for c in plugin_ops("adversarial")}
    assert {"image.fgsm", "image.pgd", "audio.pgd", "timeseries.pgd", "tabular.pgd"} <= names


class TestAdversarialOps(AugmentationContract):
    omniaug_ops = plugin_ops("adversarial")
