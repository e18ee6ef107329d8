"""Differentiable policy weights: relaxed op and magnitude choice, learned by a one-step-unrolled validation gradient.

The practical form of DADA / IF-DA used here: the policy is a softmax over
sub-policies (each policy op at a few fixed magnitude bins, plus the identity).
For the search step the discrete choice is relaxed into the mixture
``Σ_k softmax(α)_k · T_k(x)`` — each sub-policy runs once on the whole batch —
and ``α`` follows the gradient of the validation loss after one unrolled
training step (DARTS, Liu et al. 2019):

    w' = w − ξ ∇_w L_train(w, mix_α(x)),   α ← α − η ∇_α L_val(w', x_val)

Magnitudes are learned as weights over the fixed bins (the exported policy keeps
each op's bins with their learned weights; :meth:`RelaxedPolicy.magnitudes` gives
the expected magnitude per op). The op kernels are never differentiated with
respect to their magnitude, so no op needs a differentiable magnitude path: the
gradient reaches ``α`` through the mixture weights.

Which ops qualify: every policy op whose output is a floating-point tensor of the
input's shape — the mixture adds outputs. That covers plain tensor payloads
(image, time-series ``(B, C, T)``, audio waveforms, tabular ``(B, F)``). Discrete or
structured payloads (token ids, strings, graphs, code, padded series batches)
cannot be mixed: :meth:`RelaxedPolicy.mix` refuses them with an
:class:`~omniaug.InputError` naming the op. During training, the policy itself
(``policy(x, generator=g)``) draws one sub-policy per sample from ``softmax(α)``,
so it works as the training augmentation on every modality.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
from torch.func import functional_call

from omniaug import Augmented, Params, Transform, args
from omniaug.errors import InputError
from omniaug.modality import Modality

from .common import IDENTITY, ChosenOneOf, SubPolicy, subpolicies
from .learned import LearnedPolicy

__all__ = ["RelaxedPolicy", "unrolled_hypergradient"]


def unrolled_hypergradient(
    alpha: torch.Tensor,
    outputs: Sequence[torch.Tensor],
    model: torch.nn.Module,
    loss_fn: Callable[[Any, Any], torch.Tensor],
    targets: Any,
    x_val: Any,
    y_val: Any,
    *,
    xi: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(L_val(w'), ∂L_val(w')/∂α)`` with ``w' = w − ξ ∇_w L_train(w, Σ softmax(α)_k outputs_k)``.

    ``outputs`` are the sub-policies' outputs on the training batch (constants);
    ``loss_fn`` returns per-sample losses (averaged here). The model's parameters
    and their ``.grad`` are left unchanged.
    """
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    params = {n: p.detach() for n, p in model.named_parameters() if n in names}
    buffers = dict(model.named_buffers())
    with torch.enable_grad():
        a = alpha.detach().requires_grad_(True)
        w = torch.softmax(a, 0)
        mixed = sum(w[k] * o for k, o in enumerate(outputs))
        live = {n: p.requires_grad_(True) for n, p in ((n, v.clone()) for n, v in params.items())}
        train = loss_fn(functional_call(model, {**live, **buffers}, (mixed,)), targets).mean()
        grads = torch.autograd.grad(train, list(live.values()), create_graph=True)
        stepped = {n: p - xi * g for (n, p), g in zip(live.items(), grads)}
        val = loss_fn(functional_call(model, {**stepped, **buffers}, (x_val,)), y_val).mean()
        (grad_a,) = torch.autograd.grad(val, a)
    return val.detach(), grad_a


