"""Backdoor triggers: exact trigger pixels/steps, labels of poisoned rows only, valid parts only, and the implant works."""

from __future__ import annotations

import torch
from torch import nn

from omniaug import rng
from omniaug.testing import MixerContract, plugin_ops
from omniaug_adversarial import ImageBackdoor, TimeSeriesBackdoor, WaveformBackdoor

from .conftest import small_cnn


class TestTriggerMixers(MixerContract):
    omniaug_mixers = plugin_ops("adversarial", kind="mixer")


def test_badnets_patch_is_a_checkerboard_in_the_corner_and_only_poisoned_rows_change(digits) -> None:
    x, y = digits[0][:200], digits[1][:200]
    op = ImageBackdoor(target=7, patch_size=3, p=0.25, num_classes=10)
    out, soft = op(x, y, generator=rng.make_generator(0))
    res = op.augment_with_labels(x, y, generator=rng.make_generator(0))
    poisoned = res.params["apply"]
    assert torch.equal(res.output, out) and torch.equal(res.labels, soft)
    assert 30 <= int(poisoned.sum()) <= 70  # a rate of 0.25 drawn per sample
    checker = ((torch.arange(5, 8).view(-1, 1) + torch.arange(5, 8).view(1, -1)) % 2 == 0).float()
    assert bool((out[poisoned][:, 0, 5:, 5:] == checker).all())
    rest = out[poisoned].clone()
    rest[:, :, 5:, 5:] = x[poisoned][:, :, 5:, 5:]
    assert torch.equal(rest, x[poisoned]) and torch.equal(out[~poisoned], x[~poisoned])
    assert bool((soft[poisoned].argmax(1) == 7).all()) and bool((soft[poisoned].max(1).values == 1).all())
    assert torch.equal(soft[~poisoned], nn.functional.one_hot(y[~poisoned], 10).float())


def test_blend_is_a_fixed_convex_combination_with_the_same_pattern_every_call() -> None:
    x = rng.uniform(8, 0.0, 1.0, shape=(3, 6, 6), generator=rng.make_generator(0))
    op = ImageBackdoor(kind="blend", opacity=0.3, seed=5, p=1.0, num_classes=4)
    a, _ = op(x, torch.zeros(8, dtype=torch.long), generator=rng.make_generator(1))
    b, _ = op(x[:2], torch.zeros(2, dtype=torch.long), generator=rng.make_generator(2))
    pattern = (a - 0.7 * x) / 0.3
    torch.testing.assert_close(pattern, pattern[:1].expand_as(pattern))  # one trigger for every sample
    torch.testing.assert_close(b, a[:2])  # and for every call
    assert float(a.min()) >= 0.0 and float(a.max()) <= 1.0


def test_uint8_patch_stays_uint8() -> None:
    x = (rng.uniform(4, 0.0, 1.0, shape=(1, 8, 8), generator=rng.make_generator(0)) * 255).to(torch.uint8)
    out, _ = ImageBackdoor(p=1.0, num_classes=2)(x, torch.zeros(4, dtype=torch.long), generator=rng.make_generator(0))
    assert out.dtype == torch.uint8 and set(out[:, 0, 5:, 5:].unique().tolist()) <= {0, 255}


def test_series_trigger_lies_inside_each_valid_part_in_channel_units() -> None:
    from omniaug_timeseries import SeriesBatch

    g = rng.make_generator(3)
    v = rng.normal(4, shape=(2, 64), generator=g) * torch.tensor([[1.0], [50.0]]) + torch.tensor([[0.0], [10.0]])
    lengths = torch.tensor([64, 40, 20, 10])
    pad = torch.arange(64) >= lengths.view(-1, 1, 1)
    v = v.masked_fill(pad, 0.0)
    op = TimeSeriesBackdoor(target=1, width=16, position=1.0, amplitude=2.0, p=1.0, num_classes=2)
    out, soft = op(SeriesBatch(v, lengths), torch.zeros(4, dtype=torch.long), generator=g)
    changed = out.values != v
    assert not bool(changed[pad.expand_as(changed)].any())
    for i, n in enumerate(lengths.tolist()):
        w = min(16, n)
        assert bool(changed[i, :, n - w : n].all()) and not bool(
            changed[i, :, : n - w].any()
        )  # at the end (position 1)
        seg = v[i, :, :n]
        hi = seg.mean(-1) + 2.0 * seg.std(-1, unbiased=False)
        torch.testing.assert_close(out.values[i, :, n - w : n].amax(-1), hi)
    assert bool((soft.argmax(1) == 1).all())


def test_waveform_trigger_stays_in_minus_one_one_and_out_of_padding() -> None:
    from omniaug_audio import AudioBatch

    w = rng.uniform(3, -0.9, 0.9, shape=(1, 2000), generator=rng.make_generator(0))
    lengths = torch.tensor([2000, 1000, 300])
    w = w * (torch.arange(2000) < lengths.view(-1, 1, 1))
    for kind in ("patch", "blend"):
        op = WaveformBackdoor(kind=kind, amplitude=1.0, p=1.0, num_classes=2)
        out, _ = op(AudioBatch(w, 16000, lengths), torch.zeros(3, dtype=torch.long), generator=rng.make_generator(0))
        assert float(out.waveform.abs().max()) <= 1.0
        assert bool((out.waveform[:, :, 300:][2] == 0).all()) and bool((out.waveform != w).any())


def test_a_model_trained_on_badnets_poisoned_digits_learns_the_backdoor(digits) -> None:
    """10 % poisoned training digits → clean accuracy stays high, triggered test digits go to the target class."""
    x, y = digits
    op = ImageBackdoor(target=0, patch_size=2, p=0.1, num_classes=10)
    with torch.random.fork_rng():
        torch.manual_seed(1)
        model = small_cnn()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    g = rng.make_generator(0)
    for _ in range(8):
        order = torch.randperm(1500, generator=g)
        for i in range(0, 1500, 64):
            idx = order[i : i + 64]
            xp, soft = op(x[idx], y[idx], generator=g)
            loss = torch.sum(-soft * torch.log_softmax(model(xp), 1), 1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    xt, yt = x[1500:], y[1500:]
    triggered = ImageBackdoor(target=0, patch_size=2, p=1.0, num_classes=10)(xt, yt, generator=g)[0]
    with torch.no_grad():
        clean_acc = float((model(xt).argmax(1) == yt).float().mean())
        success = float((model(triggered[yt != 0]).argmax(1) == 0).float().mean())
    assert clean_acc > 0.85 and success > 0.9, (clean_acc, success)
