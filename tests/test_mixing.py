"""Mixers: derangement pairing, effective weights drive labels, label formats, multimodal."""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug import InputError, MixKeys, to_soft_labels

from .toy_plugin import PasteMix


def test_labels_follow_the_effective_weight_not_lambda(toy_registry, g):
    x = torch.rand(16, 5)
    y = torch.arange(16) % 4
    mixer = PasteMix(num_classes=4)
    res = mixer.augment_with_labels(x, y, generator=g)
    partners = res.params["partners"][:, 0]
    pasted = (res.output != x).float().mean(1)  # fraction of features taken from the partner
    same_class = y == y[partners]
    k = torch.round(5 * (1 - res.params["lam"]))
    expected_self_weight = 1 - k / 5
    assert torch.allclose(pasted[~same_class], (k / 5)[~same_class])
    diff = ~same_class
    assert torch.allclose(res.labels[diff, :].gather(1, y[diff].unsqueeze(1)).squeeze(1), expected_self_weight[diff])
    assert not torch.allclose(expected_self_weight, res.params["lam"])  # λ itself is not what labels use
    assert torch.allclose(res.labels.sum(1), torch.ones(16))


def test_no_sample_is_paired_with_itself(toy_registry, g):
    for n in (2, 3, 9):
        params = PasteMix().sample_params(torch.rand(n, 5), generator=g)
        assert not bool((params["partners"][:, 0] == torch.arange(n)).any())


def test_label_formats_in_probabilities_out():
    idx = torch.tensor([0, 2])
    onehot = torch.nn.functional.one_hot(idx, 3).float()
    assert torch.equal(to_soft_labels(idx, 3), onehot)
    assert torch.equal(to_soft_labels(onehot, None), onehot)
    smooth = to_soft_labels(idx, 3, smoothing=0.3)
    assert torch.allclose(smooth.sum(1), torch.ones(2)) and smooth[0, 0].item() == pytest.approx(0.8)
    with pytest.raises(InputError, match="num_classes"):
        to_soft_labels(idx, None)
    with pytest.raises(InputError, match="class indices in"):
        to_soft_labels(torch.tensor([5]), 3)
    with pytest.raises(InputError, match="summing to 1"):
        to_soft_labels(torch.tensor([[0.5, 0.2]]), None)


def test_p_zero_mixer_is_identity_on_data_and_labels(toy_registry, g):
    x = torch.rand(8, 5)
    y = torch.arange(8) % 2
    out, soft = PasteMix(p=0.0, num_classes=2)(x, y, generator=g)
    assert torch.equal(out, x) and torch.equal(soft, torch.nn.functional.one_hot(y, 2).float())


def test_mix_keys_pairs_every_key_with_the_same_partner(toy_registry, g):
    x = torch.rand(10, 5)
    batch = {"a": x, "b": x.clone(), "label": torch.arange(10) % 3, "id": list(range(10))}
    out = MixKeys({"a": PasteMix(), "b": PasteMix()}, num_classes=3)(batch, generator=g)
    assert torch.equal(out["a"], out["b"])
    assert out["id"] == list(range(10))
    assert torch.allclose(out["label"].sum(1), torch.ones(10))


def test_mixer_labels_must_match_batch(toy_registry, g):
    with pytest.raises(InputError, match="one per sample"):
        PasteMix(num_classes=2)(torch.rand(4, 5), torch.zeros(3, dtype=torch.long), generator=g)


def test_keys_augments_each_key_and_passes_others(toy_registry, g):
    from .toy_plugin import Negate, Scale

    batch = {"a": torch.rand(4, 5), "b": torch.rand(4, 5), "meta": "x"}
    keys = omniaug.Keys({"a": Negate(), "b": Scale()})
    out, params = keys.augment(batch, generator=g)
    assert torch.equal(out["a"], -batch["a"]) and out["meta"] == "x"
    assert torch.equal(keys(batch, params=params)["b"], out["b"])
    with pytest.raises(InputError, match="missing"):
        keys({"a": batch["a"]}, generator=g)
