"""Adversarial AutoAugment (Zhang et al. 2019), over any modality's registry.

A small policy network gives each sample a distribution over sub-policies
(op, magnitude bin) of ``registry().ops_for(modality, policy=True)``; each sample
draws its sub-policy from that distribution (one vectorized inverse-CDF draw from
the caller's generator) and every sub-policy runs once on the samples that drew
it. The target network trains on the augmented batch as usual; the per-sample
training losses it already computed come back through :func:`omniaug.feedback`
(``omniaug.train_step`` does it) and the policy takes one REINFORCE step that
**increases** the target's loss: advantage = (loss − moving-average baseline),
normalized by the batch's loss spread, plus an entropy bonus. No extra forward
or training run.

The network: by default one learned logit vector per layer (every sample gets the
same distribution, as the paper's controller does per batch); with
``features=f`` (a callable ``f(x) -> (B, F)``) and ``feature_dim=F`` a linear head
makes the distribution depend on each sample. Both start at zero (uniform), so
construction draws no random numbers.

Several augmented instances per sample (the paper's M): :meth:`expand` repeats
each sample (and its targets) ``instances`` times before augmentation; each copy
draws its own sub-policy and its own loss is its reward.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from omniaug import Augmented, Params, Transform, args, batching
from omniaug.errors import InputError
from omniaug.modality import Modality

from .common import ChosenOneOf, SubPolicy, subpolicies
from .learned import LearnedPolicy

__all__ = ["AdversarialAutoAugment", "PolicyNetwork"]


class PolicyNetwork(torch.nn.Module):
    """Logits ``(B, layers, K)``: a learned bias per layer, plus a linear map of per-sample features if any.

    Zero-initialized (a uniform policy), so building it draws no random numbers.
    """

    def __init__(self, layers: int, choices: int, feature_dim: int = 0) -> None:
        super().__init__()
        self.bias = torch.nn.Parameter(torch.zeros(layers, choices))
        self.weight = torch.nn.Parameter(torch.zeros(layers, choices, feature_dim)) if feature_dim else None

    def forward(self, n: int, features: torch.Tensor | None = None) -> torch.Tensor:
        logits = self.bias.unsqueeze(0).expand(n, -1, -1)
        if self.weight is not None:
            if features is None:
                raise InputError("features", "per-sample features (B, F) for a conditioned policy", None)
            logits = logits + torch.einsum("lkf,bf->blk", self.weight, features.to(self.weight.dtype))
        return logits


class AdversarialAutoAugment(Transform):
    """A per-sample policy over (op, magnitude bin) sub-policies trained to raise the target's loss.

    Args:
        modality: the registered modality whose policy ops are used.
        bins: magnitude bins per op (``k / bins`` for ``k = 1..bins``).
        layers: sub-policies applied in sequence per sample (the paper uses 2).
        include / exclude: restrict the ops by registered name.
        identity: add the identity as a choice.
        lr: Adam learning rate of the policy network.
        entropy: weight of the entropy bonus (keeps the policy exploring).
        momentum: of the moving-average reward baseline.
        instances: augmented copies per sample made by :meth:`expand` (the paper's M).
        features: optional ``f(x) -> (B, F)`` per-sample features for a conditioned policy
            (not serializable: save its state with :meth:`state_dict`).
        feature_dim: ``F`` when ``features`` is given.

    Params: ``"0"``, ``"1"``, … one per layer (each a ``OneOf``'s params, with its
    ``"choice"``) and ``"features"`` for a conditioned policy. Replaying them needs
    neither the model nor the policy's current state.
    """

    name = "policy.adversarial_autoaugment"

    def __init__(
        self,
        modality: str,
        *,
        bins: int = 5,
        layers: int = 1,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        identity: bool = False,
        lr: float = 0.05,
        entropy: float = 1e-3,
        momentum: float = 0.9,
        instances: int = 1,
        features: Callable[[Any], torch.Tensor] | None = None,
        feature_dim: int = 0,
    ) -> None:
        where = "AdversarialAutoAugment"
        self.subpolicies: list[SubPolicy] = subpolicies(
            modality, bins=bins, include=include, exclude=exclude, identity=identity, where=where
        )
        self.layers = args.integer("layers", layers, low=1, where=where)
        self.lr = args.positive("lr", lr, where=where)
        self.entropy = args.non_negative("entropy", entropy, where=where)
        self.momentum = args.probability("momentum", momentum, where=where)
        self.instances = args.integer("instances", instances, low=1, where=where)
        dim = args.integer("feature_dim", feature_dim, low=0, where=where)
        if (features is None) != (dim == 0):
            raise InputError(
                "features/feature_dim", "both given (a conditioned policy) or neither", (features, dim), where=where
            )
        if features is not None and not callable(features):
            raise InputError("features", "a callable f(x) -> (B, F)", features, where=where)
        self.features = features
        k = len(self.subpolicies)
        self.net = PolicyNetwork(self.layers, k, dim)
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=self.lr)
        self.baseline: torch.Tensor | None = None
        self._layers = [ChosenOneOf([s.build() for s in self.subpolicies]) for _ in range(self.layers)]
        self._modality: Modality = self._layers[0].modality_spec()

    # -- transform protocol ------------------------------------------------------------
    def modality_spec(self) -> Modality:
        return self._modality

    def modality_name(self) -> str:
        return self._modality.name

    @property  # type: ignore[misc]
    def differentiable(self) -> bool:  # type: ignore[override]
        return all(layer.differentiable for layer in self._layers)

    def _logits(self, n: int, feats: torch.Tensor | None) -> torch.Tensor:
        dev = self.net.bias.device
        return self.net(n, None if feats is None else feats.to(dev))

    def probabilities(self, x: Any = None) -> torch.Tensor:
        """The per-sample distributions ``(B, layers, K)`` for ``x`` (``(1, layers, K)`` for an unconditioned policy)."""
        with torch.no_grad():
            if self.features is None:
                return torch.softmax(self._logits(1, None), -1)
            if x is None:
                raise InputError("x", "a batch to condition the policy on", x, where=self.name)
            feats = self.features(x).detach()
            return torch.softmax(self._logits(feats.shape[0], feats), -1)

    def sample_params(self, x: Any, *, generator: torch.Generator | None = None) -> Params:
        return self.augment(x, generator=generator).params

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        spec = self.modality_spec()
        n = spec.batch_size(x)
        device = spec.device_of(x)
        feats = None if self.features is None else self.features(x).detach()
        with torch.no_grad():
            probs = torch.softmax(self._logits(n, feats), -1).to(device)
        params = Params()
        for k, layer in enumerate(self._layers):
            x, params[str(k)] = layer.augment_with_probs(x, probs[:, k], generator)
        if feats is not None:
            params["features"] = feats
        return Augmented(x, params)

    def apply(self, x: Any, params: Params) -> Any:
        for k, layer in enumerate(self._layers):
            x = layer.apply(x, params[str(k)])
        return x

    # -- learning ----------------------------------------------------------------------
    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        """One REINFORCE step raising the expected loss; then the losses go on to the chosen ops."""
        n = losses.shape[0]
        if n == 0:
            return
        dev = self.net.bias.device
        choice = torch.stack([params[str(k)]["choice"].to(dev) for k in range(self.layers)], 1)  # (B, L)
        feats = params.get("features")
        reward = losses.detach().to(dev, torch.float32)
        mean = reward.mean()
        if self.baseline is None:
            self.baseline = mean
        adv = reward - self.baseline
        if n > 1:
            adv = adv / (reward.std(unbiased=False) + 1e-8)
        with torch.enable_grad():
            logp = torch.log_softmax(self._logits(n, feats), -1)  # (B, L, K)
            chosen = logp.gather(2, choice.unsqueeze(2)).squeeze(2).sum(1)
            ent = -(logp.exp() * logp).sum(-1).sum(1).mean()
            objective = -(adv * chosen).mean() - self.entropy * ent
            self.optimizer.zero_grad(set_to_none=True)
            objective.backward()
        self.optimizer.step()
        self.baseline = self.momentum * self.baseline + (1 - self.momentum) * mean
        for k, layer in enumerate(self._layers):
            layer.feedback(params[str(k)], losses)

    def expand(self, x: Any, targets: Any = None) -> tuple[Any, Any]:
        """Each sample (and its targets) repeated ``instances`` times, copies adjacent (``[a, a, b, b, …]``)."""
        spec = self.modality_spec()
        n = spec.batch_size(x)
        idx = torch.arange(n, device=spec.device_of(x)).repeat_interleave(self.instances)
        xs = spec.subset(x, idx)
        ys = batching.subset(targets, idx)
        return xs, ys

    # -- state and export ----------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The policy network, its optimizer and the baseline (for checkpoints)."""
        return {
            "net": self.net.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "baseline": None if self.baseline is None else self.baseline.clone(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.net.load_state_dict(state["net"])
        self.optimizer.load_state_dict(state["optimizer"])
        b = state.get("baseline")
        self.baseline = None if b is None else b.clone()

    def export(self, x: Any = None, *, min_weight: float = 0.0) -> LearnedPolicy:
        """The current distribution as a fixed, serializable :class:`LearnedPolicy`.

        A conditioned policy is averaged over the samples of ``x``. Sub-policies whose
        weight is below ``min_weight`` in every layer are dropped.
        """
        probs = self.probabilities(x).mean(0)  # (L, K)
        keep = (probs >= min_weight).any(0)
        if not keep.any():
            raise InputError("min_weight", "a weight some sub-policy reaches", min_weight, where=self.name)
        idx = keep.nonzero().flatten().tolist()
        subs = [[[self.subpolicies[i].op, 1.0, self.subpolicies[i].magnitude]] for i in idx]
        weights = [[float(probs[layer, i]) for i in idx] for layer in range(self.layers)]
        return LearnedPolicy(self.modality_name(), subs, weights, layers=self.layers)

    def op_mass(self, x: Any = None) -> dict[str, float]:
        """The current share of each op (magnitude bins summed, layers and samples averaged)."""
        probs = self.probabilities(x).mean(0).mean(0)
        mass: dict[str, float] = {}
        for s, p in zip(self.subpolicies, probs.tolist()):
            mass[s.op] = mass.get(s.op, 0.0) + p
        return mass
