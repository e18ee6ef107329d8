"""Argument helpers every op uses: one argument order, one error shape, one meaning per convention.

Each helper takes ``(name, value, ...)`` plus ``where`` (the op's name for the
message), returns the normalized value and raises :class:`~omniaug.InputError`
naming the argument, what was expected and what came. Conventions:

* a *probability* or *fraction* lies in ``[0, 1]`` (``fraction`` is "the share of
  elements changed");
* a *range* is a ``(low, high)`` pair; a scalar ``v`` where a range is expected
  means the symmetric range ``(center - v, center + v)`` around the argument's
  neutral value ``center`` (0 for offsets, 1 for factors — as torchvision,
  albumentations and kornia read it). An *amount* with no neutral value inside its
  domain (a noise σ, a width, an SNR, a frequency) reads a scalar as the fixed value
  ``(v, v)`` instead (``scalar="fixed"``);
* a *choice* is one of a fixed set of strings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .errors import InputError

__all__ = [
    "probability",
    "fraction",
    "number",
    "finite",
    "non_negative",
    "positive",
    "integer",
    "value_range",
    "choice",
]


def _number(name: str, value: Any, expected: str, where: str | None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
        raise InputError(name, expected, value, where=where)
    return float(value)


def probability(name: str, value: Any, *, where: str | None = None) -> float:
    """A probability in ``[0, 1]``."""
    v = _number(name, value, "a probability in [0, 1]", where)
    if not 0.0 <= v <= 1.0:
        raise InputError(name, "a probability in [0, 1]", value, where=where)
    return v


def fraction(name: str, value: Any, *, where: str | None = None) -> float:
    """The share of elements changed, in ``[0, 1]``."""
    v = _number(name, value, "a fraction in [0, 1]", where)
    if not 0.0 <= v <= 1.0:
        raise InputError(name, "a fraction in [0, 1]", value, where=where)
    return v


def number(name: str, value: Any, *, where: str | None = None) -> float:
    """Any real number, NaN and ±inf included: a fill value where NaN marks "missing".

    The op must also list the argument in its ``nonfinite_args`` (the constructor
    refuses non-finite arguments otherwise); every other number is :func:`finite`.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(name, "a number (NaN and infinity allowed)", value, where=where)
    return float(value)


def finite(
    name: str, value: Any, *, low: float | None = None, high: float | None = None, where: str | None = None
) -> float:
    """A finite number (a fill constant, a mean), in ``[low, high]`` when either bound is given."""
    if low is None and high is None:
        return _number(name, value, "a finite number", where)
    expected = f"a finite number in [{-math.inf if low is None else low:g}, {math.inf if high is None else high:g}]"
    v = _number(name, value, expected, where)
    if (low is not None and v < low) or (high is not None and v > high):
        raise InputError(name, expected, value, where=where)
    return v


def non_negative(name: str, value: Any, *, where: str | None = None) -> float:
    """A finite number ``>= 0``."""
    v = _number(name, value, "a finite number >= 0", where)
    if v < 0:
        raise InputError(name, "a finite number >= 0", value, where=where)
    return v


def positive(name: str, value: Any, *, where: str | None = None) -> float:
    """A finite number ``> 0``."""
    v = _number(name, value, "a finite number > 0", where)
    if v <= 0:
        raise InputError(name, "a finite number > 0", value, where=where)
    return v


def integer(name: str, value: Any, *, low: int | None = None, high: int | None = None, where: str | None = None) -> int:
    """An integer in ``[low, high]`` (either bound optional)."""
    lo = "-inf" if low is None else str(low)
    hi = "inf" if high is None else str(high)
    expected = f"an integer in [{lo}, {hi}]"
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise InputError(name, expected, value, where=where)
    if (low is not None and value < low) or (high is not None and value > high):
        raise InputError(name, expected, value, where=where)
    return int(value)


def value_range(
    name: str,
    value: Any,
    *,
    center: float = 0.0,
    bounds: tuple[float, float] | None = None,
    scalar: str = "symmetric",
    low_open: bool = False,
    where: str | None = None,
) -> tuple[float, float]:
    """A ``(low, high)`` pair with ``low <= high``, inside ``bounds`` when given.

    A scalar ``v`` means ``(center - v, center + v)`` (``v >= 0``) with
    ``scalar="symmetric"`` (the default), or the fixed value ``(v, v)`` with
    ``scalar="fixed"`` (amounts that have no neutral value inside their domain).
    ``low_open=True`` leaves the lower bound out (``(0, 1]``: a share that may not be 0).
    """
    lo_b, hi_b = bounds if bounds is not None else (-math.inf, math.inf)
    if scalar not in ("symmetric", "fixed"):
        raise ValueError(f"value_range: scalar must be 'symmetric' or 'fixed', not {scalar!r}")
    if scalar == "fixed":
        expected = "a number (a fixed value) or a (low, high) pair with low <= high"
    else:
        expected = "a number >= 0 (symmetric range) or a (low, high) pair with low <= high"
    if bounds is not None:
        expected += f" inside {'(' if low_open else '['}{lo_b:g}, {hi_b:g}]"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        v = _number(name, value, expected, where)
        if scalar == "fixed":
            low, high = v, v
        elif v < 0:
            raise InputError(name, expected, value, where=where)
        else:
            low, high = center - v, center + v
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        low = _number(name, value[0], expected, where)
        high = _number(name, value[1], expected, where)
    else:
        raise InputError(name, expected, value, where=where)
    if low > high or low < lo_b or high > hi_b or (low_open and low == lo_b):
        raise InputError(name, expected, value, where=where)
    return float(low), float(high)


def choice(name: str, value: Any, options: Sequence[str], *, where: str | None = None) -> str:
    """One of ``options``."""
    if not isinstance(value, str) or value not in options:
        raise InputError(name, f"one of {', '.join(repr(o) for o in options)}", value, where=where)
    return value
