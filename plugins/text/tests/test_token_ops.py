"""Token-id ops against loop-based reference implementations on the same params."""

from __future__ import annotations

import math

import pytest
import torch

from omniaug import InputError
from omniaug_text import TokenBatch
from omniaug_text.ops.tokens import LocalShuffle, RandomTokenReplace, SpanMasking, TokenDropout, TokenMasking

SPECIAL = {1, 2}


def make_batch(b: int = 32, length: int = 40, seed: int = 0, left: bool = False) -> TokenBatch:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(3, length + 1, (b,), generator=g)
    seqs = []
    for n in lengths.tolist():
        body = torch.randint(4, 500, (n - 2,), generator=g).tolist()
        seqs.append([1, *body, 2])
    batch = TokenBatch.from_lists(seqs, pad_id=0, special_ids=SPECIAL, mask_id=3, vocab_size=500)
    if left:
        ids = torch.stack([torch.roll(r, int((m == 0).sum())) for r, m in zip(batch.ids, batch.attention_mask)])
        mask = torch.stack([torch.roll(m, int((m == 0).sum())) for m in batch.attention_mask])
        batch = TokenBatch(ids, mask, batch.special_ids, 0, 3, 500, "left")
    return batch


def untouched_outside_editable(before: TokenBatch, after: TokenBatch) -> None:
    keep = ~before.editable()
    assert torch.equal(after.ids[keep], before.ids[keep])
    assert torch.equal(after.attention_mask, before.attention_mask)


def test_masking_only_editable_and_at_rate() -> None:
    x = make_batch(256)
    out, params = TokenMasking(0.3).augment(x, generator=torch.Generator().manual_seed(0))
    untouched_outside_editable(x, out)
    expected = torch.where(x.editable() & (params["u"] < 0.3), torch.full_like(x.ids, 3), x.ids)
    assert torch.equal(out.ids, expected)
    n = int(x.editable().sum())
    hits = int((out.ids == 3).sum())
    assert abs(hits - 0.3 * n) < 5 * math.sqrt(n * 0.3 * 0.7)


def test_random_replace_never_draws_excluded_ids() -> None:
    x = make_batch(256)
    out, params = RandomTokenReplace(1.0).augment(x, generator=torch.Generator().manual_seed(0))
    untouched_outside_editable(x, out)
    new = out.ids[x.editable()]
    assert not torch.isin(new, torch.tensor([0, 1, 2, 3])).any()
    assert int(new.min()) >= 4 and int(new.max()) < 500
    # roughly uniform over the 496 allowed ids
    counts = torch.bincount(new, minlength=500)[4:].float()
    assert counts.std() / counts.mean() < 0.5
    # reference: the k-th allowed id in sorted order
    allowed = torch.tensor([i for i in range(500) if i not in (0, 1, 2, 3)])
    r = (params["r"].double() * len(allowed)).long()
    assert torch.equal(out.ids[x.editable()], allowed[r[x.editable()]])


def test_random_replace_needs_a_vocabulary() -> None:
    x = make_batch(4)
    x = TokenBatch(x.ids, x.attention_mask, x.special_ids)
    with pytest.raises(InputError, match="vocab_size"):
        RandomTokenReplace()(x)
    assert RandomTokenReplace(vocab_size=600)(x, generator=torch.Generator().manual_seed(0)).ids.shape == x.ids.shape


@pytest.mark.parametrize("left", [False, True])
def test_dropout_matches_reference(left: bool) -> None:
    x = make_batch(64, left=left)
    out, params = TokenDropout(0.4).augment(x, generator=torch.Generator().manual_seed(1))
    u = params["u"]
    for i in range(x.ids.shape[0]):
        real = x.attention_mask[i].bool()
        edit = x.editable()[i]
        idx = [j for j in range(x.ids.shape[1]) if real[j]]
        ed = [j for j in idx if edit[j]]
        drop = {j for j in ed if u[i, j] < 0.4} if len(ed) > 1 else set()
        if ed and len(drop) == len(ed):
            drop.discard(max(ed, key=lambda j: float(u[i, j])))
        kept = [int(x.ids[i, j]) for j in idx if j not in drop]
        assert out.to_lists()[i] == kept
        n = len(kept)
        row_mask = out.attention_mask[i].bool()
        if left:
            assert row_mask[-n:].all() and not row_mask[:-n].any()
        else:
            assert row_mask[:n].all() and not row_mask[n:].any()
        assert (out.ids[i][~row_mask] == 0).all()


