"""Shipped word and character resources, loaded lazily on first use (never from the network).

* WordNet 3.0 synonyms and antonyms (``data/wordnet.json.gz``, built by
  ``scripts/build_wordnet.py``; licence in ``data/WORDNET_LICENSE.txt``), with
  WordNet's own lemmatization ("morphy": exception lists plus suffix rules) so
  ``dogs`` finds the synsets of ``dog`` as ``nltk.corpus.wordnet.synsets`` would.
* Keyboard neighbour maps (11 layouts), an English OCR confusion map and an English
  misspelling dictionary (``data/char_tables.json.gz``, derived from nlpaug's
  resource files by ``scripts/build_char_tables.py``; MIT notice in
  ``data/NLPAUG_LICENSE.txt``).
* An English stop-word list (EDA never replaces stop words) and a homoglyph table.
"""

from __future__ import annotations

import functools
import gzip
import json
import threading
from importlib import resources
from typing import Any

__all__ = [
    "HOMOGLYPHS",
    "STOP_WORDS",
    "WordNet",
    "char_tables",
    "keyboard",
    "ocr_map",
    "spelling",
    "wordnet",
]

_LOCK = threading.Lock()

#: English function words; the EDA ops never pick these for replacement
STOP_WORDS: frozenset[str] = frozenset(
    """
    a about above after again against ain all am an and any are aren aren't as at be because been before being
    below between both but by can couldn couldn't d did didn didn't do does doesn doesn't doing don don't down
    during each few for from further had hadn hadn't has hasn hasn't have haven haven't having he her here hers
    herself him himself his how i if in into is isn isn't it it's its itself just ll m ma me mightn mightn't more
    most mustn mustn't my myself needn needn't no nor not now o of off on once only or other our ours ourselves
    out over own re s same shan shan't she she's should should've shouldn shouldn't so some such t than that
    that'll the their theirs them themselves then there these they this those through to too under until up ve
    very was wasn wasn't we were weren weren't what when where which while who whom why will with won won't
    wouldn wouldn't y you you'd you'll you're you've your yours yourself yourselves
    """.split()
)

#: Latin letters → visually confusable Cyrillic / Greek / IPA code points (Unicode confusables)
HOMOGLYPHS: dict[str, tuple[str, ...]] = {
    "a": ("\u0430",), "c": ("\u0441", "\u03f2"), "d": ("\u0501",), "e": ("\u0435",), "g": ("\u0261",),
    "h": ("\u04bb",), "i": ("\u0456",), "j": ("\u0458",), "l": ("\u04cf",), "o": ("\u043e", "\u03bf"),
    "p": ("\u0440",), "q": ("\u051b",), "s": ("\u0455",), "v": ("\u03bd",), "w": ("\u051d",),
    "x": ("\u0445",), "y": ("\u0443",),
    "A": ("\u0410", "\u0391"), "B": ("\u0412", "\u0392"), "C": ("\u0421",), "E": ("\u0415", "\u0395"),
    "H": ("\u041d", "\u0397"), "I": ("\u0406", "\u0399"), "J": ("\u0408",), "K": ("\u041a", "\u039a"),
    "M": ("\u041c", "\u039c"), "N": ("\u039d",), "O": ("\u041e", "\u039f"), "P": ("\u0420", "\u03a1"),
    "S": ("\u0405",), "T": ("\u0422", "\u03a4"), "X": ("\u0425", "\u03a7"), "Y": ("\u04ae", "\u03a5"),
    "Z": ("\u0396",),
}  # fmt: skip

# WordNet's detachment rules (wndb morphy(7WN)), per part of speech
_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "n": (
        ("s", ""),
        ("ses", "s"),
        ("xes", "x"),
        ("zes", "z"),
        ("ches", "ch"),
        ("shes", "sh"),
        ("men", "man"),
        ("ies", "y"),
    ),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}
_POS_ORDER = ("n", "v", "a", "r")


def _load_json_gz(name: str) -> Any:
    with (
        resources.files("omniaug_text").joinpath("data").joinpath(name).open("rb") as raw,
        gzip.open(raw, "rt", encoding="utf-8") as fh,
    ):
        return json.load(fh)


