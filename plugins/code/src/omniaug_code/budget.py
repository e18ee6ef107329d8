"""Per-file limits: a time budget checked cooperatively, and a nesting guard.

Code ops must never raise and never stall a batch. Every tree walk of the plugin
is iterative; the places that still recurse are CPython's own compiler and
``symtable`` (C recursion with a limit). On top of that each sample runs under a
time budget: long loops call :func:`check` (cheap: one clock read every few
thousand calls), which raises :class:`TooLarge` once the deadline has passed, and
the op then reports the sample ``not_applicable`` with ``too large: …`` instead of
working on it for minutes. :class:`TooDeep` is the same for nesting beyond what
the tools (or the op's own rewriting) can handle.

The deadline lives in a thread-local, so worker threads and processes each have
their own and nothing is shared between samples.
"""

from __future__ import annotations

import threading
import time

__all__ = ["TooLarge", "TooDeep", "deadline", "check", "check_now", "MAX_DEPTH"]

#: deepest tree (in nodes from the root) the ops work on; deeper sources get ``too deep``
MAX_DEPTH = 1500

_END: dict[int, float] = {}  # thread id → deadline (perf_counter seconds)
_COUNT = 0  # calls since the clock was last read (shared: a race only shifts when it is read)
_EVERY = 4096


class TooLarge(Exception):
    """The per-file time budget ran out."""


class TooDeep(Exception):
    """The source is nested more deeply than the op handles."""


class deadline:
    """Context manager: :func:`check` raises :class:`TooLarge` after ``seconds`` (``None``: no limit)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._saved: float | None = None

    def __enter__(self) -> deadline:
        me = threading.get_ident()
        self._saved = _END.get(me)
        if self.seconds is None:
            _END.pop(me, None)
        else:
            _END[me] = time.perf_counter() + self.seconds
        return self

    def __exit__(self, *exc: object) -> None:
        me = threading.get_ident()
        if self._saved is None:
            _END.pop(me, None)
        else:
            _END[me] = self._saved


def check(weight: int = 1) -> None:
    """Raise :class:`TooLarge` when the current deadline has passed (reads the clock every ~4096 units)."""
    global _COUNT
    _COUNT += weight
    if _COUNT < _EVERY:
        return
    _COUNT = 0
    check_now()


def check_now() -> None:
    """Read the clock now (before or after a single expensive step)."""
    if _END:
        end = _END.get(threading.get_ident())
        if end is not None and time.perf_counter() > end:
            raise TooLarge("the per-file time budget ran out")