def test_dropout_never_empties_and_keeps_specials() -> None:
    x = make_batch(64)
    out = TokenDropout(1.0)(x, generator=torch.Generator().manual_seed(0))
    for before, after in zip(x.to_lists(), out.to_lists()):
        assert after[0] == 1 and after[-1] == 2
        assert len(after) == min(len(before), 3)


def test_span_masking_matches_reference() -> None:
    x = make_batch(64)
    op = SpanMasking(0.3, mean_span=3.0, max_span=5)
    out, params = op.augment(x, generator=torch.Generator().manual_seed(2))
    untouched_outside_editable(x, out)
    lengths = op.span_lengths(params["length_u"])
    q = 0.3 / 3.0
    for i in range(x.ids.shape[0]):
        covered = [False] * x.ids.shape[1]
        for j in range(x.ids.shape[1]):
            if params["u"][i, j] < q:
                for k in range(j, min(j + int(lengths[i, j]), x.ids.shape[1])):
                    covered[k] = True
        want = [3 if (c and e) else int(t) for c, e, t in zip(covered, x.editable()[i].tolist(), x.ids[i])]
        assert out.ids[i].tolist() == want


def test_span_lengths_are_geometric_with_the_mean() -> None:
    op = SpanMasking(mean_span=3.0, max_span=1000)
    lengths = op.span_lengths(torch.rand(200000, generator=torch.Generator().manual_seed(0))).double()
    assert abs(lengths.mean().item() - 3.0) < 0.05
    assert abs((lengths == 1).double().mean().item() - 1 / 3) < 0.01  # P(L = 1) = p = 1/mean


@pytest.mark.parametrize("window", [0, 1, 3])
def test_local_shuffle_matches_reference(window: int) -> None:
    x = make_batch(64)
    out, params = LocalShuffle(window).augment(x, generator=torch.Generator().manual_seed(3))
    u = params["u"]
    for i in range(x.ids.shape[0]):
        edit = x.editable()[i].tolist()
        pos = [j for j, e in enumerate(edit) if e]
        keys = [r + float(u[i, j]) * (window + 1) for r, j in enumerate(pos)]
        order = sorted(range(len(pos)), key=lambda r: (keys[r], r))
        want = x.ids[i].tolist()
        for slot, r in zip(pos, order):
            want[slot] = int(x.ids[i, pos[r]])
        assert out.ids[i].tolist() == want
        # Lample et al.'s guarantee: nobody moves more than `window` places
        assert all(abs(new_rank - r) <= window for new_rank, r in enumerate(order))
    untouched_outside_editable(x, TokenBatch(out.ids, out.attention_mask, out.special_ids))
    if window == 0:
        assert torch.equal(out.ids, x.ids)


def test_per_sample_cost_is_vectorized_shape_independent() -> None:
    """Same params on a batch or one sample at a time give identical rows (no cross-sample leakage)."""
    x = make_batch(16)
    for op in (TokenDropout(0.3), TokenMasking(0.3), RandomTokenReplace(0.3), SpanMasking(0.3), LocalShuffle(2)):
        out, params = op.augment(x, generator=torch.Generator().manual_seed(0))
        for i in range(16):
            idx = torch.tensor([i])
            single = op(
                TokenBatch(x.ids[idx], x.attention_mask[idx], x.special_ids, 0, 3, 500), params=params.subset(idx)
            )
            assert torch.equal(single.ids, out.ids[idx])


def test_validation_errors() -> None:
    with pytest.raises(InputError, match="TokenBatch"):
        TokenMasking()(torch.ones(2, 3, dtype=torch.long))
    with pytest.raises(InputError, match="mask_id"):
        TokenMasking()(TokenBatch(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 3, dtype=torch.long)))
    with pytest.raises(InputError, match="attention_mask"):
        TokenDropout()(TokenBatch(torch.ones(2, 3, dtype=torch.long), torch.ones(2, 4)))
