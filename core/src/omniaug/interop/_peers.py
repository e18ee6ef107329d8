"""The peer libraries: lazy imports with a clear error naming the extra, and RNG isolation.

No peer is imported until a converter or a wrapped op needs it. Wrapped peer calls
run inside :func:`isolated_rng`: the global states of ``random``, NumPy and torch
are saved, seeded from a per-sample seed drawn from the caller's generator, and
restored afterwards, so a wrapped op neither reads nor disturbs the user's
global randomness.
"""

from __future__ import annotations

import contextlib
import importlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ..errors import ConfigError, OmniaugError

__all__ = [
    "PEERS",
    "MissingExtraError",
    "Peer",
    "isolated_rng",
    "saved_rng_states",
    "seed_global_rngs",
    "require",
    "build_from_spec",
    "spec_of",
]


class MissingExtraError(OmniaugError, ImportError):
    """A converter or wrapped op needs a peer library that is not installed."""


@dataclass(frozen=True)
class Peer:
    """A library omniaug converts from: its import name, the extra that installs it, its classes' modules."""

    name: str
    module: str
    extra: str
    #: modules a serialized spec may name classes from (nothing else is ever imported from a config)
    prefixes: tuple[str, ...]


PEERS: dict[str, Peer] = {
    p.name: p
    for p in (
        Peer("albumentations", "albumentations", "albumentations", ("albumentations.",)),
        Peer("torchvision", "torchvision.transforms.v2", "torchvision", ("torchvision.transforms.",)),
        Peer("kornia", "kornia.augmentation", "kornia", ("kornia.augmentation.",)),
        Peer("audiomentations", "audiomentations", "audiomentations", ("audiomentations.",)),
        Peer("torch_audiomentations", "torch_audiomentations", "torch-audiomentations", ("torch_audiomentations.",)),
        Peer("nlpaug", "nlpaug.augmenter", "nlpaug", ("nlpaug.augmenter.", "nlpaug.flow.")),
    )
}


def require(peer: str) -> ModuleType:
    """Import ``peer``'s module, or raise :class:`MissingExtraError` naming the extra to install."""
    info = PEERS[peer]
    try:
        return importlib.import_module(info.module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{peer} is not installed; it is an optional extra of omniaug: pip install 'omniaug[{info.extra}]' "
            f"({type(exc).__name__}: {exc})"
        ) from exc


@contextlib.contextmanager
def saved_rng_states() -> Iterator[bool]:
    """Save the global states of ``random``, NumPy and torch (and CUDA's, if initialized); restore them after the block.

    Yields whether CUDA's states were saved (pass it on to :func:`seed_global_rngs`).
    """
    import numpy as np
    import torch

    py_state = random.getstate()
    np_state = np.random.get_state()  # noqa: NPY002 - the legacy global state is what peers use
    torch_state = torch.get_rng_state()
    cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
    try:
        yield cuda_states is not None
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)  # noqa: NPY002
        torch.set_rng_state(torch_state)
        if cuda_states is not None:
            torch.cuda.set_rng_state_all(cuda_states)


def seed_global_rngs(seed: int, cuda: bool = False) -> None:
    """Seed ``random``, NumPy's legacy global state and torch's CPU generator (and CUDA's if ``cuda``) with ``seed``."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002
    torch.default_generator.manual_seed(seed)  # CPU only: torch.manual_seed would queue a CUDA seed
    if cuda:
        torch.cuda.manual_seed_all(seed)


@contextlib.contextmanager
def isolated_rng(seed: int) -> Iterator[None]:
    """Seed ``random``, NumPy and torch's global RNGs with ``seed`` for the block, then restore them.

    A loop of peer calls saves the states once around the loop (:func:`saved_rng_states`)
    and seeds before each call (:func:`seed_global_rngs`): the same calls see the same
    states, and saving NumPy's and Python's 624-word states per call cost more than a
    cheap peer transform.
    """
    with saved_rng_states() as cuda:
        seed_global_rngs(seed, cuda)
        yield


# ----------------------------------------------------------------------------- specs
# A peer transform is serialized as {"class": "<module>.<Class>", "args": {...}}. Enum
# values are written {"enum": "<module>.<Enum>", "name": "<MEMBER>"}; dtypes as "torch.float32".


def _encode(value: Any) -> Any:
    import enum

    import torch

    if isinstance(value, enum.Enum):
        return {"enum": f"{type(value).__module__}.{type(value).__qualname__}", "name": value.name}
    if isinstance(value, torch.dtype):
        return str(value)
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ConfigError(f"argument value {value!r} ({type(value).__name__}) has no serialized form")


def _decode(value: Any, peer: Peer) -> Any:
    import torch

    if isinstance(value, dict) and set(value) == {"enum", "name"}:
        return getattr(_import_class(value["enum"], peer, allow=("torchvision.", "kornia.")), value["name"])
    if (
        isinstance(value, str)
        and value.startswith("torch.")
        and isinstance(getattr(torch, value[6:], None), torch.dtype)
    ):
        return getattr(torch, value[6:])
    if isinstance(value, (list, tuple)):  # peers store ranges as tuples (and print them so)
        return tuple(_decode(v, peer) for v in value)
    if isinstance(value, dict):
        return {k: _decode(v, peer) for k, v in value.items()}
    return value


def _import_class(path: str, peer: Peer, allow: tuple[str, ...] = ()) -> Any:
    if not isinstance(path, str) or not path.startswith(peer.prefixes + allow):
        raise ConfigError(f"a {peer.name} spec may only name classes under {', '.join(peer.prefixes)}; got {path!r}")
    module, _, name = path.rpartition(".")
    require(peer.name)
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"{path!r} is not a class of the installed {peer.name}: {exc}") from exc


def spec_of(transform: Any, args: dict[str, Any]) -> dict[str, Any]:
    """The serialized spec of a peer transform built with ``args``."""
    cls = type(transform)
    return {"class": f"{cls.__module__}.{cls.__qualname__}", "args": _encode(args)}


def build_from_spec(spec: Any, peer: str) -> Any:
    """Rebuild a peer transform from its spec (only classes of that peer's modules are allowed)."""
    info = PEERS[peer]
    if not (isinstance(spec, dict) and isinstance(spec.get("class"), str) and isinstance(spec.get("args", {}), dict)):
        raise ConfigError(f"a wrapped {peer} transform must be a spec {{'class': ..., 'args': {{...}}}}; got {spec!r}")
    cls = _import_class(spec["class"], info)
    args = _decode(spec.get("args", {}), info)
    try:
        return cls(**args)
    except Exception as exc:
        raise ConfigError(f"cannot rebuild {spec['class']} from {sorted(args)}: {type(exc).__name__}: {exc}") from exc
