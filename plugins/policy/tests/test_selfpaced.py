"""Self-paced augmentation: exactly the samples with loss > λ are augmented; λ=0 / ∞ exact; replay; serialization."""

from __future__ import annotations

import math

import pytest
import torch

import omniaug
from omniaug import Compose, InputError, ModelContext, RandAugment, rng
from omniaug.registry import registry
from omniaug_policy import SelfPaced

from .conftest import linear_context


def _images(n: int = 16, seed: int = 0) -> torch.Tensor:
    return rng.uniform(n, 0.0, 1.0, shape=(3, 8, 8), generator=rng.make_generator(seed))


def _brightness() -> omniaug.Transform:
    return registry().augmentation("image.brightness").at_magnitude(1.0)


def _oracle_losses(ctx: ModelContext, x: torch.Tensor) -> torch.Tensor:
    lin = ctx.model[1]
    logits = x.flatten(1) @ lin.weight.T + lin.bias
    return -torch.log_softmax(logits, 1).gather(1, ctx.targets.unsqueeze(1)).squeeze(1)


@pytest.mark.parametrize("lam", [0.3, 1.0, 2.5, 6.0])
def test_exactly_the_samples_with_loss_above_lambda_are_augmented(lam: float):
    x = _images()
    y = torch.arange(16) % 3
    ctx = linear_context(x, y)
    spa = SelfPaced(_brightness(), lam=lam)
    out, params = spa.augment(x, generator=rng.make_generator(1), model=ctx)
    hard = _oracle_losses(ctx, x) > lam
    assert torch.allclose(params["loss"], _oracle_losses(ctx, x), atol=1e-5)
    assert torch.equal(params["augment"], hard)
    assert 0 < int(hard.sum()) < 16 or lam in (0.3, 6.0)
    assert torch.equal(out[~hard], x[~hard])  # the easy samples are untouched, bit for bit
    changed = (out - x).flatten(1).abs().amax(1) > 0
    assert torch.equal(changed[hard], torch.ones(int(hard.sum()), dtype=torch.bool))
    # the hard rows equal the wrapped op run on those rows with its own params
    idx = hard.nonzero().flatten()
    if idx.numel():
        assert torch.equal(out[idx], spa.transform(x[idx], params=params["inner"].subset(idx)))


def test_some_but_not_all_are_augmented_at_a_middle_threshold():
    x = _images()
    ctx = linear_context(x, torch.arange(16) % 3)
    losses = _oracle_losses(ctx, x)
    lam = float(losses.median().detach())
    _, params = SelfPaced(_brightness(), lam=lam).augment(x, generator=rng.make_generator(1), model=ctx)
    assert 0 < int(params["augment"].sum()) < 16


def test_lambda_zero_is_always_augment_and_infinity_the_identity_bit_for_bit():
    x = _images()
    op = _brightness()
    always = op(x, generator=rng.make_generator(4))
    assert torch.equal(SelfPaced(op, lam=0)(x, generator=rng.make_generator(4)), always)  # no model needed
    ctx = linear_context(x, torch.arange(16) % 3)
    assert torch.equal(SelfPaced(op, lam=0)(x, generator=rng.make_generator(4), model=ctx), always)
    ident = SelfPaced(op, lam=math.inf)(x, generator=rng.make_generator(4), model=ctx)
    assert torch.equal(ident, x)
    assert not SelfPaced(op, lam=0).requires_model and SelfPaced(op, lam=1).requires_model


def test_replay_needs_no_model_and_is_bit_identical():
    x = _images()
    ctx = linear_context(x, torch.arange(16) % 3)
    spa = SelfPaced(RandAugment("image", n=2, m=9), lam=1.0)
    out, params = spa.augment(x, generator=rng.make_generator(2), model=ctx)
    assert torch.equal(spa(x, params=params), out)


def test_reproducible_from_the_callers_generator_and_global_rng_untouched():
    x = _images()
    ctx = linear_context(x, torch.arange(16) % 3)
    spa = SelfPaced(Compose([_brightness(), registry().augmentation("image.gaussian_noise")()]), lam=1.0)
    state = torch.random.get_rng_state()
    a = spa(x, generator=rng.make_generator(9), model=ctx)
    b = spa(x, generator=rng.make_generator(9), model=ctx)
    assert torch.equal(a, b)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert not torch.equal(a, spa(x, generator=rng.make_generator(10), model=ctx))


