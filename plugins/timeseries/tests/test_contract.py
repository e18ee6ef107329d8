"""Contract checks beyond the shared run in tests/test_contract_all.py.

That run uses the modality's example, a padded, labelled ``SeriesBatch``; the tests
below rerun the checks on plain ``(B, C, T)`` tensors and unpadded batches.
"""

from __future__ import annotations

import pytest
import torch

from omniaug.testing import check_augmentation, check_mixer, plugin_ops
from omniaug_timeseries import Crop, SeriesBatch
from omniaug_timeseries.modality import example


def test_plugin_registers_ops_and_mixers() -> None:
    assert len(plugin_ops("timeseries")) >= 18
    assert {m.name for m in plugin_ops("timeseries", kind="mixer")} == {"timeseries.mixup", "timeseries.cutmix"}


def _tensor_batch() -> torch.Tensor:
    return example(6, generator=torch.Generator().manual_seed(3)).values


@pytest.mark.parametrize("cls", plugin_ops("timeseries"), ids=lambda c: c.name)
def test_contract_on_plain_tensors(cls: type) -> None:
    for op in cls.example_instances():
        if isinstance(op, Crop) and not op.resize:
            continue  # needs lengths: checked in test_crop_without_resize_needs_lengths
        check_augmentation(op, _tensor_batch())


@pytest.mark.parametrize("cls", plugin_ops("timeseries", kind="mixer"), ids=lambda c: c.name)
def test_mixer_contract_on_plain_tensors(cls: type) -> None:
    for op in cls.example_instances():
        check_mixer(op, _tensor_batch())


@pytest.mark.parametrize("cls", plugin_ops("timeseries"), ids=lambda c: c.name)
def test_contract_on_unpadded_series_batch(cls: type) -> None:
    x = example(6, generator=torch.Generator().manual_seed(4))
    full = SeriesBatch(x.values, None, torch.zeros_like(x.labels))
    for op in cls.example_instances():
        if isinstance(op, Crop) and not op.resize:
            continue
        check_augmentation(op, full)
