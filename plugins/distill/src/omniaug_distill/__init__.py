"""omniaug-distill: dataset distillation with Siamese augmentation on any tensor modality.

* :func:`distill` — distribution matching (``method="dm"``) or gradient matching
  with DSA (``method="dc"``), ``ipc`` synthetic samples per class;
* :class:`SyntheticSet` — the result, saved as tensors + labels + the exact pipeline (YAML);
* :func:`evaluate` — accuracy of fresh networks trained only on a set;
* :func:`check_differentiable` — refuses pipelines with ops gradients cannot pass.
"""

from __future__ import annotations

from .evaluate import Evaluation, accuracy, evaluate, train_classifier
from .methods import DistillSettings, distill
from .networks import DistillNet, make_network
from .siamese import check_differentiable, draw_group_params, non_differentiable_ops, replay_groups
from .synthetic import SyntheticSet

__all__ = [
    "DistillNet",
    "DistillSettings",
    "Evaluation",
    "SyntheticSet",
    "accuracy",
    "check_differentiable",
    "distill",
    "draw_group_params",
    "evaluate",
    "make_network",
    "non_differentiable_ops",
    "replay_groups",
    "train_classifier",
]
