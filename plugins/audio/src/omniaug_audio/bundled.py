"""The small WAV files shipped in ``omniaug_audio/data`` (espeak-ng words, babble, room IRs).

Made by ``plugins/audio/tools/make_data.py``: six English words spoken by espeak-ng
(16 kHz mono), a babble clip mixed from them, and two synthetic room impulse responses.
"""

from __future__ import annotations

from pathlib import Path

from .payload import AudioBatch, SpectrogramBatch

__all__ = ["data_dir", "WORDS", "word_paths", "impulse_response_paths", "example_clips"]

WORDS = ("yes", "no", "up", "down", "left", "right")


def data_dir() -> Path:
    """Folder of the bundled WAV files."""
    return Path(__file__).parent / "data"


def word_paths() -> list[Path]:
    return [data_dir() / f"word_{w}.wav" for w in WORDS]


def impulse_response_paths() -> list[Path]:
    return sorted(data_dir().glob("ir_*.wav"))


def example_clips() -> AudioBatch:
    """The bundled spoken words as one padded 16 kHz batch ``(6, 1, T)`` with lengths."""
    from .io import load_wavs

    return load_wavs(word_paths(), sample_rate=16000)


def example_spectrograms() -> SpectrogramBatch:
    """Log-mel spectrograms ``(6, 1, 64, frames)`` of the bundled words, with frame lengths."""
    import torch
    import torchaudio

    clips = example_clips()
    mel = torchaudio.transforms.MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=64)
    spec = torch.log(mel(clips.waveform) + 1e-6)
    assert clips.lengths is not None
    frames = (clips.lengths // 160 + 1).clamp_max(spec.shape[-1])
    valid = torch.arange(spec.shape[-1]) < frames[:, None]
    spec = torch.where(valid[:, None, None, :], spec, torch.zeros(()))
    return SpectrogramBatch(spec, frames)
