"""omniaug plugin entry point (group ``omniaug``, name ``policy``).

The policies are not ops of one modality, so they register as presets named
``policy.<name>`` (:mod:`omniaug_policy.presets`).
"""

from __future__ import annotations

from omniaug import Preset, hookimpl

from .presets import PRESETS


@hookimpl
def omniaug_register_presets() -> list[Preset]:
    return list(PRESETS)
