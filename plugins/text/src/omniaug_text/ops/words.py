"""Word-level ops on ``list[str]``: the four EDA ops and their relatives.

EDA (Wei & Zou 2019, "EDA: Easy Data Augmentation Techniques for Boosting
Performance on Text Classification Tasks"): synonym replacement, random insertion
of a synonym, random swap, random deletion, each touching ``n = max(1, ⌊rate·len⌋)``
words (deletion removes each word with probability ``rate``). Plus antonym replacement,
AEDA punctuation insertion (Karimi et al. 2021), word split, misspellings and
sentence shuffle.

Every op has two modes: ``faithful=True`` reproduces the paper's code (lower-case,
punctuation stripped, words joined by single spaces); the default keeps case,
punctuation, spacing and every character outside the edited words. Protected tokens
(``protected`` regexes; by default ``{placeholders}``, ``<tags>`` and URLs) are
never edited, moved or counted as words.

Randomness: ``draw`` gives each sample one seed (the core's per-sample seeds,
:func:`omniaug.rng.sample_seeds`); the kernel expands it into the sample's row of
uniform numbers (:func:`omniaug.rng.seed_uniforms`, sized for its own word count)
and the per-string Python work consumes that row in a fixed order, so a sample's
result depends only on its text and its seed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import torch

from omniaug import Augmentation, InputError, Magnitude, Params, args, rng

from ..lexicon import STOP_WORDS, spelling, wordnet
from ..modality import TEXT
from ..segment import Doc, SpaceDoc, as_tuple, graphemes, match_case, segment, split_sentences

__all__ = [
    "AntonymReplacement",
    "PunctuationInsertion",
    "RandomDeletion",
    "RandomInsertion",
    "RandomSwap",
    "SentenceShuffle",
    "SpellingMistake",
    "SynonymReplacement",
    "WordSplit",
]

#: AEDA's punctuation marks
AEDA_PUNCTUATION = (".", ";", "?", ":", "!", ",")


_EDA_LETTERS = frozenset(" qwertyuiopasdfghjklzxcvbnm")


def _eda_clean_lemma(lemma: str) -> str:
    """EDA's ``get_synonyms`` cleaning of a lemma: ``-`` to space, lower-case, keep only ``a-z`` and spaces."""
    return "".join(c for c in lemma.replace("-", " ").lower() if c in _EDA_LETTERS)


@functools.lru_cache(maxsize=1 << 16)
def _eda_synonyms(word: str) -> tuple[str, ...]:
    """EDA's ``get_synonyms``: WordNet lemmas of every sense, cleaned, without the word itself."""
    out = dict.fromkeys(c for s in wordnet().synonyms(word) if (c := _eda_clean_lemma(s)).strip())
    out.pop(word, None)
    return tuple(out)


@functools.lru_cache(maxsize=1 << 16)
def _eda_antonyms(word: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for a in wordnet().antonyms(word) if (c := _eda_clean_lemma(a)).strip()))


