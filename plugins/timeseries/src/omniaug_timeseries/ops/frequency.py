"""Frequency-domain ops (rfft along time): spectral noise and frequency masking.

For padded batches the transform runs over the full padded length with the padding
set to 0 (zero-padding interpolates the spectrum of the valid part); bands are given
in cycles per sample, so they name the same physical frequencies for every length.

Batch invariance (``docs/scale-out.md``): a series' output must not depend on the
batch it is in nor on the thread count. torch's CPU FFT (MKL) transforms a lone long
row differently from the same row in a batch (and short rows differently on several
threads), and its complex multiply rounds a batch's last few elements differently
from the rest, so on the CPU (no gradient needed) the transforms and complex products
are :mod:`omniaug.fft`'s (MKL on blocks of at least two rows with one MKL thread each;
NumPy's complex multiply on contiguous operands), shared with the audio plugin.

References:
    Park et al. 2019, SpecAugment (frequency masking); Gao et al. 2021, "RobustTAD"
    (perturbing amplitude and phase spectra of time series); Wen et al. 2021's survey.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from omniaug import Magnitude, Params, args, rng
from omniaug.fft import cmul, irfft, rfft

from ..series import SeriesView, valid_mask, view_of
from .base import SeriesAugmentation

__all__ = ["FrequencyNoise", "FrequencyMask"]


def _spectrum(view: SeriesView) -> torch.Tensor:
    t = view.values.shape[-1]
    x = view.values * valid_mask(view.lengths, t).to(view.values.dtype) if view.padded else view.values
    if x.dtype in (torch.float16, torch.bfloat16):  # no half-precision FFT of any length on the CPU: float32
        x = x.float()
    return rfft(x)


class FrequencyNoise(SeriesAugmentation):
    """Perturb amplitude and phase of every non-DC frequency bin.

    Bin ``k`` is multiplied by ``exp(sigma · a_k) · exp(i · π · sigma · φ_k)`` with
    ``a_k, φ_k ~ N(0, 1)`` per sample and channel; the mean (DC bin) is kept.

    Args:
        sigma: strength of the log-amplitude and phase noise.
    """

    name = "timeseries.frequency_noise"
    differentiable = True
    magnitude = Magnitude("sigma", 0.0, 0.3)

    def __init__(self, sigma: float = 0.1, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        # exp(3 · 5σ draws) is already ×3e6
        self.sigma = args.finite("sigma", sigma, low=0.0, high=3.0, where=self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        _, c, t = view_of(x).values.shape
        f = t // 2 + 1
        noise = rng.normal(batch_size, 0.0, 1.0, shape=(2, c, f), generator=generator, device=device)
        return {"log_amplitude": noise[:, 0], "phase": noise[:, 1]}

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        spec = _spectrum(view)
        real = spec.real.dtype
        log_amp = self.sigma * params["log_amplitude"].to(device=spec.device, dtype=real)
        phase = math.pi * self.sigma * params["phase"].to(device=spec.device, dtype=real)
        log_amp[..., 0] = 0.0
        phase[..., 0] = 0.0
        factor = torch.polar(torch.exp(log_amp), phase)
        return irfft(cmul(spec, factor), view.values.shape[-1])


class FrequencyMask(SeriesAugmentation):
    """Zero one random band of frequencies (SpecAugment-style masking, along time's spectrum).

    The band width is drawn uniformly in ``[0, max_width]`` of the Nyquist range
    (0 … 0.5 cycles/sample) and its start uniformly so it fits; the DC bin is kept
    unless ``keep_dc=False``.

    Args:
        max_width: widest band, as a fraction of the Nyquist range.
        keep_dc: never mask the mean.
    """

    name = "timeseries.frequency_mask"
    differentiable = True
    magnitude = Magnitude("max_width", 0.0, 0.5)

    def __init__(
        self, max_width: float = 0.2, *, keep_dc: bool = True, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.max_width = args.finite("max_width", max_width, low=0.0, high=1.0, where=self.name)
        self.keep_dc = bool(keep_dc)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        width = rng.uniform(batch_size, 0.0, self.max_width, generator=generator, device=device)
        start = rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device) * (1.0 - width)
        return {"band": torch.stack([start, start + width], dim=1)}

    def band_mask(self, t: int, band: torch.Tensor) -> torch.Tensor:
        """``(B, 1, F)`` True for the masked bins (frequency ``k / T`` in cycles/sample)."""
        freq = torch.arange(t // 2 + 1, device=band.device, dtype=torch.float64) / t / 0.5  # fraction of Nyquist
        lo, hi = band.double()[:, :1], band.double()[:, 1:]
        mask = (freq.unsqueeze(0) >= lo) & (freq.unsqueeze(0) < hi)
        if self.keep_dc:
            mask[:, 0] = False
        return mask.unsqueeze(1)

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        spec = _spectrum(view)
        mask = self.band_mask(view.values.shape[-1], params["band"].to(spec.device))
        spec = spec.masked_fill(mask, 0)
        return irfft(spec, view.values.shape[-1])
