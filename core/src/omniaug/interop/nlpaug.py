"""nlpaug → omniaug: the mapping table and :func:`from_nlpaug`.

nlpaug picks ``aug_word_p`` of the words (clamped to ``[aug_word_min,
aug_word_max]``) and then ``aug_char_p`` of each picked word's characters;
omniaug's character ops pick every character independently with one ``rate``.
Mapped character ops use ``rate = aug_word_p × aug_char_p`` (the same expected
share of edited characters, without the caps): they are approximate. nlpaug
draws inside the call from Python's ``random`` and returns no params, so no
mapping can be replayed sample for sample; the tests compare edit rates and
check that every edit comes from nlpaug's own tables.
"""

from __future__ import annotations

from typing import Any

from ._convert import Conversion, PeerConverter, check_kind
from ._peers import require
from ._table import Arg, Mapping, refuse
from ._wrap import WrappedNlpaug

__all__ = ["MAPPINGS", "WRAPPED", "CONVERTER", "convert", "from_nlpaug"]

_CHAR_NOTE = (
    "one rate per character = aug_word_p × aug_char_p; nlpaug edits at least aug_char_min characters of each"
    " picked word, so on short words its rate is higher (measured 1.2–2.5× on conversational English)."
)
_CHECK = "not replayable (nlpaug returns no params): edit rates on real text compared (within the band the note states), and every edit is one nlpaug's table allows."


def _rate(word_p: Any, char_p: Any) -> float:
    return float(word_p) * float(char_p)


_RATE = Arg(("aug_word_p", "aug_char_p"), _rate, "`aug_word_p × aug_char_p`")


def _action(expected: str) -> Arg:
    return Arg(("action",), lambda a: None if a == expected else refuse(f"action={a!r}"), f"action='{expected}'")


def _layout(lang: Any, model_path: Any) -> str:
    import os

    import nlpaug

    own = os.path.dirname(os.path.abspath(nlpaug.__file__))
    if model_path and not os.path.abspath(str(model_path)).startswith(own):
        refuse("a custom keyboard model file")  # the default is nlpaug's own file for `lang`
    return str(lang)


MAPPINGS: dict[str, Mapping] = {
    m.transform: m
    for m in [
        Mapping(
            "KeyboardAug",
            "text.keyboard_typo",
            {
                "rate": _RATE,
                "layout": Arg(("lang", "model_path"), _layout, "`lang`"),
                "_": Arg(
                    ("include_special_char", "include_numeric", "include_upper_case"),
                    lambda s, n, u: (
                        None if (s and n and u) else refuse("a keyboard without special, numeric or upper-case keys")
                    ),
                    "full keyboard (include_* True)",
                ),
            },
            fidelity="approximate",
            note=_CHAR_NOTE + " Same keyboard tables (nlpaug's resource files).",
            check=_CHECK,
        ),
        Mapping(
            "OcrAug",
            "text.ocr_error",
            {"rate": _RATE},
            fidelity="approximate",
            note=_CHAR_NOTE + " Same OCR table.",
            check=_CHECK,
        ),
        # RandomCharAug is one class for four actions: the table lists it under its action
        Mapping(
            "RandomCharAug:swap",
            "text.char_swap",
            {"rate": _RATE, "_": _action("swap")},
            fidelity="approximate",
            note=_CHAR_NOTE,
            check=_CHECK,
        ),
        Mapping(
            "RandomCharAug:delete",
            "text.char_delete",
            {"rate": _RATE, "_": _action("delete")},
            fidelity="approximate",
            note=_CHAR_NOTE,
            check=_CHECK,
        ),
        Mapping(
            "RandomCharAug:substitute",
            "text.char_substitute",
            {"rate": _RATE, "_": _action("substitute")},
            fidelity="approximate",
            note=_CHAR_NOTE,
            check=_CHECK,
        ),
        Mapping(
            "RandomCharAug:insert",
            "text.char_insert",
            {"rate": _RATE, "_": _action("insert")},
            fidelity="approximate",
            note=_CHAR_NOTE,
            check=_CHECK,
        ),
        Mapping(
            "RandomWordAug:delete",
            "text.random_deletion",
            {"rate": Arg(("aug_p",), float, "`aug_p`"), "_": _action("delete")},
            fidelity="approximate",
            note="no aug_min/aug_max caps.",
            check=_CHECK,
        ),
        Mapping(
            "RandomWordAug:swap",
            "text.random_swap",
            {"rate": Arg(("aug_p",), float, "`aug_p`"), "_": _action("swap")},
            fidelity="approximate",
            note="EDA swaps of random pairs; nlpaug swaps neighbours.",
            check=_CHECK,
        ),
        Mapping(
            "SpellingAug",
            "text.spelling_mistake",
            {"rate": Arg(("aug_p",), float, "`aug_p`")},
            fidelity="approximate",
            note="omniaug's bundled misspelling table.",
            check=_CHECK,
        ),
        Mapping(
            "SplitAug",
            "text.word_split",
            {"rate": Arg(("aug_p",), float, "`aug_p`"), "min_length": Arg(("min_char",), int, "`min_char`")},
            fidelity="approximate",
            note="no aug_min/aug_max caps.",
            check=_CHECK,
        ),
        Mapping(
            "SynonymAug",
            "text.synonym_replacement",
            {"rate": Arg(("aug_p",), float, "`aug_p`")},
            fidelity="approximate",
            note="omniaug's offline WordNet table instead of NLTK's (which downloads).",
            check="not run here: nlpaug's SynonymAug needs NLTK downloads.",
        ),
        Mapping(
            "AntonymAug",
            "text.antonym_replacement",
            {"rate": Arg(("aug_p",), float, "`aug_p`")},
            fidelity="approximate",
            note="omniaug's offline WordNet table.",
            check="not run here: needs NLTK downloads.",
        ),
    ]
}

