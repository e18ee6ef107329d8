"""Keyed per-item randomness: a row's draws depend on (seed, item key, copy), never on its batch."""

from __future__ import annotations

import dataclasses
import math
import random
import warnings
from typing import Any

import numpy as np
import pytest
import torch
from scipy import stats

import omniaug
from omniaug import keyed, rng
from omniaug.keyed import GAMMA, KeyedGenerator, item_hash, mix64, row_seeds

KEYS = [f"clips/speaker{i % 7}/utt{i:03d}.wav" for i in range(64)]


def _split_draws(draw: Any, keys: list[str], size: int) -> torch.Tensor:
    """The draws of ``keys`` made in batches of ``size``, concatenated."""
    parts = [
        draw(KeyedGenerator.from_keys(3, keys[i : i + size], copy=1), len(keys[i : i + size]))
        for i in range(0, len(keys), size)
    ]
    return torch.cat(parts)


DRAWS = {
    "uniform": lambda g, n: rng.uniform(n, -2.0, 5.0, generator=g),
    "uniform_shape": lambda g, n: rng.uniform(n, 0.0, 1.0, shape=(3, 4), generator=g),
    "uniform_tensor_bounds": lambda g, n: rng.uniform(n, torch.zeros(n), torch.arange(1.0, n + 1.0), generator=g),
    "uniform_float64": lambda g, n: rng.uniform(n, 0.0, 1.0, generator=g, dtype=torch.float64),
    "normal": lambda g, n: rng.normal(n, 1.0, 0.5, generator=g),
    "normal_shape": lambda g, n: rng.normal(n, shape=(17,), generator=g),
    "normal_large": lambda g, n: rng.normal(n, shape=(2, keyed.LARGE), generator=g),
    "uniform_large": lambda g, n: rng.uniform(n, -1.0, 1.0, shape=(keyed.LARGE,), generator=g),
    "bernoulli": lambda g, n: rng.bernoulli(n, 0.3, generator=g),
    "bernoulli_shape": lambda g, n: rng.bernoulli(n, 0.5, shape=(9,), generator=g),
    "randint": lambda g, n: rng.randint(n, 3, 11, generator=g),
    "randint_wide": lambda g, n: rng.randint(n, 0, 2**53, generator=g),
    "randint_tensor_high": lambda g, n: rng.randint(n, 0, torch.arange(1, n + 1), generator=g),
    "randint_k_per_row": lambda g, n: rng.randint(3 * n, 0, 100, generator=g),
    "beta": lambda g, n: rng.beta(n, 0.4, generator=g),
    "beta_asym": lambda g, n: rng.beta(n, 2.0, 0.5, generator=g),
    "bits": lambda g, n: rng.random_bits(5 * n, generator=g),
    "bits_rows": lambda g, n: rng.random_bits((n, 7), generator=g),
    "bits_large": lambda g, n: rng.random_bits((n, keyed.LARGE), generator=g),
    "choose_k": lambda g, n: rng.choose_k(n, 6, 2, generator=g),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_batch_draw_equals_per_item_draws_for_every_batch_size(name):
    draw = DRAWS[name]
    whole = _split_draws(draw, KEYS, 64)
    for size in (1, 8, 16):
        if name in {"uniform_tensor_bounds", "randint_tensor_high"}:
            continue  # bounds are per position, not per item: checked below
        assert torch.equal(_split_draws(draw, KEYS, size), whole), size


@pytest.mark.parametrize("kind", ["uniform", "uniform_float64", "normal", "bits"])
def test_a_padded_draw_gives_each_row_a_prefix_of_its_own_draw(kind):
    """Ragged rows (texts) draw ``(rows, widest)``: a row's numbers must not depend on the width,
    on either side of the hash / generator switch (LARGE) and across generator blocks."""
    draw = {
        "uniform": lambda g, w: rng.uniform(g.rows, -1.0, 3.0, shape=(w,), generator=g),
        "uniform_float64": lambda g, w: rng.uniform(g.rows, 0.0, 1.0, shape=(w,), generator=g, dtype=torch.float64),
        "normal": lambda g, w: rng.normal(g.rows, 0.5, 2.0, shape=(w,), generator=g),
        "bits": lambda g, w: rng.random_bits((g.rows, w), generator=g),
    }[kind]
    widths = [7, keyed.LARGE - 3, keyed.LARGE, keyed.LARGE + 1, keyed.LARGE + 21, keyed.LARGE + keyed.BLOCK + 5]
    ref = draw(KeyedGenerator.from_keys(2, KEYS[:3]), widths[-1])
    for w in widths[:-1]:
        assert torch.equal(draw(KeyedGenerator.from_keys(2, KEYS[:3]), w), ref[:, :w]), w
    alone = draw(KeyedGenerator.from_keys(2, KEYS[1:2]), keyed.LARGE + 40)
    assert torch.equal(alone[0], ref[1, : keyed.LARGE + 40])


def test_tensor_bounds_follow_the_rows():
    g1 = KeyedGenerator.from_keys(0, KEYS[:8])
    g2 = KeyedGenerator.from_keys(0, KEYS[:8])
    high = torch.arange(1.0, 9.0)
    a = rng.uniform(8, torch.zeros(8), high, generator=g1)
    u = rng.uniform(8, 0.0, 1.0, generator=g2)
    assert torch.allclose(a, u * high)
    assert (a < high).all()


def test_scalar_oracle_of_the_hash():
    """Element e of call c for row r is mix64(seed_r + c·γ + e·δ), in plain Python integers."""
    key, seed, copy = "a/b.png", 11, 2
    s = mix64(mix64(mix64(seed) ^ item_hash(key)) ^ copy)
    assert int(row_seeds(seed, [key], copy=copy)[0]) == s
    g = KeyedGenerator.from_keys(seed, [key], copy=copy)
    first = rng.uniform(1, 0.0, 1.0, generator=g)
    assert float(first[0]) == (mix64(s + GAMMA) >> 40) * 2.0**-24
    words = rng.random_bits((1, 3), generator=g)
    for e in range(3):
        want = mix64(s + 2 * GAMMA + e * keyed.DELTA)
        assert int(words[0, e]) & ((1 << 64) - 1) == want
    k = rng.randint(1, 0, 10, generator=g)
    assert int(k[0]) == ((mix64(s + 3 * GAMMA) >> 32) * 10) >> 32


def test_small_shaped_draws_of_changing_widths_follow_the_scalar_oracle():
    """The in-step small-draw path (its kept ``seed + e·δ`` per width) gives every row
    mix64(seed_r + c·γ + e·δ) on every call, whatever widths came before."""
    keys = KEYS[:5]
    g = KeyedGenerator.from_keys(4, keys)
    seeds = [int(s) for s in row_seeds(4, keys)]
    for c, width in enumerate([3, 5, 3, 1, 5, 3], start=1):
        got = rng.uniform(len(keys), 0.0, 1.0, shape=(width,), generator=g)
        for r, s in enumerate(seeds):
            want = [(mix64(s + c * GAMMA + e * keyed.DELTA) >> 40) * 2.0**-24 for e in range(width)]
            assert got[r].tolist() == want, (c, width, r)


def test_item_keys_are_stable_and_distinct():
    assert item_hash("x/y.wav") == item_hash("x\\y.wav")  # same relative path on every OS
    assert item_hash("3") != item_hash(3)
    assert item_hash(3) == mix64(3)
    assert len({item_hash(k) for k in KEYS}) == len(KEYS)
    ints = row_seeds(5, np.arange(100), copy=1)
    assert np.array_equal(ints, row_seeds(5, list(range(100)), copy=1))
    assert len(set(ints.tolist())) == 100
    assert not np.array_equal(row_seeds(5, KEYS, copy=0), row_seeds(5, KEYS, copy=1))
    with pytest.raises(omniaug.InputError):
        item_hash(1.5)  # type: ignore[arg-type]


def test_subset_views_advance_only_their_rows():
    """A branch run on some rows leaves the other rows' streams where they were."""
    g = KeyedGenerator.from_keys(0, KEYS[:6])
    idx = torch.tensor([1, 4])
    rng.uniform(2, 0.0, 1.0, generator=rng.subset_generator(g, idx))
    after = rng.uniform(6, 0.0, 1.0, generator=g)
    for i in range(6):
        alone = KeyedGenerator.from_keys(0, [KEYS[i]])
        if i in (1, 4):
            rng.uniform(1, 0.0, 1.0, generator=alone)
        assert float(rng.uniform(1, 0.0, 1.0, generator=alone)[0]) == float(after[i])
    assert rng.subset_generator(None, idx) is None
    tg = rng.make_generator(0)
    assert rng.subset_generator(tg, idx) is tg


def test_cached_and_diverged_paths_agree():
    """The block cache (rows in step) and the per-row path (after a branch) give the same numbers."""
    g1 = KeyedGenerator.from_keys(9, KEYS)
    g2 = KeyedGenerator.from_keys(9, KEYS)
    rng.uniform(0, 0.0, 1.0, generator=rng.subset_generator(g2, torch.zeros(0, dtype=torch.long)))
    g2._root._diverge()  # per-row counters from now on
    for draw in (DRAWS["uniform"], DRAWS["normal"], DRAWS["bernoulli"], DRAWS["randint"]):
        for _ in range(70):  # past a cache block
            assert torch.equal(draw(g1, 64), draw(g2, 64))


def test_torch_path_matches_numpy_path():
    """The formulas used on accelerators (int64 tensors) give the CPU's bits."""
    state = row_seeds(1, KEYS)
    w_np = keyed._words(state, 3, 40)
    w_t = keyed._words(torch.from_numpy(state.view(np.int64)), 3, 40)
    assert np.array_equal(w_np.view(np.int64), w_t.numpy())
    assert np.array_equal(keyed._unit24(w_np), keyed._unit24(w_t).numpy())
    assert np.array_equal(keyed._hi32(w_np).view(np.int64), keyed._hi32(w_t).numpy())
    assert np.allclose(keyed._gauss(w_np), keyed._gauss(w_t).numpy(), atol=1e-5)
    assert np.allclose(keyed._gauss2(w_np), keyed._gauss2(w_t).numpy(), atol=1e-5)
    u = keyed._unit24(w_np)
    assert np.array_equal(keyed._scale(u, 3.5, -1.25), keyed._scale(torch.from_numpy(u), 3.5, -1.25).numpy())


def test_distributions_are_right():
    g = KeyedGenerator.from_keys(0, range(4000))
    u = rng.uniform(4000, 0.0, 1.0, shape=(5,), generator=g).flatten().numpy()
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    z = rng.normal(4000, shape=(5,), generator=g).flatten().numpy()
    assert stats.kstest(z, "norm").pvalue > 1e-3
    zl = rng.normal(2, shape=(keyed.LARGE,), generator=KeyedGenerator.from_keys(0, range(2))).flatten().numpy()
    assert stats.kstest(zl, "norm").pvalue > 1e-3
    k = rng.randint(4000, 0, 7, shape=(5,), generator=g).flatten().numpy()
    assert stats.chisquare(np.bincount(k, minlength=7)).pvalue > 1e-3
    b = rng.bernoulli(4000, 0.25, generator=g).float().mean().item()
    assert abs(b - 0.25) < 0.03
    x = rng.beta(4000, 0.5, 2.0, generator=g).numpy().astype(np.float64)
    assert stats.kstest(x, "beta", args=(0.5, 2.0)).pvalue > 1e-3
    # neighbouring rows and successive calls are uncorrelated
    a = rng.uniform(4000, 0.0, 1.0, generator=g).numpy()
    c = rng.uniform(4000, 0.0, 1.0, generator=g).numpy()
    assert abs(np.corrcoef(a[:-1], a[1:])[0, 1]) < 0.06
    assert abs(np.corrcoef(a, c)[0, 1]) < 0.06


def test_same_on_batch_repeats_the_first_row():
    g = KeyedGenerator.from_keys(0, KEYS[:5])
    v = rng.uniform(5, 0.0, 1.0, generator=g, same_on_batch=True)
    assert torch.equal(v, v[:1].expand(5))


def test_batch_level_draws_are_reproducible_and_said_so():
    keyed._WARNED = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = rng.randint(1, 1, 8, generator=KeyedGenerator.from_keys(0, KEYS[:8]))
    assert any("batch-level" in str(w.message) for w in caught)
    b = rng.randint(1, 1, 8, generator=KeyedGenerator.from_keys(0, KEYS[:8]))
    assert torch.equal(a, b)
    p = rng.derangement(8, generator=KeyedGenerator.from_keys(0, KEYS[:8]))
    assert sorted(p.tolist()) == list(range(8)) and not (p == torch.arange(8)).any()


def test_keyed_draws_never_touch_global_rng_state():
    torch_state = torch.get_rng_state()
    py_state = random.getstate()
    np_state = np.random.get_state()[1].copy()
    g = KeyedGenerator.from_keys(0, KEYS)
    for draw in DRAWS.values():
        draw(g, 64)
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert random.getstate() == py_state
    assert np.array_equal(np.random.get_state()[1], np_state)


def test_spawn_gives_independent_keyed_streams():
    a, b = rng.spawn(KeyedGenerator.from_keys(0, KEYS[:8]), 2)
    assert isinstance(a, KeyedGenerator) and a.rows == 8
    assert not torch.equal(rng.uniform(8, 0.0, 1.0, generator=a), rng.uniform(8, 0.0, 1.0, generator=b))
    c, _ = rng.spawn(KeyedGenerator.from_keys(0, KEYS[2:3]), 2)
    a2, _ = rng.spawn(KeyedGenerator.from_keys(0, KEYS[:8]), 2)
    assert float(rng.uniform(1, 0.0, 1.0, generator=c)[0]) == float(rng.uniform(8, 0.0, 1.0, generator=a2)[2])


def test_bad_subset_rows_are_refused():
    with pytest.raises(omniaug.InputError):
        KeyedGenerator.from_keys(0, KEYS[:3]).subset([0, 5])


# ------------------------------------------------------------------ real pipelines
def _leaves(x: Any) -> list[Any]:
    if isinstance(x, torch.Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in _leaves(v)]
    if isinstance(x, dict):
        return [leaf for v in x.values() for leaf in _leaves(v)]
    if hasattr(x, "to_data_list"):
        return [leaf for d in x.to_data_list() for leaf in _leaves(d.to_dict())]
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return [leaf for f in dataclasses.fields(x) for leaf in _leaves(getattr(x, f.name))]
    return [x]


def _identical(a: Any, b: Any) -> bool:
    la, lb = _leaves(a), _leaves(b)
    return len(la) == len(lb) and all(
        (isinstance(u, torch.Tensor) and isinstance(v, torch.Tensor) and u.shape == v.shape and torch.equal(u, v))
        or (not isinstance(u, torch.Tensor) and u == v)
        for u, v in zip(la, lb)
    )


def _real_batch(modality: str) -> Any:
    spec = omniaug.registry().modality(modality)
    if modality == "image":  # 64 crops of the two photos scikit-learn ships
        from sklearn.datasets import load_sample_images

        photos = [torch.from_numpy(np.array(im)).permute(2, 0, 1).float() / 255.0 for im in load_sample_images().images]
        crops = [photos[i % 2][:, 20 + 40 * (i // 8) :][:, :96, 20 + 60 * (i % 8) :][:, :, :96] for i in range(64)]
        return torch.stack(crops).contiguous()
    return spec.example(batch_size=64, generator=rng.make_generator(1))


#: presets whose outputs are bitwise batch-invariant (all of them: no exemption list)
PRESETS = sorted(
    {
        "image.default",
        "image.geometric",
        "spectrogram.specaugment",
        "tokens.default",
        "text.noise",
        "text.default",
        "graph.default",
        "audio.default",
        "timeseries.default",
        "timeseries.um2017",
    }
)


@pytest.mark.parametrize(
    "preset", [pytest.param(p, marks=pytest.mark.slow) if p == "audio.default" else p for p in PRESETS]
)
def test_real_pipelines_give_each_row_the_same_output_for_batch_sizes_1_8_16_64(preset):
    reg = omniaug.registry()
    if preset not in reg.presets:
        pytest.skip(f"{preset} not installed")
    p = reg.preset(preset)
    spec, t = reg.modality(p.modality), p.build()
    x = _real_batch(p.modality)
    results = {}
    for size in (1, 8, 16, 64):
        rows = []
        for s in range(0, 64, size):
            out = t(
                spec.subset(x, torch.arange(s, s + size)), generator=KeyedGenerator.from_keys(7, KEYS[s : s + size])
            )
            rows += [spec.subset(out, torch.tensor([i])) for i in range(size)]
        results[size] = rows
    same = sum(all(_identical(results[64][i], results[s][i]) for s in (1, 8, 16)) for i in range(64))
    assert same == 64


def _ops(t: Any) -> list[Any]:
    children = getattr(t, "transforms", None)
    if children:
        return [op for c in children for op in _ops(c)]
    inner = getattr(t, "_inner", None)
    return _ops(inner) if inner is not None else [t]


@pytest.mark.parametrize("preset", ["audio.default", "timeseries.default", "timeseries.um2017", "image.default"])
def test_every_op_draws_the_same_params_for_a_row_alone_and_in_a_batch(preset):
    reg = omniaug.registry()
    if preset not in reg.presets:
        pytest.skip(f"{preset} not installed")
    p = reg.preset(preset)
    spec, t = reg.modality(p.modality), p.build()
    x = _real_batch(p.modality)
    for op in _ops(t):
        batch = op.sample_params(x, generator=KeyedGenerator.from_keys(7, KEYS))
        for i in (0, 9, 63):
            alone = op.sample_params(
                spec.subset(x, torch.tensor([i])), generator=KeyedGenerator.from_keys(7, KEYS[i : i + 1])
            )
            for name, v in batch.items():
                if isinstance(v, torch.Tensor):
                    assert torch.equal(v[i : i + 1], alone[name]), (type(op).__name__, name)


#: ops whose kernels once rounded a row differently by batch size or thread count (a lone
#: row's matmul / MKL FFT, torch's fused complex multiply): now per row by construction
KERNEL_OPS = [
    ("timeseries.frequency_mask", {}),
    ("timeseries.frequency_noise", {}),
    ("timeseries.magnitude_warp", {}),
    ("timeseries.magnitude_warp", {"per_channel": False}),
    ("timeseries.time_warp", {}),
    ("timeseries.time_warp", {"sigma": 1.0, "per_channel": True}),
    ("timeseries.drift", {}),
    ("image.random_field_affine", {}),
    ("image.random_field_color", {}),
]


def _kernel_inputs(modality: str) -> list[Any]:
    """Real-shaped inputs of 64 rows: a univariate and a padded 3-channel series batch, or photo crops."""
    g = torch.Generator().manual_seed(5)
    if modality == "image":
        return [_real_batch("image")[:, :, :40, :52].contiguous()]
    from omniaug_timeseries.series import SeriesBatch

    lengths = torch.randint(40, 151, (64,), generator=g)
    return [torch.randn(64, 1, 257, generator=g), SeriesBatch(torch.randn(64, 3, 150, generator=g), lengths=lengths)]


@pytest.mark.parametrize("name,kwargs", KERNEL_OPS, ids=[f"{n}-{'-'.join(k) or 'default'}" for n, k in KERNEL_OPS])
def test_kernels_give_a_row_the_same_bits_alone_in_batches_of_8_and_64_and_on_1_or_2_threads(name, kwargs):
    reg = omniaug.registry()
    if name not in reg.augmentations:
        pytest.skip(f"{name} not installed")
    op = reg.augmentation(name)(**kwargs)
    spec = op.modality_spec()

    def rows(x: Any, lo: int, hi: int, size: int) -> list[torch.Tensor]:
        out = []
        for s in range(lo, hi, size):
            y = op(spec.subset(x, torch.arange(s, s + size)), generator=KeyedGenerator.from_keys(4, KEYS[s : s + size]))
            y = y if isinstance(y, torch.Tensor) else y.values
            out += list(y)
        return out

    threads = torch.get_num_threads()
    try:
        for x in _kernel_inputs(op.modality_name()):
            torch.set_num_threads(2)
            ref = rows(x, 0, 64, 64)
            runs = {"batches of 8": rows(x, 0, 64, 8), "alone": rows(x, 0, 16, 1)}
            torch.set_num_threads(1)
            runs["1 thread"] = rows(x, 0, 64, 64)
            runs["alone, 1 thread"] = rows(x, 48, 64, 1)
            for how, got in runs.items():
                start = 48 if how == "alone, 1 thread" else 0
                same = [torch.equal(r, ref[start + i]) for i, r in enumerate(got)]
                assert all(same), (how, f"{sum(same)}/{len(same)} rows identical")
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("rows,m", [(3, 5), (256, 3), (256, 3072), (7, 6000), (2, keyed.TILE + 7), (1, 3 * keyed.TILE)])
def test_tiled_hashing_and_fused_conversions_equal_the_plain_path(rows, m):
    """The fast paths (tile by tile over the threads; scale and Bernoulli threshold fused into the
    conversion) give exactly the one-pass reference's numbers."""
    state = row_seeds(8, KEYS[:rows]) + np.uint64(5 * GAMMA & ((1 << 64) - 1))
    words = keyed._words(state, 0, m)
    assert np.array_equal(keyed._hashed(state, m), words)
    assert np.array_equal(keyed._hashed(state, m, keyed._gauss), keyed._gauss(words))
    assert np.array_equal(keyed._hashed(state, m, keyed._gauss2), keyed._gauss2(words))
    for scale, low in [(3.5, -1.25), (1.0, 0.0), (-2.0, 1.0), (1e-35, 0.5), (0.0, 2.0)]:
        want = keyed._scale(keyed._unit24(words), scale, low)
        assert np.array_equal(keyed._hashed(state, m, keyed._uniform24(scale, low)), want)
        assert np.array_equal(keyed._hashed(state, m, keyed._uniform24(scale, low), tiled=False), want)
    for p in [0.0, 0.3, 0.5, 1 / 3, 1.0, 1.5, -0.2, float("nan")]:
        want = keyed._unit24(words) < np.float32(p)
        assert np.array_equal(keyed._hashed(state, m, keyed._below24(p)), want), p


# ------------------------------------------------------------------ normals: two per word
def test_normals_are_both_box_muller_outputs_of_one_word():
    """Element 2j / 2j + 1 of a row's normal draw is r·cos θ / r·sin θ of word j (scalar oracle, float64
    math vs float32: to rounding); a one-number draw is the cosine output, as column 0 of a wider draw."""
    key, seed = "a/b.wav", 5
    g = KeyedGenerator.from_keys(seed, [key])
    z = rng.normal(1, shape=(7,), generator=g)[0].tolist()
    s = int(row_seeds(seed, [key])[0])
    for e, v in enumerate(z):
        w = mix64(s + GAMMA + (e // 2) * keyed.DELTA)
        r = math.sqrt(-2.0 * math.log(((w >> 32) + 1) * 2.0**-32))
        th = 2.0 * math.pi * (w & 0xFFFFFFFF) * 2.0**-32
        assert v == pytest.approx(r * (math.sin(th) if e % 2 else math.cos(th)), abs=2e-5), e
    one = rng.normal(64, generator=KeyedGenerator.from_keys(1, KEYS))
    wide = rng.normal(64, shape=(4,), generator=KeyedGenerator.from_keys(1, KEYS))
    assert torch.equal(one, wide[:, 0])
    # the pair converter's even elements are the one-number converter's bits, including the
    # angle read from the words' low halves in place (edge values of the low half)
    lows = np.array([0, 1, 2**24 - 1, 2**24 + 1, 2**31, 2**32 - 2, 2**32 - 1], dtype=np.uint64)
    words = np.concatenate([lows | np.uint64(hi << 32) for hi in (0, 2**31, 2**32 - 1)]).reshape(3, -1)
    words = np.concatenate([words, keyed._words(row_seeds(0, KEYS[:3]), 0, 64)], axis=1)
    want = (words & keyed._LOW32).view(np.int64).astype(np.float32) * keyed._TWO_PI_32
    assert np.array_equal(keyed._angle(words), want)
    assert np.array_equal(keyed._gauss2(words)[:, 0::2], keyed._gauss(words))
    assert np.isfinite(keyed._gauss2(words)).all()


def _quality_failures(z: np.ndarray, u: np.ndarray) -> list[str]:
    """What a large keyed normal draw ``z`` and uniform draw ``u`` (rows × columns) fail: moments, KS and
    chi-square of the marginals, correlation of neighbours (columns 1 and 2 apart, rows; squares too, which
    sees two normals sharing a Box–Muller radius), 2-D uniformity of neighbouring uniforms. Thresholds are
    5 standard errors (a p-value of 1e-4): the draw is fixed, so the test is deterministic."""
    fails = []
    zf, uf = z.astype(np.float64).ravel(), u.astype(np.float64).ravel()
    n = zf.size
    for name, value, want, se in [
        ("mean", zf.mean(), 0.0, 1 / math.sqrt(n)),
        ("variance", zf.var(), 1.0, math.sqrt(2 / n)),
        ("skewness", stats.skew(zf), 0.0, math.sqrt(6 / n)),
        ("excess kurtosis", stats.kurtosis(zf), 0.0, math.sqrt(24 / n)),
    ]:
        if not abs(value - want) < 5 * se:
            fails.append(f"normal {name} {value:.4f}")
    for name, p in [
        ("normal KS", stats.kstest(zf, "norm").pvalue),
        ("uniform KS", stats.kstest(uf, "uniform").pvalue),
        (
            "uniform chi-square (1024 bins)",
            stats.chisquare(np.bincount((uf * 1024).astype(int), minlength=1024)).pvalue,
        ),
    ]:
        if not p > 1e-4:
            fails.append(f"{name} p={p:.2g}")

    def corr(name: str, a: np.ndarray, b: np.ndarray) -> None:
        c = np.corrcoef(a.astype(np.float64).ravel(), b.astype(np.float64).ravel())[0, 1]
        if not abs(c) < 5 / math.sqrt(a.size):
            fails.append(f"{name} correlation {c:.4f}")

    for name, x in (("normal", z), ("uniform", u)):
        corr(f"{name} adjacent columns", x[:, :-1], x[:, 1:])
        corr(f"{name} columns 2 apart", x[:, :-2], x[:, 2:])
        corr(f"{name} adjacent rows", x[:-1], x[1:])
    corr("normal squares, columns 2j and 2j+1", z[:, 0::2] ** 2, z[:, 1::2] ** 2)
    corr("normal squares, columns 2j+1 and 2j+2", z[:, 1:-1:2] ** 2, z[:, 2::2] ** 2)
    corr("normal squares, adjacent rows", z[:-1] ** 2, z[1:] ** 2)
    for name, a, b in (("columns", u[:, :-1], u[:, 1:]), ("rows", u[:-1], u[1:])):
        cells = (a.ravel() * 16).astype(int) * 16 + (b.ravel() * 16).astype(int)
        p = stats.chisquare(np.bincount(cells, minlength=256)).pvalue
        if not p > 1e-4:
            fails.append(f"uniform neighbouring {name} 16×16 chi-square p={p:.2g}")
    return fails


def _large_keyed_draws(g: KeyedGenerator) -> tuple[np.ndarray, np.ndarray]:
    z = rng.normal(256, shape=(1024,), generator=g).numpy()
    u = rng.uniform(256, 0.0, 1.0, shape=(1024,), generator=g).numpy()
    return z, u


def test_large_keyed_draws_pass_the_statistical_checks():
    assert _quality_failures(*_large_keyed_draws(KeyedGenerator.from_keys(0, range(256)))) == []


def _mix_identity(x: np.ndarray) -> np.ndarray:
    return x


def _mix_multiply_only(x: np.ndarray) -> np.ndarray:
    x *= keyed._M1_U
    return x


def _gauss2_shared_radius(w: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """A broken pair converter: one radius for two independent angles (uncorrelated, dependent)."""
    r, th, th2 = keyed._radius(w), keyed._angle(w), keyed._angle(w >> np.uint64(16))
    out = np.empty((*w.shape[:-1], 2 * w.shape[-1]), dtype=np.float32) if out is None else out
    out[..., 0::2], out[..., 1::2] = r * np.cos(th), r * np.cos(th2)
    return out


@pytest.mark.parametrize(
    "weak,expect",
    [
        ({"_mix_np": _mix_identity}, "adjacent columns"),  # no finalizer: the words are a Weyl sequence
        ({"_mix_np": _mix_multiply_only}, "adjacent columns"),  # one multiply, no xor-shifts
        ({"_gauss2": _gauss2_shared_radius}, "squares, columns 2j and 2j+1"),
        ({}, "adjacent rows"),  # every row keyed alike (below)
    ],
    ids=["no-mixing", "multiply-only", "shared-radius", "same-key-rows"],
)
def test_the_statistical_checks_catch_weak_generators(weak, expect, monkeypatch):
    g = KeyedGenerator.from_keys(0, range(256) if weak else [0] * 256)  # row seeds from the real mix
    for name, fn in weak.items():
        monkeypatch.setattr(keyed, name, fn)
    fails = _quality_failures(*_large_keyed_draws(g))
    assert any(expect in f for f in fails), fails
