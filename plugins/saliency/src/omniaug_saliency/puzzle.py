"""Puzzle Mix's objective (Kim et al. 2020) and a batched solver for it, with an exact reference on small grids.

Notation. A sample ``x₀`` and its partner ``x₁`` are cut into the same grid of
``n = gh·gw`` blocks (segments for 1-D data: ``gh = 1``). ``s₀, s₁ ∈ ℝⁿ`` are
their block saliencies, each normalised to sum to 1. The decision is

* a label per block ``z_j ∈ {0, 1/(m−1), …, 1}`` — the share of ``x₀`` at output
  block ``j`` (``m = n_labels``; ``m = 2`` is a hard cut, ``m = 3`` allows
  half-blended blocks, as in the paper);
* a permutation ``π_s`` of each source's blocks (transport): output block ``j``
  shows block ``π_s(j)`` of source ``s``. Blocks only move **within** their source.

The mixed sample is ``z ⊙ π₀(x₀) + (1 − z) ⊙ π₁(x₁)`` and the objective
minimised, per sample, is::

    E(z, π₀, π₁) = − Σ_j [ z_j · s₀[π₀(j)] + (1 − z_j) · s₁[π₁(j)] ]      saliency kept per source
                   + β/(16·√n) · Σ_{j~k} (z_j − z_k)²                       smoothness, 4-neighbours
                   + η/n · Σ_j −log Binom(z_j·(m−1); m−1, λ)                label prior, E[z_j] = λ
                   + ξ · Σ_s Σ_j D(π_s(j), j)                                transport cost

with ``D(i, j) = ((r_i − r_j)² + (c_i − c_j)²) / (max(gh, gw) − 1)²`` the
normalised squared distance between block positions. The constants are the
official implementation's (``beta / block_num / 16``, ``eta / block_num²``,
``cost_matrix / (width − 1)²``); defaults ``β = 1.2, η = 0.2, ξ = 0.8``. The prior is
per block (a binomial with mean λ), so it pulls ``mean(z)`` towards λ without
forcing it; the soft labels use the share actually kept. The paper's optional
data-dependent boundary term (``γ``, image discontinuity across a cut) is left out.

Solver (:func:`solve`, batched, every step a tensor op on the input's device;
rows never interact, so a batch gives the same result as its samples one by one):

1. **labels** — mean-field on the grid (annealed temperature) from the unary
   costs, rounded, then checkerboard ICM: the two colour classes of the grid
   are conditionally independent, so updating a whole class at once is exact
   coordinate descent and the energy never increases. A second start (each block
   to the source with more saliency, thresholded so that ``mean(z) ≈ λ``) is run
   too; the lower energy wins per sample.
2. **transport** — for fixed ``z`` each source's permutation is a linear
   assignment problem, benefit ``a_s[i, j] = s_s[i]·r_s[j] − ξ·D(i, j)`` with
   ``r₀ = z``, ``r₁ = 1 − z``. It is solved by a batched Jacobi auction
   (Bertsekas) with ε-scaling: ε-optimal, i.e. within ``n·ε`` of the optimum, and
   always a permutation.
3. ``rounds > 1`` alternates: labels again on the transported saliency (starting
   from the previous labels), then transport; the best energy per sample is kept.

:func:`reference_solve` is the exact minimum for small grids (every labelling
enumerated, exact transport per labelling with
``scipy.optimize.linear_sum_assignment``), used in the tests to bound the gap.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import torch

__all__ = [
    "PuzzleWeights",
    "Solution",
    "label_values",
    "label_prior",
    "block_distance",
    "energy",
    "solve",
    "solve_labels",
    "transport",
    "auction",
    "reference_solve",
]


@dataclass(frozen=True)
class PuzzleWeights:
    """Weights of the objective (see the module docstring); defaults are the paper's code's."""

    beta: float = 1.2
    eta: float = 0.2
    xi: float = 0.8
    n_labels: int = 2


class Solution(tuple):  # type: ignore[type-arg]
    """``(z_index (B, gh, gw) long, perm0 (B, n) long, perm1 (B, n) long, energy (B,))``."""

    __slots__ = ()

    def __new__(cls, z: torch.Tensor, perm0: torch.Tensor, perm1: torch.Tensor, value: torch.Tensor) -> Solution:
        return super().__new__(cls, (z, perm0, perm1, value))

    z = property(lambda self: self[0])
    perm0 = property(lambda self: self[1])
    perm1 = property(lambda self: self[2])
    energy = property(lambda self: self[3])


def label_values(m: int, *, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The ``m`` label values ``0, 1/(m−1), …, 1`` (share of the sample itself)."""
    return torch.linspace(0.0, 1.0, m, device=device, dtype=dtype)


