"""Batch mixers for waveforms: MixUp, SNR-based mixing and CutMix in time, with soft labels."""

from __future__ import annotations

from typing import Any

import torch

from omniaug import Mixer, Params, args, rng

from .dsp import db_to_amplitude, masked_power
from .modality import AUDIO
from .payload import full_lengths, repack_audio, unpack_audio, valid_mask

__all__ = ["MixUp", "SnrMix", "TimeCutMix"]


class MixUp(Mixer):
    """``λ·x + (1-λ)·partner`` per example (λ ~ Beta(α, α)); label weights are λ.

    The partner is read over the example's own valid region (its padding stays).
    """

    name = "audio.mixup"
    differentiable = True
    modality = AUDIO

    def __init__(
        self, alpha: float = 0.2, *, p: float = 1.0, num_classes: int | None = None, label_smoothing: float = 0.0
    ) -> None:
        # α = 0.2: the MixUp default of every plugin (Zhang et al. 2018, ImageNet setting)
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        wave, _, lengths = unpack_audio(x, 16000)
        other, _, _ = unpack_audio(partners[0], 16000)
        lam = params["lam"].to(wave.dtype).reshape(-1, 1, 1)
        mixed = lam * wave + (1 - lam) * other
        if lengths is not None:
            mixed = torch.where(valid_mask(wave, lengths), mixed, wave)
        return repack_audio(x, mixed), params["lam"]


class SnrMix(Mixer):
    """Add the partner clip at an SNR drawn per example from ``snr_db`` (x is the signal).

    Label weights are the effective energy shares: ``x`` gets ``P_x / (P_x + P_partner')``
    where ``P_partner'`` is the rescaled partner's power over x's valid region
    (a silent ``x`` or partner gives that clip no share). λ is not used.
    """

    name = "audio.snr_mix"
    differentiable = True
    modality = AUDIO

    def __init__(
        self,
        snr_db: Any = (0.0, 20.0),
        *,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        # the weights are energy shares, not a Beta λ: no alpha
        super().__init__(1.0, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        self.snr_db = args.value_range("snr_db", snr_db, bounds=(-60.0, 120.0), scalar="fixed", where="SnrMix")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, Any]:
        return {"snr_db": rng.uniform(batch_size, *self.snr_db, generator=generator, device=device)}

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        wave, _, lengths = unpack_audio(x, 16000)
        other, _, _ = unpack_audio(partners[0], 16000)
        valid = valid_mask(wave, lengths)
        other = other * valid
        p_x, p_o = masked_power(wave, valid), masked_power(other, valid)
        target = p_x / db_to_amplitude(params["snr_db"].to(wave.dtype), 10.0)
        gain = torch.where(p_o > 0, (target / p_o.clamp_min(1e-30)).sqrt(), torch.zeros_like(p_o))
        mixed = wave + other * gain.reshape(-1, 1, 1)
        p_added = p_o * gain * gain
        total = p_x + p_added
        share = torch.where(total > 0, p_x / total.clamp_min(1e-30), torch.ones_like(total))
        return repack_audio(x, mixed), share


class TimeCutMix(Mixer):
    """Paste a segment of the partner, ``(1-λ)`` of x's valid length, at a random position.

    The label weight of x is the fraction of its valid samples it keeps (after
    rounding to whole samples).
    """

    name = "audio.cutmix"
    differentiable = True
    modality = AUDIO

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, Any]:
        return {"offset": rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device)}

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        wave, _, lengths = unpack_audio(x, 16000)
        other, _, _ = unpack_audio(partners[0], 16000)
        lens = full_lengths(wave, lengths).reshape(-1, 1)
        cut = torch.round((1 - params["lam"].to(torch.float64)).reshape(-1, 1) * lens).long()
        start = torch.floor(params["offset"].to(torch.float64).reshape(-1, 1) * (lens - cut + 1)).long()
        t = torch.arange(wave.shape[-1], device=wave.device).unsqueeze(0)
        inside = ((t >= start) & (t < start + cut)).unsqueeze(1)
        mixed = torch.where(inside, other, wave)
        kept = 1 - cut.squeeze(1).to(torch.float32) / lens.squeeze(1).clamp_min(1).to(torch.float32)
        return repack_audio(x, mixed), kept
