"""Grapheme clusters (issue #20 §3): no op splits a combining mark from its letter; token specials; spelling table."""

from __future__ import annotations

import unicodedata

import pytest
import torch

from omniaug_text import TokenBatch
from omniaug_text.ops.chars import CharDelete, CharInsert, CharSubstitute, CharSwap, Homoglyph, KeyboardTypo, OCRError
from omniaug_text.ops.tokens import LocalShuffle, TokenDropout
from omniaug_text.ops.words import RandomDeletion, RandomSwap, SpellingMistake, WordSplit
from omniaug_text.segment import graphemes, segment

HINDI = ["मैं आज घर जा रहा हूँ और कल वापस आऊँगा", "हिन्दी भाषा बहुत सुंदर है और सीखने में आसान है"]
NFD = [
    unicodedata.normalize("NFD", s)
    for s in ("Le café crème est prêt à côté de la fenêtre", "Ça va très bien, merci à vous")
]


def _is_mark(c: str) -> bool:
    return unicodedata.category(c)[0] == "M" or c in "\u200c\u200d"


def test_clusters_keep_marks_on_their_letter() -> None:
    assert graphemes("हिन्दी") == ["हि", "न्दी"]  # vowel sign on its consonant, virama conjunct (GB9c)
    assert graphemes(unicodedata.normalize("NFD", "très")) == ["t", "r", "e\u0300", "s"]
    assert graphemes("a\r\nb") == ["a", "\r\n", "b"]
    assert graphemes("👨\u200d👩\u200d👧 🇫🇷🇩🇪") == ["👨\u200d👩\u200d👧", " ", "🇫🇷", "🇩🇪"]
    assert graphemes(unicodedata.normalize("NFD", "한국")) == [
        unicodedata.normalize("NFD", "한"),
        unicodedata.normalize("NFD", "국"),
    ]
    assert graphemes("plain ascii") == list("plain ascii")
    for s in HINDI + NFD:
        assert "".join(graphemes(s)) == s
        assert not any(_is_mark(g[0]) for g in graphemes(s))


def test_words_are_whole_words_with_their_marks() -> None:
    assert segment(HINDI[1]).words == ["हिन्दी", "भाषा", "बहुत", "सुंदर", "है", "और", "सीखने", "में", "आसान", "है"]
    assert segment(NFD[1]).words == [
        unicodedata.normalize("NFD", w) for w in ("Ça", "va", "très", "bien", "merci", "à", "vous")
    ]


def _words(s: str) -> list[str]:
    return s.split()


@pytest.mark.parametrize("op", [RandomSwap(0.5), RandomDeletion(0.4)], ids=lambda o: o.name)
def test_word_ops_move_whole_hindi_and_nfd_words(op: object) -> None:
    texts = HINDI + NFD
    for seed in range(20):
        out = op(texts, generator=torch.Generator().manual_seed(seed))  # type: ignore[operator]
        for before, after in zip(texts, out):
            original = {w.strip(",.") for w in _words(before)}
            for w in _words(after):
                assert w.strip(",.") in original | {""}, (before, after)  # no syllable moved between words
                assert not _is_mark(w[0]), (before, after)  # no orphan vowel sign or accent


def test_word_split_cuts_between_clusters() -> None:
    op = WordSplit(1.0, min_length=2)
    for seed in range(10):
        for after in op(HINDI + NFD, generator=torch.Generator().manual_seed(seed)):
            assert not any(_is_mark(w[0]) for w in _words(after))


CHAR_OPS = [
    CharDelete(0.4),
    CharSwap(0.4),
    CharSubstitute(0.4),
    CharInsert(0.4),
    KeyboardTypo(0.4, layout="fr"),
    Homoglyph(0.4),
    OCRError(0.4),
]


@pytest.mark.parametrize("op", CHAR_OPS, ids=lambda o: o.name)
def test_char_ops_never_orphan_a_mark(op: object) -> None:
    texts = HINDI + NFD
    changed = False
    for seed in range(10):
        out = op(texts, generator=torch.Generator().manual_seed(seed))  # type: ignore[operator]
        for before, after in zip(texts, out):
            changed |= before != after
            for w in _words(after):
                assert not _is_mark(w[0]), (op, before, after)
            if op.name in ("text.char_delete", "text.char_swap", "text.char_substitute", "text.char_insert"):
                # a letter with marks is kept, moved or replaced whole: its clusters all come from the input
                clusters_before = set(graphemes(before))
                assert all(len(g) == 1 or g in clusters_before for g in graphemes(after)), (op, before, after)
    if op.name not in ("text.homoglyph", "text.ocr_error", "text.keyboard_typo"):  # Latin-only tables
        assert changed


def test_decomposed_letter_looked_up_by_its_composed_form() -> None:
    # NFC and NFD spellings of the same text get the same edits, each in its own normal form
    nfc = ["Le café crème est prêt"]
    nfd = [unicodedata.normalize("NFD", nfc[0])]
    for op in (KeyboardTypo(0.5, layout="fr"), Homoglyph(0.5), CharDelete(0.5), CharSwap(0.5)):
        for seed in range(5):
            a = op(nfc, generator=torch.Generator().manual_seed(seed))
            b = op(nfd, generator=torch.Generator().manual_seed(seed))
            assert unicodedata.normalize("NFC", b[0]) == a[0], (op.name, a, b)


def test_plain_text_draws_unchanged_by_clusters() -> None:
    """ASCII text still indexes code points: the fast path is the code-point path."""
    op = CharDelete(0.3)
    x = ["Hello world, plain text"]
    params = op.sample_params(x, generator=torch.Generator().manual_seed(0))
    assert params["pick"].shape[1] == len(x[0])


# ---------------------------------------------------------------- token special ids


def _bert_batch() -> TokenBatch:
    seqs = [[101, 5, 6, 7, 8, 9, 102], [101, 11, 12, 102, 13, 14, 102]]
    return TokenBatch.from_lists(seqs, special_ids=[101, 102], pad_id=0, vocab_size=200)


def test_dropout_never_drops_specials_and_sep_follows_the_last_kept_token() -> None:
    x = _bert_batch()
    op = TokenDropout(0.5)
    moved = False
    for seed in range(30):
        out = op(x, generator=torch.Generator().manual_seed(seed))
        for i in range(2):
            before = [t for t, m in zip(x.ids[i].tolist(), x.attention_mask[i].tolist()) if m]
            after = [t for t, m in zip(out.ids[i].tolist(), out.attention_mask[i].tolist()) if m]
            assert [t for t in before if t in (101, 102)] == [
                t for t in after if t in (101, 102)
            ]  # none dropped, order kept
            assert after[-1] == 102 and after[0] == 101  # [SEP] right after the last kept token
            it = iter(before)
            assert all(t in it for t in after)  # a subsequence: nothing reordered
            moved |= len(after) < len(before)
    assert moved  # the documented behaviour: [SEP] moves left when tokens before it are dropped


def test_local_shuffle_keeps_specials_at_their_index() -> None:
    x = _bert_batch()
    for seed in range(10):
        out = LocalShuffle(3)(x, generator=torch.Generator().manual_seed(seed))
        special = torch.isin(x.ids, torch.tensor([101, 102]))
        assert torch.equal(out.ids[special], x.ids[special])


def test_spelling_table_is_built_once() -> None:
    from omniaug_text import lexicon

    assert lexicon.spelling("en") is lexicon.spelling("en")
    out = SpellingMistake(0.5)(
        ["I believe the definitely separate government"] * 3, generator=torch.Generator().manual_seed(0)
    )
    assert any(s != "I believe the definitely separate government" for s in out)
