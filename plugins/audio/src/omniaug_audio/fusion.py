"""The ``audio.gain`` fusion kind: per-example scalar factors folded into one multiply.

:class:`~omniaug_audio.ops.basic.Gain` and
:class:`~omniaug_audio.ops.basic.PolarityInversion` each scale an example by one
number. Under ``Compose(..., fuse=True)`` a run of them is one ``(B,)`` factor and one
pass over the batch instead of one pass per op (the padding of a padded batch is
left as it was, as each op does on its own).
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import FusionKind

from .dsp import scale_rows
from .modality import mark_finite_if_scaled
from .payload import repack_audio, unpack_audio, valid_mask

__all__ = ["GAIN_FUSION", "FUSIONS"]


def _identity(x: Any, n: int) -> torch.Tensor:
    wave, _, _ = unpack_audio(x, 16000)
    return torch.ones(n, dtype=torch.float32, device=wave.device)


def _compose(first: torch.Tensor, then: torch.Tensor) -> torch.Tensor:
    return first * then


def _apply(x: Any, factor: torch.Tensor, ops: list[Any]) -> Any:
    wave, _, lengths = unpack_audio(x, 16000)
    if lengths is not None:
        scaled = wave * factor.to(wave.dtype).reshape(-1, *([1] * (wave.dim() - 1)))
        scaled = torch.where(valid_mask(wave, lengths), scaled, wave)
        # not marked finite: a composed gain may overflow to inf, so the next op checks the output
        return repack_audio(x, scaled)
    # unpadded: dsp.scale_rows (never an OpenMP region on the CPU); claimed finite only
    # when the input's checked range times the largest factor cannot overflow
    return repack_audio(x, mark_finite_if_scaled(scale_rows(wave, factor), wave, factor))


GAIN_FUSION = FusionKind(
    name="audio.gain",
    identity=_identity,
    compose=_compose,
    apply=_apply,
    tolerance=(1e-5, 1e-6),
    description="per-example gains and polarity flips folded into one multiply",
)
FUSIONS = [GAIN_FUSION]
