"""nlpaug → omniaug on real text (chatterbot-corpus conversations).

nlpaug returns no params, so mapped ops cannot be replayed sample for sample: the
checks compare edit rates over a corpus and that every edit is one nlpaug's own
tables allow.
"""

from __future__ import annotations

import random

import pytest
import yaml

import omniaug
from omniaug.interop import convert

pytest.importorskip("nlpaug")
pytest.importorskip("omniaug_text")
import nlpaug.augmenter.char as nac
import nlpaug.augmenter.word as naw
import nlpaug.flow as naf


def corpus(n: int = 120) -> list[str]:
    """Real conversational English: the lines of chatterbot-corpus' English files."""
    import os

    import chatterbot_corpus

    folder = os.path.join(os.path.dirname(chatterbot_corpus.__file__), "data", "english")
    lines: list[str] = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        for conv in data.get("conversations", []):
            lines += [s for s in conv if isinstance(s, str) and len(s.split()) >= 6]
    return lines[:n]


def changed_chars(a: list[str], b: list[str]) -> float:
    same_len = [(x, y) for x, y in zip(a, b) if len(x) == len(y)]
    return sum(c != d for x, y in same_len for c, d in zip(x, y)) / max(1, sum(len(x) for x, _ in same_len))


def test_sequential_converts_and_runs_on_real_text() -> None:
    flow = naf.Sequential(
        [
            nac.KeyboardAug(aug_char_p=0.1, aug_word_p=0.2),
            nac.OcrAug(),
            nac.RandomCharAug(action="swap"),
            naw.RandomWordAug(action="delete", aug_p=0.1),
            naw.SplitAug(aug_p=0.1),
            naw.RandomWordAug(action="crop"),
        ]
    )
    pipeline, report = convert(flow)
    assert [e.status for e in report.entries] == ["native"] * 5 + ["wrapped"]
    assert report.entries[2].source == "RandomCharAug:swap" and report.entries[5].source == "RandomWordAug:crop"
    texts = corpus(40)
    out, params = pipeline.augment(texts, generator=omniaug.rng.make_generator(0))
    assert len(out) == 40 and sum(o != t for o, t in zip(out, texts)) > 30
    assert pipeline(texts, params=params) == out
    rebuilt = omniaug.from_config(omniaug.to_config(pipeline))
    assert rebuilt(texts, generator=omniaug.rng.make_generator(0)) == out


def test_spelling_maps_to_the_native_op() -> None:
    # converted only: omniaug's text.spelling_mistake is slow on long batches at the moment (not run here)
    pipeline, report = convert(naw.SpellingAug(aug_p=0.25))
    assert report.entries[0].target == "text.spelling_mistake" and pipeline.transforms[0].rate == 0.25


def test_sometimes_applies_each_augmenter_with_aug_p() -> None:
    from omniaug.containers import RandomApply

    pipeline, _ = convert(naf.Sometimes([nac.OcrAug(), naw.SplitAug()], aug_p=0.4))
    assert all(isinstance(t, RandomApply) and t.p == 0.4 for t in pipeline.transforms)


def test_keyboard_rate_and_table_agree_with_nlpaug() -> None:
    aug = nac.KeyboardAug(aug_char_p=0.2, aug_word_p=0.3, aug_char_max=1000, aug_word_max=1000, min_char=1)
    pipeline, _ = convert(aug)
    (op,) = pipeline.transforms
    assert op.rate == pytest.approx(0.06) and op.layout == "en"
    texts = corpus(60)
    random.seed(0)  # nlpaug draws from Python's global random (test code only)
    theirs = [aug.augment(t)[0] for t in texts]
    ours = op(texts, generator=omniaug.rng.make_generator(0))
    r_theirs, r_ours = changed_chars(texts, theirs), changed_chars(texts, ours)
    # nlpaug edits at least one character per picked word: its rate is higher on short words (documented band)
    assert 1.0 / 2.5 < r_ours / r_theirs < 1.0 / 1.2 + 0.1, (r_ours, r_theirs)
    # every substitution omniaug made is a neighbour key in nlpaug's own keyboard model
    for x, y in zip(texts, ours):
        for c, d in zip(x, y):
            if c != d:
                assert d in aug.model.predict(c) or d.lower() in aug.model.predict(c.lower()), (c, d)


def test_restricted_keyboard_is_wrapped() -> None:
    _, report = convert(nac.KeyboardAug(include_special_char=False))
    assert report.entries[0].status == "wrapped" and "special" in report.entries[0].note


def test_word_deletion_rate_agrees_with_nlpaug() -> None:
    aug = naw.RandomWordAug(action="delete", aug_p=0.2, aug_max=None)
    (op,) = convert(aug).pipeline.transforms
    texts = corpus(60)
    random.seed(1)
    theirs = [aug.augment(t)[0] for t in texts]
    ours = op(texts, generator=omniaug.rng.make_generator(1))
    kept = sum(len(o.split()) for o in ours) / sum(len(t.split()) for t in texts)
    kept_theirs = sum(len(o.split()) for o in theirs) / sum(len(t.split()) for t in texts)
    assert abs(kept - kept_theirs) < 0.05, (kept, kept_theirs)


def test_wrapped_nlpaug_is_seeded_and_leaves_random_alone() -> None:
    op = omniaug.interop.WrappedNlpaug(naw.RandomWordAug(action="crop"))
    texts = corpus(12)
    random.seed(3)
    state = random.getstate()
    a = op(texts, generator=omniaug.rng.make_generator(4))
    assert random.getstate() == state
    random.seed(11)
    assert op(texts, generator=omniaug.rng.make_generator(4)) == a
    assert op(texts, generator=omniaug.rng.make_generator(5)) != a
