"""Word ops against oracles: the edits the drawn params describe, recomputed independently."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import torch

from omniaug import InputError, rng
from omniaug_text.lexicon import STOP_WORDS, spelling, wordnet
from omniaug_text.ops.words import (
    AntonymReplacement,
    PunctuationInsertion,
    RandomDeletion,
    RandomInsertion,
    RandomSwap,
    SentenceShuffle,
    SpellingMistake,
    SynonymReplacement,
    WordSplit,
)
from omniaug_text.samples import SENTENCES

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
PROTECTED = re.compile(r"\{[^{}\s]*\}|</?[A-Za-z][^<>\n]*>|https?://\S+")
TEXTS = [*SENTENCES, "One", "", "the of and", "Rain. Sun! Snow? Wind.", "{a} {b} hello {c}"]


def words(text: str) -> list[str]:
    return WORD.findall(PROTECTED.sub(" ", text))


def gaps(text: str) -> list[str]:
    """Everything that is not a word, in order (punctuation, spacing, protected tokens)."""
    return WORD.split(text)


def run(op, texts=TEXTS, seed=0):
    out, params = op.augment(list(texts), generator=torch.Generator().manual_seed(seed))
    # each sample reads the row its seed gives, sized for its own word count (not the batch's widest)
    return out, [
        rng.seed_uniforms(s.reshape(1), op._width(t.count(" ") + 2))[0].tolist() for t, s in zip(texts, params["seed"])
    ]


@pytest.mark.parametrize("seed", range(5))
def test_random_deletion_matches_its_draws(seed: int) -> None:
    alpha = 0.3
    out, rows = run(RandomDeletion(alpha), seed=seed)
    for text, new, row in zip(TEXTS, out, rows):
        ws = words(text)
        if len(ws) <= 1:
            assert new == text  # a one-word input is left alone
            continue
        keep = [w for k, w in enumerate(ws) if not row[k % len(row)] < alpha]
        if not keep:  # never emptied: the word with the largest draw stays
            keep = [ws[max(range(len(ws)), key=lambda k: row[k % len(row)])]]
        assert words(new) == keep
        assert PROTECTED.findall(new) == PROTECTED.findall(text)


def test_random_deletion_never_empties() -> None:
    out = RandomDeletion(1.0)(list(TEXTS), generator=torch.Generator().manual_seed(3))
    for text, new in zip(TEXTS, out):
        assert len(words(new)) == min(1, len(words(text))) or len(words(text)) == 1


@pytest.mark.parametrize("seed", range(5))
def test_random_swap_matches_its_draws(seed: int) -> None:
    alpha = 0.2
    out, rows = run(RandomSwap(alpha), seed=seed)
    for text, new, row in zip(TEXTS, out, rows):
        ws = words(text)
        n = len(ws)
        if n >= 2:
            for t in range(max(1, int(alpha * n))):
                a = int(row[(2 * t) % len(row)] * n)
                b = int(row[(2 * t + 1) % len(row)] * (n - 1))
                b = b + 1 if b >= a else b
                ws[a], ws[b] = ws[b], ws[a]
        assert words(new) == ws
        assert gaps(new) == gaps(text)  # punctuation, spacing and protected tokens stay put


def test_faithful_mode_is_eda_format() -> None:
    out = RandomSwap(0.2, faithful=True)(["Hello, World! It's 5 o'clock."], generator=torch.Generator().manual_seed(0))
    assert re.fullmatch(r"[a-z]+( [a-z]+)*", out[0])
    assert Counter(out[0].split()) == Counter(["hello", "world", "its", "oclock"])


def case_like(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


@pytest.mark.parametrize("seed", range(4))
def test_synonym_replacement_matches_its_draws(seed: int) -> None:
    """Oracle: EDA's algorithm written plainly over str.split() words of simple sentences."""
    texts = [
        "The big dog chased the small cat and the big cat ran",
        "She quickly opened the heavy door",
        "Happy children",
    ]
    alpha = 0.4
    out, rows = run(SynonymReplacement(alpha), texts, seed=seed)
    for text, new, row in zip(texts, out, rows):
        ws = text.split()
        first = {}
        for k, w in enumerate(ws):
            if w.lower() not in STOP_WORDS:
                first.setdefault(w.lower(), k)
        expected = list(ws)
        budget = max(1, int(alpha * len(ws)))
        picked = 0
        # order keys from the end of the row, choices in pick order from its start
        for lw in sorted(first, key=lambda w: (row[len(row) - 1 - first[w]], w)):
            syns = wordnet().synonyms(lw)
            if not syns:
                continue
            pick = syns[int(row[picked] * len(syns))]
            picked += 1
            expected = [case_like(ws[k], pick) if ws[k].lower() == lw else expected[k] for k in range(len(ws))]
            budget -= 1
            if budget == 0:
                break
        assert new == " ".join(expected)
        assert new != text


