"""Entry-point plugin ``interop``: registers the wrapped-op classes under names like ``image.albumentations``.

They are registered only for modalities whose plugin is installed, and import no
peer: a wrapped op imports its peer when built.
"""

from __future__ import annotations

import importlib.util

from ..augmentation import Augmentation
from ..hookspecs import hookimpl
from ._wrap import WRAPPED_OPS

_PLUGIN_OF = {"image": "omniaug_image", "audio": "omniaug_audio", "text": "omniaug_text"}


@hookimpl
def omniaug_register_augmentations() -> list[type[Augmentation]]:
    return [
        cls
        for cls in WRAPPED_OPS
        if importlib.util.find_spec(_PLUGIN_OF[cls.modality_name()]) is not None  # type: ignore[arg-type]
    ]
