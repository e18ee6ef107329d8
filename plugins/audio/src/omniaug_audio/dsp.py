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
* :func:`phase_vocoder` / :func:`phase_vocoder_frames` — time-stretch of a batch of
  STFTs by per-example rates (:func:`stft_frames` / :func:`istft_frames`: frames first);
* :func:`masked_power` — mean power over each example's valid region (SNR maths);
* :func:`random_int16` + :func:`colored_noise` — 1/f^β noise from a cheap flat random
  spectrum, shaped per example, one irfft for the batch.

Batch invariance: an example's output must not depend on the batch it is in (nor on
the thread count), so that per-item seeds (:mod:`omniaug.keyed`) give the same bytes
for any batch size, worker count or engine (``docs/scale-out.md``). torch's CPU FFT
(MKL) computes a lone long row with another algorithm than a row among others and
splits short rows differently on several threads; its complex multiply, and a float32
``pow``, round a tensor's last elements differently from the rest. So on the CPU,
whenever no gradient is needed (torch's own calls otherwise, and on accelerators):
the transforms here (:func:`rfft`, :func:`irfft`, :func:`stft`, :func:`istft`,
:func:`fftconvolve`) are :mod:`omniaug.fft`'s (MKL on blocks of at least two rows,
one MKL thread per block); complex products (:func:`cmul`, the phase vocoder) run in
NumPy on contiguous rows; dB conversions (:func:`db_to_amplitude`) run in float64.
The multi-step kernels (pitch shift, time stretch, resampling, coloured noise) run in
one chunk of examples per thread (:func:`by_examples`), each chunk on one thread.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import torch

from omniaug import rng
from omniaug.fft import cmul, irfft, on_host, rfft
from omniaug.parallel import single_thread

