"""Policies: tables, one kernel call per op on its subset, batch == per-sample replay, AugMix/PixMix maths."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from omniaug import Augmentation, Compose, OneOf, RandAugment, RandomApply, from_config, to_config
from omniaug.registry import registry
from omniaug.rng import make_generator
from omniaug_image import policies as PO

POLICIES = [
    PO.AutoAugment("imagenet"),
    PO.AutoAugment("cifar10"),
    PO.AutoAugment("svhn"),
    RandAugment("image", n=2, m=9),
    PO.TrivialAugmentWide(),
    PO.AugMix(),
    PO.PixMix(k=2),
]
IDS = ["aa-imagenet", "aa-cifar10", "aa-svhn", "randaugment", "trivialaugment", "augmix", "pixmix"]


def _images(n: int = 24, seed: int = 0) -> torch.Tensor:
    return torch.rand(n, 3, 16, 16, generator=make_generator(seed))


def _leaves(t: Any) -> list[Augmentation]:
    if isinstance(t, Augmentation):
        return [t]
    if isinstance(t, PO.AugMix):
        return [leaf for c in t.chains for leaf in _leaves(c)]
    if isinstance(t, (PO.ImagePolicy, RandAugment)):
        return _leaves(t.pipeline)
    if isinstance(t, (Compose, OneOf)):
        return [leaf for c in t.transforms for leaf in _leaves(c)]
    if isinstance(t, RandomApply):
        return _leaves(t._inner)
    return []


def test_autoaugment_tables_are_complete() -> None:
    names = {
        "ShearX",
        "ShearY",
        "TranslateX",
        "TranslateY",
        "Rotate",
        "Color",
        "Posterize",
        "Solarize",
        "Contrast",
        "Sharpness",
        "Brightness",
        "AutoContrast",
        "Equalize",
        "Invert",
    }
    for policy, subs in PO.AUTOAUGMENT_POLICIES.items():
        assert len(subs) == 25, policy
        for sub in subs:
            assert len(sub) == 2
            for name, prob, level in sub:
                assert name in names and 0.0 <= prob <= 1.0 and 0 <= level <= 10


@pytest.mark.parametrize("policy", POLICIES[:5], ids=IDS[:5])
def test_each_op_runs_once_on_the_samples_that_drew_it(policy: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    leaves = _leaves(policy)
    assert leaves
    calls: dict[int, list[int]] = {id(op): [] for op in leaves}
    for op in leaves:
        original = op.kernel

        def counting(x: Any, params: Any, _orig: Any = original, _key: int = id(op)) -> Any:
            calls[_key].append(int(x.shape[0]))
            return _orig(x, params)

        monkeypatch.setattr(op, "kernel", counting)
    x = _images(64)
    policy(x, generator=make_generator(1))
    assert all(len(c) <= 1 for c in calls.values()), "an op ran more than once in one call"
    ran = sum(1 for c in calls.values() if c)
    assert ran > 3
    # no op saw the whole batch in a policy with many branches: it ran on its subset only
    assert max(n for c in calls.values() for n in c) < 64


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_batch_equals_per_sample_replay(policy: Any) -> None:
    x = _images(12)
    out, params = policy.augment(x, generator=make_generator(2))
    assert out.shape == x.shape and out.dtype == x.dtype
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    torch.testing.assert_close(policy.apply(x, params), out, rtol=0, atol=1e-6)
    for i in range(12):
        idx = torch.tensor([i])
        single = policy.apply(x[i : i + 1], params.subset(idx))
        torch.testing.assert_close(single, out[i : i + 1], rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_uint8_in_uint8_out_and_seeded(policy: Any) -> None:
    x = (_images(8) * 255).to(torch.uint8)
    a = policy(x, generator=make_generator(3))
    b = policy(x, generator=make_generator(3))
    c = policy(x, generator=make_generator(4))
    assert a.dtype == torch.uint8 and torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize("policy", POLICIES, ids=IDS)
def test_presets_and_config_round_trip(policy: Any) -> None:
    preset = registry().preset("image.randaugment" if policy.name == "rand_augment" else policy.name)
    assert preset.modality == "image"
    rebuilt = from_config(to_config(policy))
    assert type(rebuilt) is type(policy) and to_config(rebuilt) == to_config(policy)
    x = _images(6)
    torch.testing.assert_close(rebuilt(x, generator=make_generator(5)), policy(x, generator=make_generator(5)))


def test_randaugment_ops_are_exact_signed_magnitudes() -> None:
    ra = RandAugment("image", n=1, m=5)  # the paper's scale [0, 10]: half the maximal strength
    assert to_config(registry().preset("image.randaugment").build(n=1, m=5)) == to_config(ra)
    layer = ra.pipeline.transforms[0]
    names = [type(t).__name__ for t in layer.transforms]
    assert names.count("Identity") == 1 and len(names) == 14
    bright = next(t for t in layer.transforms if type(t).__name__ == "Brightness")
    assert bright.strength == pytest.approx(0.45) and bright.exact


def test_trivialaugment_one_op_per_sample_uniform_strength() -> None:
    x = _images(256)
    out, params = PO.TrivialAugmentWide().augment(x, generator=make_generator(6))
    choice = params["choice"]
    counts = torch.bincount(choice, minlength=14)
    assert bool((counts > 5).all())  # every op (and the identity) is drawn
    k = [type(t).__name__ for t in PO.TrivialAugmentWide().pipeline.transforms].index("Brightness")
    f = params[str(k)]["factor"][choice == k]
    assert float(f.min()) >= 0.01 and float(f.max()) <= 1.99 and float(f.std()) > 0.3


def test_augmix_is_the_convex_mix_of_its_chains() -> None:
    x = _images(16)
    op = PO.AugMix(width=3)
    out, params = op.augment(x, generator=make_generator(7))
    w, m = params["weights"], params["skip"]
    torch.testing.assert_close(w.sum(1), torch.ones(16))
    assert bool((w >= 0).all()) and bool(((m >= 0) & (m <= 1)).all())
    chains = [c.apply(x, params[f"chain{i}"]) for i, c in enumerate(op.chains)]
    mix = sum(w[:, i].view(-1, 1, 1, 1) * chains[i] for i in range(3))
    expected = (m.view(-1, 1, 1, 1) * x + (1 - m.view(-1, 1, 1, 1)) * mix).clamp(0, 1)
    torch.testing.assert_close(out, expected, rtol=0, atol=1e-6)


def test_augmix_dirichlet_weights_have_the_right_mean() -> None:
    w = PO._dirichlet(4000, 3, 1.0, make_generator(8), torch.device("cpu"))
    torch.testing.assert_close(w.mean(0), torch.full((3,), 1 / 3), rtol=0, atol=0.02)
    # Dirichlet(1,1,1): each weight is Beta(1, 2) with variance 1/18
    assert abs(float(w[:, 2].var()) - 1 / 18) < 0.01


def test_augmix_jsd_views() -> None:
    x = _images(8)
    clean, v1, v2 = PO.AugMix().jsd_views(x, generator=make_generator(9))
    assert clean is x and v1.shape == x.shape == v2.shape
    assert not torch.equal(v1, v2) and not torch.equal(v1, x)
    assert float(v1.min()) >= 0 and float(v2.max()) <= 1


def test_pixmix_steps_follow_the_formulas() -> None:
    x = _images(64)
    op = PO.PixMix(k=1)
    out, params = op.augment(x, generator=make_generator(10))
    none = (params["rounds"] == 0) & ~params["start_aug"]
    assert bool(none.any()) and torch.equal(out[none], x[none])
    one = (params["rounds"] == 1) & ~params["start_aug"] & ~params["use_aug0"]
    pic, a, b = params["picture0"], params["a0"].view(-1, 1, 1, 1), params["b0"].view(-1, 1, 1, 1)
    add = ((a * (2 * x - 1) + b * (2 * pic - 1) + 1) / 2).clamp(0, 1)
    mul = ((2 * x) ** a * (2 * pic).clamp_min(1e-37) ** b / 2).clamp(0, 1)
    expected = torch.where(params["multiply0"].view(-1, 1, 1, 1), mul, add)
    assert bool(one.any())
    torch.testing.assert_close(out[one], expected[one], rtol=0, atol=1e-5)
    assert float(params["picture0"].min()) >= 0 and float(params["picture0"].max()) <= 1
