"""omniaug plugin entry point (group ``omniaug``, name ``adversarial``).

The ops belong to modalities other plugins declare (``image``, ``audio``,
``timeseries``, ``tabular``, ``graph``); this plugin declares only the
``token_embeddings`` modality its FreeLB op works on.
"""

from __future__ import annotations

from omniaug import Modality, hookimpl

from .ops import (
    ImageFGSM,
    ImagePGD,
    TabularFGSM,
    TabularPGD,
    TimeSeriesFGSM,
    TimeSeriesPGD,
    WaveformFGSM,
    WaveformPGD,
)

OPS: list[type] = [
    ImageFGSM,
    ImagePGD,
    TimeSeriesFGSM,
    TimeSeriesPGD,
    WaveformFGSM,
    WaveformPGD,
    TabularFGSM,
    TabularPGD,
]


@hookimpl
def omniaug_register_modalities() -> list[Modality]:
    return []


@hookimpl
def omniaug_register_augmentations() -> list[type]:
    return list(OPS)
