"""Token-id ops on :class:`TokenBatch`, vectorized on the ids' device.

Every op changes only *editable* positions: real tokens (attention mask set) whose
id is not one of the batch's ``special_ids``. Padding and special tokens are never
changed or dropped, and their order relative to the other tokens is kept. Ops that
remove tokens (:class:`TokenDropout`) close the sequence up and keep the padding on
its side, so every token after a removed one — a trailing ``[SEP]`` included — moves
left by the number removed before it; the other ops leave special tokens at their index. There is no
Python loop over the batch and no host round trip: per-sample draws are ``(B, L)``
uniforms and the kernels are gathers, scatters, sorts and cumulative maxima.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import torch

from omniaug import Augmentation, InputError, Magnitude, Params, args, rng

from ..batch import TokenBatch
from ..modality import TOKENS

__all__ = ["LocalShuffle", "RandomTokenReplace", "SpanMasking", "TokenDropout", "TokenMasking"]


def _optional_id(name: str, value: int | None, where: str) -> int | None:
    return None if value is None else args.integer(name, value, low=0, where=where)


class _TokenOp(Augmentation):
    modality = TOKENS
    magnitude = Magnitude("rate", 0.0, 0.3)

    def __init__(self, rate: float = 0.1, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=type(self).__name__)

    def draw(
        self, x: TokenBatch, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"u": rng.uniform(batch_size, 0.0, 1.0, shape=(x.ids.shape[1],), generator=generator, device=device)}


class TokenDropout(_TokenOp):
    """Remove each editable token with probability ``rate``; the rest close up, padding fills the end.

    Like EDA's deletion: a sample with at most one editable token is left alone and
    a sample never loses all of them (the token with the largest draw stays).
    Special tokens are never dropped but do move: ``[CLS] a b c [SEP]`` with ``b``
    dropped becomes ``[CLS] a c [SEP] [PAD]`` (``[SEP]`` one place left).
    """

    name = "tokens.dropout"

    def kernel(self, x: TokenBatch, params: Params) -> TokenBatch:
        u: torch.Tensor = params["u"]
        ids, real = x.ids, x.attention_mask.ne(0)
        edit = x.editable()
        drop = edit & (u < self.rate)
        n_edit = edit.sum(1, keepdim=True)
        drop = drop & (n_edit > 1)
        emptied = drop.sum(1, keepdim=True) == n_edit
        pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0)
        survivor = torch.where(edit, u, torch.full_like(u, -1.0)).argmax(1, keepdim=True)
        drop = drop & ~(emptied & (pos == survivor))
        keep = real & ~drop
        length = ids.shape[1]
        # stable compaction: kept tokens keep their order and move to the non-padding side
        key = (
            torch.where(keep, pos, pos + length) if x.padding_side == "right" else torch.where(keep, pos + length, pos)
        )
        order = key.argsort(dim=1, stable=True)
        new_keep = keep.gather(1, order)
        new_ids = torch.where(new_keep, ids.gather(1, order), torch.full_like(ids, x.pad_id))
        return dataclasses.replace(x, ids=new_ids, attention_mask=new_keep.to(x.attention_mask.dtype))


class TokenMasking(_TokenOp):
    """Replace each editable token by ``mask_id`` with probability ``rate`` (BERT-style input masking)."""

    name = "tokens.masking"

    def __init__(
        self, rate: float = 0.15, *, mask_id: int | None = None, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(rate, p=p, same_on_batch=same_on_batch)
        self.mask_id = _optional_id("mask_id", mask_id, "TokenMasking")

    def check(self, x: TokenBatch) -> None:
        if self.mask_id is None and x.mask_id is None:
            raise InputError("mask_id", "set on the op or on the TokenBatch", None, where=self.name)

    def kernel(self, x: TokenBatch, params: Params) -> TokenBatch:
        mask_id = self.mask_id if self.mask_id is not None else x.mask_id
        hit = x.editable() & (params["u"] < self.rate)
        return dataclasses.replace(x, ids=torch.where(hit, torch.full_like(x.ids, int(mask_id)), x.ids))  # type: ignore[arg-type]


class RandomTokenReplace(_TokenOp):
    """Replace each editable token with probability ``rate`` by a uniformly random id of the vocabulary.

    Special ids, the padding id and the mask id are never drawn: a uniform integer
    over the ``V - k`` allowed ids is shifted past the ``k`` excluded ones with one
    ``searchsorted`` (no rejection loop).
    """

    name = "tokens.random_replace"

    def __init__(
        self, rate: float = 0.1, *, vocab_size: int | None = None, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(rate, p=p, same_on_batch=same_on_batch)
        self.vocab_size = (
            None if vocab_size is None else args.integer("vocab_size", vocab_size, low=2, where="RandomTokenReplace")
        )

    def check(self, x: TokenBatch) -> None:
        if self.vocab_size is None and x.vocab_size is None:
            raise InputError("vocab_size", "set on the op or on the TokenBatch", None, where=self.name)

    def draw(
        self, x: TokenBatch, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        drawn = super().draw(x, batch_size, generator=generator, device=device)
        drawn["r"] = rng.uniform(batch_size, 0.0, 1.0, shape=(x.ids.shape[1],), generator=generator, device=device)
        return drawn

    def kernel(self, x: TokenBatch, params: Params) -> TokenBatch:
        vocab = self.vocab_size if self.vocab_size is not None else int(x.vocab_size)  # type: ignore[arg-type]
        excluded = sorted(i for i in {*x.special_ids, x.pad_id, x.mask_id} if i is not None and 0 <= i < vocab)
        ids = x.ids
        r = (params["r"].to(torch.float64) * (vocab - len(excluded))).long().clamp_max(vocab - len(excluded) - 1)
        if excluded:
            ex = torch.tensor(excluded, dtype=torch.long, device=ids.device)
            shifted = ex - torch.arange(len(excluded), device=ids.device)
            r = r + torch.searchsorted(shifted, r, right=True)
        hit = x.editable() & (params["u"] < self.rate)
        return dataclasses.replace(x, ids=torch.where(hit, r.to(ids.dtype), ids))


class SpanMasking(_TokenOp):
    """Mask contiguous spans (SpanBERT-style) covering about ``rate`` of the tokens.

    Span starts are drawn per position with probability ``rate / mean_span``; span
    lengths are geometric with mean ``mean_span``, clipped to ``max_span``. A
    position is covered when a span that started at or before it reaches past it
    (one ``cummax`` over the span ends); only editable tokens are masked.
    """

    name = "tokens.span_masking"

    def __init__(
        self,
        rate: float = 0.15,
        *,
        mean_span: float = 3.0,
        max_span: int = 10,
        mask_id: int | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(rate, p=p, same_on_batch=same_on_batch)
        self.mean_span = args.finite("mean_span", mean_span, low=1.0, where="SpanMasking")
        self.max_span = args.integer("max_span", max_span, low=1, where="SpanMasking")
        self.mask_id = _optional_id("mask_id", mask_id, "SpanMasking")

    def check(self, x: TokenBatch) -> None:
        if self.mask_id is None and x.mask_id is None:
            raise InputError("mask_id", "set on the op or on the TokenBatch", None, where=self.name)

    def draw(
        self, x: TokenBatch, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        drawn = super().draw(x, batch_size, generator=generator, device=device)
        drawn["length_u"] = rng.uniform(
            batch_size, 0.0, 1.0, shape=(x.ids.shape[1],), generator=generator, device=device
        )
        return drawn

    def span_lengths(self, length_u: torch.Tensor) -> torch.Tensor:
        """Geometric span lengths on ``{1, 2, …}`` with mean ``mean_span``, clipped to ``max_span``."""
        if self.mean_span == 1.0:
            return torch.ones_like(length_u, dtype=torch.long)
        q = 1.0 - 1.0 / self.mean_span  # P(length > k) = q^k
        lengths = 1 + torch.floor(torch.log1p(-length_u.clamp_max(1 - 1e-7)) / math.log(q))
        return lengths.long().clamp(1, self.max_span)

    def kernel(self, x: TokenBatch, params: Params) -> TokenBatch:
        mask_id = self.mask_id if self.mask_id is not None else x.mask_id
        ids = x.ids
        pos = torch.arange(ids.shape[1], device=ids.device).unsqueeze(0).expand_as(ids)
        starts = params["u"] < (self.rate / self.mean_span)
        ends = torch.where(starts, pos + self.span_lengths(params["length_u"]), torch.full_like(pos, -1))
        covered = ends.cummax(dim=1).values > pos
        hit = covered & x.editable()
        return dataclasses.replace(x, ids=torch.where(hit, torch.full_like(ids, int(mask_id)), ids))  # type: ignore[arg-type]


class LocalShuffle(_TokenOp):
    """Shuffle editable tokens locally: none moves more than ``window`` places among the editable ones.

    Lample et al. 2018 ("Unsupervised MT using monolingual corpora only"): sort the
    editable tokens by ``rank + U(0, window + 1)``. Special tokens and padding keep
    their positions; editable tokens are permuted among the editable positions.
    """

    name = "tokens.local_shuffle"
    magnitude = Magnitude("window", 0, 6, integer=True)

    def __init__(self, window: int = 3, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(0.0, p=p, same_on_batch=same_on_batch)
        self.window = args.integer("window", window, low=0, where="LocalShuffle")

    def kernel(self, x: TokenBatch, params: Params) -> TokenBatch:
        ids = x.ids
        length = ids.shape[1]
        edit = x.editable()
        pos = torch.arange(length, device=ids.device).unsqueeze(0).expand_as(ids)
        rank = edit.long().cumsum(1) - 1
        noisy = rank.to(params["u"].dtype) + params["u"] * (self.window + 1)
        big = float(2 * length + self.window + 2)
        src = torch.where(edit, noisy, big + pos.to(noisy.dtype)).argsort(dim=1, stable=True)
        dst = torch.where(edit, pos, pos + length).argsort(dim=1, stable=True)
        # editable sources fill editable destinations in order; the others map to themselves
        out = torch.empty_like(ids).scatter_(1, dst, ids.gather(1, src))
        return dataclasses.replace(x, ids=out)
