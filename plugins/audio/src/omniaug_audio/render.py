"""Preview: a waveform over its spectrogram (or a spectrogram) in one cell of the core's preview grid."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from omniaug.render import render_grid, view_titles

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
    """PNG grid: one row per clip (up to 3), the original then each view; each cell a waveform over its spectrogram."""
    payloads = [original, *views]

    def draw(ax: Any, r: int, c: int) -> None:
        w, sr = _clip(payloads[c], r)
        seconds = w.numel() / sr
        for spine in ax.spines.values():
            spine.set_visible(False)
        wave_ax, spec_ax = ax.inset_axes((0.0, 0.56, 1.0, 0.44)), ax.inset_axes((0.0, 0.0, 1.0, 0.52))
        wave_ax.plot((torch.arange(w.numel()) / sr).numpy(), w.numpy(), lw=0.5, color="C0" if c == 0 else "C1")
        wave_ax.set_xlim(0, seconds)
        wave_ax.set_ylim(-1.05, 1.05)
        spec = _db_spec(w)
        spec_ax.imshow(
            spec.numpy(), origin="lower", aspect="auto", cmap="magma",
            extent=(0, seconds, 0, sr / 2000), vmin=float(spec.max()) - 80, vmax=float(spec.max()),
        )  # fmt: skip
        wave_ax.set_xticks([])
        wave_ax.tick_params(labelsize=6)
        spec_ax.tick_params(labelsize=6)
        spec_ax.set_xlabel("seconds", fontsize=6, labelpad=1)
        if c == 0:
            spec_ax.set_ylabel("kHz", fontsize=6, labelpad=1)
            ax.yaxis.labelpad = 30  # the row label, clear of the insets' tick labels

    rows = min(MAX_CLIPS, unpack_audio(original, 16000)[0].shape[0])
    labels = [f"clip {i}" for i in range(rows)]
    return render_grid(path, rows, view_titles(len(views)), draw, row_labels=labels, cell_size=(3.6, 2.6))


def render_spectrogram(original: Any, views: Sequence[Any], path: Path) -> Path:
    """PNG grid of spectrograms: one row per example (up to 3), the original then each view."""
    payloads = [original, *views]

    def draw(ax: Any, r: int, c: int) -> None:
        s, lengths = unpack_spec(payloads[c])
        img = s[r, 0].detach().float().cpu()
        if isinstance(payloads[c], SpectrogramBatch) and lengths is not None:
            img = img[:, : int(lengths[r])]
        ax.imshow(img.numpy(), origin="lower", aspect="auto", cmap="magma")

    rows = min(MAX_CLIPS, unpack_spec(original)[0].shape[0])
    return render_grid(path, rows, view_titles(len(views)), draw, cell_size=(3.2, 2.4))
