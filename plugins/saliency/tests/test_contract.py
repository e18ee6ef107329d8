"""Every mixer and op of the plugin through the shared contract suite (incl. the model-aware and differentiability checks)."""

from __future__ import annotations

from omniaug.testing import AugmentationContract, MixerContract, plugin_ops


def test_plugin_registers_its_ops() -> None:
    mixers = {c.name for c in plugin_ops("saliency", kind="mixer")}
    assert {
        "image.saliencymix",
        "image.puzzlemix",
        "timeseries.puzzlemix",
        "audio.puzzlemix",
        "audio.saliencymix",
    } <= mixers
    assert {c.name for c in plugin_ops("saliency")} == {"image.randconv"}


class TestSaliencyMixers(MixerContract):
    omniaug_mixers = plugin_ops("saliency", kind="mixer")


class TestStyleOps(AugmentationContract):
    omniaug_ops = plugin_ops("saliency")
