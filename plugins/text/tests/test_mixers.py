"""Mixers: exact MixUp arithmetic and token CutMix weights against a per-row reference."""

from __future__ import annotations

import torch

from omniaug_text import TokenBatch
from omniaug_text.mixers import EmbeddingMixUp, TokenCutMix


def test_embedding_mixup_is_the_convex_combination() -> None:
    x = torch.randn(8, 5, 4, generator=torch.Generator().manual_seed(0))
    labels = torch.arange(8) % 3
    mixer = EmbeddingMixUp(0.4, num_classes=3)
    res = mixer.augment_with_labels(x, labels, generator=torch.Generator().manual_seed(1))
    lam, partner = res.params["lam"], res.params["partners"][:, 0]
    want = lam.view(-1, 1, 1) * x + (1 - lam.view(-1, 1, 1)) * x[partner]
    assert torch.allclose(res.output, want)
    onehot = torch.nn.functional.one_hot(labels, 3).float()
    assert torch.allclose(res.labels, lam[:, None] * onehot + (1 - lam[:, None]) * onehot[partner], atol=1e-6)


def test_token_cutmix_matches_reference() -> None:
    seqs = [[1, *range(10, 10 + n), 2] for n in (3, 8, 12, 5, 9, 1)]
    x = TokenBatch.from_lists(seqs, special_ids=[1, 2], vocab_size=100)
    labels = torch.arange(6) % 2
    mixer = TokenCutMix(1.0, num_classes=2)
    for seed in range(5):
        res = mixer.augment_with_labels(x, labels, generator=torch.Generator().manual_seed(seed))
        p = res.params
        for i in range(6):
            j = int(p["partners"][i, 0])
            a, b = seqs[i][1:-1], seqs[j][1:-1]
            m = round((1 - float(p["lam"][i])) * min(len(a), len(b)))
            s = min(int(float(p["start_u"][i]) * (len(a) - m + 1)), len(a) - m)
            t = min(int(float(p["partner_start_u"][i]) * (len(b) - m + 1)), len(b) - m)
            want = [1, *a[:s], *b[t : t + m], *a[s + m :], 2]
            assert res.output.to_lists()[i] == want
            share = 1 - m / len(a)
            want_label = torch.zeros(2)
            want_label[labels[i]] += share
            want_label[labels[j]] += 1 - share
            assert torch.allclose(res.labels[i], want_label, atol=1e-6)
        assert torch.equal(res.output.attention_mask, x.attention_mask)
