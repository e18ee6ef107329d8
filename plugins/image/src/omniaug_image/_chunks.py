"""Balanced chunks of a batch for the fused warp and colour kernels (cache blocking).

:func:`omniaug.parallel.run_chunks` deals fixed-size chunks to its workers; with a
chunk of 6 images, a batch of 8 becomes chunks of 6 and 2, so one of the two
workers does three quarters of the work and the call takes as long as 6 images. Here the number of chunks is rounded up to a multiple of the thread count
and the batch is cut into that many near-equal chunks, at least two per thread
(8 → 2 + 2 + 2 + 2 on two threads, 32 → 6 chunks of 5–6), never larger than the
cache-sized ``chunk``. Chunking is cache blocking,
never a loop over samples.

Each thread also keeps small scratch buffers (:func:`scratch`) for the per-chunk
temporaries (the cache copy of the input chunk, the sampling grid): a few MB
allocated and freed per chunk otherwise land in glibc's per-thread arenas, which
return the memory to the OS whenever their free top exceeds the trim threshold, so
every call page-faulted its temporaries in again (measured for a batch of 8 run
after larger batches: docs/performance.md, "Design measurements").
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import torch

from omniaug import memory
from omniaug.parallel import run_chunks

__all__ = ["SCRATCH_MAX_BYTES", "chunk_bounds", "run_balanced", "scratch"]

#: scratch buffers up to this size are kept per thread between calls; larger ones are not kept
SCRATCH_MAX_BYTES = 16 * 1024 * 1024

_local = threading.local()


def chunk_bounds(n: int, chunk: int, threads: int) -> list[int]:
    """Boundaries ``[0, …, n]`` of near-equal chunks of at most ``chunk`` samples.

    The chunk count is the smallest multiple of ``threads`` (capped at ``n``) that
    keeps every chunk within ``chunk`` and gives every thread at least two chunks —
    or one, if the batch fits one chunk; chunk sizes differ by at most one.
    """
    if n <= 0:
        return [0]
    count = -(-n // max(1, chunk))
    if threads > 1 and count > 1:  # a batch that fits one chunk stays whole (no pool round trip)
        # at least two chunks per thread: a worker that wakes late then costs one small
        # chunk, not half the batch (at batch 8, 2 + 2 + 2 + 2 images ran faster than
        # 4 + 4; one image per chunk was slower again: docs/performance.md)
        count = max(count, min(n, 2 * threads))
        count = min(n, -(-count // threads) * threads)
    base, extra = divmod(n, count)
    bounds = [0]
    for i in range(count):  # over chunks (a handful), not samples
        bounds.append(bounds[-1] + base + (1 if i < extra else 0))
    return bounds


def run_balanced(n: int, chunk: int, fn: Callable[[int, int], None], device: torch.device) -> None:
    """Call ``fn(start, stop)`` over :func:`chunk_bounds` chunks, on the worker pool when several threads.

    ``fn`` must write disjoint outputs (as for :func:`omniaug.parallel.run_chunks`).
    """
    threads = torch.get_num_threads() if device.type == "cpu" else 1
    bounds = chunk_bounds(n, chunk, threads)
    run_chunks(len(bounds) - 1, 1, lambda i, _stop: fn(bounds[i], bounds[i + 1]), device)


def scratch(name: str, shape: Sequence[int], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """A contiguous buffer of ``shape`` for temporaries, reused by the calling thread.

    The contents are undefined; the buffer is only valid until the same thread asks
    for ``name`` again, so use it within one chunk. The thread keeps the largest
    buffer asked for under each name, up to :data:`SCRATCH_MAX_BYTES` (larger
    requests get a fresh buffer that is not kept).
    """
    numel = 1
    for d in shape:
        numel *= int(d)
    if device.type != "cpu" or numel * torch.empty((), dtype=dtype).element_size() > SCRATCH_MAX_BYTES:
        return memory.empty(shape, dtype=dtype, device=device)
    buffers: dict[str, torch.Tensor] | None = getattr(_local, "buffers", None)
    if buffers is None:
        buffers = _local.buffers = {}
    buf = buffers.get(name)
    if buf is None or buf.dtype != dtype or buf.numel() < numel:
        buf = buffers[name] = memory.empty((numel,), dtype=dtype, device=device)
    return buf[:numel].view(tuple(shape))
