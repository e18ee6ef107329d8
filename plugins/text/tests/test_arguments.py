"""Text and token op arguments go through ``omniaug.args``: one error shape naming the op and the argument."""

from __future__ import annotations

import pytest

from omniaug import InputError
from omniaug_text.ops.tokens import SpanMasking
from omniaug_text.ops.words import WordSplit


def test_word_split_min_length_is_an_integer_of_at_least_two() -> None:
    assert WordSplit(min_length=2).min_length == 2
    assert WordSplit(min_length=5.0).min_length == 5  # an integral float is the integer, as in omniaug.args
    for bad in (1, 0, -3, 2.5, "4", None, True):
        with pytest.raises(InputError, match=r"WordSplit: `min_length` must be an integer in \[2, inf\]"):
            WordSplit(min_length=bad)


def test_span_masking_mean_span_is_at_least_one() -> None:
    assert SpanMasking(mean_span=1).mean_span == 1.0
    assert SpanMasking(mean_span=2.5).mean_span == 2.5
    for bad in (0.999, 0, -1.0, "3", None):
        with pytest.raises(InputError, match=r"SpanMasking: `mean_span` must be a finite number in \[1, inf\]"):
            SpanMasking(mean_span=bad)
