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
from .base import AdversarialOp
from .graph import GraphFLAG, GraphPGD
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
from .render import render_attack
from .text import TOKEN_EMBEDDINGS, EmbeddingBatch, EmbeddingFGSM, EmbeddingPGD, embedding_batch, embedding_forward
from .triggers import ImageBackdoor, TimeSeriesBackdoor, WaveformBackdoor

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
