"""The model-aware protocol: ModelContext at call time, composition, replay, feedback, model untouched."""

from __future__ import annotations

from typing import Any

import pytest
import torch

import omniaug
from omniaug import Compose, InputError, ModelContext, OneOf, Params, RandomApply, rng
from omniaug.model import current, input_gradient, model_guard, per_sample_loss, tiny_context
from omniaug.testing.contract import (
    check_differentiable,
    check_model_unchanged,
    check_replay_without_model,
    check_requires_model,
)

from .toy_plugin import VEC, Scale


class SignStep(omniaug.Augmentation):
    """A model-aware toy op: one signed-gradient step of size eps (FGSM) on a (B, F) batch."""

    name = "vec.sign_step"
    modality = VEC
    requires_model = True
    differentiable = True

    def __init__(self, eps: float = 0.1, *, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.eps = eps

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, Any]:
        ctx = self.require_model()
        _, grad = input_gradient(ctx, x, where=self.name)
        return {"delta": self.eps * grad.sign()}

    def kernel(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return x + params["delta"].to(x.dtype)


class LossRecorder(omniaug.Augmentation):
    """Blind op that records the losses fed back to it (a stand-in for a learned policy)."""

    name = "vec.loss_recorder"
    modality = VEC
    differentiable = True
    seen: list[tuple[torch.Tensor, torch.Tensor]]

    def __init__(self, *, p: float = 1.0) -> None:
        super().__init__(p=p)
        self.seen = []

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, Any]:
        return {"row_id": x[:, 0].clone()}  # which sample this row was, to check the routing

    def kernel(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return x

    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        self.seen.append((params["row_id"], losses))


def _linear_ctx(x: torch.Tensor, w: torch.Tensor, y: torch.Tensor) -> ModelContext:
    model = torch.nn.Linear(x.shape[1], w.shape[0], bias=False)
    with torch.no_grad():
        model.weight.copy_(w)
    return ModelContext(model, torch.nn.CrossEntropyLoss(reduction="none"), y)


def _batch(n: int = 6, f: int = 5, seed: int = 0) -> torch.Tensor:
    return rng.uniform(n, 0.0, 1.0, shape=(f,), generator=rng.make_generator(seed))


def test_fgsm_step_equals_sign_of_the_analytic_gradient():
    x = _batch()
    g = torch.Generator().manual_seed(1)
    w = torch.randn(3, 5, generator=g)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    ctx = _linear_ctx(x, w, y)
    out = SignStep(eps=0.25)(x, generator=rng.make_generator(0), model=ctx)
    # analytic: d CE / d x = W^T (softmax(Wx) - onehot(y))
    p = torch.softmax(x @ w.T, dim=1)
    grad = (p - torch.nn.functional.one_hot(y, 3).float()) @ w
    assert torch.equal(out, x + 0.25 * grad.sign())


def test_model_aware_op_without_model_names_the_op():
    with pytest.raises(InputError, match=r"vec\.sign_step.*`model`"):
        SignStep()(_batch(), generator=rng.make_generator(0))


def test_replay_needs_no_model_and_is_bit_identical():
    x = _batch()
    ctx = tiny_context(x)
    out, params = SignStep().augment(x, generator=rng.make_generator(0), model=ctx)
    assert torch.equal(SignStep()(x, params=params), out)
    assert current() is None  # the context does not outlive the call


def test_compose_mixes_blind_and_model_aware_ops_and_blind_ops_ignore_the_model():
    x = _batch()
    ctx = tiny_context(x)
    pipe = Compose([Scale(0.2), SignStep(0.05), Scale(0.1)])
    assert pipe.requires_model and not Compose([Scale(0.2)]).requires_model
    out, params = pipe.augment(x, generator=rng.make_generator(3), model=ctx)
    assert torch.equal(pipe(x, params=params), out)
    # blind ops give the same result with or without a model
    blind = Compose([Scale(0.2), Scale(0.1)])
    assert torch.equal(blind(x, generator=rng.make_generator(3), model=ctx), blind(x, generator=rng.make_generator(3)))


def test_branch_on_a_subset_sees_its_own_rows_targets():
    """OneOf runs a model-aware branch on a subset: the context's targets are sliced to match."""
    x = _batch(8)
    g = torch.Generator().manual_seed(2)
    w = torch.randn(3, 5, generator=g)
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    ctx = _linear_ctx(x, w, y)
    pipe = OneOf([SignStep(0.3), omniaug.Identity()])
    out, params = pipe.augment(x, generator=rng.make_generator(5), model=ctx)
    chosen = params["choice"] == 0
    assert 0 < int(chosen.sum()) < 8
    alone = SignStep(0.3)(x, generator=rng.make_generator(0), model=ctx)  # whole batch, same targets per row
    assert torch.equal(out[chosen], alone[chosen])
    assert torch.equal(out[~chosen], x[~chosen])


def test_feedback_routes_each_child_the_losses_of_its_rows():
    x = _batch(8)
    x[:, 0] = torch.arange(8, dtype=x.dtype)  # row ids
    rec_a, rec_b = LossRecorder(), LossRecorder()
    pipe = Compose([OneOf([rec_a, rec_b]), RandomApply([Scale(0.1)], p=0.5)])
    out, params = pipe.augment(x, generator=rng.make_generator(7))
    losses = torch.arange(8, dtype=torch.float32) * 10
    omniaug.feedback(pipe, params, losses)
    seen = {int(i): float(v) for rec in (rec_a, rec_b) for ids, ls in rec.seen for i, v in zip(ids, ls)}
    assert seen == {i: 10.0 * i for i in range(8)}  # every row once, with its own loss
    assert rec_a.seen and rec_b.seen


def test_feedback_rejects_batch_reduced_losses():
    pipe = Compose([LossRecorder()])
    out, params = pipe.augment(_batch(), generator=rng.make_generator(0))
    with pytest.raises(InputError, match="losses"):
        omniaug.feedback(pipe, params, torch.tensor(1.0))


def test_model_guard_restores_everything_even_on_error():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.BatchNorm1d(4), torch.nn.Dropout(0.5))
    model.train()
    model[0].weight.requires_grad_(False)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError, match="boom"), model_guard(model, "train"):
        assert all(not p.requires_grad for p in model.parameters())
        model(torch.randn(8, 4, generator=torch.Generator().manual_seed(0)))  # updates BN stats in train mode
        raise RuntimeError("boom")
    assert model.training and all(m.training for m in model.modules())
    assert not model[0].weight.requires_grad and model[0].bias.requires_grad
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_per_sample_loss_is_per_sample_and_keeps_no_graph():
    x = _batch()
    ctx = tiny_context(x)
    losses = per_sample_loss(ctx, x)
    assert losses.shape == (6,) and not losses.requires_grad
    # eval mode: each sample's loss does not depend on the rest of the batch
    assert torch.allclose(per_sample_loss(ctx.subset(torch.tensor([2])), x[2:3]), losses[2:3])


