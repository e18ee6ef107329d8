"""Full-data validation, owned by the core: one check per kind, run once per tensor per call.

Validation that reads every element (an image's value range, a waveform's
finiteness, a graph's structure) would otherwise run once per op of a pipeline on
data the previous op just produced. A plugin registers its full check once
(:func:`register_check`) and calls :func:`ensure` where it validates; the core runs
the check unless its own record says this exact object already passed it:

* the record lives for one *call scope*, the outermost op call on this thread
  (``augment``, ``sample_params``, ``__call__``, ``augment_with_labels`` of any op or
  container: :func:`enter_call` / :func:`exit_call`). Between calls the caller may
  refill memory in ways torch cannot see (a write through a NumPy view), so the
  next call reads its input again; outside any call nothing is trusted;
* an entry holds a weak reference and a *signature* (a tensor's version counter,
  which every in-place change bumps): a changed or freed object is checked again.
  A copy is a new object and is checked again (correct, only not free);
* an op may claim its *output* valid without reading it (a convex warp of in-range
  pixels): :func:`trusted` records the claim in the same record. Claims are
  verified by the contract suite: :func:`omniaug.testing.invariants.check_trusted_outputs`
  collects them (:func:`recording`) and runs the full check on each (:func:`revalidate`).

There is no other way into the record: nothing is trusted that was neither checked
here nor claimed through :func:`trusted`.
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import weakref
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from .errors import InputError

__all__ = [
    "register_check",
    "checks",
    "ensure",
    "checked",
    "notes",
    "trusted",
    "enter_call",
    "exit_call",
    "call_scope",
    "recording",
    "revalidate",
]

T = TypeVar("T")

#: a full check: ``check(x, argument)`` raises :class:`~omniaug.InputError` naming ``argument``, or
#: returns None or a dict of what it learned (kept with the record entry: :func:`notes`)
Check = Callable[[Any, str], "dict[str, Any] | None"]
Signature = Callable[[Any], Hashable]

#: at most this many entries per call scope (the oldest go first)
CAPACITY = 256

_CHECKS: dict[str, tuple[Check, Signature]] = {}
_RECORDINGS: list[list[tuple[str, Any]]] = []
_SCOPE = threading.local()


def _version(x: Any) -> Hashable:
    """A tensor's version counter (bumped by every in-place change); None for other objects."""
    return getattr(x, "_version", None)


def _with_argument(check: Callable[..., Any]) -> Check:
    """``check`` as a two-argument callable (a one-argument check ignores the argument name)."""
    try:
        params = list(inspect.signature(check).parameters.values())
    except (TypeError, ValueError):
        return check
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params):
        return check
    return lambda x, argument: check(x)


def register_check(name: str, check: Callable[..., Any], *, signature: Signature | None = None) -> None:
    """Register the full check ``name``: what :func:`ensure` runs and a ``trusted(name, x)`` claim stands for.

    ``check(x, argument)`` (or ``check(x)``) reads the data itself — it may not consult
    any cache — and raises :class:`~omniaug.InputError` naming ``argument``; it may
    return a dict of what it learned (see :func:`notes`). ``signature(x)`` must change
    whenever ``x`` changes in place; the default, a tensor's version counter, fits
    tensors. A composite payload (a graph batch) passes one that covers its tensors.
    """
    if not callable(check):
        raise InputError("check", "a callable check(x, argument)", check, where="omniaug.validation.register_check")
    _CHECKS[name] = (_with_argument(check), _version if signature is None else signature)


def checks() -> dict[str, Callable[[Any, str], Any]]:
    """The registered full checks by name."""
    return {name: entry[0] for name, entry in _CHECKS.items()}


def _entry(name: str, where: str) -> tuple[Check, Signature]:
    entry = _CHECKS.get(name)
    if entry is None:
        raise InputError("name", f"a registered check ({sorted(_CHECKS)})", name, where=f"omniaug.validation.{where}")
    return entry


