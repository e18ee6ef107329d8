"""Character ops against oracles: changes only where drawn, only to table entries, protected spans intact."""

from __future__ import annotations

import json
import math
from pathlib import Path

import nlpaug
import pytest
import torch

from omniaug_text.lexicon import HOMOGLYPHS
from omniaug_text.ops.chars import CharDelete, CharInsert, CharSubstitute, CharSwap, Homoglyph, KeyboardTypo, OCRError
from omniaug_text.samples import SENTENCES

NLPAUG_RES = Path(nlpaug.__file__).parent / "res" / "char"
TEXTS = list(SENTENCES) * 4


def nlpaug_keyboard(layout: str) -> dict[str, list[str]]:
    """The original resource file (the oracle for our shipped copy)."""
    raw = json.loads((NLPAUG_RES / "keyboard" / f"{layout}.json").read_text(encoding="utf-8"))
    return {k: [v] if isinstance(v, str) else v for k, v in raw.items()}


def picked_positions(op, texts, seed):
    out, params = op.augment(texts, generator=torch.Generator().manual_seed(seed))
    pick = params["pick"]
    picks = [[j for j in range(len(t)) if bool(pick[i, j])] for i, t in enumerate(texts)]
    return out, picks


@pytest.mark.parametrize("layout", ["en", "de", "fr"])
def test_keyboard_typos_are_neighbours_at_drawn_positions(layout: str) -> None:
    table = nlpaug_keyboard(layout)
    out, picks = picked_positions(KeyboardTypo(0.2, layout=layout), TEXTS, seed=1)
    changed = 0
    for text, new, pick in zip(TEXTS, out, picks):
        assert len(new) == len(text)
        for j, (a, b) in enumerate(zip(text, new)):
            if a == b:
                continue
            changed += 1
            assert j in pick, "changed a character that was not drawn"
            assert b in table.get(a, []) or b.lower() in table.get(a.lower(), []), (a, b)
    assert changed > 0.5 * sum(len(p) for p in picks) * 0.5


def test_keyboard_rate_is_the_fraction_of_characters_touched() -> None:
    text = ["abcdefghijklmnopqrstuvwxyz" * 40]
    rate = 0.1
    out = KeyboardTypo(rate)(text, generator=torch.Generator().manual_seed(0))[0]
    n = len(text[0])
    changed = sum(a != b for a, b in zip(text[0], out))
    sd = math.sqrt(n * rate * (1 - rate))
    assert abs(changed - n * rate) < 5 * sd


def test_ocr_errors_follow_the_ocr_map() -> None:
    raw = json.loads((NLPAUG_RES / "ocr" / "en.json").read_text(encoding="utf-8"))
    pairs = {(k, v) for k, vs in raw.items() for v in vs} | {(v, k) for k, vs in raw.items() for v in vs}
    out = OCRError(0.5)(
        ["Order 1005 for OLGA: 8 boxes, 62 rolls, 9 crates"] * 10, generator=torch.Generator().manual_seed(0)
    )
    extra = {
        ("l", "1"),
        ("l", "I"),
        ("I", "l"),
        ("I", "1"),
        ("S", "5"),
        ("B", "8"),
        ("Z", "2"),
        ("g", "9"),
        ("e", "c"),
        ("c", "e"),
    }
    extra |= {(b, a) for a, b in extra}
    n_changed = 0
    for new in out:
        for a, b in zip("Order 1005 for OLGA: 8 boxes, 62 rolls, 9 crates", new):
            if a != b:
                n_changed += 1
                assert (a, b) in pairs | extra, (a, b)
    assert n_changed > 0


def test_homoglyphs_look_alike_and_differ() -> None:
    out = Homoglyph(1.0)(["Hello Ocean"], generator=torch.Generator().manual_seed(0))[0]
    assert out != "Hello Ocean" and len(out) == len("Hello Ocean")
    for a, b in zip("Hello Ocean", out):
        assert a == b or b in HOMOGLYPHS[a]
    assert all(ord(c) > 127 for a, c in zip("Hello Ocean", out) if a in HOMOGLYPHS)


def test_random_character_edits() -> None:
    g = torch.Generator().manual_seed(0)
    text = ["Programming languages evolve quickly"] * 20
    sub = CharSubstitute(0.3)(text, generator=g)
    assert all(len(s) == len(text[0]) for s in sub)
    assert all(a != b for s in sub for a, b in zip(text[0], s) if a != b)  # substitutes really differ
    ins = CharInsert(0.3)(text, generator=g)
    assert all(len(s) > len(text[0]) for s in ins)
    for s in ins:  # the original is a subsequence
        it = iter(s)
        assert all(c in it for c in text[0])
    swp = CharSwap(0.3)(text, generator=g)
    assert all(sorted(s) == sorted(text[0]) for s in swp) and any(s != text[0] for s in swp)
    dele = CharDelete(0.3)(text, generator=g)
    for s in dele:
        it = iter(text[0])
        assert all(c in it for c in s) and len(s) < len(text[0])
        assert len(s.split()) == 4  # never deletes a whole word


@pytest.mark.parametrize(
    "op",
    [
        KeyboardTypo(1.0),
        OCRError(1.0),
        Homoglyph(1.0),
        CharSubstitute(1.0),
        CharInsert(1.0),
        CharSwap(1.0),
        CharDelete(1.0),
    ],
)
def test_protected_spans_untouched(op) -> None:
    text = ["Hi {first_name}, open <b>menu</b> at https://example.org/abc today"]
    out = op(text, generator=torch.Generator().manual_seed(0))[0]
    for token in ("{first_name}", "<b>", "</b>", "https://example.org/abc"):
        assert token in out, (op.name, out)


def test_rate_zero_is_identity_and_bad_args() -> None:
    assert KeyboardTypo(0.0)(list(SENTENCES), generator=torch.Generator().manual_seed(0)) == list(SENTENCES)
    from omniaug import InputError

    with pytest.raises(InputError, match="layout"):
        KeyboardTypo(layout="xx")
    with pytest.raises(InputError, match="rate"):
        CharSwap(rate=-0.1)
