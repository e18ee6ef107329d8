"""Run work over chunks of a batch on a few worker threads (cache blocking, parallel fills).

Used by the image plugin's fused warp and colour kernels and by :mod:`omniaug.rng`
for large CPU draws; plugins may use it for their own chunked kernels.

Why chunks: a 64 × 3 × 224² float batch is 38.5 MB; a kernel that makes several
passes over it (copy, grid, ``grid_sample``, colour matrix, clamp) streams it through
memory each time, while a chunk of a few images (~4 MB) stays in cache for all of
them. Chunking is cache blocking, never a loop over samples.

Why not a plain loop over the chunks: every torch op on a chunk is then its own
parallel region of torch's intra-op (OpenMP) pool, tens of chunks × several ops per
call, and each region ends in a barrier. On a quiet machine a barrier costs
microseconds; when the CPU is shared, it waits until the descheduled partner thread
runs again, and a small op can cost orders of magnitude more than on one thread
(see docs/performance.md, "Design measurements"). Here the chunks are shared instead by
the calling thread and ``torch.get_num_threads() - 1`` workers of a private pool,
each running its chunk's ops on one intra-op thread: no per-op barrier, whoever is
free takes the next chunk, and the caller never waits for a worker that has not
started one. Chunks write disjoint slices of preallocated outputs, so the result
does not depend on the scheduling or the thread count.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import torch

__all__ = ["run_chunks", "run_shared", "single_thread", "value_range"]

_pool: ThreadPoolExecutor | None = None
_pool_key: tuple[int, int] = (0, 0)
_lock = threading.Lock()
_openmp: bool | None = None


def _is_openmp() -> bool:
    """Whether torch's intra-op backend is OpenMP (its thread count is then per calling thread)."""
    global _openmp
    if _openmp is None:
        _openmp = "parallel backend: OpenMP" in torch.__config__.parallel_info()
    return _openmp


def _executor(threads: int) -> ThreadPoolExecutor:
    """A pool of ``threads`` workers with one intra-op thread each (rebuilt after a fork)."""
    global _pool, _pool_key
    key = (os.getpid(), threads)
    with _lock:
        if _pool is not None and _pool_key == key:
            return _pool
        if _pool is not None and _pool_key[0] == key[0]:
            _pool.shutdown(wait=False)  # the thread count changed: retire the old workers
        ready = threading.Barrier(threads + 1)

        def init() -> None:
            torch.get_num_threads()  # run torch's lazy per-thread init first, so the 1 below sticks
            torch.set_num_threads(1)  # this worker's OpenMP team size (and MKL's, thread-locally)
            ready.wait()

        pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="omniaug-worker", initializer=init)
        for _ in range(threads):  # start every worker now, each blocks in init until all are up
            pool.submit(lambda: None)
        ready.wait()
        # set_num_threads in a worker also wrote torch's process-wide default: restore it
        torch.set_num_threads(threads)
        _pool, _pool_key = pool, key
        return pool


def run_chunks(n: int, chunk: int, fn: Callable[[int, int], None], device: torch.device) -> None:
    """Call ``fn(start, stop)`` for consecutive chunks of ``range(n)``; ``fn`` writes disjoint outputs.

    On CPU with several intra-op threads (and an OpenMP build) the chunks are shared
    by the calling thread and the pool's workers (:func:`run_shared`); otherwise, and
    for a single chunk, they run in order on the calling thread.
    """
    starts = range(0, n, max(1, chunk))
    if len(starts) <= 1:
        for start in starts:
            fn(start, min(start + chunk, n))
        return
    run_shared(len(starts), lambda i: fn(starts[i], min(starts[i] + chunk, n)), device)


