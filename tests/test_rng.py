"""Seeded per-sample draws: reproducible, owned by the caller, statistically right."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from omniaug import rng


def test_same_seed_same_draws_and_successive_calls_differ():
    a = rng.uniform(16, 0.0, 1.0, generator=rng.make_generator(5))
    b = rng.uniform(16, 0.0, 1.0, generator=rng.make_generator(5))
    assert torch.equal(a, b)
    g = rng.make_generator(5)
    assert not torch.equal(rng.uniform(16, 0.0, 1.0, generator=g), rng.uniform(16, 0.0, 1.0, generator=g))


def test_draws_never_touch_global_rng_state():
    torch_state = torch.get_rng_state()
    py_state = random.getstate()
    np_state = np.random.get_state()[1].copy()
    g = rng.make_generator(1)
    rng.uniform(8, 0, 1, generator=g)
    rng.normal(8, generator=g)
    rng.beta(8, 0.3, generator=g)
    rng.bernoulli(8, 0.5, generator=g)
    rng.randint(8, 0, 10, generator=g)
    rng.derangement(8, generator=g)
    rng.choose_k(8, 5, 2, generator=g)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert random.getstate() == py_state
    assert np.array_equal(np.random.get_state()[1], np_state)


@pytest.mark.parametrize("alpha", [0.2, 1.0, 3.0])
def test_beta_matches_its_mean_and_variance(alpha):
    x = rng.beta(40000, alpha, generator=rng.make_generator(2)).double()
    var = alpha * alpha / ((2 * alpha) ** 2 * (2 * alpha + 1))
    assert abs(x.mean().item() - 0.5) < 0.01
    assert abs(x.var().item() - var) < 0.1 * var
    assert bool(((x >= 0) & (x <= 1)).all())


def test_beta_asymmetric_mean():
    x = rng.beta(40000, 2.0, 5.0, generator=rng.make_generator(3)).double()
    assert abs(x.mean().item() - 2 / 7) < 0.01


def test_beta_rejects_bad_concentration():
    with pytest.raises(ValueError, match="concentration"):
        rng.beta(4, 0.0)


@pytest.mark.parametrize("n", [2, 3, 7, 64])
def test_derangement_never_pairs_a_sample_with_itself(n):
    g = rng.make_generator(n)
    for _ in range(50):
        d = rng.derangement(n, generator=g)
        assert sorted(d.tolist()) == list(range(n))
        assert not bool((d == torch.arange(n)).any())


def test_derangement_of_one_is_itself():
    assert rng.derangement(1).tolist() == [0]


def test_choose_k_picks_exactly_k_per_sample_uniformly():
    m = rng.choose_k(20000, 4, 2, generator=rng.make_generator(0))
    assert bool((m.sum(1) == 2).all())
    freq = m.float().mean(0)
    assert torch.allclose(freq, torch.full((4,), 0.5), atol=0.02)


def test_randint_with_per_sample_high():
    high = torch.tensor([1, 2, 5, 100])
    x = rng.randint(4, 0, high, shape=(1000,), generator=rng.make_generator(0))
    assert bool((x >= 0).all()) and bool((x < high.unsqueeze(1)).all())
    assert x[3].max() > 90


def test_same_on_batch_repeats_one_draw():
    x = rng.normal(6, shape=(3,), same_on_batch=True, generator=rng.make_generator(0))
    assert torch.equal(x, x[:1].expand(6, 3))


def test_seed_for_separates_workers_and_ranks():
    seeds = {rng.seed_for(0, rank, worker) for rank in range(4) for worker in range(8)}
    assert len(seeds) == 32
    assert rng.seed_for(0, 1, 2) == rng.seed_for(0, 1, 2)


def _worker_draw(_: int) -> torch.Tensor:
    return rng.uniform(1, 0.0, 1.0, generator=rng.stream_generator(123))


def test_stream_generator_distinct_per_dataloader_worker():
    loader = torch.utils.data.DataLoader(range(4), batch_size=1, num_workers=2, collate_fn=lambda b: _worker_draw(b[0]))
    draws = [float(t) for t in loader]
    # worker 0 yields items 0, 2; worker 1 yields 1, 3: the two workers have distinct streams
    assert draws[0] != draws[1]
    again = [float(t) for t in loader]
    assert draws == again


def test_spawn_gives_independent_reproducible_children():
    a1, a2 = rng.spawn(rng.make_generator(0), 2)
    b1, _ = rng.spawn(rng.make_generator(0), 2)
    assert torch.equal(torch.rand(4, generator=a1), torch.rand(4, generator=b1))
    assert not torch.equal(torch.rand(4, generator=a2), torch.rand(4, generator=rng.spawn(rng.make_generator(0), 2)[0]))
    assert rng.spawn(None, 2) == [None, None]


def _big_draws(seed: int, kind: str) -> torch.Tensor:
    g = rng.make_generator(seed)
    if kind == "bits":
        return rng.random_bits(3 * rng.CHUNK + 7, generator=g)
    draw = rng.normal if kind == "normal" else rng.uniform
    args = () if kind == "normal" else (0.0, 1.0)
    return draw(3, *args, shape=(2, rng.CHUNK // 2 + 7), generator=g)  # 3 chunks + a ragged tail


@pytest.mark.parametrize("kind", ["normal", "uniform", "bits"])
def test_large_cpu_draws_are_reproducible_for_any_thread_count(kind, monkeypatch):
    # rng asks torch.get_num_threads() how many threads to fill with; patching it keeps
    # the process's own setting, which is restored below (the worker pool resets it)
    real = torch.get_num_threads()
    try:
        monkeypatch.setattr(torch, "get_num_threads", lambda: 1)
        serial = _big_draws(3, kind)
        monkeypatch.setattr(torch, "get_num_threads", lambda: 3)
        parallel = _big_draws(3, kind)
    finally:
        monkeypatch.undo()
        torch.set_num_threads(real)
    assert torch.equal(serial, parallel)
    assert not torch.equal(serial, _big_draws(4, kind))


@pytest.mark.parametrize("kind", ["normal", "uniform"])
def test_large_cpu_draws_are_distributed_right_and_chunks_differ(kind):
    x = _big_draws(0, kind).flatten().double()
    if kind == "normal":
        assert abs(float(x.mean())) < 0.01 and abs(float(x.std()) - 1.0) < 0.01
        assert abs(float((x.abs() < 1.0).double().mean()) - 0.6827) < 0.005
    else:
        assert float(x.min()) >= 0.0 and float(x.max()) < 1.0
        assert abs(float(x.mean()) - 0.5) < 0.005 and abs(float(x.var()) - 1 / 12) < 0.002
    c = rng.chunk_size(x.numel())
    first, second = x[:c], x[c : 2 * c]
    assert not torch.equal(first, second)
    assert abs(float(torch.corrcoef(torch.stack([first, second]))[0, 1])) < 0.02  # chunks are independent


def test_large_draws_keep_the_generator_stream_moving_and_global_state_untouched():
    state = torch.get_rng_state()
    g = rng.make_generator(1)
    a = rng.normal(2, shape=(rng.CHUNK,), generator=g)
    b = rng.normal(2, shape=(rng.CHUNK,), generator=g)
    assert not torch.equal(a, b)
    assert torch.equal(torch.get_rng_state(), state)


def _worker_big_draw(i: int) -> torch.Tensor:
    return rng.normal(1, shape=(2 * rng.CHUNK,), generator=rng.make_generator(i))[0, :4]


def test_large_draws_work_in_forked_dataloader_workers_after_use_in_the_parent():
    real = torch.get_num_threads()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(torch, "get_num_threads", lambda: 2)
        parent = _worker_big_draw(0)  # starts the thread pool in this process before the fork
        # workers inherit the patch through fork, so they fill in parallel too: a pool
        # inherited from the parent would hang them, a rebuilt one works
        loader = torch.utils.data.DataLoader(
            range(2), batch_size=1, num_workers=2, collate_fn=lambda b: _worker_big_draw(b[0]), timeout=60
        )
        draws = list(loader)
    torch.set_num_threads(real)
    assert torch.equal(draws[0], parent)
    assert not torch.equal(draws[0], draws[1])


def test_chunk_size_depends_on_the_size_only():
    assert rng.chunk_size(2 * rng.CHUNK - 1) == 0  # small and mid-size draws: one piece
    assert rng.chunk_size(2 * rng.CHUNK) == rng.CHUNK
    assert rng.chunk_size(100 * rng.CHUNK) == rng.CHUNK


@pytest.mark.parametrize("count", [1000, 3 * rng.CHUNK + 7])
def test_random_bits_use_all_64_bits_evenly(count):
    words = rng.random_bits(count, generator=rng.make_generator(0))
    assert words.dtype == torch.int64 and words.shape == (count,)
    bits = (words.unsqueeze(1) >> torch.arange(64)) & 1  # arithmetic shift: bit 63 is the sign
    share = bits.double().mean(0)
    assert float((share - 0.5).abs().max()) < 5 / (count**0.5)  # every bit position is a fair coin
    as16 = words.view(torch.int16).double()
    assert abs(float(as16.mean())) < 40000 / (count**0.5)  # int16 views are centred
    g = rng.make_generator(1)
    assert not torch.equal(rng.random_bits(count, generator=g), rng.random_bits(count, generator=g))


def test_randint_with_scalar_bounds_is_uniform_in_range_and_follows_the_generator():
    k = rng.randint(20_000, 3, 9, generator=rng.make_generator(0))
    assert k.dtype == torch.long and k.shape == (20_000,)
    assert int(k.min()) == 3 and int(k.max()) == 8
    counts = torch.bincount(k - 3, minlength=6).double()
    assert float((counts / 20_000 - 1 / 6).abs().max()) < 0.015
    assert torch.equal(k, rng.randint(20_000, 3, 9, generator=rng.make_generator(0)))
    same = rng.randint(5, 0, 100, shape=(2,), generator=rng.make_generator(1), same_on_batch=True)
    assert same.shape == (5, 2) and bool((same == same[0]).all())
