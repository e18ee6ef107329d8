"""omniaug-audio: batched waveform and spectrogram augmentation with per-example parameters."""

from __future__ import annotations

from .modality import AUDIO, SPECTROGRAM
from .payload import AudioBatch, SpectrogramBatch

__all__ = ["AUDIO", "SPECTROGRAM", "AudioBatch", "SpectrogramBatch"]
