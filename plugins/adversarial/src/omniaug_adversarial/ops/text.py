"""Adversarial perturbation of token embeddings under the attention mask (FreeLB's ascent, Zhu et al. 2020).

The payload and the model wrapper are in :mod:`omniaug_adversarial.modality`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import torch

from omniaug import Magnitude

from ..attack import Surface
from ..modality import TOKEN_EMBEDDINGS, EmbeddingBatch
from .base import AdversarialOp

__all__ = ["EmbeddingFGSM", "EmbeddingPGD"]


class _EmbeddingAttack(AdversarialOp):
    modality = TOKEN_EMBEDDINGS
    magnitude = Magnitude("eps", 0.0, 2.0)

    def surface(self, x: Any) -> Surface:
        def rebuild(v: torch.Tensor) -> EmbeddingBatch:
            return replace(x, delta=v)

        return Surface(x.delta, rebuild, mask=x.attention_mask.unsqueeze(-1).to(x.delta.dtype))


class EmbeddingPGD(_EmbeddingAttack):
    """PGD on token embeddings under the attention mask (FreeLB's ascent: ``norm="l2"``, ε over a sample's tokens)."""

    name = "token_embeddings.pgd"

    def __init__(
        self,
        eps: float | tuple[float, float] = 1.0,
        *,
        norm: str = "l2",
        steps: int = 3,
        step_size: float = 0.5,
        random_start: bool = True,
        targeted: bool = False,
        early_stop: bool = False,
        keep_best: bool = False,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=steps, step_size=step_size, random_start=random_start, targeted=targeted,
            early_stop=early_stop, keep_best=keep_best, p=p,
        )  # fmt: skip


class EmbeddingFGSM(_EmbeddingAttack):
    """FGSM on token embeddings under the attention mask."""

    name = "token_embeddings.fgsm"

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.05,
        *,
        norm: str = "linf",
        step_size: float = 1.0,
        random_start: bool = False,
        targeted: bool = False,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=1, step_size=step_size, random_start=random_start, targeted=targeted,
            keep_best=False, p=p,
        )  # fmt: skip
