"""MixUp and CutMix over time: values, effective weights and soft labels."""

from __future__ import annotations

import torch

from omniaug.rng import make_generator
from omniaug_timeseries import SeriesBatch, TimeCutMix, TimeMixUp


def test_mixup_values_and_labels(series: torch.Tensor) -> None:
    y = torch.arange(8) % 4
    mixer = TimeMixUp(alpha=0.4, num_classes=4)
    res = mixer.augment_with_labels(series, y, generator=make_generator(0))
    lam, partner = res.params["lam"], res.params["partners"][:, 0]
    expected = lam.view(-1, 1, 1) * series + (1 - lam.view(-1, 1, 1)) * series[partner]
    torch.testing.assert_close(res.output, expected)
    onehot = torch.nn.functional.one_hot(y, 4).float()
    torch.testing.assert_close(res.labels, lam.view(-1, 1) * onehot + (1 - lam.view(-1, 1)) * onehot[partner])


def test_mixup_with_a_shorter_partner_keeps_own_values_where_it_has_none() -> None:
    values = torch.randn(2, 1, 10, generator=make_generator(1))
    x = SeriesBatch(values, torch.tensor([10, 4]))
    mixer = TimeMixUp(num_classes=2)
    res = mixer.augment_with_labels(x, torch.tensor([0, 1]), generator=make_generator(2))
    lam = float(res.params["lam"][0])
    # sample 0 (length 10) mixes with sample 1 (length 4) only on its first 4 steps
    torch.testing.assert_close(res.output.values[0, 0, :4], lam * values[0, 0, :4] + (1 - lam) * values[1, 0, :4])
    torch.testing.assert_close(res.output.values[0, 0, 4:], values[0, 0, 4:])
    share = (4 * lam + 6) / 10
    torch.testing.assert_close(res.labels[0], torch.tensor([share, 1 - share]))


def test_cutmix_weight_is_the_pasted_fraction(padded: SeriesBatch) -> None:
    y = torch.arange(8) % 3
    mixer = TimeCutMix(num_classes=3)
    for seed in range(5):
        res = mixer.augment_with_labels(padded, y, generator=make_generator(seed))
        partner = res.params["partners"][:, 0]
        changed = (res.output.values != padded.values).any(1)
        window = mixer.window(padded.lengths, padded.values.shape[-1], res.params)
        pasted = window & (torch.arange(64) < padded.lengths[partner].unsqueeze(1))
        assert bool((changed <= pasted).all())
        assert torch.equal(res.output.values, torch.where(pasted.unsqueeze(1), padded.values[partner], padded.values))
        assert torch.equal(res.output.labels, torch.where(pasted, padded.labels[partner], padded.labels))
        own = 1 - pasted.sum(1).float() / padded.lengths.float()
        onehot = torch.nn.functional.one_hot(y, 3).float()
        torch.testing.assert_close(res.labels, own.view(-1, 1) * onehot + (1 - own.view(-1, 1)) * onehot[partner])
        for b, n in enumerate(padded.lengths.tolist()):
            assert not bool(pasted[b, n:].any()), "nothing pasted into the padding"