def test_serializes_and_reloads_to_identical_behaviour():
    x = _images()
    ctx = linear_context(x, torch.arange(16) % 3)
    spa = SelfPaced(RandAugment("image", n=1, m=5), lam=0.8, source="current")
    loaded = omniaug.from_config(omniaug.to_yaml(spa))
    assert isinstance(loaded, SelfPaced) and loaded.lam == 0.8
    assert torch.equal(
        loaded(x, generator=rng.make_generator(3), model=ctx), spa(x, generator=rng.make_generator(3), model=ctx)
    )
    inf = omniaug.from_config(omniaug.to_json(SelfPaced(_brightness(), lam=math.inf)))
    assert inf.lam == math.inf


def test_previous_step_losses_from_the_caller():
    x = _images(8)
    y = torch.arange(8) % 3
    ctx = linear_context(x, y)
    given = torch.tensor([0.1, 2.0, 0.5, 3.0, 0.0, 1.1, 0.9, 5.0])
    prev = ModelContext(ctx.model, ctx.loss_fn, y, losses=given)
    _, params = SelfPaced(_brightness(), lam=1.0, source="previous").augment(
        x, generator=rng.make_generator(0), model=prev
    )
    assert torch.equal(params["augment"], given > 1.0)


def test_previous_step_losses_remembered_per_sample_id_through_feedback():
    x = _images(6)
    y = torch.arange(6) % 3
    ctx = linear_context(x, y)
    spa = SelfPaced(_brightness(), lam=1.0, source="previous")
    ids = torch.tensor([10, 3, 7, 0, 4, 12])
    with_ids = ModelContext(ctx.model, ctx.loss_fn, y, sample_ids=ids)
    _, params = spa.augment(x, generator=rng.make_generator(0), model=with_ids)
    assert params["augment"].all()  # never seen: augmented
    omniaug.feedback(spa, params, torch.tensor([0.5, 2.0, 0.2, 1.5, 1.0, 3.0]))
    _, params = spa.augment(x, generator=rng.make_generator(1), model=with_ids)
    assert params["augment"].tolist() == [False, True, False, True, False, True]
    # a new order and an unseen id
    other = ModelContext(ctx.model, ctx.loss_fn, y, sample_ids=torch.tensor([12, 10, 99, 3, 7, 4]))
    _, params = spa.augment(x, generator=rng.make_generator(1), model=other)
    assert params["augment"].tolist() == [True, False, True, True, False, False]
    restored = SelfPaced(_brightness(), lam=1.0, source="previous")
    restored.load_state_dict(spa.state_dict())
    _, again = restored.augment(x, generator=rng.make_generator(1), model=other)
    assert torch.equal(again["augment"], params["augment"])


def test_previous_source_without_losses_or_ids_is_a_clear_error():
    x = _images(4)
    ctx = linear_context(x, torch.arange(4) % 3)
    with pytest.raises(InputError, match="sample_ids"):
        SelfPaced(_brightness(), lam=1.0, source="previous")(x, generator=rng.make_generator(0), model=ctx)


def test_bad_arguments_are_clear_errors():
    with pytest.raises(InputError, match="lam"):
        SelfPaced(_brightness(), lam=-1)
    with pytest.raises(InputError, match="source"):
        SelfPaced(_brightness(), source="next")
    with pytest.raises(InputError, match="model"):
        SelfPaced(_brightness(), lam=1.0)(_images(2), generator=rng.make_generator(0))


def test_train_step_feeds_back_and_works_on_token_batches():
    tokens = registry().augmentation("tokens.masking")
    x = tokens.example_input(8, generator=rng.make_generator(0))
    emb = torch.nn.EmbeddingBag(x.vocab_size, 4)
    head = torch.nn.Linear(4, 2)
    model = torch.nn.ModuleDict({"emb": emb, "head": head})

    def forward(m: torch.nn.Module, b: object) -> torch.Tensor:
        return m["head"](m["emb"](b.ids))  # type: ignore[attr-defined]

    y = torch.arange(8) % 2
    ctx = ModelContext(model, torch.nn.CrossEntropyLoss(reduction="none"), y, forward=forward)
    losses = omniaug.per_sample_loss(ctx, x)
    lam = float(losses.median())
    spa = SelfPaced(tokens.at_magnitude(1.0), lam=lam)
    out, params = spa.augment(x, generator=rng.make_generator(0), model=ctx)
    assert torch.equal(params["augment"], losses > lam)
    assert torch.equal(out.ids[~params["augment"]], x.ids[~params["augment"]])
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    step = omniaug.train_step(model, opt, ctx.loss_fn, x, y, aug=spa, generator=rng.make_generator(1), forward=forward)
    assert step.shape == (8,)
