"""The registry: plugins discovered through entry points, with per-plugin isolation.

Plugins are found in the entry-point group ``omniaug``; each entry point names a
module (or object) holding ``@omniaug.hookimpl`` functions. Loading is isolated
per plugin: a plugin that fails to import, or raises in a hook, or returns
something malformed, is recorded as *failed* with its reason, a
:class:`PluginWarning` is issued, and the others load normally.

Environment variables:

* ``OMNIAUG_PLUGINS`` — comma-separated allow-list of entry-point names; set but
  empty, no entry-point plugin is loaded.
* ``OMNIAUG_DISABLE_PLUGINS`` — comma-separated block-list.
* ``OMNIAUG_STRICT_PLUGINS=1`` — any plugin failure or name conflict raises
  :class:`~omniaug.errors.PluginError` instead of warning.

A name registered by two plugins is a conflict: both providers are named in the
warning and in ``omniaug plugins``, and looking the name up raises
:class:`~omniaug.errors.PluginConflictError` until one plugin is removed.
"""

from __future__ import annotations

import difflib
import importlib.metadata as metadata
import os
import traceback
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import pluggy

from . import hookspecs
from .augmentation import Augmentation, Transform
from .errors import PluginConflictError, PluginError, UnknownNameError
from .fusion import FusionKind
from .mixing import Mixer
from .modality import Modality
from .presets import Preset

