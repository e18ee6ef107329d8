"""Level and time-domain ops: gain, gain transition, fade, polarity, shift, time mask, reverse."""

from __future__ import annotations

import math
from typing import Any

import torch

from omniaug import Magnitude, args, rng
from omniaug.parallel import single_thread

from ..dsp import by_examples, db_to_amplitude, on_host, on_pool, scale_rows
from ..modality import mark_finite_if_scaled
from ..payload import repack_audio, unpack_audio, valid_mask
from .base import WaveformOp

__all__ = ["Gain", "GainTransition", "Fade", "PolarityInversion", "TimeShift", "TimeMask", "Reverse"]


def _positions(wave: torch.Tensor) -> torch.Tensor:
    """``(1, 1, T)`` sample indices in the waveform's dtype."""
    return torch.arange(wave.shape[-1], device=wave.device, dtype=wave.dtype).reshape(1, 1, -1)


def _col(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """A ``(B,)`` tensor as ``(B, 1, 1)`` in ``like``'s dtype."""
    return v.to(like.dtype).reshape(-1, 1, 1)


def _gather_time(wave: torch.Tensor, src: torch.Tensor) -> torch.Tensor:
    """``out[b, c, t] = wave[b, c, src[b, t]]`` (``src`` clamped into the tensor)."""
    src = src.clamp(0, wave.shape[-1] - 1).long()
    return wave.gather(-1, src.unsqueeze(1).expand(-1, wave.shape[1], -1))


#: block widths of the blocked roll: the largest divisor of the length in this range (none: not blocked)
ROLL_BLOCK = (64, 2048)


def _roll_block(n: int) -> int:
    """The width of :func:`_roll_blocks`' blocks for length ``n``: its largest divisor in :data:`ROLL_BLOCK`
    that leaves at least two blocks; 0 if there is none (the doubled-copy path then rolls)."""
    for width in range(min(ROLL_BLOCK[1], n // 2), ROLL_BLOCK[0] - 1, -1):
        if n % width == 0:
            return width
    return 0


def _roll_blocks(wave: torch.Tensor, start: torch.Tensor, width: int) -> torch.Tensor:
    """Roll each row of ``wave`` ``(B, C, n)``: ``out[b, c, t] = wave[b, c, (start[b] + t) mod n]`` (CPU).

    Without a doubled copy of the batch (two extra passes over it): every row is cut
    into ``n / width`` output blocks, and a block whose source does not wrap around the
    row's end is one contiguous run of the row, picked by one ``index_select`` over an
    overlapping ``width``-sample view of the flattened batch (a ``memcpy`` per block).
    The one block per row that wraps is read from a small ``(rows, 2·width)`` copy of
    each row's last and first ``width`` samples and written with ``index_copy_``. Only
    copies, so the bits are the input's, whatever the chunking (the reference is
    :meth:`TimeShift._shift_reference`). A large batch copies its blocks in chunks on the
    worker pool; a smaller one on the calling thread alone (:func:`dsp.on_pool`), and
    never in an OpenMP region.
    """
    b, c, n = wave.shape
    rows, count = b * c, n // width
    # the plan, small integer tensors: each block's first source sample in the flattened batch
    s = torch.remainder(start.to(torch.int64), n).repeat_interleave(c)  # (rows,) in [0, n)
    wrap = torch.clamp(torch.div(n - s, width, rounding_mode="floor"), max=count - 1)  # the wrapping block
    base = torch.arange(rows).unsqueeze(1) * n
    blocks_at = torch.arange(count) * width
    first = base + torch.remainder(blocks_at + s.unsqueeze(1), n)
    first = torch.where(blocks_at == (wrap * width).unsqueeze(1), base, first).reshape(-1)  # wrapping: overwritten
    flat = wave.reshape(-1)
    windows = flat.as_strided((flat.numel() - width + 1, width), (1, 1))  # row i: flat[i : i + width]
    out = torch.empty(wave.shape, dtype=wave.dtype)  # contiguous whatever the input's layout
    blocks = out.view(rows * count, width)
    if on_pool(wave):
        per = count * c  # blocks per example

        def copy(e: slice) -> torch.Tensor:
            torch.index_select(
                windows, 0, first[e.start * per : e.stop * per], out=blocks[e.start * per : e.stop * per]
            )
            return out[e]

        by_examples(copy, b, wave.device, out)
    with single_thread():
        if not on_pool(wave):
            torch.index_select(windows, 0, first, out=blocks)
        rows_2d = wave.reshape(rows, n)
        ends = torch.cat([rows_2d[:, n - width :], rows_2d[:, :width]], dim=1).reshape(-1)  # (rows, 2·width)
        spans = ends.as_strided((ends.numel() - width + 1, width), (1, 1))
        offset = torch.arange(rows) * (2 * width) + wrap * width + s - (n - width)
        blocks.index_copy_(0, torch.arange(rows) * count + wrap, spans.index_select(0, offset))
    return out


class Gain(WaveformOp):
    """Multiply each example by a gain drawn uniformly in dB from ``gain_db``."""

    name = "audio.gain"
    differentiable = True
    magnitude = Magnitude("gain_db", (0.0, 0.0), (-12.0, 12.0))
    fusion = "audio.gain"
    keeps_finite = False  # +60 dB of a loud float32 wave overflows to inf

    def fusion_transform(self, x: Any, params: Any) -> torch.Tensor:
        """The ``(B,)`` linear factor (see :mod:`omniaug_audio.fusion`)."""
        return db_to_amplitude(params["gain_db"]).to(torch.float32)

    def __init__(self, gain_db: Any = (-12.0, 12.0), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.gain_db = args.value_range("gain_db", gain_db, bounds=(-120.0, 60.0), where="Gain")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"gain_db": rng.uniform(batch_size, *self.gain_db, generator=generator, device=device)}

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        return wave * _col(db_to_amplitude(params["gain_db"]), wave)

    def apply_validated(self, x: Any, params: Any) -> Any:
        # Mask-aware on unpadded input: unapplied examples get 0 dB, one multiply for all
        # (dsp.scale_rows: never an OpenMP region on the CPU). The output is claimed
        # finite when the input's checked range times the largest gain cannot overflow, so
        # the next op does not read the whole batch again.
        wave, _, lengths = unpack_audio(x, self.sample_rate)
        if lengths is not None:
            return super().apply_validated(x, params)
        gain = torch.where(params["apply"], db_to_amplitude(params["gain_db"]), torch.ones_like(params["gain_db"]))
        return repack_audio(x, mark_finite_if_scaled(scale_rows(wave, gain), wave, gain))


class GainTransition(WaveformOp):
    """A gradual gain change: from ``start`` dB to ``end`` dB (both drawn from ``gain_db``)
    over a segment lasting a fraction ``duration`` of the valid length, at a random time."""

    name = "audio.gain_transition"
    differentiable = True
    magnitude = Magnitude("gain_db", (0.0, 0.0), (-24.0, 6.0))
    keeps_finite = False  # a gain: may overflow to inf

    def __init__(
        self, gain_db: Any = (-24.0, 6.0), duration: Any = (0.2, 0.5), *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.gain_db = args.value_range("gain_db", gain_db, bounds=(-120.0, 60.0), where="GainTransition")
        self.duration = args.value_range(
            "duration", duration, bounds=(0.0, 1.0), scalar="fixed", where="GainTransition"
        )

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {
            "start_db": rng.uniform(batch_size, *self.gain_db, generator=generator, device=device),
            "end_db": rng.uniform(batch_size, *self.gain_db, generator=generator, device=device),
            "duration": rng.uniform(batch_size, *self.duration, generator=generator, device=device),
            "offset": rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device),
        }

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        n = _col(lengths, wave)
        dur = (_col(params["duration"], wave) * n).clamp_min(1.0)
        start = _col(params["offset"], wave) * (n - dur).clamp_min(0.0)
        ramp = ((_positions(wave) - start) / dur).clamp(0.0, 1.0)
        db = _col(params["start_db"], wave) + (_col(params["end_db"], wave) - _col(params["start_db"], wave)) * ramp
        # exp, not 10 ** x: pow rounds a tensor's (and each thread's) last elements differently
        return wave * torch.exp(db * (math.log(10.0) / 20.0))


class Fade(WaveformOp):
    """Fade in and out over fractions of each example's valid length (``linear`` or ``cosine`` shape)."""

    name = "audio.fade"
    differentiable = True
    magnitude = Magnitude("fade_out", (0.0, 0.0), (0.0, 0.5))

    def __init__(
        self,
        fade_in: Any = (0.0, 0.2),
        fade_out: Any = (0.0, 0.3),
        shape: str = "linear",
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.fade_in = args.value_range("fade_in", fade_in, bounds=(0.0, 1.0), scalar="fixed", where="Fade")
        self.fade_out = args.value_range("fade_out", fade_out, bounds=(0.0, 1.0), scalar="fixed", where="Fade")
        self.shape = args.choice("shape", shape, ("linear", "cosine"), where="Fade")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {
            "fade_in": rng.uniform(batch_size, *self.fade_in, generator=generator, device=device),
            "fade_out": rng.uniform(batch_size, *self.fade_out, generator=generator, device=device),
        }

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        n = _col(lengths, wave)
        t = _positions(wave)
        rise = ((t + 1) / (_col(params["fade_in"], wave) * n).clamp_min(1.0)).clamp(0.0, 1.0)
        fall = ((n - t) / (_col(params["fade_out"], wave) * n).clamp_min(1.0)).clamp(0.0, 1.0)
        env = rise * fall
        if self.shape == "cosine":
            env = 0.5 - 0.5 * torch.cos(torch.pi * env)
        return wave * env


class PolarityInversion(WaveformOp):
    """Multiply by -1 (inaudible on its own; changes what a phase-sensitive model sees)."""

    name = "audio.polarity_inversion"
    differentiable = True
    fusion = "audio.gain"

    def fusion_transform(self, x: Any, params: Any) -> torch.Tensor:
        """A factor of -1 per example (see :mod:`omniaug_audio.fusion`)."""
        return torch.full(params["apply"].shape, -1.0, device=params["apply"].device)

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        return -wave

    def apply_validated(self, x: Any, params: Any) -> Any:
        # Mask-aware: one torch.where instead of the generic gather → kernel → scatter.
        wave, _, lengths = unpack_audio(x, self.sample_rate)
        if lengths is None:  # one multiply (dsp.scale_rows: never an OpenMP region on the CPU)
            sign = 1.0 - 2.0 * params["apply"].to(wave.dtype)
            return repack_audio(x, scale_rows(wave, sign))
        flip = params["apply"].reshape(-1, 1, 1) & valid_mask(wave, lengths)
        return repack_audio(x, torch.where(flip, -wave, wave))


class TimeShift(WaveformOp):
    """Shift in time by a fraction ``shift`` of the valid length; ``mode="roll"`` wraps around,
    ``"pad"`` fills the vacated part with silence."""

    name = "audio.time_shift"
    differentiable = True
    magnitude = Magnitude("shift", (0.0, 0.0), (-0.5, 0.5))

    def __init__(
        self, shift: Any = (-0.2, 0.2), mode: str = "roll", *, p: float = 1.0, same_on_batch: bool = False
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.shift = args.value_range("shift", shift, bounds=(-1.0, 1.0), where="TimeShift")
        self.mode = args.choice("mode", mode, ("roll", "pad"), where="TimeShift")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {"shift": rng.uniform(batch_size, *self.shift, generator=generator, device=device)}

    def kernel(self, x: Any, params: Any) -> Any:
        wave, _, lengths = unpack_audio(x, self.sample_rate)
        if lengths is not None:
            return super().kernel(x, params)
        if not on_host(wave):  # accelerators and autograd: the plain formulation
            return repack_audio(x, self._shift_reference(wave, params))
        n = wave.shape[-1]
        start = self._starts(params["shift"], n)
        width = _roll_block(n) if self.mode == "roll" else 0
        if width:
            return repack_audio(x, _roll_blocks(wave, start, width))
        # Pad mode (and a roll of a length without a block width): each row is a window of
        # a zero-framed (pad) or doubled (roll) copy. The windows are rows of an overlapping
        # 2-D view of that copy (flattened), picked with one ``index_select``: a whole-row
        # copy per example, cheaper than advanced indexing of an ``unfold`` view (an offset
        # computed per element) or a gather through a (B, T) int64 index.
        # ``_shift_reference`` is the plain formulation. On the CPU one chunk of examples
        # per thread (dsp.by_examples): two big copies per call, each its own OpenMP region
        # otherwise.
        # several chunks: each writes its rows of the output itself (no copy after); contiguous
        # whatever the input's layout (the chunks write through flat views of it)
        several = min(torch.get_num_threads(), wave.shape[0]) > 1
        out = torch.empty(wave.shape, dtype=wave.dtype) if several else None

        def shift(e: slice) -> torch.Tensor:
            part = wave[e]
            if self.mode == "roll":
                ext = torch.cat([part, part], dim=-1)
            else:
                zeros = torch.zeros_like(part)
                ext = torch.cat([zeros, part, zeros], dim=-1)
            rows, chans, width = ext.shape
            flat = ext.reshape(-1)
            windows = flat.as_strided((flat.numel() - n + 1, n), (1, 1))  # row i: flat[i : i + n]
            first = torch.arange(rows * chans) * width + start[e].repeat_interleave(chans)
            if out is None:
                return windows.index_select(0, first).reshape(rows, chans, n)
            dest = out[e]
            torch.index_select(windows, 0, first, out=dest.view(rows * chans, n))
            return dest

        if out is None:
            return repack_audio(x, shift(slice(None)))
        return repack_audio(x, by_examples(shift, wave.shape[0], wave.device, out))

    def _starts(self, shift: torch.Tensor, n: int) -> torch.Tensor:
        """Each row's window start in the doubled (roll, in ``(0, n]``) or zero-framed (pad) copy."""
        steps = torch.round(shift.to(torch.float64) * n).long()
        if self.mode == "roll":
            return n - torch.remainder(steps, n)
        return n - steps.clamp(-n, n)

    def _shift_reference(self, wave: torch.Tensor, params: Any) -> torch.Tensor:
        """The plain formulation of the unpadded kernel: windows of the doubled or zero-framed
        batch picked by advanced indexing of an ``unfold`` view (the differential tests' reference)."""
        n = wave.shape[-1]
        start = self._starts(params["shift"], n).to(wave.device)
        if self.mode == "roll":
            ext = torch.cat([wave, wave], dim=-1)
        else:
            zeros = torch.zeros_like(wave)
            ext = torch.cat([zeros, wave, zeros], dim=-1)
        return ext.unfold(-1, n, 1)[torch.arange(wave.shape[0], device=wave.device), :, start]

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        n = lengths.reshape(-1, 1)
        steps = torch.round(params["shift"].to(torch.float64).reshape(-1, 1) * n).long()
        t = torch.arange(wave.shape[-1], device=wave.device).unsqueeze(0)
        src = t - steps
        if self.mode == "roll":
            return _gather_time(wave, torch.remainder(src, n.clamp_min(1)))
        inside = ((src >= 0) & (src < n)).unsqueeze(1)
        return _gather_time(wave, src) * inside


class TimeMask(WaveformOp):
    """Silence one segment per example, its width a fraction in ``width`` of the valid length."""

    name = "audio.time_mask"
    differentiable = True
    magnitude = Magnitude("width", (0.0, 0.0), (0.0, 0.3))

    def __init__(self, width: Any = (0.0, 0.15), *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.width = args.value_range("width", width, bounds=(0.0, 1.0), scalar="fixed", where="TimeMask")

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: torch.device) -> dict[str, torch.Tensor]:
        return {
            "width": rng.uniform(batch_size, *self.width, generator=generator, device=device),
            "offset": rng.uniform(batch_size, 0.0, 1.0, generator=generator, device=device),
        }

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        n = lengths.reshape(-1, 1)
        width = torch.round(params["width"].to(torch.float64).reshape(-1, 1) * n).long()
        start = torch.floor(params["offset"].to(torch.float64).reshape(-1, 1) * (n - width + 1)).long()
        t = torch.arange(wave.shape[-1], device=wave.device).unsqueeze(0)
        masked = ((t >= start) & (t < start + width)).unsqueeze(1)
        return wave.masked_fill(masked, 0.0)


class Reverse(WaveformOp):
    """Play each example's valid region backwards."""

    name = "audio.reverse"
    differentiable = True

    def inner_kernel(self, wave: torch.Tensor, sr: int, lengths: torch.Tensor, params: Any) -> torch.Tensor:
        t = torch.arange(wave.shape[-1], device=wave.device).unsqueeze(0)
        return _gather_time(wave, lengths.reshape(-1, 1) - 1 - t)
