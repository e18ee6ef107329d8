"""Oracles for the attack engine and the per-modality ops: analytic FGSM, balls, domains, loss order, replay."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from omniaug import InputError, ModelContext, rng
from omniaug_adversarial import (
    ImageFGSM,
    ImagePGD,
    TabularFGSM,
    TabularPGD,
    TimeSeriesPGD,
    WaveformPGD,
)

CE = nn.CrossEntropyLoss(reduction="none")


def _linear(d: int, k: int, seed: int) -> nn.Linear:
    g = torch.Generator().manual_seed(seed)
    lin = nn.utils.skip_init(nn.Linear, d, k)
    with torch.no_grad():
        lin.weight.copy_(torch.randn(k, d, generator=g))
        lin.bias.copy_(torch.randn(k, generator=g))
    return lin


def _analytic_grad(lin: nn.Linear, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """d CE(Wx + b, y) / dx = Wᵀ (softmax(Wx + b) − onehot(y))."""
    p = torch.softmax(x @ lin.weight.T + lin.bias, dim=1)
    return (p - nn.functional.one_hot(y, lin.out_features).to(x.dtype)) @ lin.weight


def test_fgsm_on_a_linear_model_is_eps_times_the_sign_of_the_analytic_gradient() -> None:
    x = rng.normal(16, shape=(7,), generator=rng.make_generator(0), dtype=torch.float64)
    lin = _linear(7, 4, 1).double()
    y = torch.arange(16) % 4
    out = TabularFGSM(eps=0.3)(x, generator=rng.make_generator(0), model=ModelContext(lin, CE, y))
    assert torch.equal(out, x + 0.3 * _analytic_grad(lin, x, y).sign())


def test_targeted_fgsm_steps_against_the_gradient_of_the_target_loss() -> None:
    x = rng.normal(12, shape=(5,), generator=rng.make_generator(1), dtype=torch.float64)
    lin = _linear(5, 3, 2).double()
    target = torch.full((12,), 2)
    ctx = ModelContext(lin, CE, target)
    out = TabularFGSM(eps=0.2, targeted=True)(x, generator=rng.make_generator(0), model=ctx)
    assert torch.equal(out, x - 0.2 * _analytic_grad(lin, x, target).sign())


def test_fgsm_on_images_inside_the_domain_matches_the_analytic_gradient() -> None:
    x = 0.25 + 0.5 * rng.uniform(6, 0.0, 1.0, shape=(1, 4, 4), generator=rng.make_generator(3), dtype=torch.float64)
    lin = _linear(16, 3, 4).double()
    model = nn.Sequential(nn.Flatten(), lin)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    out = ImageFGSM(eps=0.1)(x, generator=rng.make_generator(0), model=ModelContext(model, CE, y))
    expected = x + 0.1 * _analytic_grad(lin, x.flatten(1), y).sign().view_as(x)
    assert torch.equal(out, expected)


def test_l2_fgsm_moves_each_sample_by_eps_along_the_normalized_gradient() -> None:
    x = rng.normal(8, shape=(6,), generator=rng.make_generator(5), dtype=torch.float64)
    lin = _linear(6, 3, 6).double()
    y = torch.arange(8) % 3
    out = TabularFGSM(eps=0.5, norm="l2")(x, generator=rng.make_generator(0), model=ModelContext(lin, CE, y))
    g = _analytic_grad(lin, x, y)
    torch.testing.assert_close(out, x + 0.5 * g / g.norm(dim=1, keepdim=True), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("norm", ["linf", "l2"])
def test_pgd_stays_in_each_samples_ball_and_in_zero_one_on_real_digits(digits, trained_cnn, norm) -> None:
    x, y = digits[0][:64], digits[1][:64]
    lo, hi = (0.05, 0.3) if norm == "linf" else (0.5, 2.0)
    op = ImagePGD(eps=(lo, hi), norm=norm, steps=5, step_size=0.5)
    out, params = op.augment(x, generator=rng.make_generator(0), model=ModelContext(trained_cnn, CE, y))
    eps = params["eps"]
    assert float(eps.min()) >= lo and float(eps.max()) <= hi and float(eps.std()) > 0  # per-sample ε
    d = (out - x).flatten(1)
    size = d.abs().amax(1) if norm == "linf" else d.norm(dim=1)
    assert bool((size <= eps + 1e-6).all())
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    assert bool(((x == 0) & (out < 0)).sum() == 0) and bool((x == 0).any())  # many digit pixels sit on the edge


def test_uint8_images_stay_on_the_uint8_grid_and_in_the_ball(digits, trained_cnn) -> None:
    x8 = (digits[0][:32] * 255).round().to(torch.uint8)

    def forward(m: nn.Module, img: torch.Tensor) -> torch.Tensor:
        return m(img if img.is_floating_point() else img.float() / 255)

    ctx = ModelContext(trained_cnn, CE, digits[1][:32], forward=forward)
    out = ImagePGD(eps=8 / 255, steps=3)(x8, generator=rng.make_generator(0), model=ctx)
    assert out.dtype == torch.uint8
    assert int((out.int() - x8.int()).abs().max()) <= 8 and bool((out != x8).any())


def _loss(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return CE(model(x), y)


def test_on_a_trained_model_loss_after_pgd_beats_fgsm_beats_clean_per_sample(digits, trained_cnn) -> None:
    """Clean ≤ FGSM for every sample; PGD (best iterate kept) ≥ clean for every sample by construction and ≥ FGSM
    for all but a few (not a theorem: the FGSM point is not one of PGD's iterates; 1 of 128 here, by 3e-4)."""
    x, y = digits[0][1500:1628], digits[1][1500:1628]
    ctx = ModelContext(trained_cnn, CE, y)
    clean = _loss(trained_cnn, x, y)
    fgsm = _loss(trained_cnn, ImageFGSM(eps=0.1)(x, generator=rng.make_generator(0), model=ctx), y)
    op = ImagePGD(eps=0.1, steps=10, step_size=0.25, random_start=False)
    pgd = _loss(trained_cnn, op(x, generator=rng.make_generator(0), model=ctx), y)
    assert bool((fgsm >= clean).all()), "FGSM lowered a sample's loss"
    assert bool((pgd >= clean).all()), "PGD lowered a sample's loss"
    assert int((pgd < fgsm).sum()) <= 2, f"PGD below FGSM on {int((pgd < fgsm).sum())} samples"
    assert float(pgd.mean()) > float(fgsm.mean()) > 2 * float(clean.mean())


def test_model_and_global_rng_untouched(digits, trained_cnn) -> None:
    x, y = digits[0][:16], digits[1][:16]
    trained_cnn.train()
    state = {k: v.clone() for k, v in trained_cnn.state_dict().items()}
    grads = [None if p.grad is None else p.grad.clone() for p in trained_cnn.parameters()]
    rng_state = torch.get_rng_state()
    try:
        ImagePGD(eps=0.1, steps=3)(x, generator=rng.make_generator(0), model=ModelContext(trained_cnn, CE, y))
        assert trained_cnn.training
        assert all(torch.equal(state[k], v) for k, v in trained_cnn.state_dict().items())  # BN stats included
        assert all(
            (g is None and p.grad is None) or torch.equal(g, p.grad) for g, p in zip(grads, trained_cnn.parameters())
        )
        assert torch.equal(torch.get_rng_state(), rng_state)
    finally:
        trained_cnn.eval()


def test_replay_is_bit_identical_without_the_model_and_batch_equals_per_sample(digits, trained_cnn) -> None:
    x, y = digits[0][:24], digits[1][:24]
    op = ImagePGD(eps=(0.05, 0.2), steps=4, p=0.7)
    out, params = op.augment(x, generator=rng.make_generator(3), model=ModelContext(trained_cnn, CE, y))
    assert torch.equal(op(x, params=params), out)
    for i in range(24):
        idx = torch.tensor([i])
        assert torch.equal(op(x[idx], params=params.subset(idx)), out[idx])


def test_early_stop_freezes_each_sample_at_its_first_success(digits, trained_cnn) -> None:
    x, y = digits[0][1500:1564], digits[1][1500:1564]
    labels = torch.where(torch.arange(64) % 2 == 0, y, y.roll(1))  # odd rows: labels the model disagrees with
    ctx = ModelContext(trained_cnn, CE, labels)
    with torch.no_grad():
        wrong_at_start = trained_cnn(x).argmax(1) != labels
    assert int(wrong_at_start.sum()) >= 32
    op = ImagePGD(eps=0.2, steps=5, random_start=False, early_stop=True, keep_best=False)
    moved = (op(x, generator=rng.make_generator(0), model=ctx) - x).flatten(1).abs().amax(1) > 0
    assert torch.equal(moved, ~wrong_at_start), "early stop must freeze exactly the samples already misclassified"
    # without early stop every sample moves
    full = ImagePGD(eps=0.2, steps=5, random_start=False, keep_best=False)(
        x, generator=rng.make_generator(0), model=ctx
    )
    assert bool(((full - x).flatten(1).abs().amax(1) > 0).all())


def test_targeted_pgd_reaches_the_target_class(digits, trained_cnn) -> None:
    x, y = digits[0][1500:1564], digits[1][1500:1564]
    target = (y + 1) % 10
    ctx = ModelContext(trained_cnn, CE, target)
    out = ImagePGD(eps=0.3, steps=20, step_size=0.1, targeted=True)(x, generator=rng.make_generator(0), model=ctx)
    with torch.no_grad():
        hit = (trained_cnn(out).argmax(1) == target).float().mean()
        before = (trained_cnn(x).argmax(1) == target).float().mean()
    assert float(hit) > 0.8 and float(before) < 0.05
    assert bool((_loss(trained_cnn, out, target) <= _loss(trained_cnn, x, target) + 1e-6).all())


def test_time_series_eps_is_relative_to_each_channels_std_and_padding_untouched() -> None:
    from omniaug_timeseries import SeriesBatch

    g = rng.make_generator(0)
    v = rng.normal(6, shape=(2, 40), generator=g) * torch.tensor([[1.0], [100.0]])  # two very different scales
    lengths = torch.tensor([40, 30, 20, 40, 35, 25])
    t = torch.arange(40)
    v = v * (t < lengths.view(-1, 1, 1))
    batch = SeriesBatch(v, lengths)
    model = nn.Sequential(nn.Flatten(), _linear(80, 3, 1))
    ctx = ModelContext(model, CE, torch.arange(6) % 3, forward=lambda m, b: m(b.values))
    out = TimeSeriesPGD(eps=0.1, steps=3)(batch, generator=g, model=ctx)
    d = out.values - v
    pad = t.view(1, 1, -1) >= lengths.view(-1, 1, 1)
    assert bool((d[pad.expand_as(d)] == 0).all())
    for i in range(6):
        n = int(lengths[i])
        std = v[i, :, :n].std(dim=-1, unbiased=False)
        ratio = d[i, :, :n].abs().amax(-1) / std
        assert bool((ratio <= 0.1 + 1e-5).all()) and bool((ratio > 0.05).all())
    assert torch.equal(out.lengths, lengths)


def test_waveforms_stay_in_minus_one_one_and_padding_is_not_perturbed() -> None:
    from omniaug_audio import AudioBatch

    g = rng.make_generator(1)
    w = rng.uniform(4, -1.0, 1.0, shape=(1, 200), generator=g)
    lengths = torch.tensor([200, 150, 100, 50])
    w = w * (torch.arange(200) < lengths.view(-1, 1, 1))
    batch = AudioBatch(w, 16000, lengths)
    model = nn.Sequential(nn.Flatten(), _linear(200, 2, 3))
    ctx = ModelContext(model, CE, torch.tensor([0, 1, 0, 1]), forward=lambda m, b: m(b.waveform))
    out = WaveformPGD(eps=0.05, steps=4)(batch, generator=g, model=ctx)
    assert float(out.waveform.abs().max()) <= 1.0
    assert float((out.waveform - w).abs().max()) <= 0.05 + 1e-7
    pad = torch.arange(200) >= lengths.view(-1, 1, 1)
    assert bool((out.waveform[pad] == 0).all())
    assert bool(((out.waveform - w).abs() > 0).any())


def test_tabular_rows_keep_labels_and_feature_scale_sets_the_ball_per_feature() -> None:
    from omniaug_tabular.modality import Rows

    x = rng.normal(10, shape=(3,), generator=rng.make_generator(2))
    rows = Rows(x, torch.arange(10) % 2)
    lin = _linear(3, 2, 0)
    ctx = ModelContext(lin, CE, rows.labels, forward=lambda m, r: m(r.features))
    out = TabularPGD(eps=0.5, steps=3, feature_scale=[1.0, 0.1, 10.0])(rows, generator=rng.make_generator(0), model=ctx)
    d = (out.features - x).abs().amax(0)
    assert float(d[0]) <= 0.5 + 1e-6 and float(d[1]) <= 0.05 + 1e-6 and float(d[2]) <= 5.0 + 1e-5
    assert float(d[2]) > 0.5  # the wide feature moves further than ε
    assert torch.equal(out.labels, rows.labels)


@pytest.mark.parametrize(
    ("kwargs", "arg"),
    [({"eps": -0.1}, "eps"), ({"eps": (0.3, 0.1)}, "eps"), ({"norm": "l3"}, "norm"), ({"steps": 0}, "steps"),
     ({"step_size": 0.0}, "step_size"), ({"feature_scale": [1.0, -1.0]}, "feature_scale")],
)  # fmt: skip
def test_bad_arguments_name_the_argument(kwargs, arg) -> None:
    with pytest.raises(InputError, match=f"`{arg}`"):
        TabularPGD(**kwargs)


def test_loss_fn_that_averages_is_refused() -> None:
    x = rng.normal(4, shape=(3,), generator=rng.make_generator(0))
    ctx = ModelContext(_linear(3, 2, 0), nn.CrossEntropyLoss(), torch.tensor([0, 1, 0, 1]))
    with pytest.raises(InputError, match="reduction='none'"):
        TabularPGD()(x, generator=rng.make_generator(0), model=ctx)


def _reference_pgd(
    model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, alpha: float, steps: int, g: torch.Generator
) -> torch.Tensor:
    """torchattacks 3.5.1's ``PGD.forward``, transcribed: uniform random start, mean cross-entropy,
    ``x + α·sign(∇)``, projection on the ε-ball then on ``[0, 1]`` (random start from a local generator)."""
    adv = (x + (torch.rand(x.shape, generator=g) * 2 - 1) * eps).clamp(0, 1)
    for _ in range(steps):
        adv.requires_grad_(True)
        (grad,) = torch.autograd.grad(nn.functional.cross_entropy(model(adv), y), adv)
        adv = adv.detach() + alpha * grad.sign()
        adv = torch.clamp(x + torch.clamp(adv - x, -eps, eps), 0, 1).detach()
    return adv


def _success_rate(model: nn.Module, x: torch.Tensor, adv: torch.Tensor, y: torch.Tensor) -> float:
    """Share of the correctly classified samples that the attack makes the model misclassify."""
    with torch.no_grad():
        right = model(x).argmax(1) == y
        fooled = model(adv).argmax(1) != y
    return float((right & fooled).sum()) / int(right.sum())


def test_pgd_success_rate_is_at_least_torchattacks_pgd_at_equal_eps_steps_and_step(digits, trained_cnn) -> None:
    """At equal ε, steps and step size, on 256 held-out digits and a trained CNN (fixed seeds).

    The peer is torchattacks' PGD when it is importable (it lives in the benchmark venv only);
    otherwise its algorithm transcribed above (``_reference_pgd``)."""
    x, y = digits[0][1500:1756], digits[1][1500:1756]
    eps, alpha, steps = 0.1, 0.025, 10
    try:
        import torchattacks
    except ImportError:
        theirs = [
            _reference_pgd(trained_cnn, x, y, eps, alpha, steps, torch.Generator().manual_seed(s)) for s in (0, 1)
        ]
    else:
        theirs = []
        for s in (0, 1):
            with torch.random.fork_rng():
                torch.manual_seed(s)
                theirs.append(torchattacks.PGD(trained_cnn, eps=eps, alpha=alpha, steps=steps)(x, y))
    ctx = ModelContext(trained_cnn, CE, y)
    ours_default = [
        ImagePGD(eps=eps, steps=steps, step_size=alpha / eps)(x, generator=rng.make_generator(s), model=ctx)
        for s in (0, 1)
    ]
    ours_same = [
        ImagePGD(eps=eps, steps=steps, step_size=alpha / eps, keep_best=False)(
            x, generator=rng.make_generator(s), model=ctx
        )
        for s in (0, 1)
    ]
    rate = {
        "theirs": sum(_success_rate(trained_cnn, x, a, y) for a in theirs) / 2,
        "default": sum(_success_rate(trained_cnn, x, a, y) for a in ours_default) / 2,
        "same": sum(_success_rate(trained_cnn, x, a, y) for a in ours_same) / 2,
    }
    assert 0.2 < rate["theirs"] < 0.98, rate  # an attack that neither always fails nor always succeeds
    assert rate["default"] >= rate["theirs"], rate
    assert rate["same"] >= rate["theirs"] - 2 / 256, rate  # the same algorithm: only the random start differs


def test_pgd_without_random_start_matches_the_reference_iterates(digits, trained_cnn) -> None:
    """No random start, no best iterate: the same deterministic iterates as the reference, to float rounding."""
    x, y = digits[0][1500:1628], digits[1][1500:1628]
    eps, alpha, steps = 0.1, 0.025, 10
    adv = x.clone()
    for _ in range(steps):  # the reference loop from x
        adv.requires_grad_(True)
        (grad,) = torch.autograd.grad(nn.functional.cross_entropy(trained_cnn(adv), y), adv)
        adv = torch.clamp(x + torch.clamp(adv.detach() + alpha * grad.sign() - x, -eps, eps), 0, 1).detach()
    op = ImagePGD(eps=eps, steps=steps, step_size=alpha / eps, random_start=False, keep_best=False)
    ours = op(x, generator=rng.make_generator(0), model=ModelContext(trained_cnn, CE, y))
    close = (ours - adv).abs().flatten(1).amax(1) <= 1e-6
    assert int((~close).sum()) <= 2, f"{int((~close).sum())} of 128 samples took another path"
