"""The whole contract suite on a CUDA GPU (``pytest -m cuda``), over every registered op and mixer.

Marked ``cuda``: the omniaug pytest plugin skips these tests, with the reason, on a
machine without a GPU (CI here has none — the skip is expected, not a hidden failure).
Each check gets the op's example input built on ``cuda``; the device check
(``check_dtype_device``) also runs on every available device in the CPU suite.
"""

from __future__ import annotations

import warnings

import pytest
import torch

from omniaug.testing import AugmentationContract, MixerContract
from omniaug.testing.pytest_plugin import NO_CUDA_REASON

pytestmark = pytest.mark.cuda

if not torch.cuda.is_available():  # one skip line instead of collecting ~2,600 skipped cases
    pytest.skip(NO_CUDA_REASON, allow_module_level=True)


def _registered(kind: str) -> list:
    from omniaug.registry import Registry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = Registry()
    table = reg.augmentations if kind == "augmentation" else reg.mixers
    return [table[name] for name in sorted(table)]


class TestEveryRegisteredOpOnCuda(AugmentationContract):
    omniaug_ops = _registered("augmentation")
    omniaug_device = "cuda"


class TestEveryRegisteredMixerOnCuda(MixerContract):
    omniaug_mixers = _registered("mixer")
    omniaug_device = "cuda"
