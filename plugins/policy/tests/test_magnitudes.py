"""Differentiable magnitudes: which ops qualify, the hypergradient against finite differences, planted magnitudes."""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug import InputError, rng
from omniaug.registry import registry
from omniaug_policy import DifferentiableMagnitudes, LearnedPolicy, ScaledMixer, magnitude_support
from omniaug_policy.magnitudes import differentiable_magnitude_ops, unrolled_step


def test_qualifying_ops_cover_colour_gain_noise_warps_and_mixing():
    for name in (
        "image.brightness",
        "image.hue",
        "image.affine",
        "image.perspective",
        "image.gaussian_noise",
        "timeseries.jitter",
        "timeseries.time_warp",
        "timeseries.magnitude_warp",
        "timeseries.mixup",
        "image.mixup",
        "tabular.feature_noise",
    ):
        s = magnitude_support(name)
        assert s.qualifies, (name, s.reason)
        assert s.params
    for name, why in (
        ("image.posterize", "integer magnitude"),
        ("image.solarize", "piecewise constant"),
        ("timeseries.crop", "piecewise constant"),
        ("tokens.masking", "not a float tensor"),
        ("image.cutmix", "piecewise constant"),
        ("image.gamma", "not affine"),
    ):
        s = magnitude_support(name)
        assert not s.qualifies and why in s.reason, (name, s.reason)


@pytest.mark.skipif("audio" not in registry().modalities, reason="the audio plugin is not installed")
def test_audio_gain_qualifies_and_filters_with_log_uniform_cutoffs_do_not():
    assert magnitude_support("audio.gain").qualifies
    assert not magnitude_support("audio.low_pass").qualifies


def _series(n: int, seed: int, classes: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 1, 24, generator=g, dtype=torch.float64)
    return x, torch.arange(n) % classes


