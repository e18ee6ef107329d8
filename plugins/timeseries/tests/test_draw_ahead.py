"""The bench pipeline with Compose's draw-ahead (jitter's noise drawn beside the warp kernels) equals the op-by-op run."""

from __future__ import annotations

import pytest
import torch

from omniaug import Compose
from omniaug.containers import DRAW_AHEAD_MIN
from omniaug.rng import make_generator
from omniaug_timeseries import Drift, FrequencyNoise, Jitter, MagnitudeWarp, SeriesBatch, TimeWarp
from omniaug_timeseries.modality import example


@pytest.fixture(autouse=True)
def _two_threads():
    old = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(old)


def _op_by_op(ops, x, seed):
    g = make_generator(seed)
    params = []
    for op in ops:
        x, p = op.augment(x, generator=g)
        params.append(p)
    return x, params


@pytest.mark.parametrize(
    "ops",
    [
        [TimeWarp(), Drift(), Jitter()],
        [TimeWarp(per_channel=True), MagnitudeWarp(p=0.5), Jitter(relative=True, p=0.7)],
        [Drift(), FrequencyNoise()],
    ],
    ids=["bench", "per-channel-p", "spectrum"],
)
@pytest.mark.parametrize("payload", ["tensor", "padded"])
def test_compose_with_draw_ahead_equals_op_by_op(ops, payload):
    if payload == "tensor":
        x = torch.randn(16, 3, 1000, generator=make_generator(1))
    else:
        small = example(24, generator=make_generator(2))  # lengths and per-step labels
        x = SeriesBatch(small.values.repeat(1, 1, 16), small.lengths * 16, small.labels.repeat(1, 16))
    values = x if isinstance(x, torch.Tensor) else x.values
    assert ops[-1].draw_size(x) >= DRAW_AHEAD_MIN > values.numel() // values.shape[0]  # the draw-ahead path is taken
    before = values.clone()
    out, params = Compose(ops).augment(x, generator=make_generator(5))
    ref, ref_params = _op_by_op(ops, x, 5)
    for i, p in enumerate(ref_params):
        assert params[str(i)].keys() == p.keys()
        for k in p:
            assert torch.equal(params[str(i)][k], p[k]), (i, k)
    if isinstance(x, torch.Tensor):
        assert torch.equal(out, ref)
    else:
        assert torch.equal(out.values, ref.values) and torch.equal(out.lengths, ref.lengths)
        assert torch.equal(out.labels, ref.labels)
    assert torch.equal(values, before)
