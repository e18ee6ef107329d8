"""omniaug plugin entry point (group ``omniaug``, name ``policy``).

The policies are not ops of one modality, so they register as presets named
``policy.<name>`` whose factory is the policy class itself: a config node
``{"op": "policy.self_paced", ...}`` builds the class with its arguments, and
:func:`omniaug.to_config` writes the same node back (the class's ``name``).
"""

from __future__ import annotations

from omniaug import Preset, hookimpl

from . import POLICIES


@hookimpl
def omniaug_register_presets() -> list[Preset]:
    return [
        Preset(name=cls.name, modality="policy", factory=cls, description=(cls.__doc__ or "").strip().splitlines()[0])
        for cls in POLICIES
    ]
