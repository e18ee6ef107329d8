"""The fast unpadded kernels of TimeShift and ColoredNoise equal their plain formulations bit for bit.

TimeShift rolls rows in blocks (one ``index_select`` of contiguous runs, the wrapping
block from a small copy of each row's ends) and pads by picking each row's window with
one ``index_select`` on an overlapping view;
ColoredNoise writes each chunk's sum into the output (or its noise buffer) with
``addcmul(out=...)``. The references are the formulations they replaced: windows by
advanced indexing of an ``unfold`` view, and an out-of-place ``addcmul`` computed for
each clip on its own. Speech clips (bundled words), batches of 1, 8 and 32, 1 and 2
threads; bits compared as integers (so -0.0 and 0.0 differ).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch

from omniaug_audio.dsp import colored_noise, db_to_amplitude
from omniaug_audio.ops.basic import TimeShift
from omniaug_audio.ops.noise import ColoredNoise

N = 16000


def _bits(t: torch.Tensor) -> torch.Tensor:
    return t.contiguous().view(torch.int32)


@pytest.mark.parametrize("batch", [1, 8, 32])
@pytest.mark.parametrize("mode", ["roll", "pad"])
def test_time_shift_kernel_equals_the_unfold_reference(
    speech: Callable[[int], torch.Tensor], threads: int, batch: int, mode: str
) -> None:
    x = speech(batch)
    op = TimeShift((-1.0, 1.0), mode=mode)
    g = torch.Generator().manual_seed(batch + threads)
    params = op.draw(x, batch, generator=g, device=x.device)
    params["shift"][0] = 1.0  # the extreme starts: a whole-length shift (roll: start n, pad: silence)
    if batch > 1:
        params["shift"][1] = -1.0
    got = op.kernel(x, params)
    want = op._shift_reference(x, params)
    assert torch.equal(_bits(got), _bits(want))
    if mode == "roll":  # and the reference is a roll
        steps = torch.round(params["shift"].to(torch.float64) * N).long()
        for b in range(batch):  # test-side loop over examples: an independent check
            assert torch.equal(got[b], torch.roll(x[b], int(steps[b]), dims=-1))


@pytest.mark.parametrize("batch", [1, 8, 32])
@pytest.mark.parametrize("length", [N, 12347, 1000], ids=["blocks-of-2000", "no-block-width", "blocks-of-500"])
@pytest.mark.parametrize("pool", [False, True], ids=["caller", "pool"])
def test_blocked_roll_equals_the_unfold_reference(
    speech: Callable[[int], torch.Tensor],
    threads: int,
    batch: int,
    length: int,
    pool: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The roll without a doubled copy (blocks of the rows, the wrapping block from a small
    copy of each row's ends): stereo speech, every extreme start, on the pool and off it."""
    import omniaug_audio.dsp as dsp

    if pool:  # the pool even for these small batches
        monkeypatch.setattr(dsp, "POOL_MIN_SAMPLES", 0)
    mono = speech(batch)[..., :length]
    x = torch.cat([mono, -0.5 * mono.flip(0)], dim=1)  # (batch, 2, length)
    op = TimeShift((-1.0, 1.0))
    g = torch.Generator().manual_seed(batch + length)
    for extreme in (1.0, 0.0, -1.0, 2000 / length, -0.5 / length):
        params = op.draw(x, batch, generator=g, device=x.device)
        params["shift"][0] = extreme
        assert torch.equal(_bits(op.kernel(x, params)), _bits(op._shift_reference(x, params))), extreme


@pytest.mark.parametrize("mode", ["roll", "pad"])
def test_time_shift_kernel_takes_a_non_contiguous_layout(
    speech: Callable[[int], torch.Tensor], threads: int, mode: str
) -> None:
    """A (channel, batch, time) buffer seen as (batch, channel, time): dense but not contiguous."""
    mono = speech(5)[:, 0]
    x = torch.stack([mono, -0.5 * mono]).permute(1, 0, 2)  # (5, 2, N)
    assert not x.is_contiguous()
    op = TimeShift((-1.0, 1.0), mode=mode)
    params = op.draw(x, 5, generator=torch.Generator().manual_seed(7), device=x.device)
    assert torch.equal(_bits(op.kernel(x, params)), _bits(op._shift_reference(x, params)))


@pytest.mark.parametrize("batch", [1, 8, 32])
def test_colored_noise_kernel_equals_the_per_clip_out_of_place_formulation(
    speech: Callable[[int], torch.Tensor], threads: int, batch: int
) -> None:
    x = speech(batch)
    op = ColoredNoise((3.0, 30.0), (0.0, 2.0))
    g = torch.Generator().manual_seed(100 + batch)
    params = op.draw(x, batch, generator=g, device=x.device)
    got = op.kernel(x, params)
    assert not torch.equal(got, x)
    for b in range(batch):  # the plain formulation, one clip at a time
        e = slice(b, b + 1)
        noise = colored_noise(params["spectrum"][e], params["beta"][e], N, x.dtype)
        p_noise = torch.linalg.vector_norm(noise, dim=(1, 2)).square()
        p_sig = torch.linalg.vector_norm(x[e], dim=(1, 2)).square()
        target = p_sig / db_to_amplitude(params["snr_db"][e], 10.0)
        gain = torch.where(p_noise > 0, (target / p_noise.clamp_min(1e-30)).sqrt(), torch.zeros_like(p_noise))
        want = torch.addcmul(x[e], noise, gain.reshape(-1, 1, 1))
        assert torch.equal(_bits(got[e]), _bits(want)), b


def test_colored_noise_keeps_autograd(speech: Callable[[int], torch.Tensor]) -> None:
    x = speech(2).requires_grad_(True)
    op = ColoredNoise((10.0, 10.0), (1.0, 1.0))
    params = op.draw(x, 2, generator=torch.Generator().manual_seed(0), device=x.device)
    op.kernel(x, params).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all()


def test_time_shift_keeps_autograd(speech: Callable[[int], torch.Tensor]) -> None:
    x = speech(3).requires_grad_(True)
    op = TimeShift((-0.5, 0.5))
    params = op.draw(x, 3, generator=torch.Generator().manual_seed(0), device=x.device)
    op.kernel(x, params).sum().backward()
    assert x.grad is not None and torch.equal(x.grad, torch.ones_like(x))
