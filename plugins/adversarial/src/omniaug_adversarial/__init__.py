"""omniaug-adversarial: model-aware adversarial perturbations for omniaug.

FGSM, FGSM with random start (fast adversarial training) and PGD with L∞ and L2
balls on every continuous modality, each inside its valid domain, with
per-sample ε, targeted or untargeted, early stop per sample. The model is
handed in at call time (``op(x, generator=g, model=omniaug.ModelContext(model,
loss_fn, targets))``); the perturbation δ is the op's params, so
``op(x, params=params)`` replays it without the model.
"""

from __future__ import annotations

from .attack import Surface, perturb, predicted_success
from .mixers import ImageBackdoor, TimeSeriesBackdoor, WaveformBackdoor
from .modality import TOKEN_EMBEDDINGS, EmbeddingBatch, embedding_batch, embedding_forward
from .ops.base import AdversarialOp
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
from .render import render_attack

__all__ = [
    "TOKEN_EMBEDDINGS",
    "AdversarialOp",
    "EmbeddingBatch",
    "EmbeddingFGSM",
    "EmbeddingPGD",
    "GraphFLAG",
    "GraphPGD",
    "ImageBackdoor",
    "TimeSeriesBackdoor",
    "WaveformBackdoor",
    "ImageFGSM",
    "ImagePGD",
    "Surface",
    "TabularFGSM",
    "TabularPGD",
    "TimeSeriesFGSM",
    "TimeSeriesPGD",
    "WaveformFGSM",
    "WaveformPGD",
    "embedding_batch",
    "embedding_forward",
    "perturb",
    "predicted_success",
    "render_attack",
]
