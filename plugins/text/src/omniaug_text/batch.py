"""The ``tokens`` payload: token ids with an attention mask, for ops that run next to a model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

__all__ = ["TokenBatch"]


@dataclass(frozen=True, eq=False)
class TokenBatch:
    """A batch of token-id sequences, padded to a common length ``L``.

    Attributes:
        ids: ``(B, L)`` integer token ids.
        attention_mask: ``(B, L)`` 1/True at real tokens, 0/False at padding.
        special_ids: ids never changed, dropped or reordered ([CLS], [SEP], <s>, …), shared by the
            batch. Ops that remove tokens (``tokens.dropout``) close the sequence up, so a
            special token after a removed one moves left with the rest: ``[SEP]`` stays right
            after the last kept token. Ops that only permute (``tokens.local_shuffle``) leave
            special tokens at their index.
        pad_id: id written where an op removes a token.
        mask_id: id of the mask token (for masking ops), if the vocabulary has one.
        vocab_size: ids are in ``[0, vocab_size)`` (needed by random-token replacement).
        padding_side: ``"right"`` or ``"left"``; ops that drop tokens keep this side.
    """

    ids: torch.Tensor
    attention_mask: torch.Tensor
    special_ids: frozenset[int] = field(default_factory=frozenset)
    pad_id: int = 0
    mask_id: int | None = None
    vocab_size: int | None = None
    padding_side: str = "right"

    @classmethod
    def from_lists(
        cls,
        sequences: Sequence[Sequence[int]],
        *,
        pad_id: int = 0,
        special_ids: Sequence[int] = (),
        mask_id: int | None = None,
        vocab_size: int | None = None,
        device: torch.device | str = "cpu",
    ) -> TokenBatch:
        """Right-pad Python lists of ids into a batch (collation helper, not an op)."""
        length = max((len(s) for s in sequences), default=0)
        ids = torch.full((len(sequences), length), pad_id, dtype=torch.long)
        mask = torch.zeros((len(sequences), length), dtype=torch.long)
        for i, s in enumerate(sequences):
            ids[i, : len(s)] = torch.as_tensor(list(s), dtype=torch.long)
            mask[i, : len(s)] = 1
        return cls(ids.to(device), mask.to(device), frozenset(int(s) for s in special_ids), pad_id, mask_id, vocab_size)

    @property
    def lengths(self) -> torch.Tensor:
        """``(B,)`` number of real (non-padding) tokens per sample."""
        return self.attention_mask.ne(0).sum(1)

    def editable(self) -> torch.Tensor:
        """``(B, L)`` bool: real tokens that are not special ids (what ops may change)."""
        valid = self.attention_mask.ne(0)
        if self.special_ids:
            special = torch.tensor(sorted(self.special_ids), dtype=self.ids.dtype, device=self.ids.device)
            valid = valid & ~torch.isin(self.ids, special)
        return valid

    def to_lists(self) -> list[list[int]]:
        """The real tokens of every sample as Python lists (for inspection and tests)."""
        keep = self.attention_mask.ne(0)
        return [row[m].tolist() for row, m in zip(self.ids, keep)]
