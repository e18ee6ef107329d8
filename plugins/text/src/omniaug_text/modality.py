"""The three modalities of omniaug-text: ``text``, ``tokens`` and ``embedding``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from omniaug import InputError, Modality, rng
from omniaug.files import check_paths, require_paths

from .batch import TokenBatch
from .render import render_text
from .samples import SENTENCES

__all__ = ["EMBEDDING", "TEXT", "TOKENS", "validate_embedding", "validate_text", "validate_tokens"]

# ----------------------------------------------------------------------------- text


def validate_text(x: Any) -> None:
    """A text batch is a ``list`` of ``str``, one string per sample."""
    if isinstance(x, str):
        raise InputError("x", "a list of strings (one per sample), not a single string; wrap it as [text]", x)
    if not isinstance(x, list):
        raise InputError("x", "a list of strings (one per sample)", x)
    for i, s in enumerate(x):
        if not isinstance(s, str):
            raise InputError(f"x[{i}]", "a str", s)


def example_text(batch_size: int = 4, *, generator: torch.Generator | None = None, device: Any = "cpu") -> list[str]:
    idx = rng.randint(batch_size, 0, len(SENTENCES), generator=generator)
    return [SENTENCES[i] for i in idx.tolist()]


def text_variants(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: Any = "cpu"
) -> dict[str, Any]:
    """Valid text batches policies and presets must take: sentences, one word, empty, NFD accents, Hindi, emoji."""
    import unicodedata

    def take(pool: list[str]) -> list[str]:
        return [pool[i % len(pool)] for i in range(batch_size)]

    return {
        "sentences": example_text(batch_size, generator=generator),
        "one word": take(["Hello", "yes", "x", "Wonderful!"]),
        "empty and blank": take(["", " ", "\n", "..."]),
        "decomposed accents (NFD)": take(
            [unicodedata.normalize("NFD", t) for t in ("Ça va très bien, merci.", "Le café crème est prêt à côté.")]
        ),
        "Hindi": take(["मैं आज घर जा रहा हूँ और कल वापस आऊँगा।", "हिन्दी भाषा बहुत सुंदर है।"]),
        "emoji": take(["Great job 👍🏽 team", "My family 👨‍👩‍👧 is here 🇫🇷"]),
    }


def _bad_text() -> list[Any]:
    return ["a single string", ["ok", 3], torch.zeros(2, 3), ("a", "tuple")]


def load_text(paths: Sequence[Path]) -> list[str]:
    """Read UTF-8 text files, one sample each."""
    return [p.read_text(encoding="utf-8") for p in require_paths(paths, "text file", where="text.load")]


def save_text(x: list[str], paths: Sequence[Path]) -> None:
    """Write each sample to its path (UTF-8)."""
    for text, p in zip(x, check_paths(paths, len(x), where="text.save")):
        p.write_text(text, encoding="utf-8")


TEXT = Modality(
    name="text",
    payload="list[str], one string per sample",
    validate=validate_text,
    example=example_text,
    render=render_text,
    load=load_text,
    save=save_text,
    file_patterns=("*.txt",),
    files="omniaug_text.files:FILES",
    bad_examples=_bad_text,
    example_variants=text_variants,
    description="Raw text; ops keep case, punctuation, spacing and protected tokens unless asked otherwise.",
)

# ----------------------------------------------------------------------------- tokens


def validate_tokens(x: Any) -> None:
    """A :class:`TokenBatch` with integer ``(B, L)`` ids and a matching attention mask."""
    if not isinstance(x, TokenBatch):
        raise InputError("x", "an omniaug_text.TokenBatch(ids (B, L), attention_mask (B, L), ...)", x)
    ids, mask = x.ids, x.attention_mask
    if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.dtype.is_floating_point or ids.dtype == torch.bool:
        raise InputError("x.ids", "an integer tensor of shape (B, L)", ids)
    if not isinstance(mask, torch.Tensor) or mask.shape != ids.shape:
        raise InputError("x.attention_mask", f"a tensor of shape {tuple(ids.shape)} like ids", mask)
    if mask.device != ids.device:
        raise InputError("x.attention_mask", f"on the device of ids ({ids.device})", mask)
    if ids.numel() and bool((ids < 0).any()):
        raise InputError("x.ids", "non-negative token ids", ids)
    if x.vocab_size is not None and ids.numel() and bool((ids >= x.vocab_size).any()):
        raise InputError("x.ids", f"ids below vocab_size={x.vocab_size}", ids)
    if x.padding_side not in ("right", "left"):
        raise InputError("x.padding_side", "'right' or 'left'", x.padding_side)


SPECIAL_EXAMPLE = (1, 2)  # [CLS]=1, [SEP]=2 in the synthetic example vocabulary; 0 is padding, 3 is [MASK]


def example_tokens(batch_size: int = 4, *, generator: torch.Generator | None = None, device: Any = "cpu") -> TokenBatch:
    """Synthetic BERT-like batch: ``[CLS] w … w [SEP]`` then padding, lengths 6–16, vocab 100."""
    length = 16
    lengths = rng.randint(batch_size, 6, length + 1, generator=generator, device=device)
    words = rng.randint(batch_size, 4, 100, shape=(length,), generator=generator, device=device)
    pos = torch.arange(length, device=device).unsqueeze(0)
    ids = torch.where(pos < lengths.unsqueeze(1), words, torch.zeros_like(words))
    ids[:, 0] = 1
    ids = torch.where(pos == (lengths - 1).unsqueeze(1), torch.full_like(ids, 2), ids)
    mask = (pos < lengths.unsqueeze(1)).long()
    return TokenBatch(ids, mask, frozenset(SPECIAL_EXAMPLE), pad_id=0, mask_id=3, vocab_size=100)


def token_variants(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: Any = "cpu"
) -> dict[str, Any]:
    """Valid token batches: BERT-like, left-padded, one word between [CLS] and [SEP], special tokens only."""
    import dataclasses

    ex = example_tokens(batch_size, generator=generator, device=device)
    one = torch.tensor([[1, 7, 2]], device=device).expand(batch_size, 3).contiguous()
    only = torch.tensor([[1, 2]], device=device).expand(batch_size, 2).contiguous()
    return {
        "example": ex,
        "left padded": dataclasses.replace(
            ex, ids=ex.ids.flip(1), attention_mask=ex.attention_mask.flip(1), padding_side="left"
        ),
        "one word": dataclasses.replace(ex, ids=one, attention_mask=torch.ones_like(one)),
        "special tokens only": dataclasses.replace(ex, ids=only, attention_mask=torch.ones_like(only)),
    }


def _bad_tokens() -> list[Any]:
    good = torch.ones(2, 4, dtype=torch.long)
    return [
        good,
        TokenBatch(good.float(), good),
        TokenBatch(good[0], good[0]),
        TokenBatch(good, torch.ones(2, 5, dtype=torch.long)),
        TokenBatch(-good, good),
    ]


def render_tokens(original: TokenBatch, views: Sequence[TokenBatch], path: Path) -> Path:
    as_text = [" ".join(map(str, row)) for row in original.to_lists()]
    return render_text(as_text, [[" ".join(map(str, r)) for r in v.to_lists()] for v in views], path)


TOKENS = Modality(
    name="tokens",
    payload="omniaug_text.TokenBatch: ids (B, L) int, attention_mask (B, L), special_ids, pad/mask id, vocab_size",
    validate=validate_tokens,
    example=example_tokens,
    render=render_tokens,
    bad_examples=_bad_tokens,
    example_variants=token_variants,
    description="Token ids next to a model; ops are vectorized on the ids' device and never touch padding or special ids.",
)

# ----------------------------------------------------------------------------- embedding


def validate_embedding(x: Any) -> None:
    """A float tensor ``(B, D)`` (sentence embeddings) or ``(B, L, D)`` (hidden states)."""
    if not isinstance(x, torch.Tensor) or not x.dtype.is_floating_point or x.dim() not in (2, 3):
        raise InputError("x", "a float tensor (B, D) or (B, L, D) of embeddings / hidden states", x)


def example_embedding(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: Any = "cpu"
) -> torch.Tensor:
    return rng.normal(batch_size, shape=(12, 8), generator=generator, device=device)


def _bad_embedding() -> list[Any]:
    return [torch.zeros(2, 3, dtype=torch.long), torch.zeros(4), torch.zeros(2, 3, 4, 5), ["not", "a", "tensor"]]


EMBEDDING = Modality(
    name="embedding",
    payload="float Tensor (B, D) or (B, L, D): embeddings or hidden states",
    validate=validate_embedding,
    example=example_embedding,
    bad_examples=_bad_embedding,
    description="Continuous text representations for MixUp-style mixers.",
)
