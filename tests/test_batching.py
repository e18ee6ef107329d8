"""Generic subset / merge / scatter over payload structures, padding and chunking."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch

from omniaug import InputError, batching


@dataclass(frozen=True)
class Pair:
    values: torch.Tensor
    names: list[str]
    rate: int = 16000


def test_subset_and_merge_on_a_dataclass_keep_shared_fields():
    x = Pair(torch.arange(12.0).reshape(4, 3), ["a", "b", "c", "d"])
    idx = torch.tensor([3, 1])
    part = batching.subset(x, idx)
    assert part.names == ["d", "b"] and part.rate == 16000
    assert torch.equal(part.values, x.values[[3, 1]])
    changed = Pair(part.values * 0, ["D", "B"])
    merged = batching.merge(x, idx, changed)
    assert merged.names == ["a", "B", "c", "D"]
    assert torch.equal(merged.values[1], torch.zeros(3)) and torch.equal(merged.values[0], x.values[0])
    assert torch.equal(x.values, torch.arange(12.0).reshape(4, 3))  # base not mutated


def test_merge_rejects_a_changed_sample_shape():
    with pytest.raises(InputError, match="per-sample shape"):
        batching.merge(torch.zeros(4, 3), torch.tensor([0]), torch.zeros(1, 5))


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.randint(0, 256, (6, 3, 5, 8), dtype=torch.uint8),  # 120-byte rows: the int64-word path
        lambda: torch.rand(6, 3, 4, 4),
        lambda: torch.randint(0, 9, (6, 3, 5, 7), dtype=torch.int16),  # 210-byte rows: the plain path
        lambda: torch.randint(0, 256, (6, 3, 8, 9), dtype=torch.uint8)[:, :, :, 1:],  # non-contiguous
        lambda: torch.randint(0, 256, (7, 3, 8, 8), dtype=torch.uint8)[1:],  # offset storage
        lambda: torch.rand(6, 8) > 0.5,
    ],
)
def test_subset_and_merge_word_rows_equal_plain_indexing(make):
    """The int64-word fast path of subset / merge gives the bytes of plain advanced indexing."""
    x = make()
    idx = torch.tensor([4, 0, 2])
    assert torch.equal(batching.subset(x, idx), x[idx])
    part = batching.subset(x, idx).flip(0).contiguous()
    ref = x.clone()
    ref[idx] = part
    before = x.clone()
    merged = batching.merge(x, idx, part)
    assert merged.dtype == x.dtype and torch.equal(merged, ref) and torch.equal(x, before)


def test_scatter_into_is_inverse_of_subset():
    part = {"a": torch.tensor([1.0, 2.0]), "b": ["x", "y"], "m": torch.tensor([True, True])}
    idx = torch.tensor([4, 1])
    full = batching.scatter_into(part, idx, 6)
    assert full["a"].shape == (6,) and full["b"][4] == "x" and full["b"][0] is None
    back = batching.subset(full, idx)
    assert torch.equal(back["a"], part["a"]) and back["b"] == part["b"] and torch.equal(back["m"], part["m"])


def test_apply_on_subset_runs_once_on_selected_samples():
    calls = []

    def fn(x, idx):
        calls.append(x.shape[0])
        return x + 1

    x = torch.zeros(5, 2)
    out = batching.apply_on_subset(x, torch.tensor([True, False, True, False, False]), fn)
    assert calls == [2]
    assert out[:, 0].tolist() == [1, 0, 1, 0, 0]
    assert batching.apply_on_subset(x, torch.zeros(5, dtype=torch.bool), fn) is x


def test_pad_and_unpad_round_trip_with_lengths():
    seqs = [torch.ones(2, 3), torch.ones(2, 5), torch.ones(2, 1)]
    padded, lengths = batching.pad_sequences(seqs, value=-1.0)
    assert padded.shape == (3, 2, 5) and lengths.tolist() == [3, 5, 1]
    assert padded[2, 0, 1].item() == -1.0
    mask = batching.lengths_to_mask(lengths, 5)
    assert mask.sum(1).tolist() == [3, 5, 1]
    assert [s.shape[-1] for s in batching.unpad(padded, lengths)] == [3, 5, 1]


def test_chunked_equals_unchunked_for_a_deterministic_function():
    x = torch.randn(10, 3)
    assert torch.equal(batching.chunked(lambda t: t * 2, x, 3), x * 2)
    assert batching.chunked(lambda t: [s.upper() for s in t], list("abcdefg"), 2) == list("ABCDEFG")


def test_batch_size_errors_name_the_argument():
    with pytest.raises(InputError, match="`x` must be"):
        batching.batch_size_of(3.0)


def test_checked_tensors_forget_in_place_changes_and_freed_tensors():
    memo = batching.CheckedTensors(capacity=2)
    a, b, c = torch.zeros(3), torch.zeros(3), torch.zeros(3)
    memo.add(a)
    assert a in memo and b not in memo and "a" not in memo
    a.add_(1)  # in-place change bumps the version counter
    assert a not in memo
    memo.add(a)
    memo.add(b)
    memo.add(c)  # capacity 2: the oldest (a) is dropped
    assert a not in memo and b in memo and c in memo
    del b
    assert len(memo._entries) == 1
