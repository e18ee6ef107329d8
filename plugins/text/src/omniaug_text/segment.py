"""Tokenization that can be undone: split a string into editable words and fixed gaps.

Two modes, both keeping *protected* tokens (``{placeholders}``, ``<tags>``, URLs and
user regexes) as untouchable units:

* **format-preserving** (default): protected spans are cut out first, then the
  rest is split into words, giving ``[gap, protected, word, gap, protected, word, …, gap]``. Gaps hold
  whitespace, punctuation and digits exactly as they were; joining the parts gives
  the original string back, so only the edited words change.
* **faithful** (as in the EDA paper's code): lower-case, drop apostrophes, turn
  every other character outside ``a-z`` into a space, split on spaces. Protected tokens are cut out first and kept verbatim.

A :class:`Doc` holds the parts, which of them are editable words, and applies the
edits (replace, delete, insert, swap) an op decides on.

Words and characters are grapheme clusters, never bare code points: a combining
mark stays on its base letter (decomposed NFD accents, Indic vowel signs and
viramas), so moving, deleting or splitting a word never orphans one. See
:func:`graphemes` for the segmentation (UAX #29's extended grapheme clusters,
with the rules text editing meets; computed with :mod:`unicodedata`).
"""

from __future__ import annotations

import functools
import itertools
import re
import string
import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["DEFAULT_PROTECTED", "Doc", "SpaceDoc", "graphemes", "protected_regex", "segment", "split_sentences"]

#: protected by default: ``{placeholder}``, ``<tag>`` / ``</tag>``, URLs
DEFAULT_PROTECTED: tuple[str, ...] = (r"\{[^{}\s]*\}", r"</?[A-Za-z][^<>\n]*>", r"https?://\S+")
# letters with inner apostrophes ("don't", "l'eau"); digits and "_" are not word characters here.
# A letter carries the combining marks that follow it (see _word_split)
_WORD = r"[^\W\d_]+(?:['’][^\W\d_]+)*"
_FAITHFUL_QUOTE = re.compile(r"['’]")
_FAITHFUL_OTHER = re.compile(r"[^a-z ]+")
_WORD_SPLIT = re.compile(f"({_WORD})")
_CLOSING = frozenset(".,;:!?)]}\"'…")
# sentence ends: Latin marks and the Devanagari danda / double danda
_SENTENCE_END = re.compile(r"(?<=[.!?…।॥])(\s+)")

# ----------------------------------------------------------------------- grapheme clusters

_ZWNJ, _ZWJ = "\u200c", "\u200d"
#: Indic_Conjunct_Break=Linker (UAX #29 rule GB9c): a virama joining two consonants into one cluster
_LINKERS = frozenset("\u094d\u09cd\u0acd\u0b4d\u0c4d\u0d4d")


@functools.cache
def _mark_class() -> str:
    """A regex character-class body of every code point that extends the one before it.

    Combining marks (categories Mn, Mc, Me: accents, Indic vowel signs and viramas,
    variation selectors), ZWNJ / ZWJ and the emoji skin-tone modifiers. Computed once
    from :mod:`unicodedata` over the planes that hold marks (a one-time cost); no
    combining mark lies below U+0300 or in planes 2–13.
    """
    cat = unicodedata.category
    ranges: list[tuple[int, int]] = []
    for cp in itertools.chain(range(0x300, 0x20000), range(0xE0000, 0xE1000)):
        if cat(chr(cp))[0] == "M":
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    ranges += [(0x200C, 0x200D), (0x1F3FB, 0x1F3FF)]
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


@functools.cache
def _joiners() -> re.Pattern[str]:
    """Matches any code point after which plain code-point splitting would cut a cluster."""
    # marks, Hangul jamo (NFD Korean), regional indicators (flags), CR (CR LF)
    return re.compile(f"[{_mark_class()}\u1100-\u11ff\ua960-\ua97f\ud7b0-\ud7ff\U0001f1e6-\U0001f1ff\r]")


@functools.cache
def _word_split() -> re.Pattern[str]:
    """The word regex of :data:`_WORD` where every letter may carry combining marks."""
    marks = _mark_class()
    letter = f"[^\\W\\d_][{marks}]*"  # a letter and its marks; a mark alone never starts a word
    return re.compile(f"((?:{letter})+(?:['’](?:{letter})+)*)")


