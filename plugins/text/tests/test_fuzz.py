"""Every string op survives arbitrary text: no crash, one string out per string in, protected tokens kept."""

from __future__ import annotations

import re

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omniaug_text import plugin
from omniaug_text.modality import TEXT

PIECES = st.sampled_from(
    [
        "{slot}",
        "<i>",
        "https://a.b/c",
        " ",
        "  ",
        "\n",
        "\t",
        ",",
        ".",
        "!",
        "'",
        "-",
        "42",
        "é",
        "Ж",
        "the",
        "Dog",
        "happy",
        "ice",
        "cream",
        "run",
    ]
)
TEXTS = st.lists(st.lists(PIECES | st.text(max_size=6), max_size=12).map("".join), min_size=1, max_size=5)
PROTECTED = re.compile(r"\{[^{}\s]*\}|</?[A-Za-z][^<>\n]*>|https?://\S+")
STRING_OPS = [op for cls in plugin.OPS if cls.modality_spec() is TEXT for op in cls.example_instances()]


@given(TEXTS, st.integers(0, 2**31 - 1))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_string_ops_on_arbitrary_text(texts: list[str], seed: int) -> None:
    for op in STRING_OPS:
        out = op(texts, generator=torch.Generator().manual_seed(seed))
        assert isinstance(out, list) and len(out) == len(texts) and all(isinstance(s, str) for s in out)
        for before, after in zip(texts, out):
            for token in set(PROTECTED.findall(before)):
                assert token in after or token.rstrip(".,!'") in after, (op, before, after)