def test_loss_fn_that_averages_is_a_clear_error():
    x = _batch()
    ctx = ModelContext(tiny_context(x).model, torch.nn.CrossEntropyLoss(), tiny_context(x).targets)
    with pytest.raises(InputError, match="reduction='none'"):
        SignStep()(x, generator=rng.make_generator(0), model=ctx)


def test_not_differentiable_op_refuses_grad_input_clearly():
    x = _batch().requires_grad_(True)
    with pytest.raises(InputError, match="not differentiable"):
        Scale(0.2)(x, generator=rng.make_generator(0))


def test_contract_checks_pass_for_a_correct_model_aware_op():
    op = SignStep()
    for check in (check_requires_model, check_model_unchanged, check_replay_without_model, check_differentiable):
        check(op)


class LeakyStep(SignStep):
    """Broken on purpose: runs the model in train mode and leaves gradients on its parameters."""

    name = "vec.leaky_step"

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, Any]:
        ctx = self.require_model()
        ctx.model.train()
        xg = x.detach().requires_grad_(True)
        ctx.loss(xg).sum().backward()
        return {"delta": self.eps * xg.grad.sign()}


class BlindStep(SignStep):
    """Broken on purpose: declares requires_model but silently runs without one."""

    name = "vec.blind_step"

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, Any]:
        return {"delta": torch.zeros_like(x)}


class DetachingOp(Scale):
    """Broken on purpose: claims differentiable but detaches."""

    name = "vec.detaching"
    differentiable = True

    def kernel(self, x: torch.Tensor, params: Params) -> torch.Tensor:
        return super().kernel(x, params).detach()


def test_contract_checks_catch_broken_ops():
    with pytest.raises(AssertionError, match="changed|mode"):
        check_model_unchanged(LeakyStep())
    with pytest.raises(AssertionError, match="without a model"):
        check_requires_model(BlindStep())
    with pytest.raises(AssertionError, match="does not depend"):
        check_differentiable(DetachingOp())


def test_train_step_runs_the_loop_and_feeds_losses_back():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(16, 5, generator=g)
    y = (x[:, 0] > 0.5).long()
    model = torch.nn.Sequential(torch.nn.Linear(5, 2))
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    rec = LossRecorder()
    aug = Compose([SignStep(0.01), rec])
    first = omniaug.train_step(
        model, opt, torch.nn.CrossEntropyLoss(reduction="none"), x, y, aug=aug, generator=rng.make_generator(0)
    )
    for step in range(30):
        last = omniaug.train_step(
            model, opt, torch.nn.CrossEntropyLoss(reduction="none"), x, y, aug=aug, generator=rng.make_generator(step)
        )
    assert last.mean() < first.mean()
    assert len(rec.seen) == 31 and torch.equal(rec.seen[-1][1], last)