def test_synonym_replacement_picks_real_synonyms_and_never_stop_words() -> None:
    text = "The big dog chased the small cat"
    for seed in range(10):
        out = SynonymReplacement(0.5)([text], generator=torch.Generator().manual_seed(seed))[0]
        assert out.startswith("The ") and " the " in out  # stop words untouched
        for w in ("big", "dog", "chased", "small", "cat"):
            if w not in out.split(" "):
                assert any(f" {s} " in f" {out.lower()} " for s in wordnet().synonyms(w)), (w, out)


def test_faithful_synonyms_follow_eda_cleaning() -> None:
    out = SynonymReplacement(1.0, faithful=True)(["Dogs bark!"], generator=torch.Generator().manual_seed(0))[0]
    assert re.fullmatch(r"[a-z ]+", out) and out != "dogs bark"


def test_stop_word_only_sentence_is_unchanged() -> None:
    text = ["the of and to it is"]
    assert SynonymReplacement(0.5)(text, generator=torch.Generator().manual_seed(0)) == text
    assert RandomInsertion(0.5)(text, generator=torch.Generator().manual_seed(0)) == text


def test_case_is_kept() -> None:
    out = SynonymReplacement(1.0)(["Quickly RUN"], generator=torch.Generator().manual_seed(0))[0]
    first, *rest = out.split(" ")
    assert first[0].isupper() and first[1:].islower()
    assert " ".join(rest).isupper()


def test_random_insertion_adds_synonyms_of_sentence_words() -> None:
    text = "The clever student solved the difficult problem quickly"
    before = text.split()
    for seed in range(10):
        out = RandomInsertion(0.3)([text], generator=torch.Generator().manual_seed(seed))[0]
        after = out.split(" ")
        # the original words survive in order
        it = iter(after)
        assert all(w in it for w in before)
        n_inserted = max(1, int(0.3 * len(before)))
        pool = {s for w in before if w.lower() not in STOP_WORDS for s in wordnet().synonyms(w)}
        extra = Counter(after) - Counter(before)
        inserted_words = " ".join(w for w, c in extra.items() for _ in range(c))
        assert 1 <= len(after) - len(before)
        assert all(any(tok in s.split(" ") for s in pool) for tok in inserted_words.split()), inserted_words
        assert len(after) - len(before) <= sum(len(s.split(" ")) for s in pool) and n_inserted >= 1


def test_antonym_replacement() -> None:
    out = AntonymReplacement(1.0)(["good", "Happy", "quickly", "table"], generator=torch.Generator().manual_seed(0))
    assert out[0] in ("bad", "evil", "badness", "evilness", "ill")
    assert out[1] == "Unhappy"
    assert out[2] == "slowly"
    assert out[3] == "table"


