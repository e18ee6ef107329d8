"""Model-aware augmentation: how an op, a mixer or a policy reaches the model.

Most ops are blind to the model. Adversarial perturbations, saliency-guided
mixing, learned policies and dataset distillation are not: they need the
model's per-sample loss or its gradient with respect to the input. They all
use one small protocol:

* The caller hands a :class:`ModelContext` in **at call time**,
  ``aug(x, generator=g, model=ctx)`` (also ``augment``/``sample_params``).
  It is never stored on the op. Inside the call the context is current
  (:func:`current`); containers pass nothing along explicitly, so a
  :class:`~omniaug.Compose` may mix blind and model-aware ops and blind ops
  simply ignore it.
* An op that needs the model declares ``requires_model = True`` and reads the
  context with :meth:`~omniaug.Transform.require_model`; calling it without one
  is an :class:`~omniaug.InputError` naming the op.
* Whatever a model-aware op decides (a perturbation δ, a chosen op and
  magnitude, a mask) goes into its params, so ``op(x, params=params)`` replays
  it exactly, without the model.
* Per-sample losses travel back the other way through
  :meth:`~omniaug.Transform.feedback` (see :func:`feedback`): containers route
  each child the rows it ran on, so a learned policy anywhere in a pipeline sees
  the losses of the samples it augmented.

The model is never changed by an op: :func:`model_guard` runs it in eval mode
by default (BatchNorm uses its running statistics, dropout is off), so an
attack's forward passes do not update BatchNorm statistics and a sample's
result does not depend on the other samples in its batch; parameters are
frozen for the duration, so their ``.grad`` is never touched and no gradient is
computed for them; ``model.training`` and ``requires_grad`` flags are restored
on exit, even on error.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import torch

from .errors import InputError

__all__ = [
    "ModelContext",
    "current",
    "using_model",
    "model_guard",
    "feedback",
    "train_step",
    "per_sample_loss",
    "input_gradient",
    "tiny_context",
    "float_field",
    "get_field",
    "with_field",
]

#: the model context of the call in progress (set by ``Transform.__call__`` / ``augment``)
_CURRENT: contextvars.ContextVar[ModelContext | None] = contextvars.ContextVar("omniaug_model", default=None)

MODES = ("eval", "train", "as_is")


def _default_forward(model: torch.nn.Module, x: Any) -> Any:
    return model(x)


@dataclass(frozen=True)
class ModelContext:
    """What a model-aware op may use: the model, a per-sample loss and the targets.

    Args:
        model: the network (any ``nn.Module``).
        loss_fn: ``loss_fn(outputs, targets) -> (B,)`` per-sample losses, e.g.
            ``nn.CrossEntropyLoss(reduction="none")``; it must not average over the batch.
        targets: the batch's targets (class indices, soft labels, …), row-aligned with ``x``.
        forward: ``forward(model, x) -> outputs`` when the model is not called as
            ``model(x)`` (a dict batch, a graph batch, token ids with an attention mask…).
        mode: how the model runs while an op queries it — ``"eval"`` (default; see
            :func:`model_guard`), ``"train"`` (BatchNorm batch statistics and dropout,
            with BatchNorm buffers restored afterwards) or ``"as_is"``.
        losses: per-sample losses the caller already has (e.g. from the previous
            step), for policies that decide without an extra forward pass.
        sample_ids: stable ids of the batch's samples (dataset indices), for policies
            that keep per-sample state across steps.
    """

    model: torch.nn.Module
    loss_fn: Callable[[Any, Any], torch.Tensor]
    targets: Any = None
    forward: Callable[[torch.nn.Module, Any], Any] = field(default=_default_forward)
    mode: str = "eval"
    losses: torch.Tensor | None = None
    sample_ids: torch.Tensor | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.model, torch.nn.Module):
            raise InputError("model", "a torch.nn.Module", self.model, where="ModelContext")
        if not callable(self.loss_fn):
            raise InputError("loss_fn", "a callable loss_fn(outputs, targets) -> (B,) losses", self.loss_fn)
        if self.mode not in MODES:
            raise InputError("mode", f"one of {MODES}", self.mode, where="ModelContext")

    def with_targets(self, targets: Any) -> ModelContext:
        """The same context for other targets (e.g. a subset's, or a target class for a targeted attack)."""
        return replace(self, targets=targets)

    def subset(self, index: torch.Tensor) -> ModelContext:
        """The context for samples ``index`` of the batch (targets, losses and ids sliced)."""
        from . import batching

        def cut(v: Any) -> Any:
            return None if v is None else batching.subset(v, index)

        return replace(self, targets=cut(self.targets), losses=cut(self.losses), sample_ids=cut(self.sample_ids))

    def loss(self, x: Any, targets: Any = None, *, where: str = "ModelContext") -> torch.Tensor:
        """Per-sample losses ``(B,)`` of ``x`` (call inside :func:`model_guard`; keeps the graph to ``x``)."""
        y = self.targets if targets is None else targets
        out = self.forward(self.model, x)
        losses = self.loss_fn(out, y)
        if not isinstance(losses, torch.Tensor) or losses.dim() != 1:
            raise InputError(
                "loss_fn",
                "per-sample losses of shape (B,) (use reduction='none')",
                losses,
                where=where,
            )
        return losses


@contextlib.contextmanager
def using_model(ctx: ModelContext | None) -> Iterator[None]:
    """Make ``ctx`` the current model context for the block (``None`` leaves the current one)."""
    if ctx is None:
        yield
        return
    if not isinstance(ctx, ModelContext):
        raise InputError("model", "an omniaug.ModelContext(model, loss_fn, targets)", ctx)
    token = _CURRENT.set(ctx)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def current() -> ModelContext | None:
    """The model context of the call in progress, or ``None`` for a blind call."""
    return _CURRENT.get()


@contextlib.contextmanager
def model_guard(model: torch.nn.Module, mode: str = "eval") -> Iterator[torch.nn.Module]:
    """Run ``model`` for an op without changing it.

    Inside the block the model is in ``mode`` (``"eval"``: running BatchNorm
    statistics, no dropout — the op's result is then a function of each sample
    alone; ``"train"``: batch statistics, BatchNorm buffers snapshotted and
    restored; ``"as_is"``: untouched) and its parameters do not require grad, so
    gradients reach only the input and ``.grad`` of every parameter is left as it
    was. On exit, ``model.training``, the parameters' ``requires_grad`` flags and
    (in train mode) the buffers are restored, even when the block raised.
    """
    if mode not in MODES:
        raise InputError("mode", f"one of {MODES}", mode, where="model_guard")
    modes = [(m, m.training) for m in model.modules()]
    flags = [(p, p.requires_grad) for p in model.parameters()]
    buffers = [(b, b.detach().clone()) for b in model.buffers()] if mode == "train" else []
    try:
        if mode == "eval":
            model.eval()
        elif mode == "train":
            model.train()
        for p, _ in flags:
            p.requires_grad_(False)
        yield model
    finally:
        for m, was in modes:
            m.training = was
        for p, was in flags:
            p.requires_grad_(was)
        with torch.no_grad():
            for b, saved in buffers:
                b.copy_(saved)


def float_field(x: Any) -> str | None:
    """Where a payload's differentiable tensor is: ``""`` for a float tensor, the name of the first
    float tensor field of a dataclass payload (``SeriesBatch.values``, ``AudioBatch.waveform`` …),
    or ``None`` when there is none. Gradient checks and learned magnitudes read and replace it
    with :func:`get_field` / :func:`with_field`."""
    if isinstance(x, torch.Tensor):
        return "" if x.is_floating_point() else None
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        for f in dataclasses.fields(x):
            v = getattr(x, f.name)
            if isinstance(v, torch.Tensor) and v.is_floating_point():
                return f.name
    return None


def get_field(x: Any, name: str) -> torch.Tensor:
    """The tensor :func:`float_field` named: ``x`` itself for ``""``, else ``x.<name>``."""
    return x if name == "" else getattr(x, name)  # type: ignore[no-any-return]


def with_field(x: Any, name: str, t: torch.Tensor) -> Any:
    """``x`` with the tensor :func:`float_field` named replaced by ``t`` (a new payload; ``x`` untouched)."""
    return t if name == "" else dataclasses.replace(x, **{name: t})


def per_sample_loss(ctx: ModelContext, x: Any, targets: Any = None) -> torch.Tensor:
    """Per-sample losses ``(B,)`` of ``x`` under ``ctx``, without a graph and without changing the model."""
    with model_guard(ctx.model, ctx.mode), torch.no_grad():
        return ctx.loss(x, targets).detach()


def input_gradient(
    ctx: ModelContext, x: torch.Tensor, targets: Any = None, *, where: str = "input_gradient"
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-sample losses ``(B,)`` and ``∂ loss_i / ∂ x_i`` for every sample, in one backward pass.

    Samples do not interact under the default eval mode, so the gradient of the
    summed loss is each sample's own gradient. Only ``x`` receives a gradient; the
    graph is freed before returning.
    """
    if not isinstance(x, torch.Tensor) or not x.is_floating_point():
        raise InputError("x", "a floating-point tensor to differentiate", x, where=where)
    with model_guard(ctx.model, ctx.mode), torch.enable_grad():
        xg = x.detach().requires_grad_(True)
        losses = ctx.loss(xg, targets, where=where)
        (grad,) = torch.autograd.grad(losses.sum(), xg)
    return losses.detach(), grad


def feedback(transform: Any, params: Any, losses: torch.Tensor) -> None:
    """Give ``transform`` the per-sample ``losses`` of the batch its ``params`` made.

    Learned policies update themselves here; blind ops ignore it. Containers
    route each child the rows it ran on.
    """
    if not isinstance(losses, torch.Tensor) or losses.dim() != 1:
        raise InputError("losses", "per-sample losses of shape (B,)", losses, where="feedback")
    transform.feedback(params, losses.detach())


def train_step(
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable[[Any, Any], torch.Tensor],
    x: Any,
    y: Any,
    *,
    aug: Any = None,
    generator: torch.Generator | None = None,
    forward: Callable[[torch.nn.Module, Any], Any] = _default_forward,
) -> torch.Tensor:
    """One training step with an (optionally model-aware) augmentation; returns the per-sample losses.

    ``loss_fn`` returns per-sample losses. A mixer's soft labels replace ``y``.
    After the step the losses are fed back to ``aug`` (learned policies update)::

        ctx = ModelContext(model, loss_fn, y)
        out = aug.augment(x, generator=g, model=ctx)
        losses = loss_fn(model(out.output), y)
        optimizer.zero_grad(); losses.mean().backward(); optimizer.step()
        omniaug.feedback(aug, out.params, losses)
    """
    model.train()
    params = None
    if aug is not None:
        ctx = ModelContext(model, loss_fn, y, forward=forward)
        out = _augment_with_targets(aug, x, y, generator, ctx)
        x, y, params = out
    losses = loss_fn(forward(model, x), y)
    if not isinstance(losses, torch.Tensor) or losses.dim() != 1:
        raise InputError(
            "loss_fn", "per-sample losses of shape (B,) (use reduction='none')", losses, where="train_step"
        )
    optimizer.zero_grad(set_to_none=True)
    losses.mean().backward()
    optimizer.step()
    if aug is not None:
        feedback(aug, params, losses)
    return losses.detach()


def _augment_with_targets(
    aug: Any, x: Any, y: Any, generator: torch.Generator | None, ctx: ModelContext
) -> tuple[Any, Any, Any]:
    from .mixing import Mixer

    if isinstance(aug, Mixer):
        mixed = aug.augment_with_labels(x, y, generator=generator, model=ctx)
        return mixed.output, mixed.labels, mixed.params
    out = aug.augment(x, generator=generator, model=ctx)
    return out.output, y, out.params


def tiny_context(x: torch.Tensor, *, num_classes: int = 3, seed: int = 0) -> ModelContext:
    """A small classifier over flattened samples, for contract checks of model-aware ops on tensor payloads.

    Linear → BatchNorm → dropout → ReLU → Linear, with weights drawn from a local
    generator (the global RNG is never touched) and random class targets. It has
    BatchNorm statistics and dropout on purpose: the contract checks that an op
    changes neither the statistics nor the mode.
    """
    if not isinstance(x, torch.Tensor) or x.dim() < 1:
        raise InputError("x", "a batched tensor (override example_context for other payloads)", x, where="tiny_context")
    g = torch.Generator().manual_seed(seed)
    d = int(x[0].numel()) if x.shape[0] else int(torch.Size(x.shape[1:]).numel())
    first = torch.nn.utils.skip_init(torch.nn.Linear, d, 8, dtype=torch.float32)
    last = torch.nn.utils.skip_init(torch.nn.Linear, 8, num_classes, dtype=torch.float32)
    with torch.no_grad():
        for lin in (first, last):
            fan_in = lin.weight.shape[1]
            lin.weight.copy_(torch.randn(lin.weight.shape, generator=g) / fan_in**0.5)
            lin.bias.copy_(torch.randn(lin.bias.shape, generator=g) * 0.1)
    norm = torch.nn.BatchNorm1d(8)
    model = torch.nn.Sequential(torch.nn.Flatten(), first, norm, torch.nn.Dropout(0.2), torch.nn.ReLU(), last)
    assert norm.running_mean is not None and norm.running_var is not None  # track_running_stats=True
    with torch.no_grad():  # non-trivial running statistics, so that a change would show
        norm.running_mean.copy_(torch.randn(8, generator=g) * 0.1)
        norm.running_var.copy_(1.0 + torch.rand(8, generator=g))
    model = model.to(device=x.device, dtype=x.dtype if x.is_floating_point() else torch.float32)
    targets = torch.randint(0, num_classes, (x.shape[0],), generator=g).to(x.device)

    def forward(m: torch.nn.Module, inp: torch.Tensor) -> torch.Tensor:
        return m(inp.to(next(m.parameters()).dtype))  # type: ignore[no-any-return]

    return ModelContext(model, torch.nn.CrossEntropyLoss(reduction="none"), targets, forward=forward)