WRAPPED: dict[str, str] = {
    "RandomWordAug:substitute": "substitutes a fixed target word",
    "RandomWordAug:crop": "deletes a contiguous span",
    "ContextualWordEmbsAug": "a language model (no native equivalent)",
    "BackTranslationAug": "translation models (no native equivalent)",
}


CONVERTER = PeerConverter(
    peer="nlpaug",
    mappings=MAPPINGS,
    wrapper=WrappedNlpaug,
    values=lambda t: dict(vars(t)),
    probability=lambda t: 1.0,
    containers={},
    wrapped_only=WRAPPED,
)


def _key(t: Any) -> str:
    """``Class:action`` for nlpaug's multi-action augmenters (RandomCharAug, RandomWordAug), else the class."""
    name = type(t).__name__
    action = getattr(t, "action", None)
    return f"{name}:{action}" if f"{name}:{action}" in MAPPINGS or f"{name}:{action}" in WRAPPED else name


def convert(source: Any) -> Conversion:
    """Convert an nlpaug augmenter, ``Sequential`` or ``Sometimes`` and report what was done."""
    require("nlpaug")
    check_kind(source, "nlpaug", "nlpaug")
    from ..containers import Compose, RandomApply
    from ._table import ConversionReport

    report = ConversionReport("nlpaug")

    def walk(t: Any, path: str) -> list[Any]:
        name = type(t).__name__
        if name in ("Sequential", "Sometimes"):
            items = [op for i, c in enumerate(t) for op in walk(c, f"{path}{i}.")]
            if name == "Sometimes":  # nlpaug applies each augmenter of the flow with probability aug_p
                return [RandomApply([op], p=float(t.aug_p)) for op in items]
            return items
        key = _key(t)
        sub = PeerConverter(
            peer="nlpaug",
            mappings={name: MAPPINGS[key]} if key in MAPPINGS else {},
            wrapper=WrappedNlpaug,
            values=lambda a: dict(vars(a)),
            probability=lambda a: 1.0,
            wrapped_only={name: WRAPPED[key]} if key in WRAPPED else {},
        )
        one = sub._convert(t, report, path, {})
        if report.entries and report.entries[-1].source == name and key != name:
            report.entries[-1].source = key
        return [] if one is None else [one]

    ops = walk(source, "")
    return Conversion(Compose(ops), report)


def from_nlpaug(source: Any) -> Any:
    """An omniaug pipeline equivalent to an nlpaug augmenter or flow."""
    return convert(source).pipeline
