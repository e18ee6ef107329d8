"""Additive noise at a target SNR: coloured (white / pink / brown) and background clips."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
import torchaudio.functional as AF

from omniaug import InputError, Magnitude, args, rng

from ..dsp import by_examples, colored_noise, db_to_amplitude, masked_power, on_host, random_int16
from ..payload import valid_mask
from .base import WaveformOp

__all__ = ["ColoredNoise", "BackgroundNoise", "add_at_snr", "COLORS"]

#: named noise colours → spectral exponent β of a 1/f^β power spectrum
COLORS = {"white": 0.0, "pink": 1.0, "brown": 2.0}


def add_at_snr(
    signal: torch.Tensor, noise: torch.Tensor, snr_db: torch.Tensor, valid: torch.Tensor | None
) -> torch.Tensor:
    """``signal + g·noise`` with ``g`` per example so that the SNR over the valid region is ``snr_db``.

    Powers are means over channels and valid samples (``valid`` None: all samples). A
    silent signal (or silent noise) gets ``g = 0``: the output is the input, never NaN.
    """
    p_sig = masked_power(signal, valid)
    p_noise = masked_power(noise, valid)
    target = p_sig / db_to_amplitude(snr_db.to(signal.dtype), 10.0)
    gain = torch.where(p_noise > 0, (target / p_noise.clamp_min(1e-30)).sqrt(), torch.zeros_like(p_noise))
    if valid is not None:
        noise = noise * valid
    return signal + noise * gain.reshape(-1, 1, 1)


class ColoredNoise(WaveformOp):
    """Add Gaussian noise with a 1/f^β spectrum at a per-example SNR.

    ``color`` is a range of β (0 white, 1 pink, 2 brown) or one of ``"white"``, ``"pink"``,
    ``"brown"``. A flat noise spectrum (uniform 16-bit real and imaginary parts per rfft
    bin, ``spectrum`` ``(B, C, T // 2 + 1, 2)``) is drawn from the generator in
    :meth:`draw`, so it is part of the params and replays exactly; the kernel shapes it
    per example and brings it to the time domain with one irfft.
    """

    name = "audio.colored_noise"
    differentiable = True
    magnitude = Magnitude("snr_db", (60.0, 60.0), (3.0, 30.0))

    def __init__(
        self, snr_db: Any = (3.0, 30.0), color: Any = (0.0, 2.0), *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.snr_db = args.value_range("snr_db", snr_db, bounds=(-60.0, 120.0), scalar="fixed", where="ColoredNoise")
        if isinstance(color, str):
            if color not in COLORS:
                raise InputError(
                    "color", f"one of {sorted(COLORS)} or a (low, high) range of β", color, where="ColoredNoise"
                )
            self.beta = (COLORS[color], COLORS[color])
        else:
            self.beta = args.value_range("color", color, bounds=(-2.0, 4.0), scalar="fixed", where="ColoredNoise")
        self.color = color

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        wave = x.waveform if hasattr(x, "waveform") else x
        # Uniform 16-bit bins instead of float draws: the noise is a sum over thousands of
        # bins (Gaussian either way) and 16-bit draws cost a quarter (see random_int16).
        bins = (batch_size, wave.shape[1], wave.shape[-1] // 2 + 1, 2)
        return {
            "snr_db": rng.uniform(batch_size, *self.snr_db, generator=generator, device=device),
            "beta": rng.uniform(batch_size, *self.beta, generator=generator, device=device),
            "spectrum": random_int16(bins, generator=generator, device=device),
        }

    def kernel(self, x: Any, params: Any) -> Any:
        if isinstance(x, torch.Tensor):
            return self._add_unpadded(x, params)
        return super().kernel(x, params)

    @staticmethod
    def _add_unpadded(x: torch.Tensor, params: Any) -> torch.Tensor:
        """Fast path for unpadded batches: no masks, norms instead of squared temporaries,
        and the scaled noise added in one fused ``addcmul``; on the CPU one chunk of
        examples per thread (:func:`omniaug_audio.dsp.by_examples`), each chunk's sum
        written straight into its rows of the output (one chunk: into its own noise
        buffer), so no fresh batch-sized buffer and no copy after the sum."""
        spectrum, beta, snr_db = params["spectrum"], params["beta"], params["snr_db"]
        several = on_host(x) and x.shape[0] >= 2 and min(torch.get_num_threads(), x.shape[0]) > 1
        out = torch.empty_like(x) if several else None

        def add(e: slice) -> torch.Tensor:
            noise = colored_noise(spectrum[e], beta[e], x.shape[-1], x.dtype)
            p_noise = torch.linalg.vector_norm(noise, dim=(1, 2)).square()
            p_sig = torch.linalg.vector_norm(x[e], dim=(1, 2)).square()
            target = p_sig / db_to_amplitude(snr_db[e].to(x.dtype), 10.0)
            gain = torch.where(p_noise > 0, (target / p_noise.clamp_min(1e-30)).sqrt(), torch.zeros_like(p_noise))
            if not on_host(x) or noise.shape != x[e].shape:  # autograd / accelerators: out-of-place
                return torch.addcmul(x[e], noise, gain.reshape(-1, 1, 1))
            dest = noise if out is None else out[e]
            return torch.addcmul(x[e], noise, gain.reshape(-1, 1, 1), out=dest)

        if out is None:
            return add(slice(None))
        return by_examples(add, x.shape[0], x.device, out)

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        noise = colored_noise(params["spectrum"], params["beta"], wave.shape[-1], wave.dtype)
        return add_at_snr(wave, noise, params["snr_db"], valid_mask(wave, lengths))


def _bundled_noise() -> list[str]:
    from ..bundled import data_dir

    return [str(data_dir() / "babble.wav")]


class BackgroundNoise(WaveformOp):
    """Add a random excerpt of user-supplied noise clips at a per-example SNR.

    ``paths`` lists WAV files and/or folders (searched for ``*.wav``); None uses the
    bundled babble clip. The clips are loaded once at construction (resampled to
    ``sample_rate``) into a bank; per example a clip index and start offset are drawn,
    and the excerpt loops if the clip is shorter than the example.
    """

    name = "audio.background_noise"
    differentiable = True
    magnitude = Magnitude("snr_db", (60.0, 60.0), (0.0, 30.0))

    def __init__(
        self,
        paths: Sequence[str] | None = None,
        snr_db: Any = (3.0, 30.0),
        sample_rate: int = 16000,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.snr_db = args.value_range("snr_db", snr_db, bounds=(-60.0, 120.0), scalar="fixed", where="BackgroundNoise")
        self.sample_rate = args.integer("sample_rate", sample_rate, low=1, where="BackgroundNoise")
        files = _expand_paths(_bundled_noise() if paths is None else paths)
        from ..io import read_wav

        clips = [read_wav(f, self.sample_rate)[0].mean(0) for f in files]
        self._bank_lengths = torch.tensor([c.numel() for c in clips])
        bank = torch.zeros(len(clips), int(self._bank_lengths.max()))
        for i, c in enumerate(clips):  # one-time loading of a file list, not a batch op
            bank[i, : c.numel()] = c
        self._bank = bank
        self._resampled: dict[int, tuple[torch.Tensor, torch.Tensor]] = {self.sample_rate: (bank, self._bank_lengths)}

    def _bank_at(self, sr: int) -> tuple[torch.Tensor, torch.Tensor]:
        if sr not in self._resampled:  # cache of data (not params) per sample rate
            bank = AF.resample(self._bank, self.sample_rate, sr)
            lengths = torch.ceil(self._bank_lengths * sr / self.sample_rate).long().clamp(1, bank.shape[-1])
            self._resampled[sr] = (bank, lengths)
        return self._resampled[sr]

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {
            "snr_db": rng.uniform(batch_size, *self.snr_db, generator=generator, device=device),
            "clip": rng.randint(batch_size, 0, self._bank.shape[0], generator=generator, device=device),
            "offset": rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device),
        }

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        bank, bank_lengths = self._bank_at(sr)
        bank = bank.to(device=wave.device, dtype=wave.dtype)
        clip = params["clip"].to(wave.device)
        clip_len = bank_lengths.to(wave.device)[clip].unsqueeze(1)
        start = torch.floor(params["offset"].to(torch.float64).unsqueeze(1) * clip_len).long()
        t = torch.arange(wave.shape[-1], device=wave.device).unsqueeze(0)
        idx = torch.remainder(start + t, clip_len)
        noise = bank[clip.unsqueeze(1), idx].unsqueeze(1)  # (B, 1, T), shared by the channels
        return add_at_snr(wave, noise.expand_as(wave), params["snr_db"], valid_mask(wave, lengths))


def _expand_paths(paths: Sequence[str] | str) -> list[Path]:
    if isinstance(paths, (str, Path)):
        paths = [str(paths)]
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend(sorted(path.rglob("*.wav")))
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("paths", "existing WAV files or folders", str(p), where="BackgroundNoise")
    if not files:
        raise InputError(
            "paths", "at least one WAV file (directly or inside the folders)", list(paths), where="BackgroundNoise"
        )
    return files