def needs_clusters(text: str) -> bool:
    """Whether cutting ``text`` into code points could split a grapheme cluster."""
    if text.isascii():
        return "\r\n" in text
    return _joiners().search(text) is not None


def _hangul(c: str) -> str:
    """Hangul syllable type for the jamo rules GB6–GB8: ``L``, ``V``, ``T``, ``LV``, ``LVT`` or ``""``."""
    cp = ord(c)
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _extends(c: str) -> bool:
    return unicodedata.category(c)[0] == "M" or c in (_ZWNJ, _ZWJ) or "\U0001f3fb" <= c <= "\U0001f3ff"


def _joins(cluster: str, prev: str, c: str) -> bool:
    """Whether ``c`` continues ``cluster`` (whose last code point is ``prev``): the UAX #29 rules text meets."""
    if prev == "\r":
        return c == "\n"  # GB3 (and GB4: nothing else joins a control)
    if prev == "\n" or c in "\r\n":
        return False
    if _extends(c):
        return True  # GB9 / GB9a: Extend, ZWJ and SpacingMark (Mc) stay on their base
    hp, hc = _hangul(prev), _hangul(c)
    if (
        hp
        and hc
        and (
            (hp == "L" and hc in ("L", "V", "LV", "LVT"))
            or (hp in ("LV", "V") and hc in ("V", "T"))
            or (hp in ("LVT", "T") and hc == "T")
        )
    ):
        return True  # GB6–GB8
    if prev == _ZWJ and len(cluster) > 1 and unicodedata.category(c) == "So":
        return True  # GB11: emoji ZWJ sequences (Extended_Pictographic approximated by So)
    if "\U0001f1e6" <= c <= "\U0001f1ff" and "\U0001f1e6" <= prev <= "\U0001f1ff":
        return _odd_regional(cluster)
    # GB9c: consonant (linker extend*) consonant of the same Indic script
    linker = cluster.rstrip(_ZWJ + _ZWNJ)[-1:]
    if linker in _LINKERS and unicodedata.category(c) == "Lo" and ord(c) >> 7 == ord(linker) >> 7:
        return True
    return False


def _odd_regional(cluster: str) -> bool:
    """GB12/13: a regional indicator joins the one before it when that one opens a pair."""
    n = 0
    for ch in reversed(cluster):
        if not "\U0001f1e6" <= ch <= "\U0001f1ff":
            break
        n += 1
    return n % 2 == 1


def graphemes(text: str) -> list[str]:
    """``text`` cut into grapheme clusters (user-perceived characters); ``"".join`` gives it back.

    Follows UAX #29's extended grapheme clusters for what text editing meets: CR LF,
    combining marks and spacing marks on their base (GB9, GB9a), Hangul jamo
    syllables (GB6–GB8), Indic conjuncts joined by a virama (GB9c, Unicode 15.1),
    emoji ZWJ sequences (GB11, pictographs approximated by category ``So``) and
    flag pairs (GB12/13); prepended concatenation marks (GB9b) are not joined.
    Plain text (no mark, jamo, flag or CR LF) takes a fast path: its code points.
    """
    if not needs_clusters(text):
        return list(text)
    out: list[str] = []
    for c in text:
        if out and _joins(out[-1], out[-1][-1], c):
            out[-1] += c
        else:
            out.append(c)
    return out


