"""Serialization: every pipeline round-trips through a plain dict, JSON or YAML.

A node is ``{"op": "<registered name>", <constructor arguments>...}``; arguments
that are transforms (children of containers, values of ``Keys``) are nodes
themselves. The top level records the omniaug version::

    {"omniaug_version": "0.1.0", "pipeline": {"op": "compose", "transforms": [...]}}

Names resolve through the registry (core containers, plugin ops, mixers and
presets, and ops a script registered with :func:`omniaug.register`); an unknown
name raises :class:`~omniaug.errors.UnknownNameError` with close-match suggestions.

The file pair is :func:`save_config` / :func:`load_config` (``load_config``
returns the pipeline); :func:`to_yaml` / :func:`to_json` / :func:`from_config`
are the same thing for strings and dicts, :func:`read_config` reads a file into
the plain dict. Parsing is safe: ``yaml.safe_load`` (no object construction),
names only through the registry, and a bounded size — a YAML whose aliases would
expand to more than :data:`MAX_CONFIG_NODES` nodes, nest deeper than
:data:`MAX_CONFIG_DEPTH` or refer to itself is refused before it is expanded.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from .augmentation import Transform
from .containers import Compose, Identity, OneOf, RandomApply, SomeOf
from .errors import ConfigError
from .multimodal import Keys, MixKeys
from .policies import RandAugment, SkipInapplicable, TrivialAugment

__all__ = [
    "to_config",
    "from_config",
    "to_json",
    "to_yaml",
    "save_config",
    "load_config",
    "read_config",
    "CORE_TRANSFORMS",
    "MAX_CONFIG_NODES",
    "MAX_CONFIG_DEPTH",
]

CORE_TRANSFORMS: dict[str, type[Transform]] = {
    cls.name: cls
    for cls in (
        Compose,
        RandomApply,
        OneOf,
        SomeOf,
        Identity,
        RandAugment,
        TrivialAugment,
        SkipInapplicable,
        Keys,
        MixKeys,
    )
}
OP_KEY = "op"
MAX_CONFIG_NODES = 100_000
"""Largest number of values a config may hold once its YAML aliases are expanded."""
MAX_CONFIG_DEPTH = 64
"""Deepest nesting of lists and mappings a config may have."""


def _version() -> str:
    from . import __version__

    return __version__


def _node(t: Transform) -> dict[str, Any]:
    if not t.name:
        raise ConfigError(f"{type(t).__name__} has no registered name and cannot be serialized")
    node: dict[str, Any] = {OP_KEY: t.name}
    for key, value in t.init_args.items():
        node[key] = _jsonable(value, f"{t.name}.{key}")
    return node


def _jsonable(value: Any, where: str) -> Any:
    if isinstance(value, Transform):
        return _node(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return _jsonable(value.value, where)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, where) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, where) for k, v in value.items()}
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, torch.dtype):
        return str(value)
    raise ConfigError(f"argument {where} = {value!r} ({type(value).__name__}) cannot be serialized")


def to_config(transform: Transform) -> dict[str, Any]:
    """The plain-dict configuration of ``transform`` (JSON/YAML-ready)."""
    return {"omniaug_version": _version(), "pipeline": _node(transform)}


def _build(node: Any, where: str) -> Any:
    if isinstance(node, list):
        return [_build(v, where) for v in node]
    if not isinstance(node, Mapping):
        if (
            isinstance(node, str)
            and node.startswith("torch.")
            and isinstance(getattr(torch, node[6:], None), torch.dtype)
        ):
            return getattr(torch, node[6:])
        return node
    if OP_KEY not in node:
        return {k: _build(v, f"{where}.{k}") for k, v in node.items()}
    from .registry import registry

    name = node[OP_KEY]
    kwargs = {k: _build(v, f"{where}.{k}") for k, v in node.items() if k != OP_KEY}
    if not isinstance(name, str):
        raise ConfigError(f"{where}: `op` must be a registered name (a string), got {type(name).__name__}")
    kind, found = registry().resolve(name)
    if kind == "preset":
        return found.build(**kwargs)
    cls = found
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise ConfigError(f"{where}: cannot build {name!r} from {sorted(kwargs)}: {exc}") from exc


def from_config(config: Mapping[str, Any] | str | Path) -> Any:
    """Build a transform from a config dict, a JSON/YAML string, or a ``.json``/``.yaml`` file."""
    if isinstance(config, Path) or (
        isinstance(config, str)
        and not config.lstrip().startswith(("{", "["))
        and "\n" not in config
        and Path(config).suffix in {".json", ".yaml", ".yml"}
    ):
        return from_config(read_config(config))
    if isinstance(config, str):
        config = _parse_text(config)
    if not isinstance(config, Mapping):
        raise ConfigError(f"a config must be a mapping, got {type(config).__name__}")
    node = config.get("pipeline", config)
    return _build(node, "pipeline")


def _one_line(exc: Exception) -> str:
    """A parser error as one line: ``line L, column C: problem``."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return " ".join(str(exc).split())


def _check_size(root: Any) -> None:
    """Refuse a composed YAML graph that is cyclic, too deep, or too large once expanded."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any, depth: int) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ConfigError("config refers to itself (a recursive YAML alias)")
        if depth > MAX_CONFIG_DEPTH:
            raise ConfigError(f"config nests deeper than {MAX_CONFIG_DEPTH} levels")
        total = 1
        if isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
            active.add(key)
            children = node.value if isinstance(node, yaml.SequenceNode) else [c for kv in node.value for c in kv]
            for child in children:
                total += size(child, depth + 1)
                if total > MAX_CONFIG_NODES:
                    raise ConfigError(
                        f"config expands to more than {MAX_CONFIG_NODES} values (nested YAML aliases?); refused"
                    )
            active.discard(key)
        sizes[key] = total
        return total

    if root is not None:
        size(root, 0)


def _parse_text(text: str) -> Any:
    """JSON or YAML text → plain data, safely (no objects built, bounded expansion)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    except RecursionError:
        raise ConfigError(f"config nests deeper than {MAX_CONFIG_DEPTH} levels") from None
    import yaml

    try:
        _check_size(yaml.compose(text, Loader=yaml.SafeLoader))
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"config is not valid YAML or JSON: {_one_line(exc)}") from None
    except RecursionError:
        raise ConfigError(f"config nests deeper than {MAX_CONFIG_DEPTH} levels") from None


def to_json(transform: Transform, **kwargs: Any) -> str:
    """The config of ``transform`` as JSON text."""
    return json.dumps(to_config(transform), **{"indent": 2, **kwargs})


def to_yaml(transform: Transform) -> str:
    """The config of ``transform`` as YAML text."""
    import yaml

    return yaml.safe_dump(to_config(transform), sort_keys=False)


def read_config(path: str | Path) -> Any:
    """Read a JSON or YAML config file into a plain dict (safely; see the module doc)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {str(path)!r}: {exc}") from None
    try:
        return _parse_text(text)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None


def load_config(path: str | Path) -> Any:
    """The pipeline saved in a ``.yaml``/``.json`` file by :func:`save_config`."""
    return from_config(read_config(path))


def save_config(transform: Transform, path: str | Path) -> Path:
    """Write ``transform``'s config to ``path`` (YAML for .yaml/.yml, JSON otherwise).

    :func:`load_config` reads it back into an equal pipeline.
    """
    path = Path(path)
    text = to_yaml(transform) if path.suffix in {".yaml", ".yml"} else to_json(transform)
    path.write_text(text, encoding="utf-8")
    return path