def label_prior(lam: torch.Tensor, m: int) -> torch.Tensor:
    """``(B, m)`` costs ``−log Binom(l; m−1, λ)``: block label ``l`` keeps ``l/(m−1)`` of the sample (mean λ)."""
    lam = lam.clamp(1e-3, 1.0 - 1e-3).unsqueeze(1)
    k = torch.arange(m, device=lam.device, dtype=lam.dtype).unsqueeze(0)
    log_binom = torch.tensor(
        [math.lgamma(m) - math.lgamma(k + 1) - math.lgamma(m - k) for k in range(m)], dtype=lam.dtype, device=lam.device
    )
    return -(log_binom + k * torch.log(lam) + (m - 1 - k) * torch.log1p(-lam))


def block_distance(
    gh: int, gw: int, *, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """``(n, n)`` normalised squared distance between block positions (the paper's transport cost)."""
    r = torch.arange(gh, device=device, dtype=dtype).repeat_interleave(gw)
    c = torch.arange(gw, device=device, dtype=dtype).repeat(gh)
    d = (r.unsqueeze(1) - r.unsqueeze(0)) ** 2 + (c.unsqueeze(1) - c.unsqueeze(0)) ** 2
    return d / float(max(max(gh, gw) - 1, 1) ** 2)


def _edge_weight(w: PuzzleWeights, n: int) -> float:
    return w.beta / (16.0 * math.sqrt(n))


def _neighbour_sum(v: torch.Tensor) -> torch.Tensor:
    """Sum over the 4-neighbours of every grid cell of ``v`` ``(..., gh, gw)`` (missing neighbours count 0)."""
    out = torch.zeros_like(v)
    out[..., 1:, :] += v[..., :-1, :]
    out[..., :-1, :] += v[..., 1:, :]
    out[..., :, 1:] += v[..., :, :-1]
    out[..., :, :-1] += v[..., :, 1:]
    return out


def _unary(t0: torch.Tensor, t1: torch.Tensor, lam: torch.Tensor, w: PuzzleWeights) -> torch.Tensor:
    """``(B, gh, gw, m)`` unary cost of every label at every block given (transported) saliencies ``t0, t1``."""
    n = t0.shape[1] * t0.shape[2]
    v = label_values(w.n_labels, device=t0.device, dtype=t0.dtype)
    kept = -(v * t0.unsqueeze(-1) + (1.0 - v) * t1.unsqueeze(-1))
    prior = (w.eta / n) * label_prior(lam.to(t0.dtype), w.n_labels)
    return kept + prior.view(-1, 1, 1, w.n_labels)


def _label_energy(z: torch.Tensor, unary: torch.Tensor, w: PuzzleWeights) -> torch.Tensor:
    """Unary + smoothness of integer labels ``z`` ``(B, gh, gw)``."""
    n = z.shape[1] * z.shape[2]
    u = unary.gather(-1, z.unsqueeze(-1)).squeeze(-1).sum((1, 2))
    zv = z.to(unary.dtype) / max(w.n_labels - 1, 1)
    smooth = ((zv[:, 1:, :] - zv[:, :-1, :]) ** 2).sum((1, 2)) + ((zv[:, :, 1:] - zv[:, :, :-1]) ** 2).sum((1, 2))
    return u + _edge_weight(w, n) * smooth


def energy(
    z: torch.Tensor,
    perm0: torch.Tensor,
    perm1: torch.Tensor,
    s0: torch.Tensor,
    s1: torch.Tensor,
    lam: torch.Tensor,
    weights: PuzzleWeights = PuzzleWeights(),
) -> torch.Tensor:
    """The objective ``E`` ``(B,)`` of labels ``z`` ``(B, gh, gw)`` and transports ``perm0/perm1`` ``(B, n)``."""
    b, gh, gw = s0.shape
    t0 = s0.reshape(b, -1).gather(1, perm0).view(b, gh, gw)
    t1 = s1.reshape(b, -1).gather(1, perm1).view(b, gh, gw)
    d = block_distance(gh, gw, device=s0.device, dtype=s0.dtype)
    pos = torch.arange(gh * gw, device=s0.device)
    cost = d[perm0, pos].sum(1) + d[perm1, pos].sum(1)
    return _label_energy(z, _unary(t0, t1, lam, weights), weights) + weights.xi * cost


def _local_costs(z: torch.Tensor, unary: torch.Tensor, w: PuzzleWeights) -> torch.Tensor:
    """``(B, gh, gw, m)`` energy terms touching block ``j`` for every label of ``j``, the others fixed."""
    m = w.n_labels
    n = z.shape[1] * z.shape[2]
    v = label_values(m, device=unary.device, dtype=unary.dtype)
    zv = z.to(unary.dtype) / max(m - 1, 1)
    ones = torch.ones_like(zv)
    cnt, s1, s2 = _neighbour_sum(ones), _neighbour_sum(zv), _neighbour_sum(zv * zv)
    # Σ_k (v_l − z_k)² = cnt·v_l² − 2·v_l·Σz_k + Σz_k²
    pair = cnt.unsqueeze(-1) * v * v - 2.0 * s1.unsqueeze(-1) * v + s2.unsqueeze(-1)
    return unary + _edge_weight(w, n) * pair


def _icm(z: torch.Tensor, unary: torch.Tensor, w: PuzzleWeights, sweeps: int) -> torch.Tensor:
    """Checkerboard ICM: exact coordinate descent on each colour class in turn (the energy never increases)."""
    gh, gw = z.shape[1:]
    colour = (torch.arange(gh, device=z.device).view(-1, 1) + torch.arange(gw, device=z.device).view(1, -1)) % 2
    for _ in range(sweeps):
        changed = torch.zeros((), dtype=torch.bool, device=z.device)
        for c in (0, 1):
            local = _local_costs(z, unary, w)
            new_cost, best = local.min(-1)
            cur = local.gather(-1, z.unsqueeze(-1)).squeeze(-1)
            move = (colour == c) & (new_cost < cur - 1e-12)
            changed = changed | move.any()
            z = torch.where(move, best, z)
        if not bool(changed):
            break
    return z


def _mean_field(unary: torch.Tensor, w: PuzzleWeights, iters: int) -> torch.Tensor:
    """Annealed mean-field on the grid; returns the rounded labels ``(B, gh, gw)``."""
    m = w.n_labels
    n = unary.shape[1] * unary.shape[2]
    v = label_values(m, device=unary.device, dtype=unary.dtype)
    scale = unary.abs().amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-12)
    q = torch.softmax(-unary / (0.5 * scale), dim=-1)
    ones = torch.ones(unary.shape[:3], device=unary.device, dtype=unary.dtype)
    cnt = _neighbour_sum(ones)
    for t in range(iters):
        temp = scale * (0.5 * (0.02 / 0.5) ** (t / max(iters - 1, 1)))  # 0.5·scale → 0.02·scale
        e1 = (q * v).sum(-1)
        e2 = (q * v * v).sum(-1)
        pair = cnt.unsqueeze(-1) * v * v - 2.0 * _neighbour_sum(e1).unsqueeze(-1) * v + _neighbour_sum(e2).unsqueeze(-1)
        q = torch.softmax(-(unary + _edge_weight(w, n) * pair) / temp, dim=-1)
    return q.argmax(-1)


