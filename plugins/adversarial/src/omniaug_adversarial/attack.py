"""The attack engine: FGSM, FGSM with random start and PGD (L∞ / L2) on any float tensor, batched.

Every modality's op reduces its payload to a :class:`Surface` — the float values
to perturb with their valid domain, a mask of perturbable positions and a
per-element scale of ε — and calls :func:`perturb`. One engine serves every
modality, so its oracles (the ε-ball, the domain, FGSM on a linear model) are
tested once and hold everywhere.

Per sample: ε (a ``(B,)`` tensor), the ball, the step, early stopping (a
``(B,)`` active mask, never a loop over the batch) and the best iterate. The
result is the perturbation δ, the op's params: ``values + δ`` replays it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from omniaug import InputError, ModelContext, args, model_guard, rng

__all__ = ["Surface", "perturb", "NORMS", "predicted_success"]

NORMS = ("linf", "l2")


@dataclass(frozen=True)
class Surface:
    """What an attack may change in a payload.

    Attributes:
        values: ``(B, ...)`` float tensor the perturbation δ is added to.
        rebuild: ``rebuild(values) -> payload`` for the model's forward pass (same type as the input).
        mask: broadcastable to ``values``; 0/False where δ must stay 0 (padding, masked tokens, frozen nodes).
        scale: broadcastable to ``values``, > 0; the ball is ``|δ / scale| <= ε`` (time series: each channel's std).
        lower / upper: the valid domain of ``values + δ`` (``None``: unbounded).
    """

    values: torch.Tensor
    rebuild: Callable[[torch.Tensor], Any]
    mask: torch.Tensor | None = None
    scale: torch.Tensor | None = None
    lower: float | None = None
    upper: float | None = None

    def clamp(self, v: torch.Tensor) -> torch.Tensor:
        """``v`` inside the domain."""
        if self.lower is None and self.upper is None:
            return v
        return v.clamp(self.lower, self.upper)


def _rows(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A ``(B,)`` tensor shaped to broadcast over ``like`` (``(B, 1, 1, …)``)."""
    return t.reshape((t.shape[0],) + (1,) * (like.dim() - 1))


def _norm(t: torch.Tensor) -> torch.Tensor:
    """Per-sample L2 norm ``(B,)`` over every dimension but the first."""
    return torch.linalg.vector_norm(t.reshape(t.shape[0], -1), dim=1)


def predicted_success(outputs: Any, targets: Any, *, targeted: bool) -> torch.Tensor:
    """``(B,)`` bool: the attack has succeeded on the sample (untargeted: misclassified; targeted: hit the target).

    Needs classifier outputs ``(B, K)`` and class-index ``(B,)`` or soft ``(B, K)`` targets.
    """
    if not isinstance(outputs, torch.Tensor) or outputs.dim() != 2:
        raise InputError(
            "early_stop", "classifier outputs (B, K) to judge success per sample", outputs, where="omniaug_adversarial"
        )
    y = targets
    if isinstance(y, torch.Tensor) and y.is_floating_point() and y.dim() == 2:
        y = y.argmax(1)
    if not isinstance(y, torch.Tensor) or y.shape != outputs.shape[:1]:
        raise InputError("targets", f"class indices of shape ({outputs.shape[0]},) or soft labels (B, K)", y)
    hit = outputs.argmax(1) == y.to(outputs.device)
    return hit if targeted else ~hit


def perturb(
    ctx: ModelContext,
    surface: Surface,
    eps: torch.Tensor,
    *,
    norm: str = "linf",
    steps: int = 10,
    step_size: float = 0.25,
    random_start: bool = True,
    targeted: bool = False,
    early_stop: bool = False,
    keep_best: bool = True,
    generator: torch.Generator | None = None,
    where: str = "omniaug_adversarial",
) -> torch.Tensor:
    """The adversarial perturbation δ ``(B, ...)`` (detached) of ``surface.values`` under ``ctx``.

    Each of ``steps`` steps moves δ by ``step_size · ε`` along the sign of the
    input gradient (L∞) or the normalized gradient (L2) — ascent on the loss, or
    descent toward ``ctx.targets`` when ``targeted`` — then projects onto the
    sample's ε-ball and the valid domain. ``random_start`` starts inside the ball
    (uniform for L∞, a random direction and radius for L2). ``early_stop`` freezes
    a sample as soon as it is misclassified (targeted: classified as its target).
    ``keep_best`` returns each sample's highest-loss iterate (lowest when targeted),
    the clean input included, which costs one more forward pass.

    The model runs under :func:`omniaug.model_guard` in ``ctx.mode`` (eval by
    default): BatchNorm uses its running statistics and does not update them,
    dropout is off, parameters get no gradient.
    """
    x = surface.values.detach()
    args.choice("norm", norm, NORMS, where=where)
    e = _rows(eps.to(device=x.device, dtype=x.dtype), x)
    scale = None if surface.scale is None else surface.scale.to(device=x.device, dtype=x.dtype)
    mask = None if surface.mask is None else surface.mask.to(device=x.device, dtype=x.dtype)
    radius = e if scale is None else e * scale  # L∞: per-element bound of |δ|
    alpha = e * step_size
    direction = -1.0 if targeted else 1.0
    n = x.shape[0]

    def project(d: torch.Tensor) -> torch.Tensor:
        if norm == "linf":
            d = torch.minimum(torch.maximum(d, -radius), radius)
        else:
            z = d if scale is None else d / scale
            d = d * _rows(torch.clamp(eps.to(d) / _norm(z).clamp_min(1e-12), max=1.0), d)
        if mask is not None:
            d = d * mask
        if surface.lower is None and surface.upper is None:
            return d
        return surface.clamp(x + d) - x

    delta = torch.zeros_like(x)
    if random_start and steps > 0:
        if norm == "linf":
            u = rng.uniform(n, -1.0, 1.0, shape=x.shape[1:], generator=generator, device=x.device, dtype=x.dtype)
            delta = u * radius
        else:
            g = rng.normal(n, shape=x.shape[1:], generator=generator, device=x.device, dtype=x.dtype)
            if mask is not None:
                g = g * mask
            r = rng.uniform(n, 0.0, 1.0, generator=generator, device=x.device, dtype=x.dtype)
            g = g * _rows(r / _norm(g).clamp_min(1e-12), g) * e
            delta = g if scale is None else g * scale
        delta = project(delta)

    targets = ctx.targets
    best = delta
    best_loss = torch.full((n,), float("inf") if targeted else -float("inf"), dtype=torch.float32, device=x.device)
    active = torch.ones(n, dtype=torch.bool, device=x.device)

    def losses_of(out: Any) -> torch.Tensor:
        losses = ctx.loss_fn(out, targets)
        if not isinstance(losses, torch.Tensor) or losses.shape != (n,):
            raise InputError(
                "loss_fn", f"per-sample losses of shape ({n},) (use reduction='none')", losses, where=where
            )
        return losses

    def keep(losses: torch.Tensor, d: torch.Tensor) -> torch.Tensor:
        nonlocal best_loss
        lv = losses.detach().float()
        better = lv < best_loss if targeted else lv > best_loss
        best_loss = torch.where(better, lv, best_loss)
        return torch.where(_rows(better, d), d, best)

    with model_guard(ctx.model, ctx.mode):
        for _ in range(steps):
            with torch.enable_grad():
                leaf = (x + delta).requires_grad_(True)
                out = ctx.forward(ctx.model, surface.rebuild(leaf))
                losses = losses_of(out)
                (grad,) = torch.autograd.grad(losses.sum(), leaf)
            if keep_best:
                best = keep(losses, delta)
            if early_stop:
                active = active & ~predicted_success(out.detach(), targets, targeted=targeted)
            if scale is not None:
                grad = grad * scale
            if mask is not None:
                grad = grad * mask
            if norm == "linf":
                step = grad.sign()
            else:
                step = grad / _rows(_norm(grad).clamp_min(1e-12), grad)
                if scale is not None:
                    step = step * scale
            moved = project(delta + direction * alpha * step)
            delta = torch.where(_rows(active, delta), moved, delta) if early_stop else moved
        if keep_best and steps > 0:
            with torch.no_grad():
                best = keep(losses_of(ctx.forward(ctx.model, surface.rebuild(x + delta))), delta)
    return (best if keep_best else delta).detach()
