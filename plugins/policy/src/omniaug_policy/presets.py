"""The policies as presets named ``policy.<name>``, whose factory is the policy class itself.

A config node ``{"op": "policy.self_paced", ...}`` builds the class with its
arguments, and :func:`omniaug.to_config` writes the same node back (the class's ``name``).
"""

from __future__ import annotations

from omniaug import Preset

from . import POLICIES

__all__ = ["PRESETS"]

PRESETS: list[Preset] = [
    Preset(name=cls.name, modality="policy", factory=cls, description=(cls.__doc__ or "").strip().splitlines()[0])
    for cls in POLICIES
]
