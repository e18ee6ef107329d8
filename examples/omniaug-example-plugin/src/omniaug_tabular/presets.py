"""Named pipelines of the tabular example (``omniaug demo`` runs ``tabular.default``)."""

from __future__ import annotations

import omniaug

from .ops import FeatureNoise, SwapNoise

PRESETS: list[omniaug.Preset] = [
    omniaug.Preset(
        "tabular.default",
        "tabular",
        lambda: omniaug.OneOf([FeatureNoise((0.0, 0.1)), SwapNoise(0.15)]),
        "feature noise or swap noise, one per row",
    )
]
