"""omniaug.memory: huge-page advice for large fresh buffers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from omniaug import memory

THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def _anon_huge_kib() -> int:
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith("AnonHugePages:"):
            return int(line.split()[1])
    return 0


def test_empty_is_a_plain_tensor_of_the_requested_kind() -> None:
    for shape, dtype in [((3, 5), torch.float32), ((2, 3, 512, 512), torch.uint8), ((1 << 21,), torch.int64)]:
        out = memory.empty(shape, dtype=dtype)
        assert out.shape == shape and out.dtype == dtype and out.is_contiguous()
        out.fill_(7)
        assert bool((out == 7).all())
    like = memory.empty_like(torch.ones(4, 3, 600, 600).permute(3, 2, 1, 0), dtype=torch.float64)
    assert like.shape == (600, 600, 3, 4) and like.dtype == torch.float64 and like.is_contiguous()


def test_small_buffers_are_left_alone() -> None:
    assert memory.advise_huge_pages(torch.empty(1000)) is False
    assert memory.advise_huge_pages(torch.empty(memory.HUGE_MIN_BYTES // 4 - 1)) is False


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not THP.exists() or "[never]" in THP.read_text(),
    reason="transparent huge pages are off or absent on this kernel: the advice is a documented no-op",
)
def test_large_buffers_are_backed_by_huge_pages() -> None:
    before = _anon_huge_kib()
    out = memory.empty((64 << 20) // 4)  # 64 MiB, fresh from mmap
    assert memory.advise_huge_pages(out) is True
    out.fill_(1.0)  # first touch: faults in huge pages
    assert _anon_huge_kib() - before >= 32 << 10  # at least half of it in 2 MiB pages
    del out
