"""Mixers with soft labels: MixUp on embeddings / hidden states and token-level CutMix."""

from __future__ import annotations

import dataclasses
from typing import Any

import torch

from omniaug import Mixer, Params, rng

from .batch import TokenBatch
from .modality import EMBEDDING, TOKENS

__all__ = ["EmbeddingMixUp", "TokenCutMix"]


class EmbeddingMixUp(Mixer):
    """MixUp on continuous text representations (Guo et al. 2019, "Augmenting Data with Mixup for Sentence Classification").

    ``x`` is ``(B, D)`` sentence embeddings or ``(B, L, D)`` hidden states (the caller
    hands the tensor, e.g. from an embedding layer). Each sample becomes
    ``λ·x + (1-λ)·partner`` and its label weight is ``λ``.
    """

    name = "embedding.mixup"
    modality = EMBEDDING

    def __init__(
        self, alpha: float = 0.2, *, p: float = 1.0, num_classes: int | None = None, label_smoothing: float = 0.0
    ) -> None:
        # α = 0.2: the MixUp default of every plugin (Zhang et al. 2018, ImageNet setting)
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)

    def mix(self, x: torch.Tensor, partners: list[torch.Tensor], params: Params) -> tuple[torch.Tensor, torch.Tensor]:
        lam = params["lam"].to(x.dtype).reshape(-1, *([1] * (x.dim() - 1)))
        return lam * x + (1 - lam) * partners[0], params["lam"]


class TokenCutMix(Mixer):
    """Token-level CutMix of two sequences (a text analogue of Yun et al. 2019).

    For sample ``i`` with ``n_i`` editable tokens and partner ``j`` with ``n_j``, a
    run of ``m = round((1-λ)·min(n_i, n_j))`` consecutive editable tokens of the
    partner replaces a run of ``m`` editable tokens of ``i`` (random starts). The
    length, padding and special tokens of ``i`` do not change. The label weight of
    ``i`` is the fraction of its editable tokens it kept, ``1 - m / n_i`` — the share
    actually taken, not the drawn λ.
    """

    name = "tokens.cutmix"
    modality = TOKENS

    def draw(
        self, x: TokenBatch, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "start_u": rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device),
            "partner_start_u": rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device),
        }

    def mix(self, x: TokenBatch, partners: list[TokenBatch], params: Params) -> tuple[TokenBatch, torch.Tensor]:
        other = partners[0]
        ids = x.ids
        length = ids.shape[1]
        pos = torch.arange(length, device=ids.device).unsqueeze(0)
        edit_x, edit_p = x.editable(), other.editable()
        n_x, n_p = edit_x.sum(1), edit_p.sum(1)
        lam = params["lam"].to(ids.device)
        m = torch.round((1 - lam) * torch.minimum(n_x, n_p).to(lam.dtype)).long()
        start_x = torch.floor(params["start_u"].to(ids.device) * (n_x - m + 1).to(lam.dtype)).long().clamp_min(0)
        start_x = torch.minimum(start_x, (n_x - m).clamp_min(0))
        start_p = (
            torch.floor(params["partner_start_u"].to(ids.device) * (n_p - m + 1).to(lam.dtype)).long().clamp_min(0)
        )
        start_p = torch.minimum(start_p, (n_p - m).clamp_min(0))
        # positions of the editable tokens, in order, then the others
        where_x = torch.where(edit_x, pos, pos + length).argsort(dim=1, stable=True)
        where_p = torch.where(edit_p, pos, pos + other.ids.shape[1]).argsort(dim=1, stable=True)
        k = pos.expand_as(ids)
        active = k < m.unsqueeze(1)
        target = where_x.gather(1, (start_x.unsqueeze(1) + k).clamp_max(length - 1))
        source = where_p.gather(1, (start_p.unsqueeze(1) + k).clamp_max(other.ids.shape[1] - 1))
        values = other.ids.gather(1, source.clamp_max(other.ids.shape[1] - 1))
        # inactive writes go to a spare column so they never collide with real ones
        padded = torch.cat([ids, ids[:, :1]], dim=1)
        target = torch.where(active, target, torch.full_like(target, length))
        out = padded.scatter(1, target, torch.where(active, values, padded.gather(1, target)))[:, :length]
        kept = 1.0 - m.to(lam.dtype) / n_x.clamp_min(1).to(lam.dtype)
        return dataclasses.replace(x, ids=out), kept
