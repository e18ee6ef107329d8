"""Tokenization: lossless round trips, fast path == regex path, EDA's faithful cleaning."""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from omniaug_text.segment import DEFAULT_PROTECTED, Doc, SpaceDoc, _segment_faithful, regex_doc, segment

PLAIN = st.text(alphabet=string.ascii_letters[:8] + "  ,.!?'()-0123", max_size=60)


@given(PLAIN)
@settings(max_examples=300, deadline=None)
def test_round_trip_is_lossless(text: str) -> None:
    assert segment(text).text() == text
    assert regex_doc(text).text() == text


@given(PLAIN)
@settings(max_examples=300, deadline=None)
def test_fast_path_cuts_like_the_regex(text: str) -> None:
    fast = segment(text)
    slow = regex_doc(text)
    assert fast.words == slow.words
    # the regex's own definition of a word, as an independent check
    assert slow.words == re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text)


@given(PLAIN, st.data())
@settings(max_examples=300, deadline=None)
def test_fast_path_edits_like_the_regex(text: str, data: st.DataObject) -> None:
    fast, slow = segment(text), regex_doc(text)
    n = len(slow.words)
    if n < 2:
        return
    for _ in range(data.draw(st.integers(1, 4))):
        action = data.draw(st.sampled_from(["replace", "delete", "insert", "swap"]))
        a, b = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
        for doc in (fast, slow):
            if action == "replace":
                doc.replace(a, "zz")
            elif action == "delete":
                doc.delete(a)
            elif action == "insert":
                doc.insert(a, "yy")
            elif a != b:
                doc.swap(a, b)
    assert fast.text() == slow.text()


def test_fast_path_is_used_for_plain_text_only() -> None:
    assert isinstance(segment("Hello, world! It's fine."), SpaceDoc)
    assert isinstance(segment("Hello {name}"), Doc)
    assert isinstance(segment("well-known fact"), Doc)
    assert isinstance(segment("line one\nline two"), Doc)


def test_a_word_never_swallows_a_protected_token() -> None:
    doc = segment("éhttps://a.b/c and x{y}")
    assert doc.words == ["é", "and", "x"]
    assert doc.text() == "éhttps://a.b/c and x{y}"


def test_protected_tokens_are_not_words() -> None:
    doc = segment("Hi {user}, see <b>this</b> at https://x.org/a?b=c now")
    assert doc.words == ["Hi", "see", "this", "at", "now"]
    custom = segment("call FOO_BAR now", ("[A-Z]+_[A-Z]+",))
    assert custom.words == ["call", "now"]


def test_deletion_spacing() -> None:
    cases = {
        ("the cat sat.", 2): "the cat.",
        ("the cat sat.", 0): "cat sat.",
        ("Hello, world", 0): ", world",
        ("a (dog) runs", 1): "a () runs",
        ("a  b c", 1): "a  c",
    }
    for (text, k), want in cases.items():
        for doc in (segment(text), regex_doc(text)):
            doc.delete(k)
            assert doc.text() == want, (text, k, type(doc).__name__)


def eda_get_only_chars(line: str) -> str:
    """EDA's cleaning written out character by character (the oracle)."""
    clean = ""
    line = line.replace("’", "").replace("'", "").replace("-", " ").replace("\t", " ").replace("\n", " ")
    for char in line.lower():
        clean += char if char in "qwertyuiopasdfghjklzxcvbnm " else " "
    clean = re.sub(" +", " ", clean)
    return clean.strip()


def test_faithful_words_match_eda_cleaning_for_plain_letters() -> None:
    for text in ["The Quick brown FOX", "a  b\tc\nd", "well-known facts", "Don't stop: 42 ways!", "café au lait"]:
        assert " ".join(_segment_faithful(text, DEFAULT_PROTECTED).words) == eda_get_only_chars(text)
    assert _segment_faithful("don't 42 go!", DEFAULT_PROTECTED).words == ["dont", "go"]


@given(st.text(max_size=40))
@settings(max_examples=200, deadline=None)
def test_faithful_cleaning_matches_eda_on_any_text(text: str) -> None:
    assert " ".join(_segment_faithful(text, ()).words) == eda_get_only_chars(text)


def test_faithful_keeps_protected_tokens() -> None:
    doc = _segment_faithful("Hello {Name}, BYE", DEFAULT_PROTECTED)
    assert doc.parts == ["hello", "{Name}", "bye"]
    assert doc.words == ["hello", "bye"]
