"""omniaug-policy: learned and adaptive augmentation policies over any modality's registry.

* :class:`SelfPaced` — self-paced augmentation (SPA): augment the samples whose loss exceeds λ.
* :class:`AdversarialAutoAugment` — a per-sample policy trained by REINFORCE to raise the target's loss.
* :class:`LearnedPolicy` — the fixed, serializable policy learned policies export.
* :func:`search_policy` / :func:`randaugment_grid` — Fast-AutoAugment-style proxy search
  (density matching through a fixed model, or target-aware by MMD to a target sample).
* :class:`RelaxedPolicy` — op/magnitude-bin weights learned by a one-step-unrolled validation gradient.
* :class:`DifferentiableMagnitudes` — per-op magnitudes (and op weights, a mixer's strength) learned
  by the same gradient through kernels that are differentiable in their magnitude
  (:func:`magnitude_table` lists which ops qualify and why the others do not).

Every policy is built from ``registry().ops_for(modality, policy=True)`` and each
op's :class:`~omniaug.Magnitude`, chooses per sample with tensors from the
caller's generator, runs each op once on the samples that picked it, returns its
decisions as params (replayable without the model) and serializes by name
(``policy.<name>``) like any other transform.
"""

from __future__ import annotations

from .adversarial import AdversarialAutoAugment, PolicyNetwork
from .common import SubPolicy, subpolicies
from .learned import LearnedPolicy
from .magnitudes import (
    DifferentiableMagnitudes,
    MagnitudeSupport,
    ScaledMixer,
    differentiable_magnitude_ops,
    magnitude_support,
    magnitude_table,
)
from .relaxed import RelaxedPolicy, unrolled_hypergradient
from .search import Candidate, SearchResult, proxy_score, randaugment_grid, search_policy
from .selfpaced import SelfPaced

#: the transform classes registered by name (as presets whose factory is the class)
POLICIES: list[type] = [
    SelfPaced,
    AdversarialAutoAugment,
    RelaxedPolicy,
    DifferentiableMagnitudes,
    LearnedPolicy,
    ScaledMixer,
]

__all__ = [
    "POLICIES",
    "AdversarialAutoAugment",
    "Candidate",
    "DifferentiableMagnitudes",
    "LearnedPolicy",
    "MagnitudeSupport",
    "PolicyNetwork",
    "RelaxedPolicy",
    "ScaledMixer",
    "SearchResult",
    "SelfPaced",
    "SubPolicy",
    "differentiable_magnitude_ops",
    "magnitude_support",
    "magnitude_table",
    "proxy_score",
    "randaugment_grid",
    "search_policy",
    "subpolicies",
    "unrolled_hypergradient",
]
