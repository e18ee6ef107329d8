"""Proxy search: a label-destroying op is excluded; target-aware ranking sees a shift; RandAugment grid; reproducible."""

from __future__ import annotations

import torch

import omniaug
from omniaug import ModelContext, rng
from omniaug_policy import LearnedPolicy
from omniaug_policy.search import mmd2, proxy_score, randaugment_grid, search_policy


def _halves(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Class 0: bright left half, dark right half; class 1 the mirror image (3×8×8, a little noise)."""
    y = torch.arange(n) % 2
    x = torch.full((n, 3, 8, 8), 0.1)
    x[y == 0, :, :, :4] = 0.9
    x[y == 1, :, :, 4:] = 0.9
    x = x + 0.03 * rng.normal(n, shape=(3, 8, 8), generator=rng.make_generator(seed))
    return x.clamp(0, 1), y


def _model() -> torch.nn.Module:
    """Left-minus-right mean brightness: a perfect classifier of the halves, blind to most photometric ops."""
    lin = torch.nn.Linear(192, 2)
    w = torch.zeros(3, 8, 8)
    w[:, :, :4], w[:, :, 4:] = 1.0, -1.0
    with torch.no_grad():
        lin.weight.copy_(torch.stack([w.flatten(), -w.flatten()]) * 0.2)
        lin.bias.zero_()
    return torch.nn.Sequential(torch.nn.Flatten(), lin)


def _ctx(y: torch.Tensor) -> ModelContext:
    return ModelContext(_model(), torch.nn.CrossEntropyLoss(reduction="none"), y)


def _accuracy(ctx: ModelContext, x: torch.Tensor) -> float:
    with torch.no_grad():
        return float((ctx.model(x).argmax(1) == ctx.targets).float().mean())


def test_the_label_destroying_op_is_excluded_from_the_searched_policy():
    x, y = _halves(32, 0)
    ctx = _ctx(y)
    assert _accuracy(ctx, x) == 1.0
    solarize = omniaug.registry().augmentation("image.solarize").at_magnitude(1 / 3)
    assert _accuracy(ctx, solarize(x, generator=rng.make_generator(0))) < 0.8  # the plant: it destroys labels
    result = search_policy("image", ctx, x, sampler="grid", bins=3, keep=5, generator=rng.make_generator(1))
    kept = [s[0] for sub in result.policy.steps for s in sub]
    assert "image.solarize" not in kept
    worst = [c.steps[0][0] for c in result.ranking[-3:]]
    assert worst.count("image.solarize") >= 2
    assert _accuracy(ctx, result.policy(x, generator=rng.make_generator(2))) >= 0.95


def test_random_sampler_keeps_label_preserving_subpolicies_and_is_reproducible():
    x, y = _halves(32, 0)
    ctx = _ctx(y)
    a = search_policy("image", ctx, x, candidates=24, steps=2, keep=4, generator=rng.make_generator(3))
    b = search_policy("image", ctx, x, candidates=24, steps=2, keep=4, generator=rng.make_generator(3))
    assert a.ranking == b.ranking
    assert [c.score for c in a.ranking] == sorted(c.score for c in a.ranking)
    with_solarize = [c.score for c in a.ranking if any(s[0] == "image.solarize" and s[1] * s[2] > 0.1 for s in c.steps)]
    others = [c.score for c in a.ranking if not any(s[0] == "image.solarize" for s in c.steps)]
    if with_solarize:
        assert min(with_solarize) > sorted(others)[len(others) // 2]
    assert _accuracy(ctx, a.policy(x, generator=rng.make_generator(4))) >= 0.9
    loaded = omniaug.from_config(omniaug.to_yaml(a.policy))
    assert isinstance(loaded, LearnedPolicy)
    assert torch.equal(loaded(x, generator=rng.make_generator(5)), a.policy(x, generator=rng.make_generator(5)))


def test_target_aware_search_finds_a_shift_density_matching_cannot_see():
    x, y = _halves(32, 0)
    ctx = _ctx(y)
    shifted, _ = _halves(32, 7)
    shifted = shifted * 0.4  # the target domain: much darker images
    plain = search_policy("image", ctx, x, sampler="grid", bins=3, keep=1, generator=rng.make_generator(1))
    aware = search_policy(
        "image", ctx, x, sampler="grid", bins=3, keep=1, target=shifted, generator=rng.make_generator(1)
    )
    identity = float(mmd2(ctx.model(x).detach(), ctx.model(shifted).detach()))
    best = aware.ranking[0]
    assert best.score < 0.5 * identity
    plain_to_target = proxy_score(plain.policy, ctx, x, target=shifted, generator=rng.make_generator(1))
    assert best.score < 0.5 * plain_to_target
    # through this model the shift is a smaller left-right difference: any op that shrinks it
    # (darkening, lower contrast, a perspective warp with dark fill) matches; the plain search keeps a no-op


def test_randaugment_grid_ranks_milder_settings_first_on_the_plant():
    x, y = _halves(32, 0)
    rows = randaugment_grid("image", _ctx(y), x, ns=(1, 3), ms=(2, 9), generator=rng.make_generator(0), repeats=2)
    assert [r[2] for r in rows] == sorted(r[2] for r in rows)
    assert rows[0][:2] == (1, 2.0) and rows[-1][:2] == (3, 9.0)


def test_mmd_oracle():
    a = rng.normal(64, shape=(2,), generator=rng.make_generator(0))
    assert float(mmd2(a, a)) < 1e-12
    far = float(mmd2(a, a + 3))
    near = float(mmd2(a, rng.normal(64, shape=(2,), generator=rng.make_generator(1))))
    assert far > 10 * near > 0