class WordNet:
    """Synonym and antonym lookups over the shipped WordNet 3.0 extract."""

    def __init__(self, resource: dict[str, Any]) -> None:
        self._synsets: list[list[str]] = resource["synsets"]
        self._index: dict[str, dict[str, list[int]]] = resource["index"]
        self._antonyms: dict[str, list[str]] = resource["antonyms"]
        self._exceptions: dict[str, dict[str, list[str]]] = resource["exceptions"]
        self.synonyms = functools.lru_cache(maxsize=1 << 16)(self._synonyms)
        self.antonyms = functools.lru_cache(maxsize=1 << 16)(self._antonyms_of)

    def lemmas(self, word: str, pos: str) -> list[str]:
        """Base forms of ``word`` for part of speech ``pos`` that WordNet knows (morphy)."""
        form = word.lower().replace(" ", "_")
        known = self._index[pos]
        candidates = [form, *self._exceptions[pos].get(form, ())]
        candidates += [
            form[: -len(suf)] + rep for suf, rep in _RULES[pos] if form.endswith(suf) and len(form) > len(suf)
        ]
        return [c for c in dict.fromkeys(candidates) if c in known]

    def _synonyms(self, word: str) -> tuple[str, ...]:
        """Other lemmas of every synset of ``word`` (all parts of speech, sense order), ``_`` → space."""
        key = word.lower().replace(" ", "_")
        out: dict[str, None] = {}
        for pos in _POS_ORDER:
            for lemma in self.lemmas(key, pos):
                for sid in self._index[pos][lemma]:
                    for other in self._synsets[sid]:
                        if other != key:
                            out[other.replace("_", " ")] = None
        out.pop(word.lower(), None)
        return tuple(out)

    def _antonyms_of(self, word: str) -> tuple[str, ...]:
        """WordNet antonyms (``!`` pointers) of ``word`` and its base forms, ``_`` → space."""
        key = word.lower().replace(" ", "_")
        forms = [key, *(f for pos in _POS_ORDER for f in self.lemmas(key, pos))]
        out: dict[str, None] = {}
        for f in dict.fromkeys(forms):
            for a in self._antonyms.get(f, ()):
                out[a.replace("_", " ")] = None
        return tuple(out)

    def __contains__(self, word: str) -> bool:
        key = word.lower().replace(" ", "_")
        return any(self.lemmas(key, pos) for pos in _POS_ORDER)


@functools.cache
def wordnet() -> WordNet:
    """The shared :class:`WordNet`, loaded from the package data on first call (a noticeable one-time cost)."""
    with _LOCK:
        return WordNet(_load_json_gz("wordnet.json.gz"))


@functools.cache
def char_tables() -> dict[str, Any]:
    """Keyboard layouts, OCR map and misspelling dictionary, loaded on first call."""
    with _LOCK:
        return _load_json_gz("char_tables.json.gz")  # type: ignore[no-any-return]


def keyboard_layouts() -> tuple[str, ...]:
    return tuple(sorted(char_tables()["keyboards"]))


@functools.lru_cache(maxsize=32)
def keyboard(layout: str) -> dict[str, tuple[str, ...]]:
    """Character → neighbouring keys on keyboard ``layout`` (``en``, ``de``, ``fr``, …)."""
    return {k: tuple(v) for k, v in char_tables()["keyboards"][layout].items() if v}


@functools.lru_cache(maxsize=4)
def ocr_map(language: str = "en") -> dict[str, tuple[str, ...]]:
    """Character → characters an OCR engine confuses it with."""
    return {k: tuple(v) for k, v in char_tables()["ocr"][language].items() if v}


def _word_like(s: str) -> bool:
    """Letters with inner apostrophes, hyphens, spaces or dots: no markup, escapes or bare numbers."""
    return any(ch.isalpha() for ch in s) and all(ch.isalnum() or ch in " '’-." for ch in s)


@functools.lru_cache(maxsize=4)
def spelling(language: str = "en") -> dict[str, tuple[str, ...]]:
    """Correct word → common misspellings of it (built once per language, then shared: do not modify).

    The source lists carry some noise from their wiki markup (``[[realy``, ``&amp``,
    ``hab\\ve``); only word-like misspellings are kept, so an inserted typo never
    brings markup or stray symbols into the text.
    """
    table = {}
    for k, v in char_tables()["spelling"][language].items():
        kept = tuple(m for m in v if m != k and _word_like(m))
        if kept:
            table[k] = kept
    return table
