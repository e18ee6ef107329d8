"""The core contract suite on every op and mixer the graph plugin registers."""

from __future__ import annotations

from omniaug.testing import AugmentationContract, MixerContract, plugin_ops
from omniaug_graph import NodeMixup


class TestOpContract(AugmentationContract):
    omniaug_ops = plugin_ops("graph")


class TestMixerContract(MixerContract):
    # NodeMixup's labels are node-level (one row per node), while the core mixer
    # contract passes one label row per sample (graph); it has its own equivalent
    # checks in test_mixers.py.
    omniaug_mixers = [m for m in plugin_ops("graph", kind="mixer") if m is not NodeMixup]
