"""Character-level noise on ``list[str]``: keyboard typos, OCR confusions, homoglyphs, random edits.

Each character of each string is picked independently with probability ``rate``
(a ``(B, C)`` Bernoulli tensor drawn from the caller's generator, plus one
uniform per pick for the choice). The picks of the whole batch are located with
one ``nonzero``; Python then visits only the picked characters. A picked
character is edited only if it is eligible (alphanumeric, outside protected
spans, and present in the op's table).

A "character" is a grapheme cluster (:func:`omniaug_text.segment.graphemes`): a
letter with its combining marks (a decomposed ``é``, a Devanagari consonant with
its vowel sign or virama conjunct) is picked, substituted, swapped, deleted or
followed by an insertion as one unit, so no mark is ever orphaned or moved to
another letter. A decomposed cluster is looked up in the tables by its composed
(NFC) form and a substitute is written back decomposed. Text with no combining
mark takes the code-point path (the same draws as before clusters were used).

Tables (keyboard layouts, OCR map) come from nlpaug's resource files, shipped as
``data/char_tables.json.gz``; nlpaug's own augmenters are not used because they
draw from Python's global ``random`` and visit every character in Python.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Sequence
from typing import Any, ClassVar

import torch

from omniaug import Augmentation, InputError, Magnitude, Params, args, rng

from ..lexicon import HOMOGLYPHS, keyboard, keyboard_layouts, ocr_map
from ..modality import TEXT
from ..segment import as_tuple, graphemes, needs_clusters, protected_regex

__all__ = [
    "CharDelete",
    "CharInsert",
    "CharSubstitute",
    "CharSwap",
    "Homoglyph",
    "KeyboardTypo",
    "OCRError",
]


class _CharOp(Augmentation):
    modality = TEXT
    magnitude = Magnitude("rate", 0.0, 0.2)
    #: edit only alphanumeric characters
    _alnum_only: ClassVar[bool] = True

    def __init__(
        self, rate: float = 0.05, *, protected: Sequence[str] | None = None, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=type(self).__name__)
        self.protected = as_tuple(protected)
        if protected is not None:
            self._init_args["protected"] = list(self.protected)
        self._prot = protected_regex(self.protected)

    def draw(
        self, x: list[str], batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        width = max((len(graphemes(s)) if needs_clusters(s) else len(s) for s in x), default=0)
        pick = rng.bernoulli(batch_size, self.rate, shape=(width,), generator=generator, device=device)
        # one choice uniform per pick, in pick order; as many columns as the busiest row needs
        most = int(pick.sum(1).max()) if pick.numel() else 0
        choice = rng.uniform(batch_size, 0.0, 1.0, shape=(max(most, 1),), generator=generator, device=device)
        return {"pick": pick, "choice": choice}

    def kernel(self, x: list[str], params: Params) -> list[str]:
        pick: torch.Tensor = params["pick"]
        if pick.shape[1] == 0 or not x:
            return list(x)
        # one large tensor op (nonzero) on the (B, C) picks; the rest touches only the picks.
        # Picks past the end of a shorter string are dropped in the string pass.
        picked = pick.nonzero()
        rows, cols_t = picked[:, 0], picked[:, 1]
        counts_t = torch.bincount(rows, minlength=len(x))
        rank = torch.arange(rows.numel(), device=rows.device) - (counts_t.cumsum(0) - counts_t)[rows]
        choices = params["choice"][rows, rank].tolist()
        counts = counts_t.tolist()
        cols = cols_t.tolist()  # row-major: the picked columns of row 0, then row 1, …
        out = list(x)
        edit = self.inner_kernel
        offset = 0
        for b, count in enumerate(counts):  # slices of the flat picks; the string work is per sample
            if count:
                out[b] = edit(x[b], cols[offset : offset + count], choices[offset : offset + count])
                offset += count
        return out

    def inner_kernel(self, text: str, positions: list[int], choices: list[float]) -> str:
        """The op on one string, at its picked positions (:meth:`kernel` runs it per sample)."""
        chars = _characters(text)
        if positions[-1] >= len(chars):
            keep = [i for i, j in enumerate(positions) if j < len(chars)]
            positions, choices = [positions[i] for i in keep], [choices[i] for i in keep]
        spans = _protected_spans(self._prot, text, chars)
        alnum_only = self._alnum_only
        table = self._table()
        edit = self._edit_char
        for j, u in zip(positions, choices):
            c = chars[j]
            if (alnum_only and not c[:1].isalnum()) or (spans and any(a <= j < b for a, b in spans)):
                continue
            edit(chars, j, u, spans, table)
        return "".join(chars)

    def _table(self) -> dict[str, tuple[str, ...]]:
        return {}

    def _edit_char(
        self, chars: list[str], j: int, u: float, spans: list[tuple[int, int]], table: dict[str, tuple[str, ...]]
    ) -> None:
        raise NotImplementedError


def _characters(text: str) -> list[str]:
    """The characters ops pick among: grapheme clusters, or code points when that is the same."""
    return graphemes(text) if needs_clusters(text) else list(text)


def _protected_spans(prot: Any, text: str, chars: list[str]) -> list[tuple[int, int]]:
    """Protected spans of ``text`` as ``[start, end)`` indices into ``chars``."""
    if prot is None or not prot.search(text):
        return []
    spans = [m.span() for m in prot.finditer(text)]
    if len(chars) == len(text):
        return spans
    starts, at = [], 0
    for c in chars:
        starts.append(at)
        at += len(c)
    # a cluster is protected when it starts inside a span (a span never starts inside a cluster
    # that matters: the patterns match ASCII markup and URLs)
    return [(bisect.bisect_left(starts, a), bisect.bisect_left(starts, b)) for a, b in spans]


def _composed(c: str) -> str:
    """A cluster's table key: itself, or its composed (NFC) form when it is a decomposed letter."""
    return c if len(c) == 1 else unicodedata.normalize("NFC", c)


