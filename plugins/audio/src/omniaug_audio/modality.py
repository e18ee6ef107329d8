"""The two modalities of the plugin: ``audio`` (waveforms) and ``spectrogram`` (SpecAugment)."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from omniaug import InputError, Modality, batching, rng
from omniaug.parallel import value_range
from omniaug.validation import ensure, notes, register_check, trusted

from .payload import AudioBatch, SpectrogramBatch, check_lengths, full_lengths

__all__ = ["AUDIO", "SPECTROGRAM", "validate_audio", "validate_spectrogram", "synthetic_audio", "synthetic_spectrogram"]

FLOAT_DTYPES = (torch.float32, torch.float64)
EXAMPLE_RATE = 16000


def mark_finite(t: torch.Tensor) -> torch.Tensor:
    """Claim that ``t`` (computed from validated input by NaN-safe code) is finite; return it.

    The next op of the call then skips the finiteness scan of ``t`` (omniaug.validation);
    the contract suite runs the full check on every such claim.
    """
    return trusted("audio.finite", t)


def mark_finite_if_scaled(out: torch.Tensor, source: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """Claim ``out`` finite when it is ``source`` scaled by per-example ``factor`` and cannot overflow; return it.

    A gain can overflow float to inf, so a gained output is normally checked again by
    the next op (a full read of the batch). When ``source`` passed the ``audio.finite``
    check in this call (its value range is in the check's notes) and that range times
    the largest ``|factor|`` stays below half the dtype's largest value, every product
    is finite and the claim needs no read. Otherwise nothing is claimed. CPU factors only
    (the bound is computed on the host; no device sync).
    """
    if factor.device.type != "cpu" or not out.is_floating_point():
        return out
    learned = notes("audio.finite", source)
    if learned is None or "range" not in learned:
        return out
    lo, hi = learned["range"]
    top = float(np.abs(factor.detach().numpy()).max(initial=0.0))
    if max(abs(lo), abs(hi)) * top < 0.5 * torch.finfo(out.dtype).max:
        mark_finite(out)
    return out


def _finite_check(where: str, layout: str) -> Callable[[torch.Tensor, str], dict[str, Any]]:
    def check(t: torch.Tensor, argument: str = "x") -> dict[str, Any]:
        # min and max are finite iff every element is (NaN propagates into both): one reduction,
        # run without waking torch's OpenMP pool before the kernels (omniaug.parallel.value_range)
        lo, hi = value_range(t)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise InputError(argument, f"a finite tensor {layout} (no NaN/inf)", t, where=where)
        return {"range": (lo, hi)}  # kept with the record: a gain bounds its output with it

    check.__doc__ = (
        f"The full finiteness check of a {where} tensor ({where}.finite): reads every value; "
        "returns the value range as the check's notes."
    )
    return check


register_check("audio.finite", _finite_check("audio", "(B, C, T)"))
register_check("spectrogram.finite", _finite_check("spectrogram", "(B, C, F, T)"))


def _check_tensor(t: Any, argument: str, dims: int, layout: str, where: str) -> None:
    if not isinstance(t, torch.Tensor):
        raise InputError(argument, f"a float tensor {layout}", t, where=where)
    if t.dim() != dims:
        raise InputError(argument, f"a float tensor {layout} ({dims} dimensions)", t, where=where)
    if t.dtype not in FLOAT_DTYPES:
        raise InputError(argument, f"a float32/float64 tensor {layout}", t, where=where)
    if min(t.shape) == 0:  # no sample, no channel (or frequency bin), no time step
        raise InputError(argument, f"a non-empty tensor {layout}", t, where=where)
    ensure(f"{where}.finite", t, argument)  # read once per tensor per call (omniaug.validation)


def validate_audio(x: Any) -> None:
    """Accept a ``(B, C, T)`` float tensor or an :class:`AudioBatch`; raise :class:`InputError` otherwise."""
    if isinstance(x, AudioBatch):
        _check_tensor(x.waveform, "x.waveform", 3, "(B, C, T)", "audio")
        sr = x.sample_rate
        if isinstance(sr, bool) or not isinstance(sr, int) or sr <= 0:
            raise InputError("x.sample_rate", "a positive integer (Hz)", sr, where="audio")
        check_lengths(x.lengths, x.waveform.shape[0], x.waveform.shape[-1], "audio")
        return
    if isinstance(x, torch.Tensor):
        _check_tensor(x, "x", 3, "(B, C, T)", "audio")
        return
    raise InputError("x", "a float tensor (B, C, T) or an AudioBatch(waveform, sample_rate, lengths)", x, where="audio")


def validate_spectrogram(x: Any) -> None:
    """Accept a ``(B, C, F, T)`` float tensor or a :class:`SpectrogramBatch`."""
    if isinstance(x, SpectrogramBatch):
        _check_tensor(x.spec, "x.spec", 4, "(B, C, F, T)", "spectrogram")
        check_lengths(x.lengths, x.spec.shape[0], x.spec.shape[-1], "spectrogram")
        return
    if isinstance(x, torch.Tensor):
        _check_tensor(x, "x", 4, "(B, C, F, T)", "spectrogram")
        return
    raise InputError("x", "a float tensor (B, C, F, T) or a SpectrogramBatch(spec, lengths)", x, where="spectrogram")


def synthetic_audio(
    batch_size: int = 4,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    sample_rate: int = EXAMPLE_RATE,
    seconds: float = 0.5,
    padded: bool = True,
) -> AudioBatch:
    """Vowel-like harmonic tones with a random f0 and envelope, padded to a common length.

    Each clip is a sum of 6 harmonics of f0 ∈ [110, 330] Hz with 1/k amplitudes under a
    smooth attack/decay envelope, plus faint noise; with ``padded`` the lengths are
    drawn in ``[0.6 T, T]`` and the padding is zero.
    """
    device = torch.device(device)
    n = round(seconds * sample_rate)
    t = torch.arange(n, device=device, dtype=torch.float32) / sample_rate
    f0 = rng.uniform(batch_size, 110.0, 330.0, generator=generator, device=device)
    phase = rng.uniform(batch_size, 0.0, 2 * math.pi, shape=(6,), generator=generator, device=device)
    k = torch.arange(1, 7, device=device, dtype=torch.float32)
    tones = (torch.sin(2 * math.pi * f0[:, None, None] * k[None, :, None] * t + phase[..., None]) / k[:, None]).sum(1)
    env = torch.sin(math.pi * t / t[-1]).clamp_min(0) ** 0.5
    noise = rng.normal(batch_size, 0.0, 0.01, shape=(n,), generator=generator, device=device)
    wave = 0.25 * tones * env + noise
    lengths = None
    if padded:
        frac = rng.uniform(batch_size, 0.6, 1.0, generator=generator, device=device)
        lengths = (frac * n).long().clamp(1, n)
        lengths[0] = n
        wave = wave * (torch.arange(n, device=device) < lengths[:, None])
    return AudioBatch(wave.unsqueeze(1).contiguous(), sample_rate, lengths)


def synthetic_spectrogram(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> SpectrogramBatch:
    """Log-power spectrograms ``(B, 1, 64, frames)`` of :func:`synthetic_audio` clips, with frame lengths."""
    audio = synthetic_audio(batch_size, generator=generator, device=device)
    n_fft, hop = 126, 64
    window = torch.hann_window(n_fft, device=audio.waveform.device)
    stft = torch.stft(audio.waveform.reshape(batch_size, -1), n_fft, hop, window=window, return_complex=True)
    spec = torch.log1p(stft.abs() ** 2).unsqueeze(1)
    assert audio.lengths is not None
    frames = (audio.lengths // hop + 1).clamp_max(spec.shape[-1])
    spec = spec * (torch.arange(spec.shape[-1], device=spec.device) < frames[:, None])[:, None, None, :]
    return SpectrogramBatch(spec.contiguous(), frames)


def _example_audio(batch_size: int = 4, generator: torch.Generator | None = None, device: Any = "cpu") -> AudioBatch:
    return synthetic_audio(batch_size, generator=generator, device=device)


def _example_spec(
    batch_size: int = 4, generator: torch.Generator | None = None, device: Any = "cpu"
) -> SpectrogramBatch:
    return synthetic_spectrogram(batch_size, generator=generator, device=device)


def merge_payload(base: Any, index: torch.Tensor, part: Any) -> Any:
    """``base`` with samples ``index`` replaced by ``part``; a missing ``lengths`` means full length.

    An op run on some samples of a batch (a policy branch) may return lengths where
    the batch had none (a speed change) or the reverse: both sides get explicit
    lengths before the merge.
    """
    if isinstance(base, (AudioBatch, SpectrogramBatch)) and type(part) is type(base):
        if (base.lengths is None) != (part.lengths is None):
            tb = base.waveform if isinstance(base, AudioBatch) else base.spec
            tp = part.waveform if isinstance(part, AudioBatch) else part.spec
            base = dataclasses.replace(base, lengths=full_lengths(tb, base.lengths))
            part = dataclasses.replace(part, lengths=full_lengths(tp, part.lengths))
    return batching.merge(base, index, part)


def _audio_variants(
    batch_size: int = 4, generator: torch.Generator | None = None, device: Any = "cpu"
) -> dict[str, Any]:
    """Valid waveforms policies and presets must take: mono, stereo, padded, 8 kHz, short clips."""
    padded = synthetic_audio(batch_size, generator=generator, device=device, seconds=0.25)
    mono = padded.waveform
    return {
        "mono": mono,
        "stereo": torch.cat([mono, mono.flip(-1)], dim=1),
        "mono padded": padded,
        "8 kHz": AudioBatch(mono[..., ::2].contiguous(), EXAMPLE_RATE // 2),
        "short (20 ms)": AudioBatch(mono[..., :320].contiguous(), EXAMPLE_RATE),
    }


def _spec_variants(
    batch_size: int = 4, generator: torch.Generator | None = None, device: Any = "cpu"
) -> dict[str, Any]:
    """Valid spectrograms: mono, stereo, padded, a few frames."""
    padded = synthetic_spectrogram(batch_size, generator=generator, device=device)
    mono = padded.spec
    return {
        "mono": mono,
        "stereo": torch.cat([mono, mono.flip(-1)], dim=1),
        "mono padded": padded,
        "4 frames": mono[..., :4].contiguous(),
    }


def _bad_audio() -> list[Any]:
    ok = torch.zeros(2, 1, 100)
    return [
        torch.zeros(2, 100),  # missing channel axis
        torch.zeros(2, 1, 100, dtype=torch.int16),  # integer PCM
        torch.full((2, 1, 100), float("nan")),
        AudioBatch(ok, 0),  # bad sample rate
        AudioBatch(ok, 16000, torch.tensor([50, 101])),  # lengths beyond T
        AudioBatch(ok, 16000, torch.tensor([50.0, 10.0])),  # float lengths
        [ok],
    ]


def _bad_spec() -> list[Any]:
    return [
        torch.zeros(2, 64, 100),  # missing channel axis
        torch.zeros(2, 1, 64, 100, dtype=torch.long),
        torch.full((2, 1, 64, 10), float("inf")),
        SpectrogramBatch(torch.zeros(2, 1, 8, 10), torch.tensor([3])),  # wrong lengths shape
    ]


def _render(original: Any, views: Any, path: Any) -> Any:
    from .render import render_audio

    return render_audio(original, views, path)


def _render_spec(original: Any, views: Any, path: Any) -> Any:
    from .render import render_spectrogram

    return render_spectrogram(original, views, path)


def _load(paths: Any) -> AudioBatch:
    from .io import load_wavs

    return load_wavs(paths)


def _save(payload: Any, paths: Any) -> None:
    from .io import save_wavs

    save_wavs(payload, paths)


AUDIO = Modality(
    name="audio",
    payload="Tensor (B, C, T) float waveform, or AudioBatch(waveform, sample_rate, lengths=None)",
    validate=validate_audio,
    example=_example_audio,
    render=_render,
    load=_load,
    save=_save,
    file_patterns=("*.wav",),
    files="omniaug_audio.io:FILES",
    float_tolerance=(1e-4, 2e-5),
    bad_examples=_bad_audio,
    example_variants=_audio_variants,
    merge=merge_payload,
    description="Waveform batches; padded batches carry per-example lengths that ops respect and update.",
)

SPECTROGRAM = Modality(
    name="spectrogram",
    payload="Tensor (B, C, F, T) float spectrogram, or SpectrogramBatch(spec, lengths=None)",
    validate=validate_spectrogram,
    example=_example_spec,
    render=_render_spec,
    float_tolerance=(1e-5, 1e-5),
    bad_examples=_bad_spec,
    example_variants=_spec_variants,
    merge=merge_payload,
    description="Spectrogram batches (frequency × frames) for SpecAugment masking and warping.",
)