class _WordOp(Augmentation):
    """Shared parts of the word ops: text modality, segmentation mode, a row of uniforms per sample."""

    modality = TEXT
    rate: float

    def __init__(
        self,
        *,
        faithful: bool = False,
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.faithful = bool(faithful)
        self.protected = as_tuple(protected)
        for pattern in self.protected:
            if not isinstance(pattern, str):
                raise InputError(
                    "protected", "a list of regular-expression strings", protected, where=type(self).__name__
                )
        if protected is not None:  # keep the config JSON-able and explicit
            self._init_args["protected"] = list(self.protected)

    def draw(
        self, x: list[str], batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"seed": rng.sample_seeds(batch_size, generator=generator, device=device)}

    def _width(self, words: int) -> int:
        """Uniforms per sample for texts of up to ``words`` words.

        Default layout: order keys for the words read from the end of the row
        (``row[-1 - k]``), choices for the picked words in pick order from the start
        (``row[r]``); ``words + budget`` numbers keep them apart.
        """
        return words + max(1, int(self.rate * words))

    def kernel(self, x: list[str], params: Params) -> list[str]:
        # a row sized for the sample's space-separated words; a string with more words
        # (words glued by punctuation) reuses its row cyclically, still deterministic
        counts = [s.count(" ") + 2 for s in x]
        width = self._width
        sizes = {c: width(c) for c in set(counts)}  # a batch has few distinct word counts
        widths = [sizes[c] for c in counts]
        most = max(widths, default=0)
        rows = rng.seed_uniforms(params["seed"], most).tolist()  # one bulk transfer; the string work is per sample
        edit = self.inner_kernel
        # each sample reads the prefix of its row that it would get alone (the width of its own
        # word count), not the batch's padded width: with per-item (keyed) draws, which give a row
        # the same numbers whatever the width, its edit is then the same in any batch (a row
        # already that wide is passed as it is: no copy)
        return [edit(s, row if w == most else row[:w]) for s, row, w in zip(x, rows, widths)]

    def inner_kernel(self, text: str, row: list[float]) -> str:
        """The op on one string with its row of uniforms (:meth:`kernel` runs it per sample)."""
        raise NotImplementedError(f"{type(self).__name__}.inner_kernel")

    def _doc(self, text: str) -> Doc | SpaceDoc:
        return segment(text, self.protected, faithful=self.faithful)

    @classmethod
    def example_instances(cls) -> list[Augmentation]:
        return [cls(), cls(faithful=True)]


class _ReplaceWithLexicon(_WordOp):
    """Replace up to ``n`` distinct non-stop-words (every occurrence) by a lexicon entry."""

    magnitude = Magnitude("rate", 0.0, 0.5)

    def __init__(
        self,
        rate: float = 0.1,
        *,
        faithful: bool = False,
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(faithful=faithful, protected=protected, p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=type(self).__name__)

    def _lookup(self) -> Callable[[str], tuple[str, ...]]:
        raise NotImplementedError

    def inner_kernel(self, text: str, row: list[float]) -> str:
        doc = self._doc(text)
        words = doc.words
        if not words:
            return doc.text()
        width = len(row)
        positions: dict[str, list[int]] = {}  # distinct non-stop-words -> where they occur
        for k, w in enumerate(words):
            lw = w.lower()
            ks = positions.get(lw)
            if ks is not None:
                ks.append(k)
            elif lw not in STOP_WORDS:
                positions[lw] = [k]
        n = len(words)
        budget = max(1, int(self.rate * n))
        # order keys read from the row's end: row[-1 - k] is row[::-1][k] while k < width (the
        # row is read cyclically only when words glued by punctuation outnumber it)
        if n <= width:
            back = row[::-1]
            order = sorted([(back[ks[0]], lw) for lw, ks in positions.items()])
        else:
            order = sorted([(row[-1 - ks[0] % width], lw) for lw, ks in positions.items()])
        lookup = self._lookup()
        faithful = self.faithful
        picked = 0
        for _, lw in order:
            options = lookup(lw)
            if not options:
                continue
            choice = options[int(row[picked % width] * len(options))]
            picked += 1
            for k in positions[lw]:
                w = words[k]
                doc.replace(k, choice if faithful or w.islower() else match_case(w, choice))
            if picked == budget:
                break
        return doc.text()


class SynonymReplacement(_ReplaceWithLexicon):
    """EDA synonym replacement: ``n = max(1, ⌊rate·words⌋)`` distinct non-stop-words → a WordNet synonym.

    Every occurrence of a chosen word gets the same synonym (as in EDA); multiword
    synonyms (``ice cream``) are inserted with a space. In the default mode the
    synonym takes the case pattern of the word it replaces.
    """

    name = "text.synonym_replacement"

    def _lookup(self) -> Callable[[str], tuple[str, ...]]:
        return _eda_synonyms if self.faithful else wordnet().synonyms


class AntonymReplacement(_ReplaceWithLexicon):
    """Replace ``n = max(1, ⌊rate·words⌋)`` distinct non-stop-words that have a WordNet antonym by it."""

    name = "text.antonym_replacement"

    def _lookup(self) -> Callable[[str], tuple[str, ...]]:
        return _eda_antonyms if self.faithful else wordnet().antonyms

    @classmethod
    def example_input(
        cls, batch_size: int, *, generator: torch.Generator | None = None, device: Any = "cpu"
    ) -> list[str]:
        texts = (
            "The good team won the hard game.",
            "A happy child found an old key.",
            "The fast car passed the slow bus.",
        )
        idx = rng.randint(batch_size, 0, len(texts), generator=generator)
        return [texts[i] for i in idx.tolist()]


class RandomInsertion(_WordOp):
    """EDA random insertion: ``n`` times, insert a synonym of a random non-stop-word at a random position.

    As in EDA, up to 10 words are tried to find one with a synonym; a sentence
    without any is left as it is.
    """

    name = "text.random_insertion"
    magnitude = Magnitude("rate", 0.0, 0.5)

    def __init__(
        self,
        rate: float = 0.1,
        *,
        faithful: bool = False,
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(faithful=faithful, protected=protected, p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=type(self).__name__)

    def _width(self, words: int) -> int:
        return 12 * max(1, int(self.rate * words))  # up to 10 tries, a position and a choice per insertion

    def inner_kernel(self, text: str, row: list[float]) -> str:
        doc = self._doc(text)
        words = doc.words
        n = len(words)
        if n == 0:
            return doc.text()
        lookup = _eda_synonyms if self.faithful else wordnet().synonyms
        width = len(row)
        t = 0
        for _ in range(max(1, int(self.rate * n))):
            for _try in range(10):
                w = words[int(row[t % width] * n)].lower()
                t += 1
                options = () if w in STOP_WORDS else lookup(w)
                if options:
                    doc.insert(int(row[t % width] * n), options[int(row[(t + 1) % width] * len(options))])
                    t += 2
                    break
        return doc.text()


class RandomSwap(_WordOp):
    """EDA random swap: ``n = max(1, ⌊rate·words⌋)`` times swap two distinct words.

    Words move with their own characters; punctuation, spacing and protected tokens
    stay where they were.
    """

    name = "text.random_swap"
    magnitude = Magnitude("rate", 0.0, 0.5)

    def __init__(
        self,
        rate: float = 0.1,
        *,
        faithful: bool = False,
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(faithful=faithful, protected=protected, p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=type(self).__name__)

    def _width(self, words: int) -> int:
        return 2 * max(1, int(self.rate * words))

    def inner_kernel(self, text: str, row: list[float]) -> str:
        doc = self._doc(text)
        n = len(doc.words)
        if n < 2:
            return doc.text()
        width = len(row)
        for t in range(max(1, int(self.rate * n))):
            a = int(row[(2 * t) % width] * n)
            b = int(row[(2 * t + 1) % width] * (n - 1))
            doc.swap(a, b + 1 if b >= a else b)
        return doc.text()


class RandomDeletion(_WordOp):
    """EDA random deletion: each word is removed with probability ``rate``.

    A one-word input is left alone and a sentence is never emptied: if every word
    drew deletion, the one with the largest draw stays. In the default mode a
    deleted word takes one adjacent space with it and punctuation that followed it
    moves back to the previous word.
    """

    name = "text.random_deletion"
    magnitude = Magnitude("rate", 0.0, 0.5)

    def __init__(
        self,
        rate: float = 0.1,
        *,
        faithful: bool = False,
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(faithful=faithful, protected=protected, p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=type(self).__name__)

    def _width(self, words: int) -> int:
        return words

    def inner_kernel(self, text: str, row: list[float]) -> str:
        doc = self._doc(text)
        n = len(doc.words)
        if n <= 1:
            return doc.text()
        width = len(row)
        rate = self.rate
        drop = [k for k in range(n) if row[k % width] < rate]
        if len(drop) == n:
            keep = max(range(n), key=lambda k: row[k % width])
            drop.remove(keep)
        for k in drop:
            doc.delete(k)
        return doc.text()


class PunctuationInsertion(_WordOp):
    """AEDA: insert between 1 and ``⌊rate·words⌋ + 1`` punctuation marks before random words.

    Karimi, Rossi & Prati 2021, "AEDA: An Easier Data Augmentation Technique for
    Text Classification": marks from ``. ; ? : ! ,``, each followed by a space.
    """

    name = "text.punctuation_insertion"
    magnitude = Magnitude("rate", 0.0, 0.5)

    def __init__(
        self,
        rate: float = 0.3,
        *,
        marks: Sequence[str] = AEDA_PUNCTUATION,
        faithful: bool = False,
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(faithful=faithful, protected=protected, p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=type(self).__name__)
        if not marks or not all(isinstance(m, str) and m for m in marks):
            raise InputError("marks", "a non-empty list of non-empty strings", marks, where=type(self).__name__)
        self.marks = tuple(marks)
        self._init_args["marks"] = list(self.marks)

    def _width(self, words: int) -> int:
        return 1 + words + int(self.rate * words + 1)  # count, order keys, marks

    def inner_kernel(self, text: str, row: list[float]) -> str:
        doc = self._doc(text)
        n = len(doc.words)
        if n == 0:
            return doc.text()
        width = len(row)
        q = 1 + int(row[0] * int(self.rate * n + 1))
        positions = sorted(range(n), key=lambda k: row[(1 + k) % width])[:q]
        marks = self.marks
        for j, k in enumerate(positions):
            doc.insert(k, marks[int(row[(1 + n + j) % width] * len(marks))])
        return doc.text()

    @classmethod
    def example_instances(cls) -> list[Augmentation]:
        return [cls(), cls(faithful=True, marks=["!", "?"])]


class WordSplit(_WordOp):
    """Split ``max(1, ⌊rate·candidates⌋)`` words of at least ``min_length`` letters in two at a random point.

    Letters are grapheme clusters: a cut never separates a combining mark (an accent,
    an Indic vowel sign) from its letter.
    """

    name = "text.word_split"
    magnitude = Magnitude("rate", 0.0, 0.5)

    def __init__(
        self,
        rate: float = 0.1,
        *,
        min_length: int = 4,
        faithful: bool = False,
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(faithful=faithful, protected=protected, p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=type(self).__name__)
        self.min_length = args.integer("min_length", min_length, low=2, where=type(self).__name__)

    def inner_kernel(self, text: str, row: list[float]) -> str:
        doc = self._doc(text)
        words = doc.words
        letters = [w if w.isascii() else graphemes(w) for w in words]
        cands = [k for k, w in enumerate(letters) if len(w) >= self.min_length]
        if not cands:
            return doc.text()
        width = len(row)
        cands.sort(key=lambda k: row[-1 - k % width])
        for r, k in enumerate(cands[: max(1, int(self.rate * len(cands)))]):
            w = letters[k]
            cut = 1 + int(row[r % width] * (len(w) - 1))
            doc.replace(k, f"{''.join(w[:cut])} {''.join(w[cut:])}")
        return doc.text()


class SpellingMistake(_WordOp):
    """Replace up to ``max(1, ⌊rate·words⌋)`` words found in the misspelling dictionary by a common misspelling.

    The dictionary is nlpaug's ``spelling_en.txt`` (shipped here as a compact table);
    the misspelling takes the case pattern of the word.
    """

    name = "text.spelling_mistake"
    magnitude = Magnitude("rate", 0.0, 0.5)

    def __init__(
        self,
        rate: float = 0.2,
        *,
        faithful: bool = False,
        protected: Sequence[str] | None = None,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(faithful=faithful, protected=protected, p=p, same_on_batch=same_on_batch)
        self.rate = args.fraction("rate", rate, where=type(self).__name__)

    def inner_kernel(self, text: str, row: list[float]) -> str:
        doc = self._doc(text)
        words = doc.words
        table = spelling("en")
        cands = [k for k, w in enumerate(words) if w.lower() in table]
        if not cands:
            return doc.text()
        width = len(row)
        cands.sort(key=lambda k: row[-1 - k % width])
        for r, k in enumerate(cands[: max(1, int(self.rate * len(words)))]):
            options = table[words[k].lower()]
            wrong = options[int(row[r % width] * len(options))]
            doc.replace(k, wrong.lower() if self.faithful else match_case(words[k], wrong))
        return doc.text()


class SentenceShuffle(Augmentation):
    """Shuffle the sentences of each text (split after ``. ! ? …`` + whitespace); separators stay in place.

    A text with one sentence is left as it is; with several, a uniformly random
    permutation is drawn (which may be the identity).
    """

    name = "text.sentence_shuffle"
    modality = TEXT
    may_be_identity = True

    def draw(
        self, x: list[str], batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"seed": rng.sample_seeds(batch_size, generator=generator, device=device)}

    def kernel(self, x: list[str], params: Params) -> list[str]:
        # a sentence needs >= 2 characters ("a."), so len // 2 + 1 keys per sample are always enough
        widths = [len(s) // 2 + 1 for s in x]
        rows = [row[:w] for row, w in zip(rng.seed_uniforms(params["seed"], max(widths, default=0)).tolist(), widths)]
        return [self.inner_kernel(s, row) for s, row in zip(x, rows)]

    @staticmethod
    def inner_kernel(text: str, row: list[float]) -> str:
        parts = split_sentences(text)
        sentences = parts[0::2]
        if len(sentences) < 2:
            return text
        width = len(row)
        order = sorted(range(len(sentences)), key=lambda k: row[k % width])
        parts[0::2] = [sentences[k] for k in order]
        return "".join(parts)

    @classmethod
    def example_input(
        cls, batch_size: int, *, generator: torch.Generator | None = None, device: Any = "cpu"
    ) -> list[str]:
        texts = (
            "It rained all day. We stayed inside. The cat slept on the sofa.",
            "First, mix the flour. Then add eggs! Bake for an hour?",
            "One sentence only, nothing to shuffle",
            "Short. Texts. Work too.",
        )
        idx = rng.randint(batch_size, 0, len(texts), generator=generator)
        return [texts[i] for i in idx.tolist()]