def test_hypergradient_matches_finite_differences_for_weights_magnitudes_and_mixing_strength():
    x, y = _series(12, 0)
    xv, yv = _series(10, 1)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(24, 3)).double()
    with torch.no_grad():
        model[1].weight.copy_(torch.randn(3, 24, generator=torch.Generator().manual_seed(2), dtype=torch.float64) * 0.2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    loss = torch.nn.CrossEntropyLoss(reduction="none")
    pol = DifferentiableMagnitudes(
        "timeseries",
        include=["timeseries.jitter", "timeseries.scaling"],
        mixer="timeseries.mixup",
        num_classes=3,
        xi=0.5,
    )
    alpha = torch.tensor([0.3, -0.2, 0.1], dtype=torch.float64)
    m = torch.tensor([0.4, 0.6], dtype=torch.float64)
    s = torch.tensor(0.7, dtype=torch.float64)

    def val(a: torch.Tensor, mm: torch.Tensor, ss: torch.Tensor) -> tuple[float, ...]:
        v, ga, gm, gs = pol.hypergradient(model, loss, x, y, xv, yv, seed=11, alpha=a, m=mm, strength=ss)
        return float(v), ga, gm, gs

    _, ga, gm, gs = val(alpha, m, s)
    eps = 1e-5
    for i in range(3):
        e = torch.zeros(3, dtype=torch.float64)
        e[i] = eps
        fd = (val(alpha + e, m, s)[0] - val(alpha - e, m, s)[0]) / (2 * eps)
        assert ga[i] == pytest.approx(fd, rel=1e-4, abs=1e-8), ("alpha", i)
    for i in range(2):
        e = torch.zeros(2, dtype=torch.float64)
        e[i] = 1e-3  # some kernels hold a param in float32: a wider step keeps its rounding out of the quotient
        fd = (val(alpha, m + e, s)[0] - val(alpha, m - e, s)[0]) / 2e-3
        assert gm[i] == pytest.approx(fd, rel=1e-3), ("m", i)
    assert abs(float(gm.abs().min())) > 0  # every magnitude gets a gradient
    fd = (val(alpha, m, s + 1e-4)[0] - val(alpha, m, s - 1e-4)[0]) / 2e-4
    assert float(gs) == pytest.approx(fd, rel=5e-3)  # the mixer's label weights are float32
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert model[1].weight.grad is None


@pytest.mark.parametrize("target", [0.3, 0.8])
def test_planted_noise_level_is_found(target: float):
    """The validation series carry jitter at magnitude m*; training with exactly that noise is optimal (ridge).

    A linear regression of a clean linear target. With the unrolled step ξ well below
    the model's learning rate (ξ = 2, lr = 20) the learned magnitude settles at m*;
    with ξ equal to the learning rate the greedy one-step bias pulls it ~0.06 lower.
    """
    t = 32
    beta = torch.randn(t, generator=torch.Generator().manual_seed(0)) / t**0.5

    def data(n: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        x = rng.normal(n, 0.0, 0.1, shape=(1, t), generator=g)
        return x, (x.flatten(1) @ beta).unsqueeze(1)

    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(t, 1, bias=False))
    with torch.no_grad():
        model[1].weight.zero_()
    loss = lambda out, y: ((out - y) ** 2).mean(1)  # noqa: E731
    g = rng.make_generator(1)
    pol = DifferentiableMagnitudes(
        "timeseries", include=["timeseries.jitter"], identity=False, lr=0.03, lr_weights=0, xi=2.0, init=0.5
    )
    opt = torch.optim.SGD(model.parameters(), lr=20.0)
    planted = registry().augmentation("timeseries.jitter").at_magnitude(target, p=1.0)
    trace = []
    for _ in range(200):
        x, y = data(256, g)
        xv, yv = data(256, g)
        pol.step(model, loss, x, y, planted(xv, generator=g), yv, generator=g)
        opt.zero_grad()
        loss(model(pol(x, generator=g)), y).mean().backward()
        opt.step()
        trace.append(pol.magnitudes()["timeseries.jitter"])
    settled = sum(trace[-60:]) / 60
    assert abs(settled - target) < 0.08, (target, settled)


def test_unrolled_step_leaves_batchnorm_statistics_alone():
    model = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(24, 8), torch.nn.BatchNorm1d(8), torch.nn.Linear(8, 3)
    )
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x, y = _series(16, 0)
    xv, yv = _series(16, 1)
    model.float()
    pol = DifferentiableMagnitudes("timeseries", include=["timeseries.scaling"])
    pol.step(
        model,
        torch.nn.CrossEntropyLoss(reduction="none"),
        x.float(),
        y,
        xv.float(),
        yv,
        generator=rng.make_generator(0),
    )
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert 0.0 <= pol.magnitudes()["timeseries.scaling"] <= 1.0 and pol.magnitudes()["timeseries.scaling"] != 0.5


def test_excluded_ops_are_refused_with_their_reason():
    with pytest.raises(InputError, match="integer magnitude"):
        DifferentiableMagnitudes("image", include=["image.posterize"])
    with pytest.raises(InputError, match="differentiable"):
        DifferentiableMagnitudes("tokens")
    with pytest.raises(InputError, match="piecewise constant"):
        DifferentiableMagnitudes("image", include=["image.brightness"], mixer="image.cutmix", num_classes=3)
    names = {s.name for s in differentiable_magnitude_ops("image")}
    assert DifferentiableMagnitudes("image").ops == sorted(names)


