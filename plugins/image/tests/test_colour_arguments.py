"""Photometric and random-field strengths go through ``omniaug.args``: one error shape naming op and argument."""

from __future__ import annotations

import pytest

from omniaug import InputError
from omniaug_image.ops import photometric as P
from omniaug_image.ops import random_field as R


@pytest.mark.parametrize("op", [P.Brightness, P.Contrast, P.Saturation, P.Sharpness])
def test_factor_strengths_are_non_negative(op) -> None:
    name = op.arg
    assert op(**{name: 0.0}).strength == 0.0
    for bad in (-0.1, "0.2", None, True):
        with pytest.raises(InputError, match=rf"{op.__name__}: `{name}` must be a finite number >= 0"):
            op(**{name: bad})


def test_hue_is_at_most_half_a_turn_and_colour_jitter_strengths_non_negative() -> None:
    assert P.Hue(0.5).hue == 0.5 and P.ColorJitter(hue=0.5).strengths[3] == 0.5
    for bad in (-0.1, 0.51):
        with pytest.raises(InputError, match=r"Hue: `hue` must be a finite number in \[0, 0.5\]"):
            P.Hue(bad)
        with pytest.raises(InputError, match=r"ColorJitter: `hue` must be a finite number in \[0, 0.5\]"):
            P.ColorJitter(hue=bad)
    for name in ("brightness", "contrast", "saturation"):
        with pytest.raises(InputError, match=rf"ColorJitter: `{name}` must be a finite number >= 0"):
            P.ColorJitter(**{name: -0.1})
    with pytest.raises(InputError, match=r"Gamma: `strength` must be a finite number >= 0"):
        P.Gamma(-0.5)


def test_random_field_amplitudes_and_length_scale() -> None:
    assert R.RandomFieldAffine(scale=2.0).scale == 2.0 and R.RandomFieldColor(length_scale=1e-3).length_scale == 1e-3
    with pytest.raises(InputError, match=r"RandomFieldAffine: `scale` must be a finite number in \[0, 2\]"):
        R.RandomFieldAffine(scale=2.5)
    for name in ("rotation", "translation"):
        with pytest.raises(InputError, match=rf"RandomFieldAffine: `{name}` must be a finite number >= 0"):
            R.RandomFieldAffine(**{name: -1.0})
    for name in ("brightness", "saturation", "hue"):
        with pytest.raises(InputError, match=rf"RandomFieldColor: `{name}` must be a finite number >= 0"):
            R.RandomFieldColor(**{name: -0.1})
    for op in (R.RandomFieldAffine, R.RandomFieldColor):
        for bad in (0.0, -0.5, 1e-4):
            with pytest.raises(
                InputError, match=rf"{op.__name__}: `length_scale` must be a finite number in \[0.001, inf\]"
            ):
                op(length_scale=bad)
