"""Deterministic helpers on audio payloads (not augmentations)."""

from __future__ import annotations

from typing import Any

import torch
import torchaudio.functional as AF

from .payload import AudioBatch, unpack_audio

__all__ = ["resample_batch"]


def resample_batch(x: Any, new_rate: int, sample_rate: int = 16000) -> AudioBatch:
    """Resample a whole batch to ``new_rate`` (torchaudio's polyphase ``resample``, one
    ratio for all examples) and scale ``lengths`` to match."""
    wave, sr, lengths = unpack_audio(x, sample_rate)
    out = AF.resample(wave, sr, new_rate)
    if lengths is not None:
        lengths = torch.ceil(lengths.to(torch.float64) * new_rate / sr).long().clamp_max(out.shape[-1])
    return AudioBatch(out, int(new_rate), lengths)
