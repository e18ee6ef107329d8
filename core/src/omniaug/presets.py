"""Presets: named, ready-made pipelines contributed by plugins."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Preset"]


@dataclass(frozen=True)
class Preset:
    """A named factory of a transform.

    Attributes:
        name: registered name, ``"<modality>.<preset>"`` (``"image.autoaugment"``).
        modality: the modality the transform accepts.
        factory: called with keyword arguments, returns a transform.
        description: one line for ``omniaug list``.
    """

    name: str
    modality: str
    factory: Callable[..., Any]
    description: str = ""

    def build(self, **kwargs: Any) -> Any:
        return self.factory(**kwargs)
