"""omniaug plugin entry point (group ``omniaug``, name ``saliency``).

The mixers and ops belong to modalities other plugins declare (``image``,
``timeseries``, ``audio``); this plugin declares no modality of its own.
:class:`~omniaug_saliency.MixStyle` (an ``nn.Module``) and
:class:`~omniaug_saliency.AdaINStyle` (holds the user's modules) are used directly,
not through the registry.
"""

from __future__ import annotations

from omniaug import hookimpl

from .mixers import MIXERS
from .ops import RandConv

OPS: list[type] = [RandConv]


@hookimpl
def omniaug_register_mixers() -> list[type]:
    return list(MIXERS)


@hookimpl
def omniaug_register_augmentations() -> list[type]:
    return list(OPS)
