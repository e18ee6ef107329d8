"""Mapping tables as data: one :class:`Mapping` per peer transform, one :class:`Arg` rule per argument.

A converter reads a peer transform's constructor arguments (``values``), finds
its mapping by class name, and builds the omniaug op with ``target`` and, for
each omniaug argument, ``rule(*values[source])``. A rule that cannot express
the peer's setting raises :class:`Unmappable`; the transform is then wrapped
(run by the peer itself, per sample, seeded) instead of mapped approximately
behind the user's back. ``fidelity`` says whether the mapped op draws from the
same distribution and computes the same function (``exact``) or not
(``approximate``, with ``note`` saying how).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "Arg",
    "ConversionReport",
    "Entry",
    "Mapping",
    "Unmappable",
    "build_native",
    "const",
    "refuse",
    "same",
    "markdown_table",
]

Fidelity = Literal["exact", "approximate"]


class Unmappable(Exception):
    """A peer argument value the native op cannot express; the transform is wrapped instead."""


@dataclass(frozen=True)
class Arg:
    """One omniaug argument: ``rule(*peer_values)`` over the peer arguments named in ``source``."""

    source: tuple[str, ...]
    rule: Callable[..., Any]
    doc: str = ""


def refuse(reason: str) -> Any:
    """Raise :class:`Unmappable` (for use inside rule lambdas)."""
    raise Unmappable(reason)


def same(name: str, doc: str = "") -> Arg:
    """The peer argument ``name`` as it is."""
    return Arg((name,), lambda v: v, doc or f"`{name}`")


def const(value: Any, doc: str = "") -> Arg:
    """A fixed omniaug value (the peer has no such argument or fixes it)."""
    return Arg((), lambda: value, doc or f"`{value!r}`")


@dataclass(frozen=True)
class Mapping:
    """How one peer transform becomes an omniaug op.

    ``fidelity`` may be a function of the peer's values returning ``(fidelity, note)``
    when it depends on the arguments (e.g. a fixed threshold is exact, a range is not).
    """

    transform: str
    target: str
    args: dict[str, Arg]
    fidelity: Fidelity | Callable[[dict[str, Any]], tuple[Fidelity, str]] = "exact"
    note: str = ""
    #: how the numerical check replays the peer's params, or why it cannot (docs)
    check: str = ""

    def fidelity_for(self, values: dict[str, Any]) -> tuple[Fidelity, str]:
        if callable(self.fidelity):
            return self.fidelity(values)
        return self.fidelity, self.note


def build_native(
    mapping: Mapping, values: dict[str, Any], extra: dict[str, Any] | None = None
) -> tuple[Any, Fidelity, str]:
    """The omniaug op for ``values`` (raises :class:`Unmappable`), its fidelity and note."""
    from ..registry import registry

    kwargs = dict(extra or {})
    for name, arg in mapping.args.items():
        missing = [s for s in arg.source if s not in values]
        if missing:
            raise Unmappable(f"argument {missing[0]!r} not found on the transform")
        value = arg.rule(*[values[s] for s in arg.source])
        if not name.startswith("_"):  # "_…" rules only check that the peer's setting is expressible
            kwargs[name] = value
    cls = registry().transform_class(mapping.target)
    fidelity, note = mapping.fidelity_for(values)
    return cls(**kwargs), fidelity, note


# ----------------------------------------------------------------------------- report
@dataclass
class Entry:
    """One line of a conversion report."""

    path: str
    source: str
    status: Literal["native", "wrapped", "dropped"]
    target: str
    fidelity: str = ""
    note: str = ""
    cost: str = ""


@dataclass
class ConversionReport:
    """What a converter did with each leaf transform of the peer pipeline."""

    peer: str
    entries: list[Entry] = field(default_factory=list)

    @property
    def native(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "native"]

    @property
    def wrapped(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "wrapped"]

    @property
    def dropped(self) -> list[Entry]:
        return [e for e in self.entries if e.status == "dropped"]

    def add(self, **kwargs: Any) -> None:
        self.entries.append(Entry(**kwargs))

    def __str__(self) -> str:
        rows = [
            [e.path, e.source, e.status, e.target, e.fidelity, "; ".join(t for t in (e.note, e.cost) if t)]
            for e in self.entries
        ]
        header = ["#", self.peer, "status", "omniaug", "fidelity", "note / cost"]
        widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
        lines.append(f"{len(self.native)} converted natively, {len(self.wrapped)} wrapped, {len(self.dropped)} dropped")
        return "\n".join(lines)


def markdown_table(peer: str, mappings: Sequence[Mapping], wrapped_only: dict[str, str]) -> str:
    """The docs table of a peer: transform, omniaug equivalent, exact / approximate / wrapped, check."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"| {peer} | omniaug | fidelity | arguments | numerical check / note |", "| --- | --- | --- | --- | --- |"]
    for m in sorted(mappings, key=lambda m: m.transform):
        fid = m.fidelity if isinstance(m.fidelity, str) else "exact or approximate (by arguments)"
        args = (
            "; ".join(f"requires {a.doc}" if k.startswith("_") else f"`{k}` ← {a.doc}" for k, a in m.args.items())
            or "–"
        )
        text = " ".join(s for s in (m.note, m.check) if s)
        lines.append(f"| `{m.transform}` | `{m.target}` | {fid} | {cell(args)} | {cell(text)} |")
    for name, why in sorted(wrapped_only.items()):
        lines.append(f"| `{name}` | wrapped | wrapped | – | {cell(why)} |")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- small rules
def sym(value: Any) -> list[float]:
    """``v`` → ``[-v, v]``; a pair stays."""
    if isinstance(value, (int, float)):
        return [-float(value), float(value)]
    return [float(value[0]), float(value[1])]


def pair(value: Any) -> list[float]:
    """A number → ``[v, v]``; a pair stays."""
    if isinstance(value, (int, float)):
        return [float(value), float(value)]
    return [float(value[0]), float(value[1])]


def interpolation(value: Any) -> str:
    """cv2 / torchvision / kornia interpolation → ``"bilinear"`` or ``"nearest"`` (else unmappable)."""
    name = getattr(value, "name", value)
    table = {
        0: "nearest",
        1: "bilinear",
        "NEAREST": "nearest",
        "BILINEAR": "bilinear",
        "nearest": "nearest",
        "bilinear": "bilinear",
    }
    if name in table:
        return table[name]
    raise Unmappable(f"interpolation {value!r} (omniaug has bilinear and nearest)")


def log2_strength(lo: float, hi: float) -> float:
    """The omniaug ``Gamma`` strength whose log-uniform range ``[2**-s, 2**s]`` covers ``[lo, hi]``."""
    return max(abs(math.log2(lo)), abs(math.log2(hi)))
