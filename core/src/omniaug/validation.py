"""Trusted outputs: what an op marks as already validated, and the full check it stands for.

Validation that reads every element (an image's value range, a waveform's
finiteness, a graph's structure) is skipped for tensors a plugin remembers as
checked (:class:`omniaug.batching.CheckedTensors`). Some of those marks are made
without reading the data: an op marks its own *output* valid because its kernel
"cannot" leave the valid set (a convex warp of in-range pixels, a gain of finite
samples). That is a claim, and a wrong one lets invalid data through the next op
unchecked (a gain that overflows to inf).

Plugins make such claims through :func:`trusted`, naming the check the claim
replaces (registered once with :func:`register_check`). Outside the contract
suite that costs one truth test. The suite's
:func:`omniaug.testing.invariants.check_trusted_outputs` records every claim made
while an op runs (:func:`recording`) and runs the full check on each
(:func:`revalidate`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .errors import InputError

__all__ = ["register_check", "trusted", "recording", "revalidate", "checks"]

T = TypeVar("T")

_CHECKS: dict[str, Callable[[Any], None]] = {}
_RECORDINGS: list[list[tuple[str, Any]]] = []


def register_check(name: str, check: Callable[[Any], None]) -> None:
    """Register the full check (raises :class:`~omniaug.InputError`) that a ``trusted(name, x)`` claim replaces.

    ``check`` must read the data itself: it may not consult any cache of checked tensors.
    """
    _CHECKS[name] = check


def checks() -> dict[str, Callable[[Any], None]]:
    """The registered full checks by name."""
    return dict(_CHECKS)


def trusted(name: str, x: T) -> T:
    """Claim that ``x`` passes check ``name`` without running it; return ``x``.

    Call it where an op marks its output as validated. The claim is recorded while a
    :func:`recording` is open (the contract suite) and otherwise costs nothing.
    """
    if _RECORDINGS:
        if name not in _CHECKS:
            raise InputError(
                "name", f"a registered check ({sorted(_CHECKS)})", name, where="omniaug.validation.trusted"
            )
        for rec in _RECORDINGS:
            rec.append((name, x))
    return x


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[str, Any]]]:
    """Collect the ``(check name, object)`` claims made by :func:`trusted` inside the block."""
    rec: list[tuple[str, Any]] = []
    _RECORDINGS.append(rec)
    try:
        yield rec
    finally:
        _RECORDINGS.remove(rec)


def revalidate(name: str, x: Any) -> None:
    """Run the full check ``name`` on ``x`` (no cache); raise what it raises."""
    _CHECKS[name](x)
