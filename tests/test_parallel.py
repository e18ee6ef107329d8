"""omniaug.parallel.run_chunks: every chunk once, disjoint writes, thread settings left as they were."""

from __future__ import annotations

import pytest
import torch

from omniaug.parallel import run_chunks, run_shared


@pytest.mark.parametrize("n, chunk", [(1, 4), (10, 3), (64, 8), (7, 100)])
def test_every_index_is_covered_exactly_once(n, chunk):
    hits = torch.zeros(n, dtype=torch.long)
    seen: list[tuple[int, int]] = []

    def work(start: int, stop: int) -> None:
        seen.append((start, stop))
        hits[start:stop] += 1  # disjoint slices: no two chunks touch the same element

    run_chunks(n, chunk, work, torch.device("cpu"))
    assert torch.equal(hits, torch.ones(n, dtype=torch.long))
    assert sorted(seen) == [(s, min(s + chunk, n)) for s in range(0, n, chunk)]


def test_process_thread_setting_survives_the_worker_pool():
    before = torch.get_num_threads()
    out = torch.empty(40, 1000)
    run_chunks(40, 5, lambda a, b: out[a:b].copy_(torch.arange(a, b).view(-1, 1).expand(-1, 1000)), torch.device("cpu"))
    assert torch.get_num_threads() == before
    assert torch.equal(out[:, 0], torch.arange(40, dtype=out.dtype))


@pytest.mark.parametrize("count", [1, 2, 13])
def test_run_shared_calls_every_index_once_with_the_caller_taking_part(count):
    import threading

    seen: list[tuple[int, str]] = []
    run_shared(count, lambda i: seen.append((i, threading.current_thread().name)), torch.device("cpu"))
    assert sorted(i for i, _ in seen) == list(range(count))
    assert any(name == threading.current_thread().name for _, name in seen)  # the caller works too


def test_run_shared_does_not_wait_for_a_worker_that_never_started():
    import threading
    import time

    from omniaug import parallel

    real = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        pool = parallel._executor(2)
        release = threading.Event()
        blockers = [pool.submit(release.wait) for _ in range(2)]  # both workers busy elsewhere
        timer = threading.Timer(3.0, release.set)  # frees them after 3 s in any case
        timer.start()
        seen: list[int] = []
        start = time.perf_counter()
        run_shared(5, seen.append, torch.device("cpu"))
        elapsed = time.perf_counter() - start
        assert sorted(seen) == list(range(5))  # the caller did every item itself...
        assert elapsed < 1.5  # ...and returned without waiting for the busy workers
        release.set()
        timer.cancel()
        for b in blockers:
            b.result()
    finally:
        torch.set_num_threads(real)


def test_run_shared_reraises_an_error_from_an_item():
    def boom(i: int) -> None:
        if i == 3:
            raise ValueError("item 3")

    real = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        with pytest.raises(ValueError, match="item 3"):
            run_shared(6, boom, torch.device("cpu"))
    finally:
        torch.set_num_threads(real)


def test_run_chunks_caller_takes_part_with_one_intra_op_thread_and_restores_its_setting():
    import threading
    import time

    real = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        seen: list[tuple[int, str, int]] = []

        def work(start: int, stop: int) -> None:
            seen.append((start, threading.current_thread().name, torch.get_num_threads()))
            time.sleep(0.002)  # long enough that the caller is never starved of chunks

        run_chunks(40, 2, work, torch.device("cpu"))
        assert sorted(s for s, _, _ in seen) == list(range(0, 40, 2))
        assert all(t == 1 for _, _, t in seen)  # every chunk, the caller's included, on one intra-op thread
        assert any(name == threading.current_thread().name for _, name, _ in seen)
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError, match="chunk 6"):
            run_chunks(
                10,
                2,
                lambda a, b: (_ for _ in ()).throw(RuntimeError(f"chunk {a}")) if a == 6 else None,
                torch.device("cpu"),
            )
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(real)


@pytest.mark.parametrize(
    "make",
    [
        lambda: torch.rand(3, 5) - 0.25,  # small: the calling thread alone
        lambda: torch.randn(9_000_001, dtype=torch.float64),  # chunked, the last chunk partial
        lambda: torch.randint(-7, 1000, (4, 50), dtype=torch.int64),
        lambda: torch.rand(300, 200).t(),  # not contiguous
    ],
)
def test_value_range_equals_aminmax_and_leaves_the_thread_setting(monkeypatch, make):
    import omniaug.parallel as parallel

    monkeypatch.setattr(parallel, "RANGE_PARALLEL_MIN", 1 << 20)  # exercise the chunked path on a modest tensor
    t = make()
    before = torch.get_num_threads()
    lo, hi = parallel.value_range(t)
    ref_lo, ref_hi = torch.aminmax(t)
    assert (lo, hi) == (ref_lo.item(), ref_hi.item())
    assert type(lo) is type(ref_lo.item())
    assert torch.get_num_threads() == before


@pytest.mark.parametrize("n", [10, 3_000_000])
def test_value_range_propagates_nan_and_inf(monkeypatch, n):
    import math

    import omniaug.parallel as parallel

    monkeypatch.setattr(parallel, "RANGE_PARALLEL_MIN", 1 << 20)
    t = torch.rand(n)
    t[n // 2] = float("inf")
    assert parallel.value_range(t)[1] == math.inf
    t[n - 1] = float("nan")  # in the last chunk
    lo, hi = parallel.value_range(t)
    assert math.isnan(lo) and math.isnan(hi)


def test_single_thread_restores_the_setting_after_an_error():
    from omniaug.parallel import single_thread

    before = torch.get_num_threads()
    with pytest.raises(RuntimeError), single_thread():
        assert torch.get_num_threads() == 1
        raise RuntimeError("boom")
    assert torch.get_num_threads() == before