def run_shared(count: int, fn: Callable[[int], None], device: torch.device) -> None:
    """Call ``fn(i)`` for every ``i`` in ``range(count)``; the calling thread takes part.

    The calling thread and ``torch.get_num_threads() - 1`` pool workers pull indices
    from one shared counter, and the caller waits only for items a worker has actually
    started: a worker that is slow to wake (waking an idle vCPU can take a
    millisecond) costs nothing — the caller just takes more items and returns, and
    the late worker finds the counter used up. On the image plugin's fused kernels
    this made small batches clearly faster than a caller that waits, most of all right
    after another library's parallel work (docs/performance.md, "Design measurements").

    The caller runs its items with one intra-op thread, as the workers do: with more,
    each of its ops would open an OpenMP region whose threads compete with the workers
    for the cores. Its own setting is restored afterwards. ``fn`` must write disjoint
    outputs; an exception in any item is re-raised here.
    """
    threads = torch.get_num_threads()
    if device.type != "cpu" or threads <= 1 or count <= 1 or not _is_openmp():
        for i in range(count):  # a loop over chunks, never over samples
            fn(i)
        return
    counter = itertools.count()  # next() on a count is atomic under the GIL
    lock = threading.Lock()
    finished = threading.Event()
    state: dict[str, Any] = {"done": 0, "error": None}

    def work() -> None:
        for i in iter(counter.__next__, None):
            if i >= count:
                return
            try:
                fn(i)
            except BaseException as exc:  # handed to the caller
                state["error"] = state["error"] or exc
            with lock:
                state["done"] += 1
                if state["done"] == count:
                    finished.set()

    pool = _executor(threads)
    for _ in range(min(threads, count) - 1):
        pool.submit(work)
    with single_thread():
        work()
    finished.wait()  # immediate unless a worker is still inside an item it started
    if state["error"] is not None:
        raise state["error"]


@contextlib.contextmanager
def single_thread() -> Iterator[None]:
    """Run the block with one intra-op thread on the calling thread; restore the setting after.

    For reductions and small ops right before pool work: with more threads each op
    opens an OpenMP parallel region, whose worker then spins on a core for a while
    after the region ends — the core the pool's workers are about to need.
    """
    threads = torch.get_num_threads()
    if threads == 1:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


#: CPU tensors with at least this many elements get their range in parallel chunks
RANGE_PARALLEL_MIN = 1 << 23
#: elements per chunk of a parallel range
RANGE_CHUNK = 1 << 21


def value_range(t: torch.Tensor) -> tuple[float, float]:
    """``(min, max)`` over all elements of ``t`` as Python numbers; NaN in both if any element is NaN.

    For input validation (a value range, finiteness): the same result as
    ``torch.aminmax(t)``, but on CPU without opening an OpenMP region on the calling
    thread. Why: the kernels that follow run on the pool's workers, and the OpenMP
    worker woken by ``aminmax`` keeps spinning on a core they need (measured on the
    fused image pipeline: docs/performance.md, "Design measurements"). Tensors under
    :data:`RANGE_PARALLEL_MIN` elements are reduced by the calling thread alone;
    larger contiguous ones in chunks
    shared with the pool (:func:`run_shared`). ``t`` must be non-empty. One device
    sync elsewhere, as ``aminmax`` + ``float`` would be.
    """
    if (
        t.device.type != "cpu"
        or t.numel() < RANGE_PARALLEL_MIN
        or not t.is_contiguous()
        or torch.get_num_threads() <= 1
    ):
        with single_thread() if t.device.type == "cpu" else contextlib.nullcontext():
            lo, hi = torch.aminmax(t.detach())  # validation reads values, never gradients
        return lo.item(), hi.item()  # one host sync: validation needs the numbers (ints stay ints)
    flat = t.detach().view(-1)
    count = -(-flat.numel() // RANGE_CHUNK)
    parts = torch.empty((count, 2), dtype=t.dtype)

    def fill(i: int) -> None:
        lo, hi = torch.aminmax(flat[i * RANGE_CHUNK : (i + 1) * RANGE_CHUNK])
        parts[i, 0], parts[i, 1] = lo, hi

    run_shared(count, fill, t.device)
    with single_thread():
        lo_all, hi_all = torch.aminmax(parts)  # NaN in any chunk propagates
    return lo_all.item(), hi_all.item()
