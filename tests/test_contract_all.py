"""The shared contract suite over every op and mixer registered by installed plugins.

This is the suite third-party authors reuse (`omniaug.testing`); here it runs over
everything the entry points provide, first-party and example plugins alike.
"""

from __future__ import annotations

import warnings

from omniaug.testing import AugmentationContract, MixerContract


def _registered(kind: str) -> list:
    from omniaug.registry import Registry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = Registry()
    table = reg.augmentations if kind == "augmentation" else reg.mixers
    return [table[name] for name in sorted(table)]


def test_some_ops_are_registered():
    assert _registered("augmentation"), "no plugin registered any op: are the plugins installed?"


class TestEveryRegisteredOp(AugmentationContract):
    omniaug_ops = _registered("augmentation")


class TestEveryRegisteredMixer(MixerContract):
    omniaug_mixers = _registered("mixer")
