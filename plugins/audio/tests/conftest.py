"""Shared fixtures of the audio plugin's differential tests: real speech and the thread count."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import torch

from omniaug_audio.bundled import example_clips

N = 16000


def speech_clips(count: int) -> torch.Tensor:
    """``count`` 1-s clips of concatenated bundled words (rotated orders, varied levels), ``(count, 1, N)``."""
    words = example_clips()
    assert words.lengths is not None
    pieces = [words.waveform[i, 0, : int(words.lengths[i])] for i in range(words.waveform.shape[0])]
    clips = []
    for k in range(count):
        order = [pieces[(k + j) % len(pieces)] for j in range(len(pieces))]
        joined = torch.cat([torch.cat([p, torch.zeros(400)]) for p in order * 3])[:N]
        clips.append(joined * (0.2 + 0.05 * k))
    return torch.stack(clips)[:, None]


@pytest.fixture
def speech() -> Callable[[int], torch.Tensor]:
    """:func:`speech_clips`: ``speech(count)`` → ``(count, 1, 16000)`` real speech."""
    return speech_clips


@pytest.fixture(params=[1, 2], ids=["1-thread", "2-threads"])
def threads(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test at 1 and at 2 torch intra-op threads (restored after)."""
    before = torch.get_num_threads()
    torch.set_num_threads(request.param)
    yield request.param
    torch.set_num_threads(before)