def _threshold_start(t0: torch.Tensor, t1: torch.Tensor, lam: torch.Tensor, m: int) -> torch.Tensor:
    """Each block to the source whose saliency dominates, ranked so that ``round(λ·n)`` blocks keep ``x₀``."""
    b, gh, gw = t0.shape
    n = gh * gw
    score = (t0 - t1).reshape(b, n)
    rank = torch.empty_like(score, dtype=torch.long).scatter_(
        1, score.argsort(1, descending=True), torch.arange(n, device=t0.device).expand(b, n)
    )
    k = (lam * n).round().long().unsqueeze(1)
    return torch.where(rank < k, m - 1, 0).view(b, gh, gw)


def solve_labels(
    t0: torch.Tensor,
    t1: torch.Tensor,
    lam: torch.Tensor,
    weights: PuzzleWeights = PuzzleWeights(),
    *,
    init: torch.Tensor | None = None,
    iters: int = 20,
    sweeps: int = 20,
) -> torch.Tensor:
    """Batched labels ``(B, gh, gw)`` (integer, ``m − 1`` = all ``x₀``) for fixed transported saliencies."""
    unary = _unary(t0, t1, lam, weights)
    starts = [_mean_field(unary, weights, iters), _threshold_start(t0, t1, lam, weights.n_labels)]
    if init is not None:
        starts.append(init)
    best, best_e = None, None
    for z in starts:
        z = _icm(z, unary, weights, sweeps)
        e = _label_energy(z, unary, weights)
        if best is None:
            best, best_e = z, e
        else:
            better = e < best_e - 1e-12
            best = torch.where(better.view(-1, 1, 1), z, best)
            best_e = torch.where(better, e, best_e)
    assert best is not None
    return best


