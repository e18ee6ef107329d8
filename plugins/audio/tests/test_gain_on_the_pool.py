"""Gain, PolarityInversion and the fused gain multiply on the worker pool (``dsp.scale_rows``).

With several threads the per-example multiply runs in one chunk of examples per thread
instead of one OpenMP region; the plain ``wave * factor`` stays as the reference.
Speech clips (bundled words), batches of 1, 8 and 32, 1 and 2 threads, bits compared
as integers. A gained output is claimed finite only when the input's checked range
times the largest gain cannot overflow.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

import omniaug
from omniaug import validation
from omniaug_audio.dsp import db_to_amplitude, scale_rows
from omniaug_audio.ops.basic import Gain, PolarityInversion


def _bits(t: torch.Tensor) -> torch.Tensor:
    return t.contiguous().view(torch.int32)


@pytest.mark.parametrize("batch", [1, 8, 32])
def test_scale_rows_equals_the_plain_multiply(speech: Callable[[int], torch.Tensor], threads: int, batch: int) -> None:
    x = speech(batch)
    factor = torch.linspace(-3.0, 2.5, batch)
    assert torch.equal(_bits(scale_rows(x, factor)), _bits(x * factor.reshape(-1, 1, 1)))


@pytest.mark.parametrize("batch", [1, 8, 32])
def test_gain_and_polarity_equal_the_plain_multiply(
    speech: Callable[[int], torch.Tensor], threads: int, batch: int
) -> None:
    x = speech(batch)
    g = torch.Generator().manual_seed(batch + threads)
    gain = Gain((-12.0, 12.0), p=0.7)
    params = gain.sample_params(x, generator=g)
    factor = torch.where(params["apply"], db_to_amplitude(params["gain_db"]), torch.ones(batch))
    assert torch.equal(_bits(gain.apply(x, params)), _bits(x * factor.reshape(-1, 1, 1)))
    flip = PolarityInversion(p=0.5)
    params = flip.sample_params(x, generator=g)
    sign = 1.0 - 2.0 * params["apply"].float()
    assert torch.equal(_bits(flip.apply(x, params)), _bits(x * sign.reshape(-1, 1, 1)))


@pytest.mark.parametrize("fuse", [False, True])
def test_a_gain_that_cannot_overflow_is_trusted_and_one_that_can_is_not(
    speech: Callable[[int], torch.Tensor], threads: int, fuse: bool
) -> None:
    x = speech(8)
    x = x / x.abs().max()  # peak 1
    ops = [Gain((60.0, 60.0)), PolarityInversion(p=0.5)] if fuse else [Gain((60.0, 60.0))]
    pipe = omniaug.Compose(ops, fuse=fuse)
    for level, finite in ((1.0, True), (1e36, False)):  # ×1000 (+60 dB) overflows float32 at a 1e36 peak
        with validation.call_scope():
            out = pipe.augment(x * level, generator=omniaug.rng.make_generator(0)).output
            claimed = validation.checked("audio.finite", out)
        assert claimed == finite
        assert bool(torch.isfinite(out).all()) == finite


def test_scale_rows_keeps_the_graph_of_a_learned_factor(
    speech: Callable[[int], torch.Tensor], threads: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A factor that requires grad (a differentiable magnitude) takes the plain multiply, never out=,
    even where the batch would go to the pool."""
    from omniaug_audio import dsp

    monkeypatch.setattr(dsp, "POOL_MIN_SAMPLES", 0)
    x = speech(8)
    factor = torch.linspace(0.5, 1.5, 8).requires_grad_(True)
    out = scale_rows(x, factor)
    assert torch.equal(out.detach(), x * factor.detach().reshape(-1, 1, 1))
    out.sum().backward()
    assert factor.grad is not None
    assert torch.allclose(factor.grad, x.sum(dim=(1, 2)))
