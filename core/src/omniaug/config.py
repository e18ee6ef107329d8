"""Serialization: every pipeline round-trips through a plain dict, JSON or YAML.

A node is ``{"op": "<registered name>", <constructor arguments>...}``; arguments
that are transforms (children of containers, values of ``Keys``) are nodes
themselves. The top level records the omniaug version::

    {"omniaug_version": "0.1.0", "pipeline": {"op": "compose", "transforms": [...]}}

Names resolve through the registry (core containers, plugin ops, mixers and
presets); an unknown name raises :class:`~omniaug.errors.UnknownNameError` with
close-match suggestions.
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
from .policies import RandAugment, TrivialAugment

__all__ = ["to_config", "from_config", "to_json", "to_yaml", "save_config", "load_config", "CORE_TRANSFORMS"]

CORE_TRANSFORMS: dict[str, type[Transform]] = {
    cls.name: cls for cls in (Compose, RandomApply, OneOf, SomeOf, Identity, RandAugment, TrivialAugment, Keys, MixKeys)
}
OP_KEY = "op"


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
    reg = registry()
    if name in reg.presets and name not in CORE_TRANSFORMS:
        return reg.preset(name).build(**kwargs)
    cls = reg.transform_class(name)
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
        return from_config(load_config(config))
    if isinstance(config, str):
        config = _parse_text(config)
    if not isinstance(config, Mapping):
        raise ConfigError(f"a config must be a mapping, got {type(config).__name__}")
    node = config.get("pipeline", config)
    return _build(node, "pipeline")


def _parse_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        import yaml

        return yaml.safe_load(text)


def to_json(transform: Transform, **kwargs: Any) -> str:
    return json.dumps(to_config(transform), **{"indent": 2, **kwargs})


def to_yaml(transform: Transform) -> str:
    import yaml

    return yaml.safe_dump(to_config(transform), sort_keys=False)


def load_config(path: str | Path) -> Any:
    """Read a JSON or YAML config file into a dict."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    return _parse_text(path.read_text(encoding="utf-8"))


def save_config(transform: Transform, path: str | Path) -> Path:
    """Write ``transform``'s config to ``path`` (YAML for .yaml/.yml, JSON otherwise)."""
    path = Path(path)
    text = to_yaml(transform) if path.suffix in {".yaml", ".yml"} else to_json(transform)
    path.write_text(text, encoding="utf-8")
    return path
