"""Shared pieces: sub-policies (op, magnitude bin) from a modality's registry, and a per-sample chooser.

Every learned policy here works on the ops a modality registers for policies
(``registry().ops_for(modality, policy=True)``), each at a few magnitudes of its
:class:`~omniaug.Magnitude`, wrapped in :class:`~omniaug.SkipInapplicable` so an op
that cannot apply to an input leaves those samples unchanged instead of raising.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from omniaug import Augmented, Identity, OneOf, Params, SkipInapplicable, Transform, args, rng
from omniaug.errors import InputError
from omniaug.policies import policy_ops

__all__ = ["SubPolicy", "subpolicies", "ChosenOneOf", "IDENTITY", "sample_rows"]

#: the op name recorded for the identity sub-policy
IDENTITY = "identity"


@dataclass(frozen=True)
class SubPolicy:
    """One choice of a learned policy: a registered op at magnitude ``magnitude`` in ``[0, 1]``."""

    op: str
    magnitude: float

    def build(self, p: float = 1.0) -> Transform:
        """The transform: ``SkipInapplicable(op.at_magnitude(magnitude, p=p))`` (the identity for ``"identity"``)."""
        if self.op == IDENTITY:
            return Identity()
        from omniaug.registry import registry

        return SkipInapplicable(registry().augmentation(self.op).at_magnitude(self.magnitude, p=p))


def magnitude_bins(bins: int, where: str) -> list[float]:
    """``bins`` magnitudes evenly spaced in ``(0, 1]`` (``k / bins`` for ``k = 1..bins``)."""
    n = args.integer("bins", bins, low=1, where=where)
    return [k / n for k in range(1, n + 1)]


def subpolicies(
    modality: str,
    *,
    bins: int = 5,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    identity: bool = False,
    where: str = "policy",
) -> list[SubPolicy]:
    """Every (op, magnitude bin) pair of ``modality``'s policy ops, op-major, identity last if asked."""
    ops = policy_ops(modality, include=include, exclude=exclude)
    subs = [SubPolicy(c.name, m) for c in ops for m in magnitude_bins(bins, where)]
    if identity:
        subs.append(SubPolicy(IDENTITY, 0.0))
    return subs


class ChosenOneOf(OneOf):
    """A :class:`~omniaug.OneOf` whose per-sample choice is drawn from per-sample probabilities.

    ``augment_with_probs(x, probs, generator)`` samples each row's branch from its
    row of ``probs`` (``(B, K)``, one vectorized ``torch.multinomial`` from the
    caller's generator) and runs each branch once on the rows that chose it.
    Params, replay and feedback routing are :class:`OneOf`'s.
    """

    name = "one_of"  # serializes as a plain OneOf (its uniform draw when used alone)

    def augment_with_probs(self, x: Any, probs: torch.Tensor, generator: torch.Generator | None) -> Augmented:
        spec = self.modality_spec()
        n = spec.batch_size(x)
        k = len(self.transforms)
        if probs.shape != (n, k):
            raise InputError("probs", f"a ({n}, {k}) tensor of per-sample branch probabilities", probs, where="policy")
        if n == 0:
            return Augmented(x, Params({"choice": torch.zeros(0, dtype=torch.long, device=probs.device)}))
        choice = sample_rows(probs, generator)
        return self.augment_with_choice(x, choice, generator)


def sample_rows(probs: torch.Tensor, generator: Any) -> torch.Tensor:
    """One index per row of ``probs`` ``(B, K)``: inverse CDF of one uniform per row (the caller's generator)."""
    n, k = probs.shape
    u = rng.uniform(n, 0.0, 1.0, generator=generator, device=probs.device, dtype=torch.float64)
    cdf = probs.detach().to(torch.float64).cumsum(1)
    cdf = cdf / cdf[:, -1:]
    return (cdf < u.unsqueeze(1)).sum(1).clamp_max(k - 1)