@functools.lru_cache(maxsize=64)
def protected_regex(protected: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled alternation of the protected patterns (None when there are none)."""
    if not protected:
        return None
    return re.compile("|".join(f"(?:{p})" for p in protected))


class Doc:
    """One string cut into parts; ``slots`` index the editable words among them."""

    __slots__ = ("faithful", "parts", "slots", "words")

    def __init__(self, parts: list[str | None], slots: list[int], faithful: bool) -> None:
        self.parts = parts
        self.slots = slots
        self.faithful = faithful
        #: the editable words as they were, in order (protected tokens excluded)
        self.words: list[str] = [parts[i] for i in slots]  # type: ignore[misc]

    def replace(self, k: int, word: str) -> None:
        self.parts[self.slots[k]] = word

    def delete(self, k: int) -> None:
        self.parts[self.slots[k]] = None

    def insert(self, k: int, word: str) -> None:
        """Insert ``word`` before editable word ``k`` (after the last one when ``k == len(slots)``)."""
        if k >= len(self.slots):
            i = self.slots[-1]
            self.parts[i] = f"{self.parts[i]} {word}"
        else:
            i = self.slots[k]
            self.parts[i] = f"{word} {self.parts[i]}"

    def swap(self, a: int, b: int) -> None:
        parts, slots = self.parts, self.slots
        parts[slots[a]], parts[slots[b]] = parts[slots[b]], parts[slots[a]]

    def text(self) -> str:
        """Join the parts back into a string (deleted words take one adjacent space with them)."""
        parts = self.parts
        if self.faithful:
            return " ".join([p for p in parts if p])
        if None not in parts:
            return "".join(parts)  # type: ignore[arg-type]
        out: list[str] = []
        after_deleted = False
        last_protected = False
        for i, p in enumerate(parts):
            if p is None:
                after_deleted = True
                continue
            if after_deleted and i % 3 == 0:
                # the gap after a deleted word: drop its leading whitespace when the text
                # already ends with some, and pull following punctuation back to the word
                # before (not onto a protected token: "https://x.org/y," would change it)
                if not out or out[-1][-1:].isspace():
                    p = p.lstrip()
                    closing = p[:1] in _CLOSING and not (last_protected and out and out[-1].strip() == "")
                    if out and (closing or (not p and i == len(parts) - 1)):  # or nothing follows
                        out[-1] = out[-1].rstrip()
                after_deleted = False
            if p:
                out.append(p)
                last_protected = i % 3 == 1 if i % 3 else last_protected
        if after_deleted and out:
            out[-1] = out[-1].rstrip()
        return "".join(out)


class SpaceDoc:
    """Fast path of :class:`Doc` for plain text: words are space-separated tokens minus edge punctuation.

    Used when a string has no protected token and every space-separated token is
    ``punctuation* word punctuation*`` (or punctuation/digits only): then it cuts the
    string exactly as the regex would, with ``str.split`` and ``str.strip`` instead
    of a regex scan (several times faster). Same edit interface as :class:`Doc`.
    """

    __slots__ = ("affixes", "cores", "dirty", "tok", "tokens", "words")

    def __init__(
        self, tokens: list[str], words: list[str], tok: list[int], affixes: dict[int, tuple[str, str]]
    ) -> None:
        self.tokens = tokens
        self.words = words
        self.cores: list[str | None] = list(words)
        self.tok = tok
        self.affixes = affixes  # token index -> (leading, trailing) punctuation of impure tokens
        self.dirty: list[int] = []

    def replace(self, k: int, word: str) -> None:
        self.cores[k] = word
        self.dirty.append(k)

    def delete(self, k: int) -> None:
        self.cores[k] = None
        self.dirty.append(k)

    def insert(self, k: int, word: str) -> None:
        if k >= len(self.cores):
            k = len(self.cores) - 1
            self.cores[k] = f"{self.cores[k]} {word}"
        else:
            self.cores[k] = f"{word} {self.cores[k]}"
        self.dirty.append(k)

    def swap(self, a: int, b: int) -> None:
        cores = self.cores
        cores[a], cores[b] = cores[b], cores[a]
        self.dirty.append(a)
        self.dirty.append(b)

    def text(self) -> str:
        tokens: list[Any] = self.tokens
        cores, tok, affixes = self.cores, self.tok, self.affixes
        deleted = False
        for k in self.dirty:
            t = tok[k]
            core = cores[k]
            before, after = affixes.get(t, ("", ""))
            if core is None:
                tokens[t] = (before, after)
                deleted = True
            else:
                tokens[t] = f"{before}{core}{after}" if t in affixes else core
        if not deleted:
            return " ".join(tokens)
        out: list[str] = []
        for t in tokens:
            if type(t) is tuple:
                before, after = t
                if before:
                    out.append(before + after)
                elif after:
                    if out and after[0] in _CLOSING:
                        out[-1] += after
                    else:
                        out.append(after)
                continue
            out.append(t)
        return " ".join(out)


_EDGE = "".join(sorted(set(string.punctuation) | set("“”‘’«»…—–¡¿")))


def _space_doc(text: str) -> SpaceDoc | None:
    tokens = text.split(" ")
    affixes: dict[int, tuple[str, str]] = {}
    cores: dict[int, str] = {}
    impure = [t for t, token in enumerate(tokens) if not token.isalpha()]
    if not impure:
        return SpaceDoc(tokens, list(tokens), list(range(len(tokens))), affixes)
    for t in impure:
        token = tokens[t]
        left = token.lstrip(_EDGE)
        core = left.rstrip(_EDGE)
        if not core or core.isdigit():
            continue
        if not core.isalpha() and (
            ("'" not in core and "’" not in core)
            or not all(piece.isalpha() for piece in core.replace("’", "'").split("'"))
        ):
            return None  # hyphenated, alphanumeric, newline inside …: the regex path decides
        cores[t] = core
        affixes[t] = (token[: len(token) - len(left)], left[len(core) :])
    if len(cores) == len(impure):  # every token holds a word (the common case)
        words = list(tokens)
        for t, core in cores.items():
            words[t] = core
        return SpaceDoc(tokens, words, list(range(len(tokens))), affixes)
    tok = [t for t, token in enumerate(tokens) if t in cores or token.isalpha()]
    return SpaceDoc(tokens, [cores.get(t) or tokens[t] for t in tok], tok, affixes)


def _maybe_protected(text: str, protected: tuple[str, ...]) -> bool:
    if protected is DEFAULT_PROTECTED:
        return "{" in text or "<" in text or "://" in text
    prot = protected_regex(protected)
    return prot is not None and prot.search(text) is not None


def segment(text: str, protected: tuple[str, ...] = DEFAULT_PROTECTED, *, faithful: bool = False) -> Doc | SpaceDoc:
    """Cut ``text`` into a :class:`Doc` (or its fast :class:`SpaceDoc` form) in the chosen mode."""
    if faithful:
        return _segment_faithful(text, protected)
    if not _maybe_protected(text, protected):
        fast = _space_doc(text)
        if fast is not None:
            return fast
    return regex_doc(text, protected)


def regex_doc(text: str, protected: tuple[str, ...] = DEFAULT_PROTECTED) -> Doc:
    """The general path: protected spans first (leftmost matches), then words inside the rest.

    Cutting protected spans first matters: a word directly before a URL
    ("éhttps://…") must not swallow the URL's first letters.
    """
    prot = protected_regex(protected)
    pieces = [text] if prot is None else prot.split(text)
    kept = [] if prot is None else prot.findall(text)
    # parts: gap, then (protected, word, gap) triples; words sit at 3k + 2, protected at 3k + 1
    parts: list[str] = [""]
    slots: list[int] = []
    split = _word_split().split if needs_clusters(text) else _WORD_SPLIT.split  # same cuts when no mark
    for j, piece in enumerate(pieces):
        cut = split(piece)  # gap, word, gap, word, …, gap
        parts[-1] += cut[0]
        for k in range(1, len(cut), 2):
            slots.append(len(parts) + 1)
            parts += ["", cut[k], cut[k + 1]]
        if j < len(kept):
            parts += [kept[j], "", ""]
    return Doc(list[str | None](parts), slots, False)


def clean_faithful(text: str) -> str:
    """EDA's ``get_only_chars``: drop apostrophes, lower-case, every other non ``a-z`` character → space."""
    return _FAITHFUL_OTHER.sub(" ", _FAITHFUL_QUOTE.sub("", text.lower()))


def _segment_faithful(text: str, protected: tuple[str, ...]) -> Doc:
    prot = protected_regex(protected)
    parts: list[str | None] = []
    slots: list[int] = []
    pieces = [text] if prot is None else prot.split(text)
    kept = [] if prot is None else prot.findall(text)
    for j, piece in enumerate(pieces):
        for w in clean_faithful(piece).split():
            slots.append(len(parts))
            parts.append(w)
        if j < len(kept):
            parts.append(kept[j])
    return Doc(parts, slots, True)


def split_sentences(text: str) -> list[str]:
    """``[sentence, separator, sentence, …]`` split after ``. ! ? …`` followed by whitespace."""
    return _SENTENCE_END.split(text)


def match_case(template: str, word: str) -> str:
    """``word`` with the casing pattern of ``template`` (lower, Title or UPPER)."""
    if template.islower() or not template[:1].isalpha():
        return word
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def as_tuple(patterns: Sequence[str] | None) -> tuple[str, ...]:
    """Constructor helper: ``None`` → the defaults; a list of regexes → a tuple."""
    if patterns is None or tuple(patterns) == DEFAULT_PROTECTED:
        return DEFAULT_PROTECTED
    return tuple(patterns)
