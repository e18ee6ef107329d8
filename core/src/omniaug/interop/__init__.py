"""Bring your pipeline: convert albumentations, torchvision v2, kornia, audiomentations,
torch-audiomentations and nlpaug pipelines into omniaug pipelines.

Each converter maps every transform that has an omniaug equivalent to that op
(same ranges, probabilities, fill and interpolation, per the mapping tables of
the peer's module) and wraps the rest: a wrapped op runs the peer's transform
per sample, seeded from the caller's generator, with the global RNG states saved
and restored around each call. ``convert_*`` functions also return a report of
what was converted natively, wrapped or dropped::

    pipeline = omniaug.interop.from_albumentations(A.Compose([...]))
    pipeline, report = omniaug.interop.convert(A.Compose([...]))
    print(report)

Importing this package imports no peer; a converter whose peer is missing
raises :class:`MissingExtraError` naming the extra (``pip install
'omniaug[albumentations]'``).
"""

from __future__ import annotations

from typing import Any

from ._convert import Conversion
from ._peers import PEERS, MissingExtraError
from ._table import ConversionReport, Entry, Mapping
from ._wrap import (
    WRAPPED_OPS,
    WrappedAlbumentations,
    WrappedAudiomentations,
    WrappedKornia,
    WrappedNlpaug,
    WrappedOp,
    WrappedTorchAudiomentations,
    WrappedTorchvision,
)

__all__ = [
    "PEERS",
    "WRAPPED_OPS",
    "Conversion",
    "ConversionReport",
    "Entry",
    "Mapping",
    "MissingExtraError",
    "WrappedAlbumentations",
    "WrappedAudiomentations",
    "WrappedKornia",
    "WrappedNlpaug",
    "WrappedOp",
    "WrappedTorchAudiomentations",
    "WrappedTorchvision",
    "convert",
    "from_albumentations",
    "from_audiomentations",
    "from_kornia",
    "from_nlpaug",
    "from_torch_audiomentations",
    "from_torchvision",
    "migration_tables",
    "peer_of",
]

_MODULES = {
    "albumentations": "albumentations",
    "torchvision": "torchvision",
    "kornia": "kornia",
    "audiomentations": "audiomentations",
    "torch_audiomentations": "torch_audiomentations",
    "nlpaug": "nlpaug",
}


def _module(peer: str) -> Any:
    import importlib

    if peer not in _MODULES:
        from ..errors import InputError

        raise InputError("peer", f"one of {sorted(_MODULES)}", peer, where="omniaug.interop")
    return importlib.import_module(f"{__name__}.{_MODULES[peer]}")


def peer_of(obj: Any) -> str:
    """The peer library a transform object comes from (by its module)."""
    from ..errors import InputError

    module = type(obj).__module__
    for peer, prefix in (
        ("albumentations", "albumentations"),
        ("torchvision", "torchvision.transforms"),
        ("kornia", "kornia"),
        ("torch_audiomentations", "torch_audiomentations"),
        ("audiomentations", "audiomentations"),
        ("nlpaug", "nlpaug"),
    ):
        if module.startswith(prefix):
            return peer
    raise InputError("pipeline", f"a transform of one of {sorted(_MODULES)}", obj, where="omniaug.interop.convert")


def convert(source: Any, peer: str | None = None, **kwargs: Any) -> Conversion:
    """Convert ``source`` (a peer pipeline, or for albumentations/audiomentations a dict or file) → ``(pipeline, report)``."""
    peer = peer or peer_of(source)
    return _module(peer).convert(source, **kwargs)  # type: ignore[no-any-return]


def from_albumentations(source: Any) -> Any:
    """An omniaug pipeline from an ``A.Compose`` (or transform), its ``A.to_dict`` dict, or a saved JSON/YAML file."""
    return convert(source, "albumentations").pipeline


def from_torchvision(source: Any) -> Any:
    """An omniaug pipeline from a ``torchvision.transforms.v2`` pipeline."""
    return convert(source, "torchvision").pipeline


def from_kornia(source: Any) -> Any:
    """An omniaug pipeline from a kornia ``AugmentationSequential`` (or augmentation)."""
    return convert(source, "kornia").pipeline


def from_audiomentations(source: Any, sample_rate: int = 16000) -> Any:
    """An omniaug pipeline from an audiomentations ``Compose`` (or a saved pipeline file)."""
    return convert(source, "audiomentations", sample_rate=sample_rate).pipeline


def from_torch_audiomentations(source: Any, sample_rate: int = 16000) -> Any:
    """An omniaug pipeline from a torch-audiomentations ``Compose`` (or transform)."""
    return convert(source, "torch_audiomentations", sample_rate=sample_rate).pipeline


def from_nlpaug(source: Any) -> Any:
    """An omniaug pipeline from an nlpaug augmenter, ``Sequential`` or ``Sometimes``."""
    return convert(source, "nlpaug").pipeline


def migration_tables() -> str:
    """The markdown tables of ``docs/migrating.md``, one per peer, generated from the mapping tables."""
    from ._table import markdown_table

    parts = []
    titles = {
        "albumentations": "albumentations",
        "torchvision": "torchvision.transforms.v2",
        "kornia": "kornia.augmentation",
        "audiomentations": "audiomentations",
        "torch_audiomentations": "torch-audiomentations",
        "nlpaug": "nlpaug",
    }
    for peer, title in titles.items():
        mod = _module(peer)
        dropped = getattr(mod, "DROPPED", {})
        table = markdown_table(title, list(mod.MAPPINGS.values()), mod.WRAPPED)
        for name, why in sorted(dropped.items()):
            table += f"\n| `{name}` | dropped | – | – | {why} |"
        parts.append(f"### {title}\n\n{table}\n")
    return "\n".join(parts)