__all__ = [
    "by_examples",
    "on_pool",
    "scale_rows",
    "on_host",
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
    "phase_vocoder_frames",
    "stretch_waveform",
    "next_fast_len",
    "rfft",
    "irfft",
    "stft",
    "stft_frames",
    "istft",
    "istft_frames",
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


def by_examples(
    fn: Callable[[slice], torch.Tensor], count: int, device: torch.device, out: torch.Tensor | None = None
) -> torch.Tensor:
    """``fn(examples)`` for the whole batch, computed in one chunk of examples per intra-op thread.

    ``fn`` takes a slice of the batch's examples and returns their output (first axis:
    those examples). On the CPU with several threads the chunks run on the core's
    thread pool (:func:`omniaug.parallel.run_shared`), each chunk's ops on one thread —
    no OpenMP region per op, whose barrier waits for a descheduled thread on a busy
    machine — and each chunk's output is copied into ``out`` while it is in cache
    (``out``: preallocated ``(count, ...)``; None: the outputs are concatenated); a
    chunk ``fn`` already wrote into its rows of ``out`` is not copied again. With
    one chunk, ``fn``'s own output is returned and ``out`` is left unused (a copy of
    the whole batch would cost more than the op: use the return value, not ``out``).
    Each example's computation is its own (the kernels here are batch-invariant), so
    the chunking never changes its bits.
    """
    parts = min(torch.get_num_threads(), count)
    if parts <= 1 or device.type != "cpu":
        return fn(slice(0, count))
    from omniaug.parallel import run_shared

    outs: list[torch.Tensor | None] = [None] * parts

    def work(i: int) -> None:
        e = slice(count * i // parts, count * (i + 1) // parts)
        if out is None:
            outs[i] = fn(e)
        else:
            part = fn(e)
            dest = out[e]
            if part.data_ptr() != dest.data_ptr() or part.stride() != dest.stride():  # fn may write into out itself
                dest.copy_(part)

    run_shared(parts, work, device)
    return out if out is not None else torch.cat([o for o in outs if o is not None])


#: a single pass over a batch (a copy, a multiply) of fewer samples runs on the calling
#: thread alone, with one intra-op thread: the pool's round trip (submit, a worker's
#: wake-up, the caller's wait) then costs more than the second thread saves
#: (docs/performance.md, "Design measurements")
POOL_MIN_SAMPLES = 1 << 21


def on_pool(wave: torch.Tensor) -> bool:
    """Whether a single pass over ``wave`` should run in chunks on the worker pool (:data:`POOL_MIN_SAMPLES`)."""
    return on_host(wave) and wave.shape[0] >= 2 and torch.get_num_threads() > 1 and wave.numel() >= POOL_MIN_SAMPLES


def scale_rows(wave: torch.Tensor, factor: torch.Tensor) -> torch.Tensor:
    """``wave * factor`` with one factor per example (``factor`` ``(B,)``, cast to ``wave``'s dtype).

    On the CPU with several threads (no gradient needed) the multiply never opens an
    OpenMP region: after a region libgomp's worker keeps spinning on the second core,
    and the pool's worker of the next op (coloured noise) then shares that core with it
    (docs/performance.md, "Design measurements"). A large batch runs in one chunk of
    examples per thread on the core's pool (:func:`by_examples`), each chunk writing its
    rows of the output; a smaller one (:func:`on_pool`) on the calling thread alone.
    Same bits every way: one rounded product per element.
    """
    col = factor.to(wave.dtype).reshape(-1, *([1] * (wave.dim() - 1)))
    if not on_host(wave) or torch.get_num_threads() <= 1 or (col.requires_grad and torch.is_grad_enabled()):
        return wave * col  # a learned factor (a differentiable magnitude) keeps its graph: no out=
    if not on_pool(wave):
        with single_thread():
            return wave * col
    out = torch.empty_like(wave)
    return by_examples(lambda e: torch.mul(wave[e], col[e], out=out[e]), wave.shape[0], wave.device, out)


# ---------------------------------------------------------------- batch-invariant transforms

# rfft / irfft / cmul: the core's batch-invariant forms (omniaug.fft), shared with the time-series plugin.


def stft(x: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor) -> torch.Tensor:
    """``torch.stft(x (R, T), n_fft, hop, window, center=True, pad_mode="reflect")``: ``(R, F, N)`` complex.

    Frames are reflect-padded, windowed and transformed with :func:`rfft` (per row).
    """
    return stft_frames(x, n_fft, hop, window).transpose(1, 2)


def stft_frames(x: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor) -> torch.Tensor:
    """:func:`stft` with frames first: ``(R, N, F)`` (on the CPU the contiguous layout the transform writes)."""
    if not on_host(x):
        return torch.stft(x, n_fft, hop, window=window, center=True, return_complex=True).transpose(1, 2)
    padded = torch.nn.functional.pad(x.unsqueeze(1), (n_fft // 2, n_fft // 2), mode="reflect").squeeze(1)
    frames = padded.unfold(-1, n_fft, hop) * window  # (R, N, n_fft)
    return rfft(frames, n_fft)


def istft(spec: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor, length: int) -> torch.Tensor:
    """``torch.istft(spec (R, F, N), n_fft, hop, window, center=True, length=length)``: ``(R, length)``.

    Inverse frames from :func:`irfft` (per row), windowed and overlap-added in a fixed
    order, divided by the overlap-added squared window.
    """
    if not on_host(spec):
        return torch.istft(spec, n_fft, hop, window=window, center=True, length=length)
    return istft_frames(spec.transpose(1, 2), n_fft, hop, window, length)


def istft_frames(spec: torch.Tensor, n_fft: int, hop: int, window: torch.Tensor, length: int) -> torch.Tensor:
    """:func:`istft` of frames-first spectra ``(R, N, F)``: ``(R, length)``.

    When ``hop`` divides ``n_fft`` (the usual case) the overlap-add is ``n_fft / hop``
    in-place adds of hop-sized blocks, frame offset 0 first (each output sample sums its
    frames in that fixed order, whatever the batch); otherwise ``fold``.
    """
    if not on_host(spec):
        return torch.istft(spec.transpose(1, 2), n_fft, hop, window=window, center=True, length=length)
    rows, count, _ = spec.shape
    frames = irfft(spec, n_fft)  # (R, N, n_fft), contiguous
    start = n_fft // 2
    if n_fft % hop:
        frames = frames * window
        total = n_fft + hop * (count - 1)
        fold = functools.partial(
            torch.nn.functional.fold, output_size=(1, total), kernel_size=(1, n_fft), stride=(1, hop)
        )
        y = fold(frames.transpose(1, 2)).reshape(rows, total)
        env = fold((window * window).reshape(1, n_fft, 1).expand(1, n_fft, count)).reshape(total)
        y = (y / torch.where(env > 1e-11, env, torch.ones_like(env)))[:, start : start + length]
    else:
        overlap = n_fft // hop
        blocks = torch.zeros(rows, count + overlap - 1, hop, dtype=frames.dtype, device=frames.device)
        for j in range(overlap):
            seg = slice(j * hop, (j + 1) * hop)
            blocks[:, j : j + count].addcmul_(frames[:, :, seg], window[seg])
        y = blocks.reshape(rows, -1)[:, start : start + length]
        y = y.div_(_ola_envelope(n_fft, hop, count, window)[start : start + length])
    if y.shape[-1] < length:
        y = torch.nn.functional.pad(y, (0, length - y.shape[-1]))
    return y


def _ola_envelope(n_fft: int, hop: int, count: int, window: torch.Tensor) -> torch.Tensor:
    """The overlap-added squared window of ``count`` frames (values ≤ 1e-11 replaced by 1), ``((count + k - 1)·hop,)``."""
    key = (n_fft, hop, count, window.dtype, window.device)
    env = _ENVELOPES.get(key)
    if env is None or not torch.equal(_ENVELOPE_WINDOWS[key], window):
        overlap = n_fft // hop
        sq = (window * window).reshape(overlap, hop)
        blocks = torch.zeros(count + overlap - 1, hop, dtype=window.dtype, device=window.device)
        for j in range(overlap):
            blocks[j : j + count] += sq[j]
        env = blocks.reshape(-1)
        env = torch.where(env > 1e-11, env, torch.ones_like(env))
        if len(_ENVELOPES) > 32:
            _ENVELOPES.clear()
            _ENVELOPE_WINDOWS.clear()
        _ENVELOPES[key], _ENVELOPE_WINDOWS[key] = env, window.clone()
    return env


_ENVELOPES: dict[tuple[object, ...], torch.Tensor] = {}
_ENVELOPE_WINDOWS: dict[tuple[object, ...], torch.Tensor] = {}


def fftconvolve(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Full linear convolution along the last axis (``torchaudio.functional.fftconvolve``), per row on the CPU."""
    full = x.shape[-1] + y.shape[-1] - 1
    if not (on_host(x) and on_host(y)):
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
    if not on_host(v) or v.is_complex():
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
        amp = db_to_amplitude(gain_db, 40.0)
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
    if not on_host(x) or x.shape[0] < 2:
        return _fft_resample_at(x, positions, cutoff, lengths, oversample)
    return by_examples(
        lambda e: _fft_resample_at(x[e], positions[e], cutoff[e], None if lengths is None else lengths[e], oversample),
        x.shape[0],
        x.device,
        out=torch.empty(x.shape[0], x.shape[1], positions.shape[-1], dtype=x.dtype),
    )


def _fft_resample_at(
    x: torch.Tensor, positions: torch.Tensor, cutoff: torch.Tensor, lengths: torch.Tensor | None, oversample: int
) -> torch.Tensor:
    bsz, chans, n = x.shape
    n_fft = next_fast_len(n + 64)  # a little silence after the end so reads past it do not wrap
    host = on_host(x)
    mask = (
        None if lengths is None else (torch.arange(n, device=x.device) < lengths.to(x.device).unsqueeze(1)).unsqueeze(1)
    )
    if host:  # written straight into the transforms' zero-padded inputs (no padded copies)
        padded = torch.zeros(bsz, chans, n_fft, dtype=x.dtype)
        if mask is None:
            padded[..., :n] = x
        else:
            torch.mul(x, mask, out=padded[..., :n])
        x = padded
    elif mask is not None:
        x = x * mask
    spec = rfft(x, n_fft)
    n_bins = spec.shape[-1]
    rel = torch.arange(n_bins, device=x.device, dtype=x.dtype) / (n_bins - 1)  # 0 … 1 × Nyquist
    edge = cutoff.to(x.dtype).reshape(-1, 1)
    taper = 0.02  # linear roll-off over the last 2 % of the band
    # the oversampling factor's amplitude goes into the gain (one pass less over the long copy)
    gain = ((edge - rel) / taper).clamp(0, 1).mul_(oversample).unsqueeze(1)
    if host:
        band = torch.zeros(bsz, chans, n_fft * oversample // 2 + 1, dtype=spec.dtype)
        torch.mul(spec, gain, out=band[..., :n_bins])
    else:
        band = spec * gain
    up = irfft(band, n_fft * oversample)  # (B, C, n_fft·k)
    pos = positions.to(x.dtype) * oversample
    i0 = pos.floor().long().clamp(0, up.shape[-1] - 2)
    frac = (pos - i0).unsqueeze(1).expand(bsz, chans, -1)
    idx = i0.unsqueeze(1).expand(bsz, chans, -1)
    out = torch.lerp(up.gather(-1, idx), up.gather(-1, idx + 1), frac)
    limit = n if lengths is None else lengths.to(x.device).unsqueeze(1)
    inside = ((positions >= 0) & (positions <= (limit - 1) if lengths is not None else positions <= n - 1)).unsqueeze(1)
    return out.mul_(inside) if on_host(out) else out * inside


# ---------------------------------------------------------------- phase vocoder


def phase_vocoder(spec: torch.Tensor, rate: torch.Tensor, hop: int, n_frames_out: int) -> torch.Tensor:
    """Time-stretch complex STFTs ``(B, F, N)`` by per-example ``rate (B,)`` (>1 = faster): ``(B, F, K)``.

    Output frame ``k`` reads input position ``k · rate[b]``: magnitudes are linearly
    interpolated between the neighbouring frames and the phase is accumulated from the
    instantaneous frequency measured between them (the classic phase vocoder,
    vectorized over examples with gathers and a cumulative product). The advance of
    the first frame pair is taken from the second pair and the phase is anchored on
    frame 1: with ``center=True`` frame 0 is reflection-padded, and reusing its
    inconsistent per-bin advance (which happens whenever ``rate < 1``) would decohere a
    steady tone for the rest of the clip. Frames past an example's end are 0.
    """
    return phase_vocoder_frames(spec.transpose(1, 2), rate, n_frames_out).transpose(1, 2)


def phase_vocoder_frames(spec: torch.Tensor, rate: torch.Tensor, n_frames_out: int) -> torch.Tensor:
    """:func:`phase_vocoder` on frames-first spectra ``(B, N, F)``: ``(B, K, F)``.

    Works on whole frames: the input's frames are rows of one ``(B·N, F)`` table and each
    output frame gathers its rows, so every copy is a contiguous row. On the CPU (no
    gradient needed) the complex arithmetic runs in NumPy on contiguous rows (see
    :func:`omniaug.fft.cmul`: torch's complex multiply rounds a tensor's tail differently).
    """
    bsz, n_in, n_freq = spec.shape
    device = spec.device
    real_dtype = spec.real.dtype
    pos = torch.arange(n_frames_out, device=device, dtype=real_dtype).unsqueeze(0) * rate.to(real_dtype).unsqueeze(1)
    i0 = pos.floor().long()  # (B, K): output frame k reads input frames i0 and i0 + 1
    alpha = (pos - i0).reshape(-1, 1)  # (B·K, 1)
    base = (torch.arange(bsz, device=device) * n_in).unsqueeze(1)
    # Row B·N of the magnitude table is zero and row B·N - 1 of the advance table (the last
    # example's last slot, past its end) is one: reads past an example's end go there.
    zero_row, ones_row = bsz * n_in, bsz * n_in - 1
    row0 = torch.where(i0 < n_in, base + i0, zero_row).reshape(-1)
    row1 = torch.where(i0 + 1 < n_in, base + i0 + 1, zero_row).reshape(-1)
    # the advance read by output frame k is the pair at input frame i0 (the first pair
    # replaced by the second when there is one); frame k's phase multiplies the advances of
    # frames 0 … k-1 onto phase0 = unit[1] · conj(advance[1]) (anchored on frame 1)
    pair = i0.clamp_min(1) if n_in > 2 else i0
    adv_row = torch.where(i0 < n_in - 1, base + pair, ones_row)
    steps = torch.cat([adv_row[:, :1], adv_row[:, :-1]], dim=1).reshape(-1)  # slot 0 gets phase0
    first = base.squeeze(1) + (1 if n_in > 2 else 0)
    if on_host(spec):
        return _phase_vocoder_host(spec, row0, row1, alpha, steps, first, n_in > 2, n_frames_out)
    flat = spec.reshape(bsz * n_in, n_freq)
    # Phases are carried as unit complex numbers (advances multiply, a cumulative product
    # accumulates them): no angle/atan2 or polar, which are slow elementwise on CPU.
    mag = flat.abs()
    unit = torch.view_as_complex(torch.view_as_real(flat) / mag.clamp_min(1e-30).unsqueeze(-1))
    unit = torch.where(mag > 0, unit, torch.ones_like(unit))
    # advance[j] = unit[j + 1] · conj(unit[j]) = e^{i(φ[j+1] - φ[j])} for consecutive rows
    # (row b·N + N - 1 pairs two examples and is never read)
    advance = torch.cat([cmul(unit[1:], unit[:-1].conj()), torch.ones_like(unit[:1])])
    mag = torch.cat([mag, torch.zeros_like(mag[:1])])
    magnitude = torch.lerp(mag.index_select(0, row0), mag.index_select(0, row1), alpha)
    rotation = advance.index_select(0, steps).reshape(bsz, n_frames_out, n_freq)
    phase0 = unit.index_select(0, first)
    if n_in > 2:
        phase0 = cmul(phase0, advance.index_select(0, first).conj())
    rotation = torch.cat([phase0.unsqueeze(1), rotation[:, 1:]], dim=1).cumprod(1)
    return torch.view_as_complex(torch.view_as_real(rotation) * magnitude.reshape(bsz, n_frames_out, n_freq, 1))


def _phase_vocoder_host(
    spec: torch.Tensor,
    row0: torch.Tensor,
    row1: torch.Tensor,
    alpha: torch.Tensor,
    steps: torch.Tensor,
    first: torch.Tensor,
    anchored: bool,
    n_frames_out: int,
) -> torch.Tensor:
    """The CPU phase vocoder: NumPy's complex arithmetic on contiguous rows (same bits for any batch)."""
    bsz, n_in, n_freq = spec.shape
    rows = bsz * n_in
    s = spec.detach().reshape(rows, n_freq).contiguous().numpy()
    mag = np.empty((rows + 1, n_freq), dtype=s.real.dtype)  # + the zero row
    np.abs(s, out=mag[:rows])
    mag[rows] = 0
    unit = np.multiply(s, np.reciprocal(np.maximum(mag[:rows], 1e-30, dtype=mag.dtype)))
    np.copyto(unit, 1, where=mag[:rows] == 0)  # silence: no phase advance
    advance = np.empty_like(s)  # + the ones row (row rows - 1, past the last example's end)
    np.multiply(unit[1:], np.conj(unit[:-1]), out=advance[:-1])
    advance[-1] = 1
    table = torch.from_numpy(mag)
    magnitude = torch.lerp(table.index_select(0, row0), table.index_select(0, row1), alpha).numpy()
    # output frames first, (K, B·F): each step of the cumulative product is one contiguous row
    order = steps.reshape(bsz, n_frames_out).t().reshape(-1).numpy()
    rotation = np.take(advance, order, axis=0).reshape(n_frames_out, bsz * n_freq)
    first_np = first.numpy()
    phase0 = unit[first_np]
    rotation[0] = (np.multiply(phase0, np.conj(advance[first_np])) if anchored else phase0).reshape(-1)
    for k in range(1, n_frames_out):  # the cumulative product, one output frame at a time
        np.multiply(rotation[k - 1], rotation[k], out=rotation[k])
    out = np.empty((bsz, n_frames_out, n_freq), dtype=s.dtype)
    np.multiply(rotation.reshape(n_frames_out, bsz, n_freq).transpose(1, 0, 2), magnitude.reshape(out.shape), out=out)
    return torch.from_numpy(out)


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
    vocoder and one iSTFT per chunk of examples (:func:`by_examples`), frames first
    throughout (the layout the transforms write).
    """
    if not on_host(x) or x.shape[0] < 2:
        return _stretch_waveform(x, rate, n_out, lengths, n_fft, hop)
    return by_examples(
        lambda e: _stretch_waveform(x[e], rate[e], n_out, None if lengths is None else lengths[e], n_fft, hop),
        x.shape[0],
        x.device,
        out=torch.empty(x.shape[0], x.shape[1], n_out, dtype=x.dtype),
    )


def _stretch_waveform(
    x: torch.Tensor, rate: torch.Tensor, n_out: int, lengths: torch.Tensor | None, n_fft: int, hop: int | None
) -> torch.Tensor:
    bsz, chans, n = x.shape
    hop = hop or n_fft // 4
    if n <= n_fft // 2:  # a clip shorter than half a frame: the STFT's reflect padding needs more; silence follows it
        x = torch.nn.functional.pad(x, (0, n_fft // 2 + 1 - n))
    window = torch.hann_window(n_fft, device=x.device, dtype=x.dtype)
    flat = x.reshape(bsz * chans, x.shape[-1])
    spec = stft_frames(flat, n_fft, hop, window)  # frames first throughout: no transposed copies
    rate_bc = rate.repeat_interleave(chans)
    frames_out = n_out // hop + 1
    stretched = phase_vocoder_frames(spec, rate_bc, frames_out)
    y = istft_frames(stretched, n_fft, hop, window, n_out)
    lens = torch.full_like(rate, n) if lengths is None else lengths.to(rate)
    new_len = torch.ceil(lens / rate).repeat_interleave(chans)
    keep = torch.arange(n_out, device=x.device).unsqueeze(0) < new_len.unsqueeze(1)
    return (y * keep).reshape(bsz, chans, n_out)
