"""omniaug-policy: learned and adaptive augmentation policies over any modality's registry.

* :class:`SelfPaced` — self-paced augmentation (SPA): augment the samples whose loss exceeds λ.

Every policy is built from ``registry().ops_for(modality, policy=True)`` and each
op's :class:`~omniaug.Magnitude`, chooses per sample with tensors from the
caller's generator, runs each op once on the samples that picked it, returns its
decisions as params (replayable without the model) and serializes by name
(``policy.<name>``) like any other transform.
"""

from __future__ import annotations

from .common import SubPolicy, subpolicies
from .selfpaced import SelfPaced

#: the transform classes registered by name (as presets whose factory is the class)
POLICIES: list[type] = [SelfPaced]

__all__ = ["POLICIES", "SelfPaced", "SubPolicy", "subpolicies"]