def auction(benefit: torch.Tensor, *, eps_final: float | None = None, max_iter: int = 2000) -> torch.Tensor:
    """Batched Jacobi auction with ε-scaling: ``(B, n, n)`` benefits → ``perm (B, n)``, ``perm[j]`` = person at object ``j``.

    Maximises ``Σ_i benefit[i, σ(i)]`` to within ``n·ε_final`` (default ε scaled to
    each row's benefit range / (100·n)). The result is always a permutation: if the
    iteration cap is hit, the still-unassigned persons take the free objects in order.
    """
    b, n, _ = benefit.shape
    dev = benefit.device
    ar = torch.arange(n, device=dev)
    if n == 1:
        return torch.zeros(b, 1, dtype=torch.long, device=dev)
    a = benefit.to(torch.float64)
    span = (a.amax((1, 2)) - a.amin((1, 2))).clamp_min(1e-12)  # (B,)
    final = span / (100.0 * n) if eps_final is None else torch.full_like(span, eps_final)
    eps = torch.maximum(span / 4.0, final)
    prices = torch.zeros(b, n, dtype=a.dtype, device=dev)
    owner = torch.full((b, n), -1, dtype=torch.long, device=dev)  # object → person
    assigned = torch.full((b, n), -1, dtype=torch.long, device=dev)  # person → object
    active = torch.ones(b, dtype=torch.bool, device=dev)
    pad = torch.zeros(b, 1, dtype=torch.long, device=dev)
    while True:
        # a phase: the active rows start over at their current ε (prices kept); finished rows keep their result
        owner = torch.where(active.unsqueeze(1), torch.full_like(owner, -1), owner)
        assigned = torch.where(active.unsqueeze(1), torch.full_like(assigned, -1), assigned)
        for _ in range(max_iter):
            free = assigned < 0
            if not bool(free.any()):
                break
            value = a - prices.unsqueeze(1)
            top, idx = value.topk(2, dim=2)
            j1 = idx[..., 0]
            bid = prices.gather(1, j1) + (top[..., 0] - top[..., 1]) + eps.unsqueeze(1)
            bid = torch.where(free, bid, torch.full_like(bid, -math.inf))
            best = torch.full((b, n), -math.inf, dtype=a.dtype, device=dev).scatter_reduce(1, j1, bid, "amax")
            wins = free & (bid == best.gather(1, j1)) & torch.isfinite(bid)
            cand = torch.where(wins, ar.expand(b, n), torch.full_like(j1, n))
            winner = torch.full((b, n), n, dtype=torch.long, device=dev).scatter_reduce(1, j1, cand, "amin")
            got = winner < n  # objects that receive a new owner
            freed = torch.where(got & (owner >= 0), owner, torch.full_like(owner, n))  # their previous owners
            ext = torch.cat([assigned, pad], 1).scatter_(1, freed, -1)
            tgt = torch.where(got, winner, torch.full_like(winner, n))
            ext.scatter_(1, tgt, torch.where(got, ar.expand(b, n), torch.full_like(j1, -1)))
            assigned = ext[:, :n]
            owner = torch.where(got, winner, owner)
            prices = torch.where(got, best, prices)
        active = eps > final
        if not bool(active.any()):
            break
        eps = torch.where(active, torch.maximum(eps / 6.0, final), eps)
    return _complete(owner)


