"""Contract checks beyond the shared run in tests/test_contract_all.py (which covers every
registered op with its example input): the waveform ops again on plain ``(B, C, T)`` tensors."""

from __future__ import annotations

import pytest

from omniaug.rng import make_generator
from omniaug.testing import plugin_ops
from omniaug.testing.contract import AUGMENTATION_CHECKS
from omniaug_audio.modality import synthetic_audio


def test_every_op_registered() -> None:
    names = {c.name for c in plugin_ops("audio")}
    assert len(names) == 28
    assert {c.name for c in plugin_ops("audio", kind="mixer")} == {"audio.mixup", "audio.snr_mix", "audio.cutmix"}


WAVE_OPS = [c for c in plugin_ops("audio") if c.modality_name() == "audio"]


@pytest.mark.parametrize("op_cls", WAVE_OPS, ids=[c.name for c in WAVE_OPS])
def test_contract_on_plain_tensor(op_cls: type) -> None:
    x = synthetic_audio(5, generator=make_generator(3), padded=False).waveform
    for check in AUGMENTATION_CHECKS:
        check(op_cls(), x)
