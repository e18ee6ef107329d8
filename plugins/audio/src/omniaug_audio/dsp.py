"""Batched DSP building blocks with per-example parameters.

torchaudio's functional API takes one scalar parameter per call (one cutoff, one
resampling ratio, one stretch rate); augmentation draws a different value per
example, so the pieces here take ``(B,)`` parameter tensors and process the whole
batch in one vectorized pass:

* :func:`biquad_magnitude` + :func:`fft_filter` — RBJ biquads evaluated on the FFT
  grid from per-example coefficient tensors, applied zero-phase in the frequency
  domain (one rfft/irfft for the batch instead of a sequential IIR loop per cutoff);
* :func:`fft_resample_at` — band-limited reading at per-example fractional
  positions (speed perturbation, pitch-shift resampling, round-trip resampling);
* :func:`phase_vocoder` — time-stretch of a batch of STFTs by per-example rates;
* :func:`masked_power` — mean power over each example's valid region (SNR maths);
* :func:`random_int16` + :func:`colored_noise` — 1/f^β noise from a cheap flat random
  spectrum, shaped per example, one irfft for the batch.

Batch invariance: an example's output must not depend on the batch it is in (nor on
the thread count), so that per-item seeds (:mod:`omniaug.keyed`) give the same bytes
for any batch size, worker count or engine (``docs/scale-out.md``). torch's CPU FFT
(MKL) computes a row differently depending on how many rows share the call and on
the threads, and a float32 ``pow`` rounds the tail of a tensor differently from the
rest. So on the CPU the transforms here (:func:`rfft`, :func:`irfft`, :func:`stft`,
:func:`istft`, :func:`fftconvolve`) run in NumPy's pocketfft — every row computed on
its own, rows spread over the intra-op threads — whenever no gradient is needed
(torch's FFT otherwise, and on accelerators), and dB conversions
(:func:`db_to_amplitude`) run in float64.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import torch

from omniaug import rng
from omniaug.fft import cmul, irfft, rfft
from omniaug.fft import on_host as _on_host

__all__ = [
    "masked_power",
    "row_sum",
    "colored_noise",
    "colored_spectrum",
    "random_int16",
    "biquad_coefficients",
    "biquad_magnitude",
    "fft_filter",
    "fft_resample_at",
    "phase_vocoder",
    "stretch_waveform",
    "next_fast_len",
    "rfft",
    "irfft",
    "stft",
    "istft",
    "fftconvolve",
    "db_to_amplitude",
    "cmul",
]

EPS = 1e-12


def next_fast_len(n: int) -> int:
    """The smallest 2^a·3^b·5^c >= n (fast FFT sizes)."""
    best = 1 << max(0, (n - 1).bit_length())
    f5 = 1
    while f5 < best:
        f35 = f5
        while f35 < best:
            f = f35
            while f < n:
                f *= 2
            best = min(best, f)
            f35 *= 3
        f5 *= 5
    return best


# ---------------------------------------------------------------- batch-invariant transforms

# rfft / irfft / cmul: the core's batch-invariant forms (omniaug.fft), shared with the time-series plugin.


def stft(x: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor) -> torch.Tensor:
    """``torch.stft(x (R, T), n_fft, hop, window, center=True, pad_mode="reflect")``: ``(R, F, N)`` complex.

    Frames are reflect-padded, windowed and transformed with :func:`rfft` (per row).
    """
    if not _on_host(x):
        return torch.stft(x, n_fft, hop, window=window, center=True, return_complex=True)
    padded = torch.nn.functional.pad(x.unsqueeze(1), (n_fft // 2, n_fft // 2), mode="reflect").squeeze(1)
    frames = padded.unfold(-1, n_fft, hop) * window  # (R, N, n_fft)
    return rfft(frames, n_fft).transpose(1, 2)


def istft(spec: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor, length: int) -> torch.Tensor:
    """``torch.istft(spec (R, F, N), n_fft, hop, window, center=True, length=length)``: ``(R, length)``.

    Inverse frames from :func:`irfft` (per row), windowed and overlap-added by ``fold``
    (a fixed summation order), divided by the overlap-added squared window.
    """
    if not _on_host(spec):
        return torch.istft(spec, n_fft, hop, window=window, center=True, length=length)
    rows, _, count = spec.shape
    frames = irfft(spec.transpose(1, 2), n_fft) * window  # (R, N, n_fft)
    total = n_fft + hop * (count - 1)
    fold = functools.partial(torch.nn.functional.fold, output_size=(1, total), kernel_size=(1, n_fft), stride=(1, hop))
    y = fold(frames.transpose(1, 2)).reshape(rows, total)
    env = fold((window * window).reshape(1, n_fft, 1).expand(1, n_fft, count)).reshape(total)
    start = n_fft // 2
    y = (y / torch.where(env > 1e-11, env, torch.ones_like(env)))[:, start : start + length]
    if y.shape[-1] < length:
        y = torch.nn.functional.pad(y, (0, length - y.shape[-1]))
    return y


def fftconvolve(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Full linear convolution along the last axis (``torchaudio.functional.fftconvolve``), per row on the CPU."""
    full = x.shape[-1] + y.shape[-1] - 1
    if not (_on_host(x) and _on_host(y)):
        import torchaudio.functional as AF

        return AF.fftconvolve(x, y)
    n = next_fast_len(full)
    shape = torch.broadcast_shapes(x.shape[:-1], y.shape[:-1])
    fx = rfft(x.expand(*shape, x.shape[-1]), n)
    fy = rfft(y.expand(*shape, y.shape[-1]), n)
    return irfft(cmul(fx, fy), n)[..., :full]


