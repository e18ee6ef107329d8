"""omniaug-saliency: saliency-guided mixing and style randomisation for omniaug.

* :class:`ImageSaliencyMix`, :class:`TimeSeriesSaliencyMix`, :class:`AudioSaliencyMix` —
  SaliencyMix (Uddin et al. 2021): the box (window) around the partner's most salient point.
* :class:`ImagePuzzleMix`, :class:`TimeSeriesPuzzleMix`, :class:`AudioPuzzleMix` —
  Puzzle Mix (Kim et al. 2020), its objective solved batched on the tensor's device
  (:mod:`omniaug_saliency.puzzle`, with an exact reference for small grids).
* :class:`RandConv`, :class:`MixStyle`, :class:`AdaINStyle` — style randomisation.

Saliency is the model's input gradient through the core model-aware protocol
(``mixer(x, y, generator=g, model=omniaug.ModelContext(model, loss_fn, y))``, one
backward pass for the batch) or a map the caller passes (``saliency=s``, no model
needed). Decisions are params: ``mixer(x, y, params=params)`` replays without the model.
"""

from __future__ import annotations

from . import puzzle
from .mixers import (
    MIXERS,
    AudioPuzzleMix,
    AudioSaliencyMix,
    ImagePuzzleMix,
    ImageSaliencyMix,
    TimeSeriesPuzzleMix,
    TimeSeriesSaliencyMix,
    move_blocks,
    move_segments,
)
from .ops import RandConv
from .puzzle import PuzzleWeights, reference_solve, solve
from .saliency import block_pool, gradient_saliency, normalize
from .style import AdaINStyle, MixStyle, adain

__all__ = [
    "MIXERS",
    "AdaINStyle",
    "AudioPuzzleMix",
    "AudioSaliencyMix",
    "ImagePuzzleMix",
    "ImageSaliencyMix",
    "MixStyle",
    "PuzzleWeights",
    "RandConv",
    "TimeSeriesPuzzleMix",
    "TimeSeriesSaliencyMix",
    "adain",
    "block_pool",
    "gradient_saliency",
    "move_blocks",
    "move_segments",
    "normalize",
    "puzzle",
    "reference_solve",
    "solve",
]
