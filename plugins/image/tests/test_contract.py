"""The omniaug contract suite on every op and mixer the image plugin registers."""

from omniaug.testing import AugmentationContract, MixerContract, plugin_ops


class TestOpContract(AugmentationContract):
    omniaug_ops = plugin_ops("image")


class TestMixerContract(MixerContract):
    omniaug_mixers = plugin_ops("image", kind="mixer")
