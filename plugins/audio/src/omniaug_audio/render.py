"""Preview images: waveform and spectrogram of original vs augmented clips (matplotlib Agg)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from .payload import SpectrogramBatch, unpack_audio, unpack_spec

__all__ = ["render_audio", "render_spectrogram"]

MAX_CLIPS = 3


def _clip(x: Any, i: int) -> tuple[torch.Tensor, int]:
    wave, sr, lengths = unpack_audio(x, 16000)
    n = int(lengths[i]) if lengths is not None else wave.shape[-1]
    return wave[i, 0, :n].detach().float().cpu(), sr


def _db_spec(wave: torch.Tensor) -> torch.Tensor:
    n_fft = 512
    if wave.numel() < n_fft:
        wave = torch.nn.functional.pad(wave, (0, n_fft - wave.numel()))
    s = torch.stft(wave, n_fft, n_fft // 4, window=torch.hann_window(n_fft), return_complex=True).abs() ** 2
    return 10 * torch.log10(s + 1e-10)


def render_audio(original: Any, views: Sequence[Any], path: Path) -> Path:
    """PNG grid: per clip (up to 3), a row for the original and each view; waveform | spectrogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wave, _, _ = unpack_audio(original, 16000)
    clips = min(MAX_CLIPS, wave.shape[0])
    rows = clips * (1 + len(views))
    fig, axes = plt.subplots(rows, 2, figsize=(11, 1.9 * rows), squeeze=False)
    r = 0
    for i in range(clips):
        for j, payload in enumerate([original, *views]):
            w, sr = _clip(payload, i)
            label = f"clip {i} " + ("original" if j == 0 else f"view {j}")
            t = torch.arange(w.numel()) / sr
            axes[r, 0].plot(t.numpy(), w.numpy(), lw=0.5, color="C0" if j == 0 else "C1")
            axes[r, 0].set_ylim(-1.05, 1.05)
            axes[r, 0].set_ylabel(label, fontsize=8)
            spec = _db_spec(w)
            axes[r, 1].imshow(
                spec.numpy(), origin="lower", aspect="auto", cmap="magma",
                extent=(0, w.numel() / sr, 0, sr / 2000), vmin=float(spec.max()) - 80, vmax=float(spec.max()),
            )
            axes[r, 1].set_ylabel("kHz", fontsize=8)
            r += 1
    axes[-1, 0].set_xlabel("seconds")
    axes[-1, 1].set_xlabel("seconds")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def render_spectrogram(original: Any, views: Sequence[Any], path: Path) -> Path:
    """PNG grid of spectrograms: per example (up to 3) the original and each view side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    spec, _ = unpack_spec(original)
    clips = min(MAX_CLIPS, spec.shape[0])
    cols = 1 + len(views)
    fig, axes = plt.subplots(clips, cols, figsize=(3.2 * cols, 2.4 * clips), squeeze=False)
    for i in range(clips):
        for j, payload in enumerate([original, *views]):
            s, lengths = unpack_spec(payload)
            img = s[i, 0].detach().float().cpu()
            if isinstance(payload, SpectrogramBatch) and lengths is not None:
                img = img[:, : int(lengths[i])]
            axes[i, j].imshow(img.numpy(), origin="lower", aspect="auto", cmap="magma")
            axes[i, j].set_title("original" if j == 0 else f"view {j}", fontsize=8)
            axes[i, j].set_xticks([])
            axes[i, j].set_yticks([])
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