__all__ = ["Registry", "PluginInfo", "PluginWarning", "registry", "reset_registry", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "omniaug"
Kind = Literal["modality", "augmentation", "mixer", "preset", "fusion"]
_KIND_HOOK: dict[Kind, str] = {
    "modality": "omniaug_register_modalities",
    "augmentation": "omniaug_register_augmentations",
    "mixer": "omniaug_register_mixers",
    "preset": "omniaug_register_presets",
    "fusion": "omniaug_register_fusions",
}


class PluginWarning(UserWarning):
    """A plugin was skipped (failed to load, raised, or conflicts with another)."""


@dataclass
class PluginInfo:
    """What ``omniaug plugins`` shows for one plugin."""

    name: str
    version: str | None = None
    distribution: str | None = None
    source: str = "entry point"
    status: Literal["ok", "failed", "blocked"] = "ok"
    error: str | None = None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def num_ops(self) -> int:
        return self.counts.get("augmentation", 0) + self.counts.get("mixer", 0)


def _env_list(name: str) -> list[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return [p.strip() for p in raw.split(",") if p.strip()]


def _strict_default() -> bool:
    return os.environ.get("OMNIAUG_STRICT_PLUGINS", "").strip().lower() in {"1", "true", "yes", "on"}


class Registry:
    """All modalities, ops, mixers, presets and fusion kinds contributed by plugins."""

    def __init__(self, *, load_entry_points: bool = True, strict: bool | None = None) -> None:
        self.strict = _strict_default() if strict is None else strict
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.plugins: dict[str, PluginInfo] = {}
        self._items: dict[Kind, dict[str, Any]] = {k: {} for k in _KIND_HOOK}
        self._providers: dict[tuple[Kind, str], list[str]] = {}
        if load_entry_points:
            self.load_entry_points()

    # -- loading ----------------------------------------------------------------
    def load_entry_points(self) -> None:
        """Load every plugin of the ``omniaug`` entry-point group, honouring the env lists."""
        allow = _env_list("OMNIAUG_PLUGINS")
        block = set(_env_list("OMNIAUG_DISABLE_PLUGINS") or [])
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = getattr(ep, "dist", None)
            info = PluginInfo(
                name=ep.name,
                version=dist.version if dist is not None else None,
                distribution=dist.name if dist is not None else None,
            )
            if ep.name in self.plugins:
                continue  # the same distribution seen twice on sys.path
            if (allow is not None and ep.name not in allow) or ep.name in block:
                info.status = "blocked"
                info.error = "disabled by OMNIAUG_PLUGINS / OMNIAUG_DISABLE_PLUGINS"
                self.plugins[ep.name] = info
                continue
            self.plugins[ep.name] = info
            try:
                obj = ep.load()
            except Exception as exc:
                self._fail(info, f"import failed: {type(exc).__name__}: {exc}", exc)
                continue
            self._register(obj, info)

    def register_plugin(
        self, plugin: object, name: str, *, version: str | None = None, source: str = "manual"
    ) -> PluginInfo:
        """Register an in-process plugin object (a module or instance with hookimpls)."""
        return self._register(plugin, PluginInfo(name=name, version=version, source=source))

    def _register(self, obj: object, info: PluginInfo) -> PluginInfo:
        self.plugins[info.name] = info
        try:
            self.pm.register(obj, name=info.name)
        except Exception as exc:
            self._fail(info, f"invalid hook implementation: {type(exc).__name__}: {exc}", exc)
            return info
        staged: dict[Kind, list[Any]] = {}
        for kind, hook in _KIND_HOOK.items():
            impls = [i for i in getattr(self.pm.hook, hook).get_hookimpls() if i.plugin_name == info.name]
            for impl in impls:
                try:
                    result = impl.function()
                    items = list(result or [])
                    for item in items:
                        _check_item(kind, item)
                except Exception as exc:
                    self._fail(info, f"hook {hook} raised {type(exc).__name__}: {exc}", exc)
                    self.pm.unregister(name=info.name)
                    return info
                staged.setdefault(kind, []).extend(items)
        for kind, items in staged.items():
            for item in items:
                self._add(kind, item.name, item, info)
        return info

    def _add(self, kind: Kind, name: str, item: Any, info: PluginInfo) -> None:
        providers = self._providers.setdefault((kind, name), [])
        providers.append(info.name)
        info.counts[kind] = info.counts.get(kind, 0) + 1
        if len(providers) == 1:
            self._items[kind][name] = item
            return
        self._items[kind].pop(name, None)
        msg = f"{kind} {name!r} is registered by several plugins: {', '.join(self._describe(p) for p in providers)}"
        if self.strict:
            raise PluginConflictError(msg)
        warnings.warn(msg + "; the name is unusable until one is removed", PluginWarning, stacklevel=3)

    def _describe(self, plugin: str) -> str:
        info = self.plugins.get(plugin)
        if info is None:
            return plugin
        return f"{plugin} ({info.distribution or info.source} {info.version or ''})".replace(" )", ")")

    def _fail(self, info: PluginInfo, reason: str, exc: BaseException) -> None:
        info.status = "failed"
        info.error = reason
        info.counts = {}
        if self.strict:
            raise PluginError(f"plugin {info.name!r} ({info.distribution or info.source}): {reason}") from exc
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        warnings.warn(
            f"omniaug plugin {info.name!r} {info.version or ''} skipped: {reason} [{detail}]".replace("  ", " "),
            PluginWarning,
            stacklevel=3,
        )

    # -- lookup -----------------------------------------------------------------
    def _get(self, kind: Kind, name: str) -> Any:
        table = self._items[kind]
        if name in table:
            return table[name]
        providers = self._providers.get((kind, name), [])
        if len(providers) > 1:
            raise PluginConflictError(
                f"{kind} {name!r} is registered by several plugins: {', '.join(self._describe(p) for p in providers)}"
            )
        raise UnknownNameError(_unknown(kind, name, table.keys()))

    def modality(self, name: str) -> Modality:
        return self._get("modality", name)  # type: ignore[no-any-return]

    def augmentation(self, name: str) -> type[Augmentation]:
        return self._get("augmentation", name)  # type: ignore[no-any-return]

    def mixer(self, name: str) -> type[Mixer]:
        return self._get("mixer", name)  # type: ignore[no-any-return]

    def preset(self, name: str) -> Preset:
        return self._get("preset", name)  # type: ignore[no-any-return]

    def fusion(self, name: str) -> FusionKind:
        return self._get("fusion", name)  # type: ignore[no-any-return]

    @property
    def modalities(self) -> dict[str, Modality]:
        return dict(self._items["modality"])

    @property
    def augmentations(self) -> dict[str, type[Augmentation]]:
        return dict(self._items["augmentation"])

    @property
    def mixers(self) -> dict[str, type[Mixer]]:
        return dict(self._items["mixer"])

    @property
    def presets(self) -> dict[str, Preset]:
        return dict(self._items["preset"])

    @property
    def fusions(self) -> dict[str, FusionKind]:
        return dict(self._items["fusion"])

    def transform_class(self, name: str) -> type[Transform]:
        """The class behind a configuration name: a core container, an op or a mixer."""
        from .config import CORE_TRANSFORMS

        if name in CORE_TRANSFORMS:
            return CORE_TRANSFORMS[name]
        for kind in ("augmentation", "mixer"):
            if name in self._items[kind]:
                return self._items[kind][name]  # type: ignore[no-any-return]
            if len(self._providers.get((kind, name), [])) > 1:
                return self._get(kind, name)  # type: ignore[no-any-return]  # raises the conflict
        known = [*CORE_TRANSFORMS, *self._items["augmentation"], *self._items["mixer"], *self._items["preset"]]
        raise UnknownNameError(_unknown("transform", name, known))

    def ops_for(self, modality: str, *, policy: bool = False) -> list[type[Augmentation]]:
        """Ops of ``modality`` sorted by name; with ``policy=True`` only those policies may pick."""
        self.modality(modality)
        ops = [c for n, c in sorted(self._items["augmentation"].items()) if c.modality_name() == modality]
        if policy:
            ops = [c for c in ops if c.magnitude is not None and c.in_policies]
        return ops

    def provided_by(self, plugin: str, kind: Kind = "augmentation") -> list[Any]:
        """The items of ``kind`` that plugin ``plugin`` registered (sorted by name)."""
        return [
            self._items[kind][name]
            for (k, name), providers in sorted(self._providers.items())
            if k == kind and providers == [plugin] and name in self._items[kind]
        ]

    def example_data(self, modality: str) -> Any:
        """Bundled sample data for ``modality`` from the plugins, else the modality's synthetic example."""
        for impl in reversed(self.pm.hook.omniaug_example_data.get_hookimpls()):
            try:
                data = impl.function(modality=modality)
            except Exception as exc:
                warnings.warn(
                    f"plugin {impl.plugin_name!r}: omniaug_example_data raised {exc!r}", PluginWarning, stacklevel=2
                )
                continue
            if data is not None:
                return data
        spec = self.modality(modality)
        if spec.example is None:
            raise UnknownNameError(f"modality {modality!r} has no example data")
        return spec.example(batch_size=8)

    def names(self) -> Iterable[str]:
        for table in self._items.values():
            yield from table


def _check_item(kind: Kind, item: Any) -> None:
    expected: dict[Kind, Callable[[Any], bool]] = {
        "modality": lambda i: isinstance(i, Modality),
        "augmentation": lambda i: isinstance(i, type) and issubclass(i, Augmentation),
        "mixer": lambda i: isinstance(i, type) and issubclass(i, Mixer),
        "preset": lambda i: isinstance(i, Preset),
        "fusion": lambda i: isinstance(i, FusionKind),
    }
    if not expected[kind](item):
        raise TypeError(f"expected a {kind} declaration, got {item!r}")
    name = getattr(item, "name", "")
    if not isinstance(name, str) or not name:
        raise TypeError(f"{kind} {item!r} has no name")
    if kind in ("augmentation", "mixer", "preset") and "." not in name:
        raise TypeError(f"{kind} name {name!r} must look like '<modality>.<name>'")


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    if not close:
        tail = name.rsplit(".", 1)[-1]
        close = [k for k in known if k.rsplit(".", 1)[-1] == tail][:3]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown {kind} {name!r}{hint} (see `omniaug list`)"


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """The process-wide registry, built on first use from the installed entry points."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = Registry()
    return _REGISTRY


def reset_registry(new: Registry | None = None) -> Registry | None:
    """Replace (or clear, with None) the process-wide registry; returns the old one. For tests."""
    global _REGISTRY
    old, _REGISTRY = _REGISTRY, new
    return old