class RelaxedPolicy(Transform):
    """A softmax over (op, magnitude bin) sub-policies whose weights are learned by a validation hypergradient.

    Args:
        modality: the registered modality.
        bins: magnitude bins per op.
        include / exclude: restrict the ops by registered name.
        identity: add the identity as a choice (recommended: the search may then learn
            that little augmentation is best).
        lr: Adam learning rate of the weights ``α``.
        xi: the unrolled inner step size ξ (use the model's learning rate).
    """

    name = "policy.relaxed"

    def __init__(
        self,
        modality: str,
        *,
        bins: int = 3,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        identity: bool = True,
        lr: float = 0.05,
        xi: float = 0.1,
    ) -> None:
        where = "RelaxedPolicy"
        self.subpolicies: list[SubPolicy] = subpolicies(
            modality, bins=bins, include=include, exclude=exclude, identity=identity, where=where
        )
        self.lr = args.positive("lr", lr, where=where)
        self.xi = args.positive("xi", xi, where=where)
        self.alpha = torch.zeros(len(self.subpolicies))
        self.optimizer = torch.optim.Adam([self.alpha.requires_grad_(True)], lr=self.lr)
        self._choice = ChosenOneOf([s.build() for s in self.subpolicies])
        self._modality: Modality = self._choice.modality_spec()

    def modality_spec(self) -> Modality:
        return self._modality

    def modality_name(self) -> str:
        return self._modality.name

    def weights(self) -> torch.Tensor:
        """``softmax(α)``: the current probability of each sub-policy."""
        return torch.softmax(self.alpha.detach(), 0)

    # -- as a training augmentation: one discrete sub-policy per sample --------------------
    def sample_params(self, x: Any, *, generator: torch.Generator | None = None) -> Params:
        return self.augment(x, generator=generator).params

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        spec = self.modality_spec()
        n = spec.batch_size(x)
        probs = self.weights().to(spec.device_of(x)).expand(n, -1)
        return self._choice.augment_with_probs(x, probs, generator)

    def apply(self, x: Any, params: Params) -> Any:
        return self._choice.apply(x, params)

    # -- the relaxed search step ----------------------------------------------------------
    def branch_outputs(self, x: Any, *, generator: torch.Generator | None = None) -> list[torch.Tensor]:
        """Every sub-policy applied to the whole batch (each once); refuses payloads that cannot be mixed."""
        if not isinstance(x, torch.Tensor) or not x.is_floating_point():
            raise InputError(
                "x",
                "a floating-point tensor batch (relaxed mixing adds sub-policy outputs; discrete or structured "
                "payloads such as token ids, strings, graphs or padded series cannot be mixed)",
                x,
                where=self.name,
            )
        outs = []
        for sub, t in zip(self.subpolicies, self._choice.transforms):
            out = t(x, generator=generator)
            if not isinstance(out, torch.Tensor) or out.shape != x.shape or not out.is_floating_point():
                raise InputError(
                    "x",
                    f"ops whose output has the input's shape {tuple(x.shape)} ({sub.op} changes it; exclude it)",
                    out,
                    where=self.name,
                )
            outs.append(out.detach())
        return outs

    def mix(self, x: Any, *, generator: torch.Generator | None = None) -> torch.Tensor:
        """The relaxed output ``Σ softmax(α)_k T_k(x)``, differentiable in ``α``."""
        w = torch.softmax(self.alpha, 0)
        return sum(w[k] * o for k, o in enumerate(self.branch_outputs(x, generator=generator)))  # type: ignore[return-value]

    def step(
        self,
        model: torch.nn.Module,
        loss_fn: Callable[[Any, Any], torch.Tensor],
        x: Any,
        y: Any,
        x_val: Any,
        y_val: Any,
        *,
        generator: torch.Generator | None = None,
    ) -> float:
        """One update of ``α`` by the one-step-unrolled validation gradient; returns the unrolled validation loss."""
        outs = self.branch_outputs(x, generator=generator)
        val, grad = unrolled_hypergradient(self.alpha, outs, model, loss_fn, y, x_val, y_val, xi=self.xi)
        self.optimizer.zero_grad(set_to_none=True)
        self.alpha.grad = grad.to(self.alpha.dtype)
        self.optimizer.step()
        return float(val)

    # -- results -----------------------------------------------------------------------------
    def magnitudes(self) -> dict[str, float]:
        """The expected magnitude of each op under the learned bin weights."""
        w = self.weights().tolist()
        num: dict[str, float] = {}
        den: dict[str, float] = {}
        for s, p in zip(self.subpolicies, w):
            if s.op != IDENTITY:
                num[s.op] = num.get(s.op, 0.0) + p * s.magnitude
                den[s.op] = den.get(s.op, 0.0) + p
        return {op: num[op] / den[op] for op in num}

    def export(self) -> LearnedPolicy:
        """The learned weights as a fixed, serializable :class:`LearnedPolicy`."""
        subs = [[[s.op, 1.0, s.magnitude]] for s in self.subpolicies]
        return LearnedPolicy(self.modality_name(), subs, [self.weights().tolist()])

    def state_dict(self) -> dict[str, Any]:
        return {"alpha": self.alpha.detach().clone(), "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        with torch.no_grad():
            self.alpha.copy_(state["alpha"])
        self.optimizer.load_state_dict(state["optimizer"])