def test_punctuation_insertion_aeda() -> None:
    ratio = 0.3
    marks = (".", ";", "?", ":", "!", ",")
    out, rows = run(PunctuationInsertion(ratio), seed=2)
    for text, new, row in zip(TEXTS, out, rows):
        masked = PROTECTED.sub(lambda m: "\0" * len(m.group()), text)
        starts = [m.start() for m in WORD.finditer(masked)]
        n = len(starts)
        if n == 0:
            assert new == text
            continue
        q = 1 + int(row[0] * int(ratio * n + 1))
        assert 1 <= q <= int(ratio * n + 1)
        chosen = sorted(range(n), key=lambda k: row[(1 + k) % len(row)])[:q]
        mark_of = {k: marks[int(row[(1 + n + j) % len(row)] * 6)] for j, k in enumerate(chosen)}
        expected = text
        for k in sorted(chosen, reverse=True):
            expected = expected[: starts[k]] + mark_of[k] + " " + expected[starts[k] :]
        assert new == expected


def test_word_split_keeps_letters() -> None:
    out = WordSplit(0.5)(list(SENTENCES), generator=torch.Generator().manual_seed(0))
    for text, new in zip(SENTENCES, out):
        assert new.replace(" ", "") == text.replace(" ", "")
        assert len(new) > len(text)


def test_spelling_mistakes_come_from_the_dictionary() -> None:
    table = spelling("en")
    out = SpellingMistake(1.0)(list(SENTENCES), generator=torch.Generator().manual_seed(0))
    for text, new in zip(SENTENCES, out):
        a, b = words(text), words(new)
        if len(a) != len(b):  # a misspelling with a space ("alot" -> "a lot") changes the count
            continue
        for w, v in zip(a, b):
            if w != v:
                assert v.lower() in {m.lower() for m in table[w.lower()]}


def test_sentence_shuffle_permutes_sentences() -> None:
    text = "Rain today. Sun tomorrow! Snow later? Wind."
    seen = set()
    for seed in range(20):
        out = SentenceShuffle()([text], generator=torch.Generator().manual_seed(seed))[0]
        assert sorted(re.split(r"(?<=[.!?]) ", out)) == sorted(re.split(r"(?<=[.!?]) ", text))
        seen.add(out)
    assert len(seen) > 5


def test_protected_tokens_survive_every_word_op() -> None:
    text = ["Dear {name}, click <a href='x'>here</a> or https://x.org/y now, {name}!"] * 8
    ops = [
        SynonymReplacement(0.5),
        RandomInsertion(0.5),
        RandomSwap(0.5),
        RandomDeletion(0.5),
        PunctuationInsertion(0.5),
        WordSplit(0.5),
        SpellingMistake(0.5),
        SynonymReplacement(0.5, faithful=True),
        RandomDeletion(0.9, faithful=True),
    ]
    for op in ops:
        for new in op(text, generator=torch.Generator().manual_seed(0)):
            assert PROTECTED.findall(new) == PROTECTED.findall(text[0]), (op, new)


def test_user_protected_patterns() -> None:
    op = RandomDeletion(1.0, protected=[r"ACME\w*"])
    out = op(["ACME_Corp makes great rockets"], generator=torch.Generator().manual_seed(0))[0]
    assert out.startswith("ACME_Corp ")


def test_same_type_out_and_errors() -> None:
    out = RandomSwap()(["a b c"], generator=torch.Generator().manual_seed(0))
    assert isinstance(out, list) and isinstance(out[0], str)
    with pytest.raises(InputError, match="list of strings"):
        RandomSwap()("a b c")
    with pytest.raises(InputError, match=r"x\[1\]"):
        RandomSwap()(["a", 3])
    with pytest.raises(InputError, match="rate"):
        RandomSwap(rate=2.0)


def test_seeded_generator_reproduces_without_global_seeding() -> None:
    op = SynonymReplacement(0.3)
    torch.manual_seed(0)
    a = op(list(SENTENCES), generator=torch.Generator().manual_seed(5))
    torch.manual_seed(1)
    b = op(list(SENTENCES), generator=torch.Generator().manual_seed(5))
    assert a == b
