"""omniaug plugin entry point (group ``omniaug``, name ``adversarial``).

The ops belong to modalities other plugins declare (``image``, ``audio``,
``timeseries``, ``tabular``, ``graph``); this plugin declares only the
``token_embeddings`` modality its FreeLB op works on.
"""

from __future__ import annotations

from omniaug import Modality, hookimpl

from .mixers import ImageBackdoor, TimeSeriesBackdoor, WaveformBackdoor
from .modality import TOKEN_EMBEDDINGS
from .ops.graph import GraphFLAG, GraphPGD
from .ops.tensor import (
    ImageFGSM,
    ImagePGD,
    TabularFGSM,
    TabularPGD,
    TimeSeriesFGSM,
    TimeSeriesPGD,
    WaveformFGSM,
    WaveformPGD,
)
from .ops.text import EmbeddingFGSM, EmbeddingPGD

OPS: list[type] = [
    ImageFGSM,
    ImagePGD,
    TimeSeriesFGSM,
    TimeSeriesPGD,
    WaveformFGSM,
    WaveformPGD,
    TabularFGSM,
    TabularPGD,
    EmbeddingFGSM,
    EmbeddingPGD,
    GraphFLAG,
    GraphPGD,
]


MIXERS: list[type] = [ImageBackdoor, TimeSeriesBackdoor, WaveformBackdoor]


@hookimpl
def omniaug_register_mixers() -> list[type]:
    return list(MIXERS)


@hookimpl
def omniaug_register_modalities() -> list[Modality]:
    return [TOKEN_EMBEDDINGS]


@hookimpl
def omniaug_register_augmentations() -> list[type]:
    return list(OPS)
