"""The op base shared by every modality: ε drawn per sample, δ as params, replay without the model."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

import omniaug
from omniaug import InputError, ModelContext, Params, args, rng
from omniaug.model import tiny_context

from ..attack import NORMS, Surface, perturb

__all__ = ["AdversarialOp"]


class AdversarialOp(omniaug.Augmentation):
    """An adversarial perturbation of a modality's continuous values (the model decides δ; δ is the params).

    Subclasses set ``name``/``modality`` and implement :meth:`surface`. The
    output is ``values + δ`` inside the modality's domain; ``op(x, params=p)``
    replays it without the model.

    Args:
        eps: ε per sample — a number (fixed) or a ``(low, high)`` range drawn uniformly
            per sample (a policy's ``Magnitude`` sets a fixed ε).
        norm: ``"linf"`` or ``"l2"`` ball.
        steps: gradient steps (1 for FGSM).
        step_size: step length as a fraction of each sample's ε (FGSM: 1.0; FGSM with
            random start, Wong et al. 2020: 1.25; PGD: ``2.5 / steps`` as in Madry et al.).
        random_start: start from a random point of the ball.
        targeted: move toward ``ctx.targets`` (pass the target classes with
            ``ctx.with_targets(...)``) instead of away from them.
        early_stop: freeze a sample once it is misclassified (targeted: once it hits its target).
        keep_best: return each sample's strongest iterate (the clean input included).
        p: probability, per sample, that the sample is perturbed.
    """

    requires_model = True
    differentiable = True  # the output is values + δ with δ fixed: the identity in the input inside the domain
    in_policies = False  # needs a model: policies may still build it at a magnitude (``at_magnitude``)
    may_be_identity = False

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.03,
        *,
        norm: str = "linf",
        steps: int = 10,
        step_size: float = 0.25,
        random_start: bool = True,
        targeted: bool = False,
        early_stop: bool = False,
        keep_best: bool = True,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        where = self.name or type(self).__name__
        self.eps = args.value_range("eps", eps, bounds=(0.0, math.inf), scalar="fixed", where=where)
        self.norm = args.choice("norm", norm, NORMS, where=where)
        self.steps = args.integer("steps", steps, low=1, where=where)
        self.step_size = args.positive("step_size", step_size, where=where)
        self.random_start = bool(random_start)
        self.targeted = bool(targeted)
        self.early_stop = bool(early_stop)
        self.keep_best = bool(keep_best)

    # -- per modality ---------------------------------------------------------------
    def surface(self, x: Any) -> Surface:
        """The values to perturb in ``x``, their domain, mask and scale."""
        raise NotImplementedError

    def finish(self, x: Any, values: torch.Tensor) -> Any:
        """The output payload for the perturbed ``values`` (default: the surface's rebuild)."""
        return self.surface(x).rebuild(values)

    # -- the Augmentation protocol ----------------------------------------------------
    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        ctx = self.require_model()
        s = self.surface(x)
        lo, hi = self.eps
        if lo == hi:  # a fixed ε, exactly (a draw would round it through float32)
            eps = torch.full((batch_size,), lo, dtype=s.values.dtype, device=device)
        else:
            eps = rng.uniform(batch_size, lo, hi, generator=generator, device=device, dtype=s.values.dtype)
        delta = perturb(
            ctx,
            s,
            eps,
            norm=self.norm,
            steps=self.steps,
            step_size=self.step_size,
            random_start=self.random_start,
            targeted=self.targeted,
            early_stop=self.early_stop,
            keep_best=self.keep_best,
            generator=generator,
            where=self.name,
        )
        return {"eps": eps, "delta": delta}

    def kernel(self, x: Any, params: Params) -> Any:
        s = self.surface(x)
        delta = params["delta"].to(device=s.values.device, dtype=s.values.dtype)
        if delta.shape != s.values.shape:
            raise InputError(
                "params['delta']", f"a perturbation of shape {tuple(s.values.shape)}", delta, where=self.name
            )
        if s.mask is not None:
            delta = delta * s.mask.to(delta)
        return self.finish(x, s.clamp(s.values + delta))

    def render_preview(self, original: Any, views: Sequence[Any], path: Path) -> Path:
        """``omniaug preview``: clean / perturbation (amplified) / adversarial side by side (the first view;
        views differ only by their random start). See :func:`omniaug_adversarial.render_attack`."""
        from ..render import render_attack

        if not views:
            raise InputError("views", "at least one attacked view to draw", 0, where=self.name)
        return render_attack(self, original, views[0], path)

    @classmethod
    def example_instances(cls) -> list[omniaug.Augmentation]:
        """Defaults, L2 with a random start, and a targeted ε range with early stop (3 steps keep the suite fast)."""
        many = cls().steps > 1
        extra = {"steps": 3, "early_stop": True} if many else {}
        return [
            cls(),
            cls(norm="l2", random_start=True, step_size=1.25),
            cls(eps=(0.5 * cls().eps[1], cls().eps[1]), targeted=True, **extra),
        ]

    @classmethod
    def example_context(cls, x: Any) -> ModelContext:
        """A tiny classifier over the op's flattened values (the payload's other fields are ignored)."""
        op = cls()
        values = op.surface(x).values
        base = tiny_context(values.detach())

        def forward(model: torch.nn.Module, payload: Any) -> torch.Tensor:
            return model(op.surface(payload).values.to(next(model.parameters()).dtype))  # type: ignore[no-any-return]

        return ModelContext(base.model, base.loss_fn, base.targets, forward=forward)
