"""Behaviour of the tabular ops beyond the contract."""

import torch

import omniaug
from omniaug_tabular import FeatureNoise, Rows, SwapNoise, WithinClassMix


def g(seed: int = 0) -> torch.Generator:
    return omniaug.rng.make_generator(seed)


def test_swap_noise_values_come_from_the_same_column_of_other_rows():
    x = torch.arange(40.0).reshape(8, 5)  # every value unique, column = value % 5
    out = SwapNoise(rate=0.5)(x, generator=g())
    assert torch.equal(out % 5, x % 5)  # stays in its column
    changed = (out != x).float().mean()
    assert 0.2 < changed < 0.7


def test_swap_noise_rate_zero_is_identity():
    x = torch.randn(8, 5)
    assert torch.equal(SwapNoise(rate=0.0)(x, generator=g()), x)


def test_feature_noise_scales_with_feature_std():
    x = torch.randn(512, 3) * torch.tensor([1.0, 10.0, 100.0])
    out = FeatureNoise(sigma=0.5)(x, generator=g())
    ratio = (out - x).std(0) / x.std(0)
    assert torch.allclose(ratio, ratio.mean().expand(3), rtol=0.2)
    assert abs(float(ratio.mean()) - 0.5) < 0.1  # a number is the fixed σ (in feature stds)


def test_within_class_mix_pairs_only_within_class_and_keeps_labels():
    labels = torch.tensor([0, 1, 0, 1, 0, 2, 1, 0])
    x = Rows(torch.randn(8, 4), labels)
    mixer = WithinClassMix(num_classes=3)
    res = mixer.augment_with_labels(x, labels, generator=g(3))
    partners = res.params["partners"][:, 0]
    assert torch.equal(labels[partners], labels)
    assert partners[5] == 5  # alone in its class
    assert torch.allclose(res.labels, torch.nn.functional.one_hot(labels, 3).float())


def test_works_with_core_containers_policies_and_config():
    x = torch.randn(16, 6)
    pipe = omniaug.Compose([omniaug.RandAugment("tabular", n=2, m=5), omniaug.OneOf([SwapNoise(), FeatureNoise()])])
    out, params = pipe.augment(x, generator=g(1))
    again = omniaug.from_config(omniaug.to_config(pipe))(x, params=params)
    assert torch.allclose(again, out)
