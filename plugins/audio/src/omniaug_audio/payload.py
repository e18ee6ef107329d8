"""Audio payloads: waveform and spectrogram batches, with optional valid lengths.

Two payload forms are accepted for each modality:

* a plain tensor — waveforms ``(B, C, T)`` (ops then use their ``sample_rate``
  argument) or spectrograms ``(B, C, F, T)``;
* a frozen dataclass — :class:`AudioBatch` ``(waveform, sample_rate, lengths)`` or
  :class:`SpectrogramBatch` ``(spec, lengths)``. ``lengths`` (``(B,)`` long, or None)
  marks padded batches: samples ``t >= lengths[b]`` are padding that ops leave alone.

The helpers here let an op read ``(tensor, sample_rate, lengths)`` from either form
and write a result back in the form it came in.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import torch

from omniaug import InputError

__all__ = [
    "AudioBatch",
    "SpectrogramBatch",
    "unpack_audio",
    "repack_audio",
    "unpack_spec",
    "repack_spec",
    "valid_mask",
    "full_lengths",
]


@dataclass(frozen=True)
class AudioBatch:
    """A batch of waveforms ``(B, C, T)`` at ``sample_rate`` Hz, padded to ``T`` when ``lengths`` is set."""

    waveform: torch.Tensor
    sample_rate: int
    lengths: torch.Tensor | None = None


@dataclass(frozen=True)
class SpectrogramBatch:
    """A batch of spectrograms ``(B, C, F, T)`` (frames on the last axis), padded when ``lengths`` is set."""

    spec: torch.Tensor
    lengths: torch.Tensor | None = None


def unpack_audio(x: Any, sample_rate: int) -> tuple[torch.Tensor, int, torch.Tensor | None]:
    """``(waveform, sample_rate, lengths)`` of an audio payload; a plain tensor uses ``sample_rate``."""
    if isinstance(x, AudioBatch):
        return x.waveform, int(x.sample_rate), x.lengths
    return x, int(sample_rate), None


def repack_audio(x: Any, waveform: torch.Tensor, lengths: torch.Tensor | str | None = "same") -> Any:
    """Put ``waveform`` (and new ``lengths`` unless ``"same"``) back into ``x``'s form."""
    if isinstance(x, AudioBatch):
        new_lengths = x.lengths if isinstance(lengths, str) else lengths
        return dataclasses.replace(x, waveform=waveform, lengths=new_lengths)
    return waveform


def unpack_spec(x: Any) -> tuple[torch.Tensor, torch.Tensor | None]:
    """``(spec, lengths)`` of a spectrogram payload."""
    if isinstance(x, SpectrogramBatch):
        return x.spec, x.lengths
    return x, None


def repack_spec(x: Any, spec: torch.Tensor) -> Any:
    """Put ``spec`` back into ``x``'s form (lengths unchanged)."""
    if isinstance(x, SpectrogramBatch):
        return dataclasses.replace(x, spec=spec)
    return spec


def full_lengths(t: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """``lengths`` or, when None, the full last-axis length for every sample."""
    if lengths is not None:
        return lengths.to(t.device)
    return torch.full((t.shape[0],), t.shape[-1], dtype=torch.long, device=t.device)


def valid_mask(t: torch.Tensor, lengths: torch.Tensor | None) -> torch.Tensor:
    """Boolean mask ``(B, 1, …, T)`` broadcastable to ``t``: True on the valid samples/frames."""
    n = t.shape[-1]
    lens = full_lengths(t, lengths)
    mask = torch.arange(n, device=t.device).unsqueeze(0) < lens.unsqueeze(1)
    return mask.reshape(t.shape[0], *([1] * (t.dim() - 2)), n)


def check_lengths(lengths: Any, batch: int, max_len: int, where: str) -> None:
    """Validate a ``lengths`` field: None or a ``(B,)`` integer tensor in ``[0, max_len]``."""
    if lengths is None:
        return
    if not isinstance(lengths, torch.Tensor) or lengths.shape != (batch,) or lengths.dtype.is_floating_point:
        raise InputError("lengths", f"None or an integer tensor of shape ({batch},)", lengths, where=where)
    if lengths.numel() and (bool((lengths < 0).any()) or bool((lengths > max_len).any())):
        raise InputError("lengths", f"valid lengths in [0, {max_len}]", lengths, where=where)
