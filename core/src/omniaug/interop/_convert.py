"""The converter shared by every peer: walk the peer's containers, map or wrap each leaf, report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ..augmentation import Transform
from ..errors import InputError
from ._table import ConversionReport, Mapping, Unmappable, build_native

__all__ = ["Conversion", "PeerConverter"]


class Conversion(NamedTuple):
    """A converted pipeline and the report of what became native, wrapped or dropped."""

    pipeline: Transform
    report: ConversionReport


@dataclass
class PeerConverter:
    """Everything a peer contributes: its table, how to read a transform, its containers.

    Attributes:
        peer: the peer's name (``"albumentations"``, …).
        mappings: the table, one :class:`Mapping` per peer class name.
        wrapper: the wrapped-op class used for everything else.
        values: a peer transform → its constructor arguments as a dict.
        probability: a peer transform → its apply probability (1 if it has none).
        containers: class name → function ``(t, convert_children) -> omniaug transform``.
        dropped: class names that are layout conversions with no effect on an omniaug
            tensor batch (``ToTensorV2``, ``ToImage``), with the reason.
        wrapped_only: class names documented as wrapped (no native equivalent), with the reason.
        wrapper_kwargs: extra arguments of the wrapper (e.g. the audio sample rate).
    """

    peer: str
    mappings: dict[str, Mapping]
    wrapper: Any
    values: Callable[[Any], dict[str, Any]]
    probability: Callable[[Any], float]
    containers: dict[str, Callable[..., Transform]] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)
    wrapped_only: dict[str, str] = field(default_factory=dict)
    #: p of a mapped op comes from the peer's p (False: the mapping sets it)
    map_probability: bool = True

    def convert(self, obj: Any, **wrapper_kwargs: Any) -> Conversion:
        from ..containers import Compose

        report = ConversionReport(self.peer)
        out = self._convert(obj, report, "", wrapper_kwargs)
        if out is None:
            out = Compose([])
        elif not isinstance(out, Compose):
            out = Compose([out])
        return Conversion(out, report)

    def _convert(self, t: Any, report: ConversionReport, path: str, kw: dict[str, Any]) -> Transform | None:
        name = type(t).__name__
        if name in self.containers:

            def children(items: Sequence[Any]) -> list[Transform]:
                outs = [self._convert(c, report, f"{path}{i}.", kw) for i, c in enumerate(items)]
                return [o for o in outs if o is not None]

            return self.containers[name](t, children)
        where = path.rstrip(".") or "0"
        if name in self.dropped:
            report.add(path=where, source=name, status="dropped", target="-", note=self.dropped[name])
            return None
        p = float(self.probability(t))
        mapping = self.mappings.get(name)
        reason = self.wrapped_only.get(name, "no native equivalent")
        if mapping is not None:
            try:
                # converter options (e.g. the sample rate) are visible to rules as "__<name>__"
                values = {**self.values(t), **{f"__{k}__": v for k, v in kw.items()}}
                op, fidelity, note = build_native(mapping, values, {"p": p} if self.map_probability else None)
                report.add(
                    path=where, source=name, status="native", target=mapping.target, fidelity=fidelity, note=note
                )
                return op  # type: ignore[no-any-return]
            except Unmappable as exc:
                reason = f"wrapped: {exc}"
            except InputError as exc:
                reason = f"wrapped: omniaug rejected the mapped arguments ({exc})"
        op = self.wrapper(t, p=p, **kw)
        report.add(
            path=where, source=name, status="wrapped", target=op.name, fidelity="wrapped", note=reason, cost=op.cost
        )
        return op  # type: ignore[no-any-return]


def random_apply(inner: Transform, p: float) -> Transform:
    """``inner`` applied with probability ``p`` (itself when ``p == 1``)."""
    from ..containers import RandomApply

    return inner if p >= 1.0 else RandomApply([inner], p=p)


def compose(items: list[Transform]) -> Transform:
    from ..containers import Compose

    return items[0] if len(items) == 1 else Compose(items)


def check_kind(obj: Any, peer: str, module_prefix: str) -> None:
    """Raise a clear :class:`InputError` unless ``obj`` comes from ``peer``."""
    if not type(obj).__module__.startswith(module_prefix):
        raise InputError("pipeline", f"a {peer} transform or container", obj, where=f"from_{peer}")
