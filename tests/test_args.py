"""The shared argument helpers: normalized values and one error shape."""

from __future__ import annotations

import math

import pytest

from omniaug import InputError, args


def test_probability_and_fraction_bounds():
    assert args.probability("p", 1) == 1.0 and args.fraction("fraction", 0.25) == 0.25
    for bad in (-0.1, 1.5, math.nan, True, "0.5", None):
        with pytest.raises(InputError, match=r"Op: `p` must be a probability in \[0, 1\]"):
            args.probability("p", bad, where="Op")


def test_scalar_range_is_symmetric_around_center():
    assert args.value_range("degrees", 30) == (-30.0, 30.0)
    assert args.value_range("gain", 0.2, center=1.0) == (0.8, 1.2)
    assert args.value_range("sigma", (0.1, 0.3), bounds=(0.0, 1.0)) == (0.1, 0.3)
    for bad in (-1, (0.3, 0.1), (0, 2), (1, 2, 3), "a", math.inf):
        with pytest.raises(InputError, match="`sigma` must be"):
            args.value_range("sigma", bad, bounds=(0.0, 1.0))


def test_integer_non_negative_positive_choice():
    assert args.integer("k", 3.0, low=1) == 3
    with pytest.raises(InputError, match=r"an integer in \[1, 5\]"):
        args.integer("k", 6, low=1, high=5)
    with pytest.raises(InputError):
        args.integer("k", 2.5)
    assert args.non_negative("eps", 0) == 0.0
    with pytest.raises(InputError, match="> 0"):
        args.positive("alpha", 0)
    assert args.choice("norm", "linf", ("linf", "l2")) == "linf"
    with pytest.raises(InputError, match="one of 'linf', 'l2'"):
        args.choice("norm", "l1", ("linf", "l2"))


def test_fixed_scalar_for_amounts_without_a_neutral_value():
    assert args.value_range("snr_db", 10, scalar="fixed") == (10.0, 10.0)
    assert args.value_range("sigma", 0.2, bounds=(0.0, 1.0), scalar="fixed") == (0.2, 0.2)
    assert args.value_range("sigma", (0.1, 0.3), bounds=(0.0, 1.0), scalar="fixed") == (0.1, 0.3)
    with pytest.raises(InputError, match="a number \\(a fixed value\\)"):
        args.value_range("sigma", -0.1, bounds=(0.0, 1.0), scalar="fixed")


def test_finite_with_bounds():
    assert args.finite("mean", -3) == -3.0
    assert args.finite("max_angle", 180, low=0, high=180) == 180.0
    assert args.finite("length_scale", 0.5, low=1e-3) == 0.5
    for bad in (-1, 181, math.nan, math.inf, True, "90", None):
        with pytest.raises(InputError, match=r"Op: `max_angle` must be a finite number in \[0, 180\]"):
            args.finite("max_angle", bad, low=0, high=180, where="Op")
    with pytest.raises(InputError, match=r"a finite number in \[-inf, 2\]"):
        args.finite("scale", 3, high=2)


def test_range_with_an_open_lower_bound():
    kw = {"bounds": (0.0, 1.0), "low_open": True, "scalar": "fixed"}
    assert args.value_range("size", 0.5, **kw) == (0.5, 0.5)
    assert args.value_range("size", (0.25, 1.0), **kw) == (0.25, 1.0)
    for bad in (0, 0.0, (0.0, 0.5), 1.5, (0.5, 0.25)):
        with pytest.raises(InputError, match=r"`size` must be .* inside \(0, 1\]"):
            args.value_range("size", bad, **kw)
    assert args.value_range("size", (0.0, 0.5), bounds=(0.0, 1.0)) == (0.0, 0.5)  # closed by default


def test_number_allows_non_finite_values_but_only_numbers():
    assert args.number("fill", 2) == 2.0
    assert math.isnan(args.number("fill", math.nan))
    assert args.number("fill", -math.inf) == -math.inf
    for bad in (True, "0", None, (0.0,)):
        with pytest.raises(InputError, match=r"Op: `fill` must be a number \(NaN and infinity allowed\)"):
            args.number("fill", bad, where="Op")