def db_to_amplitude(db: torch.Tensor, per: float = 20.0) -> torch.Tensor:
    """``10 ** (db / per)`` in ``db``'s dtype (``per`` 20: amplitude, 10: power), computed in float64.

    float32 ``pow`` rounds the tail of a tensor (its last few elements) differently
    from the rest, so a clip's gain would change with its place in the batch; the
    float64 result rounded to float32 does not.
    """
    dtype = db.dtype if db.is_floating_point() else torch.float32
    return torch.pow(10.0, db.to(torch.float64) / per).to(dtype)


def masked_power(x: torch.Tensor, valid: torch.Tensor | None) -> torch.Tensor:
    """Mean power per example over channels and the valid samples: ``(B,)``.

    ``valid`` is a boolean ``(B, 1, T)`` mask (None: every sample); an example with no
    valid sample has power 0.
    """
    if valid is None:
        return row_sum(x * x) / max(1, x.shape[1] * x.shape[2])
    sq = row_sum(x * x * valid)
    count = valid.sum(dim=(1, 2)).to(x.dtype) * x.shape[1]
    return sq / count.clamp_min(1)


def row_sum(v: torch.Tensor) -> torch.Tensor:
    """The sum of each example (over every dimension but the first): ``(B,)``.

    torch splits a long single-row sum over the threads (and a batch's rows not), so
    its rounding depends on the batch size and the thread count; on the CPU (no
    gradient needed) NumPy's pairwise sum of each row is the same whatever the batch.
    """
    if not _on_host(v) or v.is_complex():
        return v.sum(dim=tuple(range(1, v.dim()))) if v.dim() > 1 else v
    rows = v.detach().reshape(v.shape[0], -1).numpy()
    return torch.from_numpy(np.add.reduce(rows, axis=1))