def _complete(owner: torch.Tensor) -> torch.Tensor:
    """Fill unowned objects with the persons not yet assigned (in index order): always a permutation."""
    b, n = owner.shape
    if not bool((owner < 0).any()):
        return owner
    out = owner.clone()
    for r in torch.nonzero((owner < 0).any(1)).flatten().tolist():  # rare: only after the iteration cap
        row = out[r]
        used = torch.zeros(n, dtype=torch.bool, device=owner.device)
        used[row[row >= 0]] = True
        row[row < 0] = torch.nonzero(~used).flatten()
    return out


def greedy_assignment(benefit: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    """Batched greedy: persons in ``order`` ``(B, n)`` each take their best free object; ``perm (B, n)`` object → person."""
    b, n, _ = benefit.shape
    dev = benefit.device
    taken = torch.zeros(b, n, dtype=torch.bool, device=dev)
    perm = torch.zeros(b, n, dtype=torch.long, device=dev)
    rows = torch.arange(b, device=dev)
    for k in range(n):
        person = order[:, k]
        row = benefit[rows, person].masked_fill(taken, -math.inf)
        obj = row.argmax(1)
        taken[rows, obj] = True
        perm[rows, obj] = person
    return perm


def improve_swaps(benefit: torch.Tensor, perm: torch.Tensor, max_iter: int | None = None) -> torch.Tensor:
    """Batched 2-opt: apply, per sample, the best improving swap of two objects' persons until none improves.

    ``perm[j]`` is the person at object ``j``; the benefit ``Σ_j benefit[perm_j, j]`` never
    decreases and the result is always a permutation.
    """
    b, n, _ = benefit.shape
    rows = torch.arange(b, device=benefit.device)
    for _ in range(2 * n if max_iter is None else max_iter):
        ap = benefit.gather(1, perm.unsqueeze(2).expand(b, n, n))  # ap[j, k] = benefit[perm_j, k]
        diag = ap.diagonal(dim1=1, dim2=2)
        gain = ap + ap.transpose(1, 2) - diag.unsqueeze(2) - diag.unsqueeze(1)  # swap persons of j and k
        flat = gain.reshape(b, -1)
        best, arg = flat.max(1)
        ok = best > 1e-12
        if not bool(ok.any()):
            break
        j, k = arg // n, arg % n
        pj, pk = perm[rows, j], perm[rows, k]
        new = perm.clone()
        new[rows, j] = torch.where(ok, pk, pj)
        new[rows, k] = torch.where(ok, pj, pk)
        perm = new
    return perm


def transport(
    s: torch.Tensor, keep: torch.Tensor, xi: float, *, movable: torch.Tensor | None = None, method: str = "swap"
) -> torch.Tensor:
    """Batched transport of one source: ``perm (B, n)`` maximising ``Σ_j keep_j·s[perm_j] − ξ·Σ_j D(perm_j, j)``.

    ``s`` ``(B, gh, gw)`` saliency, ``keep`` ``(B, gh, gw)`` the share of this source at
    each output block. Blocks with ``movable = False`` stay where they are (partial
    edge blocks, padding). ``method``: ``"swap"`` (default: the better of the identity
    and a greedy assignment in decreasing saliency, each improved by batched best-swap
    2-opt) or ``"auction"`` (ε-optimal, slower on large grids).
    """
    b, gh, gw = s.shape
    n = gh * gw
    d = block_distance(gh, gw, device=s.device, dtype=s.dtype)
    a = (s.reshape(b, n, 1) * keep.reshape(b, 1, n) - xi * d).to(torch.float64)
    if movable is not None:
        mv = movable.reshape(b, n)
        eye = torch.eye(n, dtype=torch.bool, device=s.device)
        fixed = (~mv).unsqueeze(2) | (~mv).unsqueeze(1)
        big = 4.0 * (float(a.abs().amax()) + 1.0)
        a = torch.where(fixed & ~eye, a - big, a)
    if method == "auction":
        return auction(a)
    pos = torch.arange(n, device=s.device)
    ident = improve_swaps(a, pos.expand(b, n).contiguous())
    order = torch.sort(s.reshape(b, n), dim=1, descending=True, stable=True).indices
    greedy = improve_swaps(a, greedy_assignment(a, order))
    score_i = a.gather(1, ident.unsqueeze(1)).squeeze(1).sum(1)
    score_g = a.gather(1, greedy.unsqueeze(1)).squeeze(1).sum(1)
    return torch.where((score_g > score_i + 1e-12).unsqueeze(1), greedy, ident)


def solve(
    s0: torch.Tensor,
    s1: torch.Tensor,
    lam: torch.Tensor,
    weights: PuzzleWeights = PuzzleWeights(),
    *,
    transport_blocks: bool = True,
    rounds: int = 1,
    movable0: torch.Tensor | None = None,
    movable1: torch.Tensor | None = None,
) -> Solution:
    """Batched Puzzle Mix solve: labels (mean-field + ICM), then transport (auction), alternated ``rounds`` times."""
    b, gh, gw = s0.shape
    n = gh * gw
    ident = torch.arange(n, device=s0.device).expand(b, n).contiguous()
    m = weights.n_labels
    v = label_values(m, device=s0.device, dtype=s0.dtype)
    z = solve_labels(s0, s1, lam, weights)
    p0, p1 = ident, ident
    best = Solution(z, p0, p1, energy(z, p0, p1, s0, s1, lam, weights))
    if not transport_blocks:
        return best
    for r in range(max(1, rounds)):
        if r > 0:
            t0 = s0.reshape(b, -1).gather(1, p0).view(b, gh, gw)
            t1 = s1.reshape(b, -1).gather(1, p1).view(b, gh, gw)
            z = solve_labels(t0, t1, lam, weights, init=z)
        keep = v[z]
        p0 = transport(s0, keep, weights.xi, movable=movable0)
        p1 = transport(s1, 1.0 - keep, weights.xi, movable=movable1)
        e = energy(z, p0, p1, s0, s1, lam, weights)
        better = e < best.energy - 1e-12
        bz = torch.where(better.view(-1, 1, 1), z, best.z)
        b0 = torch.where(better.view(-1, 1), p0, best.perm0)
        b1 = torch.where(better.view(-1, 1), p1, best.perm1)
        best = Solution(bz, b0, b1, torch.where(better, e, best.energy))
    return best


def reference_solve(
    s0: torch.Tensor,
    s1: torch.Tensor,
    lam: float,
    weights: PuzzleWeights = PuzzleWeights(),
    *,
    transport_blocks: bool = True,
) -> Solution:
    """Exact minimum of ``E`` for ONE sample on a small grid (``s0, s1`` ``(gh, gw)``).

    Every labelling (``m^n`` of them) is enumerated; for each, the exact transport of
    each source is a linear assignment solved with ``scipy.optimize.linear_sum_assignment``.
    Meant for grids up to 3×3 (binary) or 2×2 (three labels).
    """
    from scipy.optimize import linear_sum_assignment

    gh, gw = s0.shape
    n = gh * gw
    m = weights.n_labels
    s0d, s1d = s0.double().reshape(1, gh, gw), s1.double().reshape(1, gh, gw)
    lam_t = torch.tensor([lam], dtype=torch.float64)
    labels = torch.tensor(list(itertools.product(range(m), repeat=n)), dtype=torch.long).view(-1, gh, gw)
    unary = _unary(s0d.expand(len(labels), -1, -1), s1d.expand(len(labels), -1, -1), lam_t.expand(len(labels)), weights)
    label_part = _label_energy(labels, unary, weights)  # with untransported saliency; corrected below
    v = label_values(m, dtype=torch.float64)
    d = block_distance(gh, gw, dtype=torch.float64).numpy()
    flat0, flat1 = s0d.reshape(n).numpy(), s1d.reshape(n).numpy()
    best_e, best = math.inf, None
    for k in range(len(labels)):
        keep = v[labels[k].reshape(n)].numpy()
        # remove the untransported kept-saliency term, add the exact transported optimum
        base = float(label_part[k]) + float((keep * flat0 + (1 - keep) * flat1).sum())
        perms = []
        for flat, kp in ((flat0, keep), (flat1, 1.0 - keep)):
            if transport_blocks:
                benefit = flat[:, None] * kp[None, :] - weights.xi * d
                rows, cols = linear_sum_assignment(-benefit)
                perm = [0] * n
                for i, j in zip(rows, cols):
                    perm[j] = int(i)
                base -= float(benefit[rows, cols].sum())
            else:
                perm = list(range(n))
                base -= float((flat * kp).sum())
            perms.append(perm)
        if base < best_e - 1e-15:
            best_e, best = base, (labels[k], perms[0], perms[1])
    assert best is not None
    return Solution(best[0], torch.tensor(best[1]), torch.tensor(best[2]), torch.tensor(best_e, dtype=torch.float64))