def _like(c: str, substitute: str) -> str:
    """``substitute`` in the normal form of cluster ``c`` (decomposed if ``c`` was)."""
    return substitute if len(c) == 1 else unicodedata.normalize("NFD", substitute)


class _TableSubstitution(_CharOp):
    """Substitute a character by one of its table entries (upper-case looked up in lower-case)."""

    def _edit_char(
        self, chars: list[str], j: int, u: float, spans: list[tuple[int, int]], table: dict[str, tuple[str, ...]]
    ) -> None:
        c = chars[j]
        key = _composed(c)
        options = table.get(key)
        if options is not None:
            chars[j] = _like(c, options[int(u * len(options))])
            return
        lower = key.lower()
        if lower != key and (options := table.get(lower)) is not None:
            chars[j] = _like(c, options[int(u * len(options))].upper())


class KeyboardTypo(_TableSubstitution):
    """Keyboard typos: a picked letter or digit becomes a neighbouring key of the chosen layout.

    Layouts (from nlpaug's resource files): de, en, es, fr, he, it, nl, pl, th, tr, uk.
    """

    name = "text.keyboard_typo"

    def __init__(
        self,
        rate: float = 0.05,
        *,
        layout: str = "en",
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(rate, protected=protected, p=p, same_on_batch=same_on_batch)
        self.layout = args.choice("layout", layout, keyboard_layouts(), where="KeyboardTypo")

    def _table(self) -> dict[str, tuple[str, ...]]:
        return keyboard(self.layout)

    def inner_kernel(self, text: str, positions: list[int], choices: list[float]) -> str:
        # inlined hot path of the benchmark: table substitution without per-character method calls
        table = keyboard(self.layout)
        if needs_clusters(text):  # letters with combining marks: the general path, cluster by cluster
            chars = graphemes(text)
            if positions[-1] >= len(chars):
                keep = [i for i, j in enumerate(positions) if j < len(chars)]
                positions, choices = [positions[i] for i in keep], [choices[i] for i in keep]
            spans = _protected_spans(self._prot, text, chars)
            for j, u in zip(positions, choices):
                if chars[j][:1].isalnum() and not (spans and any(a <= j < b for a, b in spans)):
                    self._edit_char(chars, j, u, spans, table)
            return "".join(chars)
        if positions[-1] >= len(text):
            keep = [i for i, j in enumerate(positions) if j < len(text)]
            positions, choices = [positions[i] for i in keep], [choices[i] for i in keep]
        chars = list(text)
        spans: list[tuple[int, int]] = []
        if self._prot is not None and self._prot.search(text):
            spans = [m.span() for m in self._prot.finditer(text)]
        for j, u in zip(positions, choices):
            c = chars[j]
            if not c.isalnum() or (spans and any(a <= j < b for a, b in spans)):
                continue
            options = table.get(c)
            if options is not None:
                chars[j] = options[int(u * len(options))]
            elif (lower := c.lower()) != c and (options := table.get(lower)) is not None:
                chars[j] = options[int(u * len(options))].upper()
        return "".join(chars)

    @classmethod
    def example_instances(cls) -> list[Augmentation]:
        return [cls(), cls(0.2, layout="de")]


class OCRError(_TableSubstitution):
    """OCR confusions (``0``↔``o``/``O``, ``1``↔``l``/``I``, ``5``↔``S``, ``8``↔``B`` …), English map."""

    name = "text.ocr_error"
    magnitude = Magnitude("rate", 0.0, 0.3)

    def __init__(
        self, rate: float = 0.1, *, protected: Sequence[str] | None = None, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(rate, protected=protected, p=p, same_on_batch=same_on_batch)

    def _table(self) -> dict[str, tuple[str, ...]]:
        return ocr_map("en")

    def _edit_char(
        self, chars: list[str], j: int, u: float, spans: list[tuple[int, int]], table: dict[str, tuple[str, ...]]
    ) -> None:
        # OCR confusions are case-specific ("O" → "D", "o" → "u"): no lower-case fallback
        options = table.get(_composed(chars[j]))
        if options is not None:
            chars[j] = _like(chars[j], options[int(u * len(options))])


class Homoglyph(_TableSubstitution):
    """Unicode homoglyphs: Latin letters become look-alike Cyrillic/Greek code points (``a`` → ``а`` U+0430)."""

    name = "text.homoglyph"

    def _table(self) -> dict[str, tuple[str, ...]]:
        return HOMOGLYPHS

    def _edit_char(
        self, chars: list[str], j: int, u: float, spans: list[tuple[int, int]], table: dict[str, tuple[str, ...]]
    ) -> None:
        options = table.get(_composed(chars[j]))
        if options is not None:
            chars[j] = _like(chars[j], options[int(u * len(options))])


class _AlphabetOp(_CharOp):
    def __init__(
        self,
        rate: float = 0.05,
        *,
        alphabet: str = "abcdefghijklmnopqrstuvwxyz",
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(rate, protected=protected, p=p, same_on_batch=same_on_batch)
        if not isinstance(alphabet, str) or len(set(alphabet)) < 2:
            raise InputError(
                "alphabet", "a string of at least two distinct characters", alphabet, where=type(self).__name__
            )
        self.alphabet = alphabet

    def _letter(self, u: float, like: str) -> str:
        c = self.alphabet[int(u * len(self.alphabet))]
        return c.upper() if like.isupper() else c


class CharSubstitute(_AlphabetOp):
    """Substitute a picked character (a letter with its marks) by a different random character of ``alphabet`` (case kept)."""

    name = "text.char_substitute"

    def _edit_char(
        self, chars: list[str], j: int, u: float, spans: list[tuple[int, int]], table: dict[str, tuple[str, ...]]
    ) -> None:
        alphabet = self.alphabet
        k = int(u * len(alphabet))
        if alphabet[k] == chars[j].lower():
            k = (k + 1) % len(alphabet)
        c = alphabet[k]
        chars[j] = c.upper() if chars[j].isupper() else c


class CharInsert(_AlphabetOp):
    """Insert a random character of ``alphabet`` after a picked character."""

    name = "text.char_insert"

    def _edit_char(
        self, chars: list[str], j: int, u: float, spans: list[tuple[int, int]], table: dict[str, tuple[str, ...]]
    ) -> None:
        chars[j] = chars[j] + self._letter(u, chars[j])


class CharSwap(_CharOp):
    """Swap a picked character with the next one when both are alphanumeric and unprotected."""

    name = "text.char_swap"

    def _edit_char(
        self, chars: list[str], j: int, u: float, spans: list[tuple[int, int]], table: dict[str, tuple[str, ...]]
    ) -> None:
        k = j + 1
        if k < len(chars) and chars[k][:1].isalnum() and not any(a <= k < b for a, b in spans):
            chars[j], chars[k] = chars[k], chars[j]


class CharDelete(_CharOp):
    """Delete a picked alphanumeric character (never the only character of a word)."""

    name = "text.char_delete"

    def _edit_char(
        self, chars: list[str], j: int, u: float, spans: list[tuple[int, int]], table: dict[str, tuple[str, ...]]
    ) -> None:
        left = j > 0 and chars[j - 1][:1].isalnum()
        right = j + 1 < len(chars) and chars[j + 1][:1].isalnum()
        if left or right:
            chars[j] = ""
