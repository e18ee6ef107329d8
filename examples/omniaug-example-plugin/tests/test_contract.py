"""The plugin's ops pass omniaug's shared contract suite (as every plugin's must)."""

from omniaug.testing import AugmentationContract, MixerContract, plugin_ops


class TestTabularOps(AugmentationContract):
    omniaug_ops = plugin_ops("tabular")


class TestTabularMixers(MixerContract):
    omniaug_mixers = plugin_ops("tabular", kind="mixer")
