"""omniaug-text: batched, seeded, format-preserving text augmentation, fully offline.

Modalities: ``text`` (``list[str]``), ``tokens`` (:class:`TokenBatch` of token ids
with an attention mask) and ``embedding`` (float tensors ``(B, D)`` / ``(B, L, D)``
for MixUp on hidden states). Ops are registered through the ``omniaug`` entry point.
"""

from __future__ import annotations

from .batch import TokenBatch
from .segment import DEFAULT_PROTECTED

__all__ = ["DEFAULT_PROTECTED", "TokenBatch"]