def test_discrete_use_replays_and_exports_the_learned_magnitudes():
    x = registry().augmentation("image.brightness").example_input(8, generator=rng.make_generator(0))
    pol = DifferentiableMagnitudes(
        "image", include=["image.brightness", "image.affine"], mixer="image.mixup", num_classes=4
    )
    assert pol.ops == ["image.affine", "image.brightness"]
    with torch.no_grad():
        pol.m.copy_(torch.tensor([0.9, 0.2]))
        pol.alpha.copy_(torch.tensor([0.0, 1.0, -1.0]))
        pol.strength.fill_(0.25)
    out, params = pol.augment(x, generator=rng.make_generator(3))
    assert torch.equal(pol(x, params=params), out)
    exported = pol.export()
    assert isinstance(exported, LearnedPolicy)
    assert exported.steps == [
        [("image.affine", 1.0, pytest.approx(0.9))],
        [("image.brightness", 1.0, pytest.approx(0.2))],
        [("identity", 1.0, 0.0)],
    ]
    # the exported policy draws exactly what the policy draws (same ops, magnitudes, weights)
    assert torch.allclose(exported(x, generator=rng.make_generator(3)), out)
    loaded = omniaug.from_config(omniaug.to_yaml(exported))
    assert torch.equal(loaded(x, generator=rng.make_generator(4)), exported(x, generator=rng.make_generator(4)))
    mixer = pol.export_mixer()
    assert isinstance(mixer, ScaledMixer) and mixer.strength == pytest.approx(0.25)
    labels = torch.arange(8) % 4
    mixed, soft = mixer(x, labels, generator=rng.make_generator(5))
    plain = registry().mixer("image.mixup")(num_classes=4).sample_params(x, generator=rng.make_generator(5))
    kept = 1 - 0.25 * (1 - plain["lam"])
    assert torch.allclose(soft[torch.arange(8), labels], kept, atol=1e-6)  # each sample keeps 1 − s(1 − λ)
    again = omniaug.from_config(omniaug.to_config(mixer))
    assert torch.equal(again(x, generator=rng.make_generator(5)), mixed)
    state = pol.state_dict()
    other = DifferentiableMagnitudes(
        "image", include=["image.brightness", "image.affine"], mixer="image.mixup", num_classes=4
    )
    other.load_state_dict(state)
    assert other.magnitudes() == pol.magnitudes()


def test_unrolled_step_on_a_plain_quadratic():
    """w' = w − ξ·2(w − h): L_val(w') = (w' − c)² has the closed-form derivative 4ξ(w' − c)... in h."""
    model = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        model.weight.fill_(0.5)
    h = torch.tensor(2.0, requires_grad=True)
    one = torch.ones(1, 1)

    def train(forward):
        return ((forward(one) - h) ** 2).sum()

    val, (g,) = unrolled_step(model, train, lambda out, y: (out - y) ** 2, one, torch.tensor([[3.0]]), [h], xi=0.1)
    w1 = 0.5 - 0.1 * 2 * (0.5 - 2.0)
    assert float(val) == pytest.approx((w1 - 3.0) ** 2)
    assert float(g) == pytest.approx(2 * (w1 - 3.0) * 0.2)


def test_docs_table_is_the_generated_one():
    import re
    from pathlib import Path

    from omniaug_policy import magnitude_table

    page = Path(__file__).resolve().parents[3] / "docs" / "modalities" / "policy.md"
    found = re.search(
        r"<!-- magnitude-table:start -->\n(.*?)<!-- magnitude-table:end -->", page.read_text(encoding="utf-8"), re.S
    )
    assert found, "docs/modalities/policy.md lost its generated-table markers"
    assert found.group(1).strip() == magnitude_table().strip()


def test_the_derivative_check_accepts_kinks_and_refuses_a_wrong_gradient():
    """One step size agreeing passes (piecewise-linear kernels have dense kinks); a gradient that is
    wrong at every step size is still refused."""
    from omniaug_policy.magnitudes import _check_derivative

    def kinked(m: torch.Tensor) -> torch.Tensor:
        # slope 2, and a jump of 5e-5 at every k·1e-3 + 5e-5: the 1e-4 step around 0.3 and 0.7
        # straddles one (11 % off), the 3e-4 step dilutes it (4 % off)
        jumps = torch.floor((m.detach() - 5e-5) * 1000.0) * 5e-5
        return 2.0 * m + jumps

    assert _check_derivative(kinked, torch.float64) == ""

    def wrong(m: torch.Tensor) -> torch.Tensor:  # value 2m, autograd says 3
        return 3.0 * m + (2.0 * m - 3.0 * m).detach()

    assert "disagrees" in _check_derivative(wrong, torch.float64)
    assert "disagrees" in _check_derivative(wrong, torch.float32)
