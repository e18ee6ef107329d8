"""Level 3: differential execution — transformed Python must behave exactly like the original.

Every Python op (and the ``code.default`` preset) transforms each corpus function
several times with different seeds; the original and every applied variant are
executed on the same inputs (in a copy of the module namespace, under a time
limit) and must give the same return values, exceptions and stdout, and leave
the arguments in the same state.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import inspect
import io
import re
import signal
from collections.abc import Iterator
from typing import Any

import pytest

import omniaug
from omniaug_code import OPS, CodeBatch, RenameFunctions, RenameVariables, default_pipeline
from omniaug_code.corpus import module_functions

from .programs import OWN_PROGRAMS, STDLIB_CASES

SEEDS_PER_PAIR = 5
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")
PYTHON_OPS = [cls for cls in OPS if "python" in cls.languages]
#: (op, whether it keeps the public API): by default every op does, and the differential check then
#: also calls every function by keyword; the explicit API-changing opt-ins are checked by position
OP_CASES = [(cls, {}) for cls in PYTHON_OPS] + [
    (RenameVariables, {"rename_public_api": True}),
    (RenameFunctions, {"rename_public_api": True}),
]


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def handler(signum: int, frame: Any) -> None:
        raise _Timeout()

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _cases() -> list[tuple[str, str, dict[str, Any], list[tuple[Any, ...]]]]:
    """(source, entry name, base namespace, inputs) for every corpus function."""
    out = []
    for module, name, inputs in STDLIB_CASES:
        funcs = {f.name: f for f in module_functions(module)}
        assert name in funcs, f"{module}.{name} not found in the local standard library"
        ns = dict(vars(importlib.import_module(module)))
        out.append((funcs[name].source, name, ns, inputs))
    for source, name, inputs in OWN_PROGRAMS:
        out.append((source, name, {"__builtins__": __builtins__}, inputs))
    return out


def _unrename(observed: list[str], renames: dict[str, str]) -> list[str]:
    """Map renamed function names back in messages (a renamed function reports its new name)."""
    for old, new in renames.items():
        observed = [re.sub(rf"\b{re.escape(new)}\b", old, o) for o in observed]
    return observed


def _keyword_calls(
    source: str, name: str, base_ns: dict[str, Any], inputs: list[tuple[Any, ...]]
) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """Each input as ``(positional, keyword)`` arguments: every argument the original signature lets a
    caller pass by name is passed by name (what external callers of a public function do)."""
    ns = dict(base_ns)
    exec(compile(source, "<corpus>", "exec"), ns)
    sig = inspect.signature(ns[name])
    out = []
    for args in inputs:
        try:
            bound = sig.bind(*args)
        except TypeError:
            continue
        pos: list[Any] = []
        kw: dict[str, Any] = {}
        for pname, value in bound.arguments.items():
            kind = sig.parameters[pname].kind
            if kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
                kw[pname] = value
            elif kind is inspect.Parameter.VAR_POSITIONAL:
                return [(a, {}) for a in inputs]  # *args after: keep these calls positional
            elif kind is inspect.Parameter.VAR_KEYWORD:
                kw.update(value)
            elif kind is inspect.Parameter.KEYWORD_ONLY:
                kw[pname] = value
            else:
                pos.append(value)
        out.append((tuple(pos), kw))
    return out


def _behaviour_calls(
    source: str, name: str, base_ns: dict[str, Any], calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> list[str]:
    """:func:`_behaviour` with ready-made ``(args, kwargs)`` calls (names from the original signature)."""
    return _observe(source, name, base_ns, calls)


def _behaviour(
    source: str, name: str, base_ns: dict[str, Any], inputs: list[tuple[Any, ...]], by_keyword: bool = False
) -> list[str]:
    calls = _keyword_calls(source, name, base_ns, inputs) if by_keyword else [(a, {}) for a in inputs]
    return _observe(source, name, base_ns, calls)


def _observe(
    source: str, name: str, base_ns: dict[str, Any], calls: list[tuple[tuple[Any, ...], dict[str, Any]]]
) -> list[str]:
    ns = dict(base_ns)
    ns["__name__"] = "omniaug_corpus"
    exec(compile(source, "<corpus>", "exec"), ns)
    fn = ns[name]
    observed = []
    for args, kwargs in calls:
        args, kwargs = copy.deepcopy((args, kwargs))
        out = io.StringIO()
        with contextlib.redirect_stdout(out), _time_limit(5.0):
            try:
                value = fn(*args, **kwargs)
                if hasattr(value, "__next__"):
                    value = list(value)
                result = ("return", value)
            except _Timeout:
                result = ("timeout",)
            except Exception as exc:
                result = ("raise", type(exc).__name__, str(exc))
        observed.append(_ADDRESS.sub("", repr((result, out.getvalue(), args, kwargs))))
    return observed


CASES = _cases()


def test_corpus_originals_are_meaningful() -> None:
    """The corpus really exercises the functions: no original fails on a missing name or times out."""
    for source, name, ns, inputs in CASES:
        for obs in _behaviour(source, name, ns, inputs):
            assert "NameError" not in obs and "timeout" not in obs, f"{name}: {obs}"


def _transform_all(op: Any, seed: int) -> tuple[CodeBatch, list[int]]:
    sources = [c[0] for c in CASES for _ in range(SEEDS_PER_PAIR)]
    owners = [i for i in range(len(CASES)) for _ in range(SEEDS_PER_PAIR)]
    batch = CodeBatch(sources, "python")
    return op(batch, generator=omniaug.rng.make_generator(seed)), owners


_SUMMARY: dict[str, tuple[int, int, int]] = {}


@pytest.mark.parametrize(
    ("op_cls", "options"), OP_CASES, ids=[c.name + ("+public_api" if o else "") for c, o in OP_CASES]
)
def test_transformed_functions_behave_identically(op_cls: Any, options: dict[str, Any]) -> None:
    op = op_cls(max_sites=4, **options)
    keywords = not options  # the API is kept: callers may pass every argument by name
    out, owners = _transform_all(op, seed=2024)
    reference = {i: _behaviour(c[0], c[1], c[2], c[3]) for i, c in enumerate(CASES)}
    reference_kw = (
        {i: _behaviour(c[0], c[1], c[2], c[3], by_keyword=True) for i, c in enumerate(CASES)} if keywords else {}
    )
    applied = equal = 0
    mismatches = []
    keyword_checked: set[int] = set()
    for k, i in enumerate(owners):
        status = out.last_status(k)
        assert status is not None and status.outcome != "failed", f"{op.name} failed on {CASES[i][1]}: {status}"
        if status.outcome != "applied":
            continue
        applied += 1
        renames = dict(status.renames)
        entry = renames.get(CASES[i][1], CASES[i][1])
        got = _unrename(_behaviour(out.sources[k], entry, CASES[i][2], CASES[i][3]), renames)
        want = reference[i]
        if keywords and not CASES[i][1].startswith("_"):
            # public functions: keyword names come from the original signature, a kept API accepts them
            calls = _keyword_calls(CASES[i][0], CASES[i][1], CASES[i][2], CASES[i][3])
            got = got + _unrename(_behaviour_calls(out.sources[k], entry, CASES[i][2], calls), renames)
            want = want + reference_kw[i]
            keyword_checked.add(i)
        if got == want:
            equal += 1
        else:
            mismatches.append((CASES[i][1], out.sources[k], got, want))
    _SUMMARY[op.name] = (len(owners), applied, equal)
    print(f"\n{op.name}: applied {applied}/{len(owners)} ({applied / len(owners):.0%}), equal {equal}/{applied}")
    assert not mismatches, "behaviour changed:\n" + "\n\n".join(
        f"{n}:\n{src}\n got {g}\n want {w}" for n, src, g, w in mismatches[:3]
    )
    assert applied > 0, f"{op.name} never applied on the corpus"
    if keywords:
        assert keyword_checked, f"{op.name}: no applied public function was also called by keyword"


def test_default_preset_behaves_identically() -> None:
    pipe = default_pipeline()
    out, owners = _transform_all(pipe, seed=7)
    changed = 0
    for k, i in enumerate(owners):
        if out.sources[k] == CASES[i][0]:
            continue
        changed += 1
        renames = dict(r for s in out.history(k) for r in s.renames)
        got = _behaviour(out.sources[k], renames.get(CASES[i][1], CASES[i][1]), CASES[i][2], CASES[i][3])
        got = _unrename(got, renames)
        assert got == _behaviour(*CASES[i]), f"code.default changed {CASES[i][1]}:\n{out.sources[k]}"
    assert changed > len(owners) // 2
