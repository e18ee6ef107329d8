"""omniaug hook implementations of omniaug-text (entry point ``text``)."""

from __future__ import annotations

from typing import Any

from omniaug import Augmentation, Mixer, Modality, Preset, hookimpl

from . import char_ops, token_ops, word_ops
from .mixers import EmbeddingMixUp, TokenCutMix
from .modalities import EMBEDDING, TEXT, TOKENS, example_tokens
from .presets import PRESETS
from .samples import SENTENCES

OPS: list[type[Augmentation]] = [
    word_ops.SynonymReplacement,
    word_ops.RandomInsertion,
    word_ops.RandomSwap,
    word_ops.RandomDeletion,
    word_ops.AntonymReplacement,
    word_ops.PunctuationInsertion,
    word_ops.WordSplit,
    word_ops.SpellingMistake,
    word_ops.SentenceShuffle,
    char_ops.KeyboardTypo,
    char_ops.OCRError,
    char_ops.Homoglyph,
    char_ops.CharInsert,
    char_ops.CharSubstitute,
    char_ops.CharSwap,
    char_ops.CharDelete,
    token_ops.TokenDropout,
    token_ops.TokenMasking,
    token_ops.RandomTokenReplace,
    token_ops.SpanMasking,
    token_ops.LocalShuffle,
]
MIXERS: list[type[Mixer]] = [EmbeddingMixUp, TokenCutMix]


@hookimpl
def omniaug_register_modalities() -> list[Modality]:
    return [TEXT, TOKENS, EMBEDDING]


@hookimpl
def omniaug_register_augmentations() -> list[type[Augmentation]]:
    return list(OPS)


@hookimpl
def omniaug_register_mixers() -> list[type[Mixer]]:
    return list(MIXERS)


@hookimpl
def omniaug_register_presets() -> list[Preset]:
    return list(PRESETS)


@hookimpl
def omniaug_example_data(modality: str) -> Any:
    if modality == "text":
        return list(SENTENCES[:8])
    if modality == "tokens":
        return example_tokens(8)
    return None
