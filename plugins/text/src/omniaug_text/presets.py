"""Ready-made text pipelines registered as presets."""

from __future__ import annotations

from typing import Any

from omniaug import Compose, OneOf, Preset

from .ops.chars import CharDelete, CharInsert, CharSubstitute, CharSwap, KeyboardTypo, OCRError
from .ops.tokens import LocalShuffle, TokenDropout
from .ops.words import RandomDeletion, RandomInsertion, RandomSwap, SynonymReplacement

__all__ = ["PRESETS", "eda", "noise", "tokens_default"]


def eda(rate: float = 0.1, *, faithful: bool = False, **kwargs: Any) -> OneOf:
    """EDA as in the paper: each sentence gets one of the four ops (SR, RI, RS, RD) at ``rate`` (the paper's α)."""
    return OneOf(
        [
            SynonymReplacement(rate, faithful=faithful, **kwargs),
            RandomInsertion(rate, faithful=faithful, **kwargs),
            RandomSwap(rate, faithful=faithful, **kwargs),
            RandomDeletion(rate, faithful=faithful, **kwargs),
        ]
    )


def noise(rate: float = 0.05, **kwargs: Any) -> OneOf:
    """Character noise: one of keyboard typos, OCR errors or a random insert/substitute/swap/delete per sentence."""
    return OneOf(
        [
            KeyboardTypo(rate, **kwargs),
            OCRError(2 * rate, **kwargs),
            CharSubstitute(rate, **kwargs),
            CharInsert(rate, **kwargs),
            CharSwap(rate, **kwargs),
            CharDelete(rate, **kwargs),
        ]
    )


def tokens_default(rate: float = 0.1, window: int = 3) -> Compose:
    """Token-id noise that needs neither a mask id nor a vocabulary size: dropout then local shuffle."""
    return Compose([TokenDropout(rate), LocalShuffle(window)])


PRESETS = [
    Preset(
        "text.default",
        "text",
        eda,
        "EDA (Wei & Zou 2019): one of synonym/insert/swap/delete per sentence, rate=0.1 (the paper's α), format-preserving",
    ),
    Preset(
        "text.eda_faithful",
        "text",
        lambda **kw: eda(faithful=True, **kw),
        "EDA exactly as the paper's code: lower-cased, punctuation stripped",
    ),
    Preset("text.noise", "text", noise, "character noise: keyboard typos, OCR errors, random character edits"),
    Preset("tokens.default", "tokens", tokens_default, "token dropout (10 %) then local shuffle within 3 positions"),
]
