"""The core contract suite over every op and mixer omniaug-text registers."""

from omniaug.testing import AugmentationContract, MixerContract, plugin_ops


class TestOpContract(AugmentationContract):
    omniaug_ops = plugin_ops("text")


class TestMixerContract(MixerContract):
    omniaug_mixers = plugin_ops("text", kind="mixer")
