"""The audio.gain fusion: a fused run equals the op-by-op chain, padding untouched."""

from __future__ import annotations

import pytest
import torch

from omniaug import Compose, registry
from omniaug.rng import make_generator
from omniaug_audio import AudioBatch
from omniaug_audio.ops.basic import Gain, PolarityInversion, TimeShift


def _wave(y: object) -> torch.Tensor:
    return y.waveform if isinstance(y, AudioBatch) else y  # type: ignore[return-value]


@pytest.mark.parametrize("padded", [False, True])
def test_fused_gains_equal_the_unfused_chain_and_keep_the_padding(padded: bool) -> None:
    g = make_generator(0)
    wave = torch.randn(16, 2, 800, generator=g)
    lengths = torch.randint(2, 801, (16,), generator=g)
    x = AudioBatch(wave, 16000, lengths) if padded else wave
    ops = [Gain((-12.0, 12.0), p=0.7), PolarityInversion(p=0.5), Gain((-3.0, 3.0)), TimeShift((-0.2, 0.2))]
    plain = Compose(ops).augment(x, generator=make_generator(5))
    fused = Compose(ops, fuse=True).augment(x, generator=make_generator(5))
    torch.testing.assert_close(_wave(fused.output), _wave(plain.output), rtol=1e-5, atol=1e-6)
    # replaying the fused params gives the same output again
    torch.testing.assert_close(_wave(Compose(ops, fuse=True)(x, params=fused.params)), _wave(fused.output))
    if padded:
        pad = torch.arange(800) >= lengths.view(-1, 1, 1)
        assert torch.equal(_wave(fused.output)[pad.expand_as(wave)], wave[pad.expand_as(wave)])
    assert torch.equal(_wave(x), wave)  # input untouched


def test_gain_fusion_is_registered_and_folds_the_factors() -> None:
    kind = registry().fusion("audio.gain")
    x = torch.ones(3, 1, 4)
    params = {"gain_db": torch.tensor([20.0, 0.0, -20.0]), "apply": torch.ones(3, dtype=torch.bool)}
    total = kind.compose(Gain().fusion_transform(x, params), PolarityInversion().fusion_transform(x, params))
    torch.testing.assert_close(kind.apply(x, total, [])[:, 0, 0], torch.tensor([-10.0, -1.0, -0.1]))