# ------------------------------------------------------------------ the call scope
def enter_call() -> bool:
    """Open this thread's call scope unless one is open; True when this call opened it.

    The outermost op call opens it and closes it with :func:`exit_call`; what
    :func:`ensure` and :func:`trusted` record is kept until then.
    """
    if getattr(_SCOPE, "record", None) is None:
        _SCOPE.record = {}
        return True
    return False


def exit_call() -> None:
    """Close this thread's call scope and forget its record (see :func:`enter_call`)."""
    _SCOPE.record = None


@contextlib.contextmanager
def call_scope() -> Iterator[None]:
    """A call scope as a ``with`` block (tests; code that validates outside an op call)."""
    opened = enter_call()
    try:
        yield
    finally:
        if opened:
            exit_call()


def _record() -> dict[tuple[str, int], tuple[weakref.ref[Any], Hashable, dict[str, Any]]] | None:
    return getattr(_SCOPE, "record", None)


def _remember(
    name: str, x: Any, signature: Signature, learned: dict[str, Any] | None, sig: Hashable = None, known: bool = False
) -> None:
    """Record that ``x`` passed check ``name`` (or was claimed valid) in this call scope.

    ``sig``/``known``: the signature of ``x`` when the caller already computed it for this
    state of ``x`` (``ensure`` reads it before running the check), so it is not computed twice.
    """
    rec = _record()
    if rec is None:
        return  # outside an op call: nothing to carry the check over to
    try:
        ref = weakref.ref(x)
    except TypeError:
        return  # not weakly referenceable (a list, a tuple): checked again next time
    key = (name, id(x))
    rec.pop(key, None)
    while len(rec) >= CAPACITY:
        rec.pop(next(iter(rec)))
    rec[key] = (ref, sig if known else signature(x), {} if learned is None else learned)


def _lookup(name: str, x: Any, signature: Signature) -> dict[str, Any] | None:
    rec = _record()
    if rec is None:
        return None
    entry = rec.get((name, id(x)))
    if entry is None or entry[0]() is not x or entry[1] != signature(x):
        return None
    return entry[2]


# ------------------------------------------------------------------ checks and claims
def ensure(name: str, x: Any, argument: str = "x") -> None:
    """Run the full check ``name`` on ``x`` unless ``x`` passed it (or was claimed valid) in this call, unchanged.

    Raises what the check raises (an :class:`~omniaug.InputError` naming ``argument``).
    The signature of ``x`` is computed at most once per call: the one compared with a
    stale entry is the one recorded after the check (the check only reads ``x``).
    """
    check, signature = _entry(name, "ensure")
    rec = _record()
    sig: Hashable = None
    known = False
    if rec is not None:
        entry = rec.get((name, id(x)))
        if entry is not None and entry[0]() is x:
            sig, known = signature(x), True
            if entry[1] == sig:
                return
    learned = check(x, argument)
    if rec is not None:
        _remember(name, x, signature, learned if isinstance(learned, dict) else None, sig, known)


def checked(name: str, x: Any) -> bool:
    """Whether ``x`` passed check ``name`` (or was claimed valid) in this call and is unchanged since."""
    return _lookup(name, x, _entry(name, "checked")[1]) is not None


def notes(name: str, x: Any) -> dict[str, Any] | None:
    """What check ``name`` learned about ``x`` (a mutable dict), while :func:`checked` holds; else None.

    A plugin keeps by-products of its check here (a graph's edge-to-graph ids) for its
    ops to reuse on the same, unchanged object within the call.
    """
    return _lookup(name, x, _entry(name, "notes")[1])


def trusted(name: str, x: T) -> T:
    """Claim that ``x`` passes check ``name`` without running it; return ``x``.

    Call it where an op's output is valid by construction (so the next op's
    :func:`ensure` skips reading it). The claim is recorded while a :func:`recording`
    is open — the contract suite then runs the full check on it — and is kept for the
    current call scope only.
    """
    signature = _entry(name, "trusted")[1]
    for rec in _RECORDINGS:
        rec.append((name, x))
    _remember(name, x, signature, None)
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
    """Run the full check ``name`` on ``x`` (no record); raise what it raises."""
    _CHECKS[name][0](x, "x")
