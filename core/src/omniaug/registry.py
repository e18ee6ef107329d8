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
warning and in ``omniaug plugins`` (on both plugins' rows), and looking the name
up raises :class:`~omniaug.errors.PluginConflictError` until one plugin is removed.

Isolation covers every exception *and* ``BaseException``: a plugin that calls
``sys.exit()`` or raises ``KeyboardInterrupt``/``GeneratorExit``-like exceptions at
import or in a hook is marked failed like any other (a Ctrl-C that lands while a
plugin imports therefore marks that plugin failed instead of stopping the program).

Lazy loading: the process-wide :func:`registry` imports no plugin up front. A
plugin is imported when its entry-point name is first needed — the modality
``image``, a name ``image.*`` — so an image-only script never imports the graph
plugin. Entry points named ``<modality>`` or ``<modality>-<anything>`` load with
that modality; a name that none of the loaded plugins knows, and every listing
(``modalities``, ``augmentations``, ``plugins``, …), loads all the rest first.
Conflicts between two plugins are therefore detected once both are loaded
(``omniaug plugins`` loads all). ``Registry()`` built directly loads everything at once.
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
from .commands import Command
from .errors import PluginConflictError, PluginError, UnknownNameError
from .fusion import FusionKind
from .mixing import Mixer
from .modality import Modality
from .presets import Preset

__all__ = [
    "Registry",
    "PluginInfo",
    "PluginWarning",
    "registry",
    "reset_registry",
    "register",
    "ENTRY_POINT_GROUP",
    "SCRIPT_PLUGIN",
]

ENTRY_POINT_GROUP = "omniaug"
SCRIPT_PLUGIN = "script"
"""The plugin name under which :func:`register` records items defined in a script."""
Kind = Literal["modality", "augmentation", "mixer", "preset", "fusion", "command"]
_KIND_HOOK: dict[Kind, str] = {
    "modality": "omniaug_register_modalities",
    "augmentation": "omniaug_register_augmentations",
    "mixer": "omniaug_register_mixers",
    "preset": "omniaug_register_presets",
    "fusion": "omniaug_register_fusions",
    "command": "omniaug_register_commands",
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
    conflicts: list[str] = field(default_factory=list)

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
    """All modalities, ops, mixers, presets and fusion kinds contributed by plugins.

    Args:
        load_entry_points: discover the installed plugins (else only
            :meth:`register_plugin` adds any).
        strict: raise on any plugin failure or conflict (default from
            ``OMNIAUG_STRICT_PLUGINS``).
        lazy: import each plugin only when first needed (see the module doc);
            the process-wide :func:`registry` is lazy.
    """

    def __init__(self, *, load_entry_points: bool = True, strict: bool | None = None, lazy: bool = False) -> None:
        self.strict = _strict_default() if strict is None else strict
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._plugins: dict[str, PluginInfo] = {}
        self._pending: dict[str, Any] = {}  # entry-point name -> EntryPoint not imported yet
        self._items: dict[Kind, dict[str, Any]] = {k: {} for k in _KIND_HOOK}
        self._providers: dict[tuple[Kind, str], list[str]] = {}
        if load_entry_points:
            self.discover_entry_points()
            if not lazy:
                self.load_all()

    # -- loading ----------------------------------------------------------------
    @property
    def plugins(self) -> dict[str, PluginInfo]:
        """Every plugin known, by name (loads the pending ones first)."""
        self.load_all()
        return self._plugins

    def loaded_plugins(self) -> dict[str, PluginInfo]:
        """The plugins imported (or failed, or blocked) so far, without loading the others."""
        return dict(self._plugins)

    def load_entry_points(self) -> None:
        """Load every plugin of the ``omniaug`` entry-point group, honouring the env lists."""
        self.discover_entry_points()
        self.load_all()

    def discover_entry_points(self) -> None:
        """Record the installed plugins (allow/block lists applied) without importing them."""
        allow = _env_list("OMNIAUG_PLUGINS")
        block = set(_env_list("OMNIAUG_DISABLE_PLUGINS") or [])
        for ep in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in self._plugins or ep.name in self._pending:
                continue  # the same distribution seen twice on sys.path
            dist = getattr(ep, "dist", None)
            info = PluginInfo(
                name=ep.name,
                version=dist.version if dist is not None else None,
                distribution=dist.name if dist is not None else None,
            )
            if (allow is not None and ep.name not in allow) or ep.name in block:
                info.status = "blocked"
                info.error = "disabled by OMNIAUG_PLUGINS / OMNIAUG_DISABLE_PLUGINS"
                self._plugins[ep.name] = info
                continue
            self._pending[ep.name] = (ep, info)

    def load_all(self) -> None:
        """Import every plugin not imported yet."""
        for name in sorted(self._pending):
            self._load_pending(name)

    def _load_for(self, name: str) -> bool:
        """Import the pending plugins that serve ``name`` (``image`` or ``image.flip``); True if any."""
        prefix = name.split(".", 1)[0]
        todo = [n for n in sorted(self._pending) if n == prefix or n.startswith(prefix + "-")]
        for n in todo:
            self._load_pending(n)
        return bool(todo)

    def _load_pending(self, name: str) -> None:
        entry = self._pending.pop(name, None)
        if entry is None:
            return
        ep, info = entry
        self._plugins[name] = info
        try:
            obj = ep.load()
        except BaseException as exc:  # sys.exit() in a plugin must not end the program
            self._fail(info, f"import failed: {type(exc).__name__}: {exc}", exc)
            return
        self._register(obj, info)

    def register_plugin(
        self, plugin: object, name: str, *, version: str | None = None, source: str = "manual"
    ) -> PluginInfo:
        """Register an in-process plugin object (a module or instance with hookimpls)."""
        return self._register(plugin, PluginInfo(name=name, version=version, source=source))

    def _register(self, obj: object, info: PluginInfo) -> PluginInfo:
        self._plugins[info.name] = info
        try:
            self.pm.register(obj, name=info.name)
        except BaseException as exc:
            self._fail(info, f"invalid hook implementation: {type(exc).__name__}: {exc}", exc)
            return info
        staged: dict[Kind, list[Any]] = {}
        for kind, hook in _KIND_HOOK.items():
            impls = [i for i in getattr(self.pm.hook, hook).get_hookimpls() if i.plugin_name == info.name]
            for impl in impls:
                try:
                    result = _call_impl(impl)
                    items = list(result or [])
                    for item in items:
                        _check_item(kind, item)
                except BaseException as exc:  # isolated like any other failure
                    self._fail(info, f"hook {hook} raised {type(exc).__name__}: {exc}", exc)
                    self.pm.unregister(name=info.name)
                    return info
                staged.setdefault(kind, []).extend(items)
        for kind, items in staged.items():
            for item in items:
                self._add(kind, item.name, item, info)
        return info

    def add_items(self, *items: Any, plugin: str = SCRIPT_PLUGIN) -> None:
        """Register classes and records directly (ops, mixers, presets, modalities, fusion kinds).

        They are recorded under plugin ``plugin`` (source ``script``); registering the
        same object again is a no-op and a new definition under the same plugin
        replaces the old one (re-running a notebook cell), while a name another
        plugin already provides is a conflict as usual.
        """
        info = self._plugins.get(plugin)
        if info is None:
            info = self._plugins[plugin] = PluginInfo(name=plugin, source="script")
        for item in items:
            kind = _kind_of(item)
            _check_item(kind, item)
            self._load_for(item.name)  # the modality's own plugin first, so a clash shows up
            providers = self._providers.get((kind, item.name), [])
            if providers == [plugin]:
                self._items[kind][item.name] = item
                continue
            self._add(kind, item.name, item, info)

    def _add(self, kind: Kind, name: str, item: Any, info: PluginInfo) -> None:
        providers = self._providers.setdefault((kind, name), [])
        providers.append(info.name)
        info.counts[kind] = info.counts.get(kind, 0) + 1
        if len(providers) == 1:
            self._items[kind][name] = item
            return
        self._items[kind].pop(name, None)
        msg = f"{kind} {name!r} is registered by several plugins: {', '.join(self._describe(p) for p in providers)}"
        for p in providers:
            other = self._plugins.get(p)
            if other is not None:
                note = f"{kind} {name!r} also registered by " + ", ".join(
                    self._describe(q) for q in providers if q != p
                )
                other.conflicts[:] = [c for c in other.conflicts if not c.startswith(f"{kind} {name!r} ")] + [note]
        if self.strict:
            raise PluginConflictError(msg)
        warnings.warn(msg + "; the name is unusable until one is removed", PluginWarning, stacklevel=3)

    def _describe(self, plugin: str) -> str:
        info = self._plugins.get(plugin)
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
    def _find(self, kind: Kind, name: str) -> None:
        """Import what may provide ``name``: its modality's plugins, else every pending one."""
        if name in self._items[kind] or not self._pending:
            return
        if self._load_for(name) and name in self._items[kind]:
            return
        self.load_all()

    def _get(self, kind: Kind, name: str) -> Any:
        self._find(kind, name)
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
        self.load_all()
        return dict(self._items["modality"])

    @property
    def augmentations(self) -> dict[str, type[Augmentation]]:
        self.load_all()
        return dict(self._items["augmentation"])

    @property
    def mixers(self) -> dict[str, type[Mixer]]:
        self.load_all()
        return dict(self._items["mixer"])

    @property
    def presets(self) -> dict[str, Preset]:
        self.load_all()
        return dict(self._items["preset"])

    @property
    def fusions(self) -> dict[str, FusionKind]:
        self.load_all()
        return dict(self._items["fusion"])

    @property
    def commands(self) -> dict[str, Command]:
        """``omniaug`` subcommands contributed by plugins."""
        self.load_all()
        return dict(self._items["command"])

    def transform_class(self, name: str) -> type[Transform]:
        """The class behind a configuration name: a core container, an op or a mixer."""
        from .config import CORE_TRANSFORMS

        if name in CORE_TRANSFORMS:
            return CORE_TRANSFORMS[name]
        if name not in self._items["augmentation"] and name not in self._items["mixer"]:
            self._find("augmentation", name)
            self._find("mixer", name)
        for kind in ("augmentation", "mixer"):
            if name in self._items[kind]:
                return self._items[kind][name]  # type: ignore[no-any-return]
            if len(self._providers.get((kind, name), [])) > 1:
                return self._get(kind, name)  # type: ignore[no-any-return]  # raises the conflict
        known = [*CORE_TRANSFORMS, *self._items["augmentation"], *self._items["mixer"], *self._items["preset"]]
        raise UnknownNameError(_unknown("transform", name, known))

    def resolve(self, name: str) -> tuple[Literal["preset", "transform"], Any]:
        """What a config name means: ``("preset", Preset)`` or ``("transform", class)``.

        Presets win over ops of the same name (as in configs); only the plugins
        that may provide ``name`` are imported, unless it is unknown to them.
        """
        from .config import CORE_TRANSFORMS

        if name in CORE_TRANSFORMS:
            return "transform", CORE_TRANSFORMS[name]
        for attempt in range(3):
            if name in self._items["preset"]:
                return "preset", self._items["preset"][name]
            if len(self._providers.get(("preset", name), [])) > 1:
                return "preset", self._get("preset", name)  # raises the conflict
            if any(
                name in self._items[k] or len(self._providers.get((k, name), [])) > 1 for k in ("augmentation", "mixer")
            ):
                break
            if attempt == 0:
                self._load_for(name)
            elif attempt == 1:
                self.load_all()
        return "transform", self.transform_class(name)

    def ops_for(self, modality: str, *, policy: bool = False) -> list[type[Augmentation]]:
        """Ops of ``modality`` sorted by name; with ``policy=True`` only those policies may pick."""
        self.modality(modality)
        self._load_for(modality)
        ops = [c for n, c in sorted(self._items["augmentation"].items()) if c.modality_name() == modality]
        if policy:
            ops = [c for c in ops if c.magnitude is not None and c.in_policies]
        return ops

    def provided_by(self, plugin: str, kind: Kind = "augmentation") -> list[Any]:
        """The items of ``kind`` that plugin ``plugin`` registered (sorted by name)."""
        self._load_pending(plugin)
        return [
            self._items[kind][name]
            for (k, name), providers in sorted(self._providers.items())
            if k == kind and providers == [plugin] and name in self._items[kind]
        ]

    def example_data(self, modality: str) -> Any:
        """Bundled sample data for ``modality`` from the plugins, else the modality's synthetic example."""
        self._find("modality", modality)
        for impl in reversed(self.pm.hook.omniaug_example_data.get_hookimpls()):
            try:
                data = _call_impl(impl, modality=modality)
            except BaseException as exc:  # a plugin's sys.exit() is its own failure
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
        self.load_all()
        for table in self._items.values():
            yield from table


def _check_item(kind: Kind, item: Any) -> None:
    expected: dict[Kind, Callable[[Any], bool]] = {
        "modality": lambda i: isinstance(i, Modality),
        "augmentation": lambda i: isinstance(i, type) and issubclass(i, Augmentation),
        "mixer": lambda i: isinstance(i, type) and issubclass(i, Mixer),
        "preset": lambda i: isinstance(i, Preset),
        "fusion": lambda i: isinstance(i, FusionKind),
        "command": lambda i: isinstance(i, Command),
    }
    if not expected[kind](item):
        raise TypeError(f"expected a {kind} declaration, got {item!r}")
    name = getattr(item, "name", "")
    if not isinstance(name, str) or not name:
        raise TypeError(f"{kind} {item!r} has no name")
    if kind in ("augmentation", "mixer", "preset") and "." not in name:
        raise TypeError(f"{kind} name {name!r} must look like '<modality>.<name>'")


def _kind_of(item: Any) -> Kind:
    if isinstance(item, type) and issubclass(item, Mixer):
        return "mixer"
    if isinstance(item, type) and issubclass(item, Augmentation):
        return "augmentation"
    for kind, cls in (("modality", Modality), ("preset", Preset), ("fusion", FusionKind), ("command", Command)):
        if isinstance(item, cls):
            return kind  # type: ignore[return-value]
    raise TypeError(
        f"cannot register {item!r}: expected an Augmentation or Mixer subclass, a Modality, a Preset or a FusionKind"
    )


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    if not close:
        tail = name.rsplit(".", 1)[-1]
        close = [k for k in known if k.rsplit(".", 1)[-1] == tail][:3]
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    tail = (
        "; an op defined in a script must be registered with `omniaug.register(MyOp)` before its config is loaded"
        if kind in ("transform", "augmentation", "mixer")
        else ""
    )
    return f"unknown {kind} {name!r}{hint} (see `omniaug list`{tail})"


_REGISTRY: Registry | None = None


def _call_impl(impl: Any, **kwargs: Any) -> Any:
    """Call a hook implementation with the arguments it names, as pluggy does.

    An implementation may accept a subset of its spec's arguments (so a new
    argument never breaks an older plugin); it gets exactly those.
    """
    return impl.function(*(kwargs[name] for name in impl.argnames))


def registry() -> Registry:
    """The process-wide registry: plugins are discovered on first use and each is
    imported only when its modality or one of its names is first needed."""
    global _REGISTRY
    if _REGISTRY is None:
        _REGISTRY = Registry(lazy=True)
    return _REGISTRY


def reset_registry(new: Registry | None = None) -> Registry | None:
    """Replace (or clear, with None) the process-wide registry; returns the old one. For tests."""
    global _REGISTRY
    old, _REGISTRY = _REGISTRY, new
    return old


def register(*items: Any) -> Any:
    """Register ops (or mixers, presets, modalities, fusion kinds) defined in a script.

    One line makes a script's own op usable by name, so a config that uses it loads
    back with :func:`omniaug.load_config` / :func:`omniaug.from_config`::

        omniaug.register(MyOp)          # or decorate the class: @omniaug.register

    Returns the first item, so it works as a class decorator. The items join the
    process-wide registry under the plugin name ``script``.
    """
    if not items:
        raise TypeError("omniaug.register needs at least one class or record")
    registry().add_items(*items)
    return items[0]