def random_int16(
    shape: tuple[int, ...], *, generator: torch.Generator | None, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """Uniform random ``int16`` values (all 65,536 equally likely) of ``shape`` from ``generator``.

    Why not ``torch.rand``: the CPU generator yields 64 random bits per ``int64`` word
    in about the time ``rand`` takes for one float32 (docs/performance.md), so four
    16-bit values cost a quarter of four floats
    (:func:`omniaug.rng.random_bits`, which also fills large draws in parallel).
    """
    if len(shape) > 1 and shape[0] > 0:  # per row (batch first): each row's bins come from its own words
        per = math.prod(shape[1:])
        words = rng.random_bits((shape[0], (per + 3) // 4), generator=generator, device=device)
        return words.view(torch.int16)[:, :per].reshape(shape)
    count = math.prod(shape)
    words = rng.random_bits((count + 3) // 4, generator=generator, device=device)
    return words.view(torch.int16)[:count].reshape(shape)


@functools.lru_cache(maxsize=8)
def _log_bins(nbins: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Natural log of the bin indices ``max(k, 1)`` (a constant per length; cached, read-only use)."""
    return torch.arange(nbins, device=device, dtype=dtype).clamp_min(1.0).log_()


def colored_spectrum(bins: torch.Tensor, beta: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """The complex rfft spectrum ``(B, C, F)`` of noise with a 1/f^β power spectrum per example.

    ``bins`` ``(B, C, F, 2)`` holds i.i.d. zero-mean random numbers (any numeric dtype):
    the real and imaginary part of each rfft bin (a flat spectrum). They are scaled by
    k^(-β/2) for bin k (the DC bin takes bin 1's gain; the constant n^(β/2) from f = k/n
    is left out, callers normalize the power).
    """
    log_k = _log_bins(bins.shape[-2], dtype, bins.device)
    # exp, not exp2 or pow: those round a tensor's last elements (and each thread's last
    # elements) differently from the rest, so a clip's noise would depend on its batch
    gain = torch.exp(log_k * (beta.to(device=bins.device, dtype=dtype).unsqueeze(1) * -0.5))  # (B, F)
    # One conversion into a fresh buffer, then the gain multiplied in place through the
    # complex view: fewer full-size temporaries than real/imaginary halves + torch.complex.
    spec = torch.view_as_complex(bins.to(dtype, memory_format=torch.contiguous_format, copy=True))
    return spec.mul_(gain.unsqueeze(1))


def colored_noise(bins: torch.Tensor, beta: torch.Tensor, n: int, dtype: torch.dtype) -> torch.Tensor:
    """Noise ``(B, C, n)`` with a 1/f^β power spectrum per example, arbitrary scale.

    Each time sample is a weighted sum of thousands of independent bins, so the noise is
    Gaussian whatever the bins' distribution (uniform 16-bit bins, :func:`random_int16`,
    are much cheaper to draw than normal floats). β = 0 white, 1 pink, 2 brown.
    """
    return irfft(colored_spectrum(bins, beta, dtype), n)


def biquad_coefficients(
    kind: str, freq: torch.Tensor, q: torch.Tensor, sample_rate: int, gain_db: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """RBJ audio-EQ-cookbook coefficients for per-example ``freq``/``q``: ``b (B, 3)``, ``a (B, 3)``.

    The same formulas torchaudio's ``*_biquad`` functions use, but on tensors so every
    example gets its own cutoff. ``bandpass`` is the constant 0 dB peak-gain form.
    """
    w0 = 2 * math.pi * freq / sample_rate
    cos_w0, sin_w0 = torch.cos(w0), torch.sin(w0)
    alpha = sin_w0 / (2 * q)
    one = torch.ones_like(w0)
    if kind == "lowpass":
        b = torch.stack([(1 - cos_w0) / 2, 1 - cos_w0, (1 - cos_w0) / 2], -1)
        a = torch.stack([1 + alpha, -2 * cos_w0, 1 - alpha], -1)
    elif kind == "highpass":
        b = torch.stack([(1 + cos_w0) / 2, -(1 + cos_w0), (1 + cos_w0) / 2], -1)
        a = torch.stack([1 + alpha, -2 * cos_w0, 1 - alpha], -1)
    elif kind == "bandpass":
        b = torch.stack([alpha, 0 * alpha, -alpha], -1)
        a = torch.stack([1 + alpha, -2 * cos_w0, 1 - alpha], -1)
    elif kind == "bandstop":
        b = torch.stack([one, -2 * cos_w0, one], -1)
        a = torch.stack([1 + alpha, -2 * cos_w0, 1 - alpha], -1)
    elif kind == "peaking":
        assert gain_db is not None
        amp = 10 ** (gain_db / 40)
        b = torch.stack([1 + alpha * amp, -2 * cos_w0, 1 - alpha * amp], -1)
        a = torch.stack([1 + alpha / amp, -2 * cos_w0, 1 - alpha / amp], -1)
    else:  # pragma: no cover - guarded by the ops
        raise ValueError(kind)
    return b / a[:, :1], a / a[:, :1]


def biquad_magnitude(b: torch.Tensor, a: torch.Tensor, n_fft: int) -> torch.Tensor:
    """``|H(e^{jω})|`` of per-example biquads on the ``n_fft // 2 + 1`` rfft bins: ``(B, F)``."""
    w = torch.linspace(0, math.pi, n_fft // 2 + 1, device=b.device, dtype=torch.float64)
    z = (
        torch.stack([torch.ones_like(w), torch.cos(w), torch.cos(2 * w)], 0),
        torch.stack([torch.zeros_like(w), -torch.sin(w), -torch.sin(2 * w)], 0),
    )
    b64, a64 = b.double(), a.double()

    def poly(c: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
        # elementwise, not a matmul: a gemm's rounding depends on how many rows it gets
        return c[:, :1] * basis[0] + c[:, 1:2] * basis[1] + c[:, 2:3] * basis[2]

    num = torch.complex(poly(b64, z[0]), poly(b64, z[1]))
    den = torch.complex(poly(a64, z[0]), poly(a64, z[1]))
    return (num.abs() / den.abs().clamp_min(1e-300)).to(b.dtype)


def fft_filter(x: torch.Tensor, magnitude_fn: object) -> torch.Tensor:
    """Zero-phase filtering of ``x (B, C, T)`` by a per-example magnitude response.

    ``magnitude_fn(n_fft) -> (B, F)``. The signal is zero-padded to a fast length
    >= 2T so the (decaying) filter response does not wrap around in time.
    """
    n = x.shape[-1]
    n_fft = next_fast_len(2 * n)
    mag = magnitude_fn(n_fft)  # type: ignore[operator]
    spec = rfft(x, n_fft)
    return irfft(spec * mag.unsqueeze(1).to(x.dtype), n_fft)[..., :n]


# ---------------------------------------------------------------- resampling

OVERSAMPLE = 4


def fft_resample_at(
    x: torch.Tensor,
    positions: torch.Tensor,
    cutoff: torch.Tensor,
    lengths: torch.Tensor | None = None,
    *,
    oversample: int = OVERSAMPLE,
) -> torch.Tensor:
    """Band-limited reading of ``x (B, C, T)`` at fractional ``positions (B, N)`` (in samples).

    ``cutoff (B,)`` in ``(0, 1]`` is each example's low-pass cutoff relative to the
    input Nyquist (``min(1, out_rate / in_rate)`` when reading faster). One rfft of the
    batch, a per-example brick-wall mask (with a short linear taper) and an ``oversample``×
    zero-padded irfft give a band-limited, oversampled copy; the positions are then read by
    linear interpolation (2 taps). At 4× oversampling the interpolation images sit about
    34 dB down at the input's Nyquist and > 45 dB down below a quarter of it — plenty for
    augmentation, and an order of magnitude cheaper than a per-position windowed sinc.
    Samples at or beyond ``lengths[b]`` count as zeros.
    """
    bsz, chans, n = x.shape
    if lengths is not None:
        x = x * (torch.arange(n, device=x.device) < lengths.to(x.device).unsqueeze(1)).unsqueeze(1)
    n_fft = next_fast_len(n + 64)  # a little silence after the end so reads past it do not wrap
    spec = rfft(x, n_fft)
    n_bins = spec.shape[-1]
    rel = torch.arange(n_bins, device=x.device, dtype=x.dtype) / (n_bins - 1)  # 0 … 1 × Nyquist
    edge = cutoff.to(x.dtype).reshape(-1, 1)
    taper = 0.02  # linear roll-off over the last 2 % of the band
    gain = ((edge - rel) / taper).clamp(0, 1).unsqueeze(1)
    up = irfft(spec * gain, n_fft * oversample) * oversample  # (B, C, n_fft·k)
    pos = positions.to(x.dtype) * oversample
    i0 = pos.floor().long().clamp(0, up.shape[-1] - 2)
    frac = (pos - i0).unsqueeze(1)
    idx = i0.unsqueeze(1).expand(bsz, chans, -1)
    y0 = up.gather(-1, idx)
    y1 = up.gather(-1, idx + 1)
    out = y0 + frac * (y1 - y0)
    limit = n if lengths is None else lengths.to(x.device).unsqueeze(1)
    inside = ((positions >= 0) & (positions <= (limit - 1) if lengths is not None else positions <= n - 1)).unsqueeze(1)
    return out * inside


# ---------------------------------------------------------------- phase vocoder


def phase_vocoder(spec: torch.Tensor, rate: torch.Tensor, hop: int, n_frames_out: int) -> torch.Tensor:
    """Time-stretch complex STFTs ``(B, F, N)`` by per-example ``rate (B,)`` (>1 = faster).

    Output frame ``k`` reads input position ``k · rate[b]``: magnitudes are linearly
    interpolated between the neighbouring frames and the phase is accumulated from the
    instantaneous frequency measured between them (the classic phase vocoder,
    vectorized over examples with gathers and a cumulative sum). The advance of the
    first frame pair is taken from the second pair and the phase is anchored on frame 1:
    with ``center=True`` frame 0 is reflection-padded, and reusing its inconsistent
    per-bin advance (which happens whenever ``rate < 1``) would decohere a steady tone
    for the rest of the clip.
    Frames past an example's end are 0.
    """
    bsz, n_freq, n_in = spec.shape
    device = spec.device
    real_dtype = spec.real.dtype
    # Phases are carried as unit complex numbers (advances multiply, a cumulative product
    # accumulates them): no angle/atan2 or polar, which are slow elementwise on CPU.
    mag_in = spec.abs()
    unit_in = torch.where(mag_in > 0, spec / mag_in.clamp_min(1e-30), torch.ones_like(spec))
    advance_in = cmul(unit_in[..., 1:], unit_in[..., :-1].conj())  # e^{i(φ[n+1] - φ[n])}, (B, F, N - 1)
    phase0 = unit_in[..., :1]
    if n_in > 2:
        advance_in = torch.cat([advance_in[..., 1:2], advance_in[..., 1:]], dim=-1)
        phase0 = cmul(unit_in[..., 1:2], advance_in[..., :1].conj())  # anchor on frame 1, step back once
    advance_in = torch.nn.functional.pad(advance_in, (0, 3), value=1.0)
    mag_in = torch.nn.functional.pad(mag_in, (0, 2))
    steps = torch.arange(n_frames_out, device=device, dtype=real_dtype)
    pos = steps.unsqueeze(0) * rate.to(real_dtype).unsqueeze(1)  # (B, K)
    i0 = pos.floor().long()
    alpha = (pos - i0).unsqueeze(1)  # (B, 1, K)
    alive = (i0 < n_in).unsqueeze(1)
    i0c = i0.clamp_max(n_in).unsqueeze(1).expand(bsz, n_freq, -1)
    m0 = mag_in.gather(-1, i0c)
    m1 = mag_in.gather(-1, i0c + 1)
    mag = (m0 + alpha * (m1 - m0)) * alive
    advance = advance_in.gather(-1, i0c)
    rotation = torch.cumprod(torch.cat([phase0, advance[..., :-1]], dim=-1), dim=-1)
    return mag * rotation


def stretch_waveform(
    x: torch.Tensor,
    rate: torch.Tensor,
    n_out: int,
    lengths: torch.Tensor | None = None,
    n_fft: int = 512,
    hop: int | None = None,
) -> torch.Tensor:
    """Time-stretch waveforms ``(B, C, T)`` by per-example ``rate`` (duration / rate), keeping pitch.

    Returns ``(B, C, n_out)``: example ``b`` fills ``ceil(lengths[b] / rate[b])`` samples
    (``lengths`` defaults to ``T``), the rest is 0. One STFT, one batched phase
    vocoder and one iSTFT for the whole batch.
    """
    bsz, chans, n = x.shape
    hop = hop or n_fft // 4
    if n <= n_fft // 2:  # a clip shorter than half a frame: the STFT's reflect padding needs more; silence follows it
        x = torch.nn.functional.pad(x, (0, n_fft // 2 + 1 - n))
    window = torch.hann_window(n_fft, device=x.device, dtype=x.dtype)
    flat = x.reshape(bsz * chans, x.shape[-1])
    spec = stft(flat, n_fft, hop, window)
    rate_bc = rate.repeat_interleave(chans)
    frames_out = n_out // hop + 1
    stretched = phase_vocoder(spec, rate_bc, hop, frames_out)
    y = istft(stretched, n_fft, hop, window, n_out)
    lens = torch.full_like(rate, n) if lengths is None else lengths.to(rate)
    new_len = torch.ceil(lens / rate).repeat_interleave(chans)
    keep = torch.arange(n_out, device=x.device).unsqueeze(0) < new_len.unsqueeze(1)
    return (y * keep).reshape(bsz, chans, n_out)
