"""WAV files in and out (through soundfile), for ``omniaug apply`` and the bundled data."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF

from omniaug import InputError, batching

from .payload import AudioBatch, unpack_audio

__all__ = ["load_wavs", "save_wavs", "read_wav"]


def read_wav(path: str | Path, sample_rate: int | None = None) -> tuple[torch.Tensor, int]:
    """One file as a ``(C, T)`` float32 tensor and its rate (resampled to ``sample_rate`` if given)."""
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as exc:  # type: ignore[attr-defined]
        raise InputError("paths", "readable audio files", str(path), where="audio.load") from exc
    wave = torch.from_numpy(np.ascontiguousarray(data.T))
    if sample_rate is not None and sr != sample_rate:
        wave = AF.resample(wave, sr, sample_rate)
        sr = sample_rate
    return wave, int(sr)


def load_wavs(paths: Sequence[str | Path], sample_rate: int | None = None) -> AudioBatch:
    """Read WAV files into one padded :class:`AudioBatch`.

    Every file is resampled to ``sample_rate`` (default: the first file's rate); mono
    files are repeated to the largest channel count so mixed mono/stereo folders load.
    """
    if not paths:
        raise InputError("paths", "at least one audio file", paths, where="audio.load")
    waves: list[torch.Tensor] = []
    rate = sample_rate
    for p in paths:
        w, sr = read_wav(p, rate)
        rate = sr
        waves.append(w)
    channels = max(w.shape[0] for w in waves)
    fixed = []
    for p, w in zip(paths, waves):
        if w.shape[0] != channels:
            if w.shape[0] != 1:
                raise InputError("paths", f"files with 1 or {channels} channels", f"{p} with {w.shape[0]}", where="audio.load")
            w = w.expand(channels, -1)
        fixed.append(w)
    batch, lengths = batching.pad_sequences(fixed)
    assert rate is not None
    return AudioBatch(batch.contiguous(), rate, lengths)


def save_wavs(payload: Any, paths: Sequence[str | Path], sample_rate: int = 16000) -> None:
    """Write each example of an audio payload to its path (trimmed to its length, 32-bit float WAV)."""
    wave, sr, lengths = unpack_audio(payload, sample_rate)
    if len(paths) != wave.shape[0]:
        raise InputError("paths", f"{wave.shape[0]} paths (one per example)", paths, where="audio.save")
    clips = batching.unpad(wave, lengths, dim=-1) if lengths is not None else list(wave)
    for clip, path in zip(clips, paths):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), clip.detach().cpu().numpy().T, sr, subtype="FLOAT")
