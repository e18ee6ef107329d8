"""Seeded, per-sample random draws from a caller-owned ``torch.Generator``.

Every random choice in omniaug goes through these helpers. They never seed or
read Python's ``random``, NumPy's or torch's global state. With
``generator=None`` each helper call draws a fresh 64-bit seed from the operating
system (``os.urandom``) and uses a new generator seeded with it
(:func:`os_generator`): the draws are then not reproducible, and seeding torch
globally (``torch.manual_seed``) neither changes them nor is changed by them —
the global generator's state is never read or advanced. Pass a generator
(``make_generator(seed)``) to reproduce a run.

A ``torch.Generator`` lives on one device. Draws are made on the generator's
device and moved to the requested device, so a CPU generator can drive a CUDA
batch (a small, asynchronous copy of the parameter tensors). Pass a generator on
the input's device to avoid even that.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TypeVar, cast

import numpy as np
import torch

from . import host as _host
from . import keyed as _keyed
from . import memory
from .errors import InputError
from .host import host_views
from .keyed import KeyedGenerator
from .parallel import run_shared

__all__ = [
    "make_generator",
    "os_generator",
    "random_bits",
    "chunk_size",
    "uniform",
    "normal",
    "beta",
    "bernoulli",
    "randint",
    "permutation",
    "derangement",
    "choose_k",
    "seed_for",
    "sample_seeds",
    "derive_seeds",
    "seed_uniforms",
    "stream_generator",
    "worker_init_fn",
    "spawn",
    "subset_generator",
    "KeyedGenerator",
]

_MASK64 = (1 << 64) - 1
_GAMMA_U = np.uint64(_keyed.GAMMA)
_Ints = TypeVar("_Ints", torch.Tensor, np.ndarray)


def make_generator(seed: int, device: torch.device | str | None = None) -> torch.Generator:
    """Return a new ``torch.Generator`` on ``device`` seeded with ``seed``."""
    g = torch.Generator(device=torch.device(device) if device is not None else "cpu")
    g.manual_seed(int(seed) & _MASK64)
    return g


def os_generator(device: torch.device | str = "cpu") -> torch.Generator:
    """A new generator on ``device`` seeded from the operating system's entropy (``os.urandom``).

    What every helper here uses when it is given ``generator=None``: torch's global
    generator is never read, so ``torch.manual_seed`` does not make such draws
    repeat and augmenting never disturbs a training loop's global random stream.
    """
    return make_generator(int.from_bytes(os.urandom(8), "little"), device)


def _own(generator: torch.Generator | None, device: torch.device | str) -> torch.Generator:
    """``generator``, or a fresh OS-seeded one on ``device`` when it is None."""
    return generator if generator is not None else os_generator(device)


def _gen_device(generator: torch.Generator | None, device: torch.device) -> torch.device:
    return generator.device if generator is not None else device


def _finish(t: torch.Tensor, device: torch.device, dtype: torch.dtype | None) -> torch.Tensor:
    if dtype is not None and t.dtype != dtype:
        t = t.to(dtype)
    return t.to(device, non_blocking=True) if t.device != device else t


#: large CPU draws are filled in chunks of this many numbers, each from its own child
#: generator seeded from the caller's generator (see _draw)
CHUNK = 1 << 16


def chunk_size(numel: int) -> int:
    """Numbers per chunk of a CPU draw of ``numel`` numbers (0: drawn in one piece).

    A function of the size alone, so a draw is the same for any thread count. Draws
    under ``2 * CHUNK`` stay in one piece: splitting them (tried down to 16 384-number
    chunks) made a 48 000-number jitter draw slower, not faster (batch-16 time series;
    docs/performance.md, "Design measurements"). Probably the worker that takes a chunk competes for the
    second core with torch's own OpenMP thread, still spinning after the previous op;
    that is not proven.
    """
    return CHUNK if numel >= 2 * CHUNK else 0


def _draw(
    kind: str,
    shape: tuple[int, ...],
    generator: torch.Generator | None,
    device: torch.device,
    a: float = 0.0,
    b: float = 1.0,
) -> torch.Tensor:
    """Uniform numbers in ``[a, b)`` or normal ones with mean ``a`` and std ``b`` (``kind``
    "uniform" / "normal"), or random int64 words ("bits"), of ``shape``.

    The scale is applied inside the fill: no second pass over a large draw (a pass
    right after the parallel fill also pays for moving the buffer between cores).

    Why not just ``torch.randn``: on the CPU torch draws from one Mersenne Twister,
    serially, which made noise generation the largest cost of
    whole pipelines (jitter on 256 series × 3000 steps, coloured noise on 1 M audio
    samples). A draw of at least ``2 * CHUNK`` numbers is split into chunks of
    ``CHUNK`` numbers (:func:`chunk_size`); each chunk is filled by a child generator
    seeded from ``generator`` (one small draw), and the chunks are filled in parallel
    by the calling thread and worker threads (:func:`omniaug.parallel.run_shared`;
    torch releases the GIL inside the fill). The chunking depends only on the size, so the result is the same for
    any thread count, and it is still fully determined by the caller's generator.
    Accelerators keep the plain call (their generators are counter-based and parallel
    already).
    """
    numel = 1
    for d in shape:
        numel *= d
    size = chunk_size(numel) if device.type == "cpu" else 0
    if size == 0:
        return _fill(
            torch.empty(shape, dtype=torch.int64 if kind == "bits" else torch.float32, device=device),
            kind,
            generator,
            a,
            b,
        )
    chunks = -(-numel // size)
    seeds = torch.randint(0, 2**62, (chunks,), generator=generator, device=device).tolist()
    out = memory.empty(shape, device=device, dtype=torch.int64 if kind == "bits" else torch.float32)
    flat = out.view(-1)

    def fill_chunk(i: int) -> None:
        child = torch.Generator(device=device)
        child.manual_seed(seeds[i])
        _fill(flat[i * size : (i + 1) * size], kind, child, a, b)

    run_shared(chunks, fill_chunk, device)  # chunks filled in parallel, the caller included
    return out


def _fill(
    part: torch.Tensor, kind: str, generator: torch.Generator | None, a: float = 0.0, b: float = 1.0
) -> torch.Tensor:
    if kind == "uniform":
        return part.uniform_(a, b, generator=generator)
    if kind == "bits":  # from = int64 min, to = None: all 64 bits random (the default range is [0, 2^63))
        return part.random_(-(2**63), None, generator=generator)
    return part.normal_(a, b, generator=generator)


def random_bits(
    count: int | tuple[int, int], *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """``count`` int64 words whose 64 bits are all uniformly random.

    The cheapest randomness there is on the CPU: one Mersenne Twister output per
    word, where ``torch.rand`` spends one per float. View the words as ``int16`` /
    ``uint8`` to get 4 / 8 uniform values per word. Large draws are chunked and filled
    in parallel like :func:`uniform` and :func:`normal`. ``count`` may be ``(rows,
    words per row)``: a ``(rows, words)`` tensor, which keyed generators draw per row.
    """
    if isinstance(generator, KeyedGenerator):
        return _keyed.random_bits(count, generator=generator, device=device)
    device = torch.device(device)
    generator = _own(generator, device)
    if isinstance(count, tuple):
        return _finish(_draw("bits", tuple(count), generator, _gen_device(generator, device)), device, None)
    return _finish(_draw("bits", (count,), generator, _gen_device(generator, device)), device, None)


def _shape(n: int, shape: Sequence[int], same_on_batch: bool) -> tuple[int, ...]:
    return (1 if same_on_batch else n, *shape)


def _expand(t: torch.Tensor, n: int, same_on_batch: bool) -> torch.Tensor:
    return t.expand(n, *t.shape[1:]).contiguous() if same_on_batch else t


def uniform(
    n: int,
    low: float | torch.Tensor,
    high: float | torch.Tensor,
    *,
    shape: Sequence[int] = (),
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    same_on_batch: bool = False,
) -> torch.Tensor:
    """``n`` draws (times ``shape``) uniform in ``[low, high)``, shape ``(n, *shape)``."""
    if isinstance(generator, KeyedGenerator):
        return _keyed.uniform(
            n, low, high, shape=shape, generator=generator, device=device, dtype=dtype, same_on_batch=same_on_batch
        )
    device = torch.device(device)
    generator = _own(generator, device)
    gdev = _gen_device(generator, device)
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low <= high:  # scaled inside the fill
        u = _draw("uniform", _shape(n, shape, same_on_batch), generator, gdev, float(low), float(high))
        return _expand(_finish(u, device, dtype), n, same_on_batch)
    u = _draw("uniform", _shape(n, shape, same_on_batch), generator, gdev)
    u = _expand(_finish(u, device, dtype), n, same_on_batch)
    low_t = torch.as_tensor(low, dtype=dtype, device=device)
    high_t = torch.as_tensor(high, dtype=dtype, device=device)
    return low_t + (high_t - low_t) * u


def normal(
    n: int,
    mean: float | torch.Tensor = 0.0,
    std: float | torch.Tensor = 1.0,
    *,
    shape: Sequence[int] = (),
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    same_on_batch: bool = False,
) -> torch.Tensor:
    """``n`` Gaussian draws (times ``shape``), shape ``(n, *shape)``."""
    if isinstance(generator, KeyedGenerator):
        return _keyed.normal(
            n, mean, std, shape=shape, generator=generator, device=device, dtype=dtype, same_on_batch=same_on_batch
        )
    device = torch.device(device)
    generator = _own(generator, device)
    gdev = _gen_device(generator, device)
    if isinstance(std, (int, float)) and isinstance(mean, (int, float)) and std >= 0:  # scaled inside the fill
        z = _draw("normal", _shape(n, shape, same_on_batch), generator, gdev, float(mean), float(std))
        return _expand(_finish(z, device, dtype), n, same_on_batch)
    z = _draw("normal", _shape(n, shape, same_on_batch), generator, gdev)
    z = _expand(_finish(z, device, dtype), n, same_on_batch)
    std_t = torch.as_tensor(std, dtype=dtype, device=device)
    mean_t = torch.as_tensor(mean, dtype=dtype, device=device)
    if torch.broadcast_shapes(z.shape, std_t.shape, mean_t.shape) != z.shape:
        return mean_t + std_t * z  # arguments broadcast the draw to a larger shape
    return z.mul_(std_t).add_(mean_t)


def beta(
    n: int,
    alpha: float,
    beta_: float | None = None,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    dtype: torch.dtype = torch.float32,
    same_on_batch: bool = False,
) -> torch.Tensor:
    """``n`` draws from Beta(alpha, beta_) (``beta_`` defaults to ``alpha``), shape ``(n,)``.

    Sampled as X / (X + Y) with X, Y ~ Gamma(alpha), Gamma(beta_), drawn in float64 by
    Marsaglia–Tsang rejection from this module's own ``randn``/``rand`` calls on
    ``generator`` (``torch._standard_gamma`` and ``torch.distributions.Beta`` take
    no generator), with the ``U ** (1 / a)`` boost for concentrations below 1.
    """
    if isinstance(generator, KeyedGenerator):
        return _keyed.beta(
            n, alpha, beta_, generator=generator, device=device, dtype=dtype, same_on_batch=same_on_batch
        )
    if alpha <= 0 or (beta_ is not None and beta_ <= 0):
        raise ValueError(f"beta: concentration must be > 0, got alpha={alpha}, beta={beta_}")
    device = torch.device(device)
    generator = _own(generator, device)
    b = alpha if beta_ is None else beta_
    m = 1 if same_on_batch else n
    gdev = _gen_device(generator, device)
    conc = torch.tensor([alpha, b], dtype=torch.float64, device=gdev).expand(m, 2).contiguous()
    g = _standard_gamma(conc, generator)
    x = g[:, 0] / (g[:, 0] + g[:, 1]).clamp_min(torch.finfo(torch.float64).tiny)
    return _expand(_finish(x, device, dtype), n, same_on_batch)


def _standard_gamma(conc: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    # torch._standard_gamma has no generator argument; Marsaglia–Tsang with our own
    # normal/uniform draws keeps the stream owned by the caller's generator.
    boost = conc < 1
    a = torch.where(boost, conc + 1, conc)
    d = a - 1.0 / 3.0
    c = 1.0 / torch.sqrt(9.0 * d)
    out = torch.zeros_like(a)
    done = torch.zeros_like(a, dtype=torch.bool)
    # Acceptance is > 95 % per round; 32 rounds leave an unaccepted entry with
    # probability < 1e-40. Rounds are fully vectorized over the batch.
    for _ in range(32):
        z = torch.randn(a.shape, generator=generator, device=a.device, dtype=a.dtype)
        u = torch.rand(a.shape, generator=generator, device=a.device, dtype=a.dtype)
        v = (1 + c * z) ** 3
        ok = (v > 0) & (torch.log(u.clamp_min(1e-300)) < 0.5 * z * z + d - d * v + d * torch.log(v.clamp_min(1e-300)))
        take = ok & ~done
        out = torch.where(take, d * v, out)
        done = done | ok
        if bool(done.all()):
            break
    out = torch.where(done, out, d)  # practically unreachable fallback: the mode
    if bool(boost.any()):
        u = torch.rand(a.shape, generator=generator, device=a.device, dtype=a.dtype)
        out = torch.where(boost, out * u.clamp_min(1e-300) ** (1.0 / conc), out)
    return out


def bernoulli(
    n: int,
    p: float | torch.Tensor,
    *,
    shape: Sequence[int] = (),
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    same_on_batch: bool = False,
) -> torch.Tensor:
    """``n`` boolean draws that are True with probability ``p``, shape ``(n, *shape)``."""
    if isinstance(generator, KeyedGenerator):
        return _keyed.bernoulli(n, p, shape=shape, generator=generator, device=device, same_on_batch=same_on_batch)
    device = torch.device(device)
    generator = _own(generator, device)
    u = torch.rand(_shape(n, shape, same_on_batch), generator=generator, device=_gen_device(generator, device))
    u = _expand(_finish(u, device, None), n, same_on_batch)
    return u < torch.as_tensor(p, dtype=u.dtype, device=device)


def randint(
    n: int,
    low: int,
    high: int | torch.Tensor,
    *,
    shape: Sequence[int] = (),
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    same_on_batch: bool = False,
) -> torch.Tensor:
    """``n`` integers uniform in ``[low, high)``; ``high`` may be a per-sample tensor."""
    if isinstance(generator, KeyedGenerator):
        return _keyed.randint(
            n, low, high, shape=shape, generator=generator, device=device, same_on_batch=same_on_batch
        )
    device = torch.device(device)
    generator = _own(generator, device)
    if isinstance(high, int) and isinstance(low, int) and high > low:  # one call, much cheaper than the general path
        k = torch.randint(
            low, high, _shape(n, shape, same_on_batch), generator=generator, device=_gen_device(generator, device)
        )
        return _expand(_finish(k, device, None), n, same_on_batch)
    u = torch.rand(
        _shape(n, shape, same_on_batch), generator=generator, device=_gen_device(generator, device), dtype=torch.float64
    )
    u = _expand(_finish(u, device, None), n, same_on_batch)
    high_t = torch.as_tensor(high, device=device)
    if high_t.dim() > 0 and len(shape) > 0:
        high_t = high_t.reshape(-1, *([1] * len(shape)))
    span = (high_t - low).to(torch.float64)
    return (low + torch.floor(u * span)).to(torch.long).clamp_max((high_t - 1).clamp_min(low))


def permutation(
    n: int, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """A uniformly random permutation of ``range(n)`` on ``device`` (batch-level for a keyed generator)."""
    if isinstance(generator, KeyedGenerator):
        return _keyed.permutation(n, generator=generator, device=device)
    device = torch.device(device)
    generator = _own(generator, device)
    return _finish(torch.randperm(n, generator=generator, device=_gen_device(generator, device)), device, None)


def derangement(
    n: int, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """A random partner for every sample such that nobody is paired with itself.

    A random ordering is drawn and each sample is paired with its successor in that
    ordering (a single cycle), so for ``n > 1`` ``out[i] != i`` always; for
    ``n == 1`` the only sample is paired with itself.
    """
    device = torch.device(device)
    order = permutation(n, generator=generator, device=device)
    partner = torch.empty_like(order)
    partner[order] = order.roll(-1)
    return partner


def choose_k(
    n: int,
    num_options: int,
    k: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    same_on_batch: bool = False,
) -> torch.Tensor:
    """Per sample, a boolean mask over ``num_options`` with exactly ``k`` True, shape ``(n, num_options)``."""
    if not 0 <= k <= num_options:
        raise ValueError(f"choose_k: k must be in [0, {num_options}], got {k}")
    keys = uniform(n, 0.0, 1.0, shape=(num_options,), generator=generator, device=device, same_on_batch=same_on_batch)
    ranks = keys.argsort(dim=1).argsort(dim=1)
    return ranks < k


# ---------------------------------------------------------------- seeding streams


def _splitmix64(x: int) -> int:
    """One SplitMix64 step: :func:`omniaug.keyed.mix64` of ``x + γ``."""
    return _keyed.mix64(x + _keyed.GAMMA)


def seed_for(base_seed: int, *keys: int) -> int:
    """Mix ``base_seed`` with integer ``keys`` (worker id, rank, epoch, …) into a 63-bit seed.

    Distinct keys give statistically independent streams (splitmix64 mixing), unlike
    ``base_seed + worker_id``, which makes neighbouring seeds overlap.
    """
    h = _splitmix64(int(base_seed) & _MASK64)
    for k in keys:
        h = _splitmix64(h ^ (int(k) & _MASK64))
    return h & ((1 << 63) - 1)


# ---------------------------------------------------------------- per-sample seeds
_SEED_MASK = (1 << 63) - 1


def sample_seeds(
    n: int, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> torch.Tensor:
    """One seed per sample: ``n`` ``int64`` values uniform in ``[0, 2**63)`` from the caller's generator.

    The core per-sample seed facility, for ops whose randomness per sample has no
    fixed shape (choices among a graph's edges, a string's words, a program's
    sites). The seeds are the op's params (one row per sample, so they slice per
    sample), and every value is a counter-based hash of ``(seed, purpose, counters…)``:
    :func:`seed_for` on one seed in Python, :func:`derive_seeds` on a tensor of
    seeds. A sample's values then depend on its seed only, never on its batch or on
    how many values the other samples needed. A keyed generator gives each row its
    own seed (per item).
    """
    return random_bits(n, generator=generator, device=device) & _SEED_MASK


def derive_seeds(seeds: _Ints, *keys: int) -> _Ints:
    """:func:`seed_for` ``(seed, *keys)`` of every element of an ``int64`` tensor or array, vectorized.

    Bit-identical to the scalar function (tested); same type, shape and device as
    ``seeds``; values in ``[0, 2**63)``. Small CPU tensors are mixed in NumPy
    (:mod:`omniaug.host`), others in torch on their device.
    """
    host = host_views(seeds) if isinstance(seeds, torch.Tensor) and seeds.dtype == torch.int64 else None
    if isinstance(seeds, np.ndarray) or host is not None:
        arr = seeds if isinstance(seeds, np.ndarray) else host[0]  # type: ignore[index]
        h = arr.astype(np.int64).view(np.uint64) + _GAMMA_U  # a new array: mixed in place below
        _keyed._mix_np(h)
        for k in keys:
            h ^= np.uint64(int(k) & _MASK64)
            h += _GAMMA_U
            _keyed._mix_np(h)
        out = (h & np.uint64(_SEED_MASK)).view(np.int64)
        return out if isinstance(seeds, np.ndarray) else torch.from_numpy(out)
    if not isinstance(seeds, torch.Tensor) or seeds.dtype != torch.int64:
        raise InputError("seeds", "an int64 tensor or array of seeds", seeds, where="derive_seeds")
    gamma = _keyed._tconst(_keyed.GAMMA, seeds.device)
    t = _keyed._mix_torch(seeds + gamma)
    for k in keys:
        t = _keyed._mix_torch((t ^ _keyed._tconst(int(k) & _MASK64, seeds.device)) + gamma)
    return t & _keyed._tconst(_SEED_MASK, seeds.device)


def seed_uniforms(seeds: torch.Tensor, width: int) -> torch.Tensor:
    """``(n, width)`` float64 uniforms in ``[0, 1)`` from per-sample seeds: each seed's SplitMix64 stream.

    Element ``i`` of row ``b`` is the top 53 bits of ``mix64(seed_b + (i + 1) · γ)``
    (:func:`omniaug.keyed.mix64`), so it depends on the seed and ``i`` only: a row
    padded to a batch's widest sample starts with the row the sample gets alone.
    For per-sample Python work that reads a row of numbers in a fixed order (text
    ops). Small CPU tensors in NumPy (:mod:`omniaug.host`), others in torch.
    """
    if not isinstance(seeds, torch.Tensor) or seeds.dtype != torch.int64 or seeds.dim() != 1:
        raise InputError("seeds", "a 1-D int64 tensor of seeds", seeds, where="seed_uniforms")
    host = host_views(seeds, limit=None) if _host.use_host(seeds.numel() * width) else None
    if host is not None:
        steps = np.arange(1, width + 1, dtype=np.uint64) * _GAMMA_U
        words = _keyed._mix_np(host[0].view(np.uint64)[:, None] + steps[None, :])
        return torch.from_numpy((words >> np.uint64(11)).astype(np.float64) * 2.0**-53)
    steps_t = torch.arange(1, width + 1, dtype=torch.int64, device=seeds.device) * _keyed._tconst(
        _keyed.GAMMA, seeds.device
    )
    words_t = _keyed._mix_torch(seeds[:, None] + steps_t[None, :])
    return _keyed._srl(words_t, 11).to(torch.float64) * 2.0**-53


def _distributed_rank() -> int:
    try:
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            return int(dist.get_rank())
    except Exception:  # pragma: no cover - distributed not usable
        pass
    return int(os.environ.get("RANK", "0"))


def stream_generator(base_seed: int, *, epoch: int = 0, device: torch.device | str | None = None) -> torch.Generator:
    """A generator distinct per DataLoader worker and per ``torch.distributed`` rank.

    Call it inside a Dataset's ``__getitem__``/worker or in ``worker_init_fn``; in the
    main process the worker id counts as -1. Reproducible for the same
    ``(base_seed, rank, worker, epoch)``.
    """
    info = torch.utils.data.get_worker_info()
    worker = info.id if info is not None else -1
    return make_generator(seed_for(base_seed, _distributed_rank(), worker, epoch), device)


def worker_init_fn(worker_id: int) -> None:
    """``DataLoader(worker_init_fn=omniaug.rng.worker_init_fn)``: a distinct default generator per worker.

    PyTorch already reseeds its default generator per worker; this also mixes in the
    distributed rank, so ranks sharing a loader seed do not repeat each other. It only
    touches the worker process's own default torch generator (which each worker owns).
    """
    info = torch.utils.data.get_worker_info()
    base = info.seed if info is not None else 0
    torch.default_generator.manual_seed(seed_for(base, _distributed_rank(), worker_id))


def spawn(generator: torch.Generator | None, count: int) -> list[torch.Generator | None]:
    """Derive ``count`` independent child generators from ``generator`` (None stays None).

    Useful to give two views of a batch their own streams from one caller generator.
    """
    if generator is None:
        return [None] * count
    if isinstance(generator, KeyedGenerator):
        # a keyed generator stands in for a torch.Generator wherever one is taken (the draws dispatch on it)
        return cast("list[torch.Generator | None]", list(_keyed.spawn(generator, count)))
    seeds = torch.randint(0, 2**62, (count,), generator=generator, device=generator.device).tolist()
    return [make_generator(s, generator.device) for s in seeds]


def subset_generator(generator: torch.Generator | KeyedGenerator | None, idx: torch.Tensor) -> torch.Generator | None:
    """The generator to pass when running on rows ``idx`` of a batch (containers call it).

    A :class:`~omniaug.keyed.KeyedGenerator` becomes a view over those rows, so a
    branch advances only its own rows' counters; any other generator is returned as is.
    Typed as a ``torch.Generator``: a keyed generator stands in for one wherever a
    generator is taken (the draws dispatch on it).
    """
    return cast("torch.Generator | None", _keyed.restrict(generator, idx))
