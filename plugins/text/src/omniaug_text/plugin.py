"""omniaug hook implementations of omniaug-text (entry point ``text``)."""

from __future__ import annotations

from typing import Any

from omniaug import Augmentation, Mixer, Modality, Preset, hookimpl

from .mixers import EmbeddingMixUp, TokenCutMix
from .modality import EMBEDDING, TEXT, TOKENS, example_tokens
from .ops import chars, tokens, words
from .presets import PRESETS
from .samples import SENTENCES

OPS: list[type[Augmentation]] = [
    words.SynonymReplacement,
    words.RandomInsertion,
    words.RandomSwap,
    words.RandomDeletion,
    words.AntonymReplacement,
    words.PunctuationInsertion,
    words.WordSplit,
    words.SpellingMistake,
    words.SentenceShuffle,
    chars.KeyboardTypo,
    chars.OCRError,
    chars.Homoglyph,
    chars.CharInsert,
    chars.CharSubstitute,
    chars.CharSwap,
    chars.CharDelete,
    tokens.TokenDropout,
    tokens.TokenMasking,
    tokens.RandomTokenReplace,
    tokens.SpanMasking,
    tokens.LocalShuffle,
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
