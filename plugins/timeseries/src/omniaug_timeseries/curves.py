"""Smooth random curves over each series' valid part, and monotone warp paths.

Everything is batched: knot values ``(B, G, K)`` (G = 1 for a curve shared by all
channels, C for one per channel) are evaluated at per-sample positions ``(B, T)``
with gathers, so samples of different valid lengths are handled in one pass.

The natural cubic spline on uniform knots is linear in the knot values, so its
second derivatives are one fixed ``(K, K)`` matrix times the knots (the tridiagonal
system is solved once per K and cached) — no per-sample solve and no SciPy.

Products with those fixed matrices are written as sums over the knots in a fixed
order (:func:`knot_sum`), not as matmuls: a matmul rounds a row differently when it
is alone (a matrix-vector kernel) than in a batch, and a series' output must not
depend on its batch (``docs/scale-out.md``).
"""

from __future__ import annotations

import functools

import torch

__all__ = [
    "knot_sum",
    "linear_basis",
    "smooth_curve",
    "normalized_positions",
    "natural_spline",
    "linear_knots",
    "warp_path",
    "MAX_LOG_SPEED",
]

#: time warp log-speeds are clamped to [-MAX_LOG_SPEED, MAX_LOG_SPEED], so the fastest
#: part of a path runs at most e^(2·3) ≈ 400× the slowest (see warp_path)
MAX_LOG_SPEED = 3.0
#: longest series whose warp paths are returned in float32 (see warp_path)
FLOAT32_PATH_LIMIT = 16_384


def normalized_positions(
    lengths: torch.Tensor, t: int, *, offset: float = 0.0, dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """``(B, T)`` positions ``(t + offset) / (L - 1)`` clamped to ``[0, 1]`` (1 on the padding)."""
    steps = torch.arange(t, device=lengths.device, dtype=dtype) + offset
    return (steps.unsqueeze(0) / (lengths.to(dtype).unsqueeze(1) - 1)).clamp(0.0, 1.0)


@functools.lru_cache(maxsize=32)
def _second_derivative_operator(k: int) -> torch.Tensor:
    """``(K, K)`` float64 matrix S with ``M = S @ y``: natural-spline second derivatives on unit spacing."""
    s = torch.zeros(k, k, dtype=torch.float64)
    if k < 3:
        return s
    n = k - 2
    a = torch.diag(torch.full((n,), 4.0, dtype=torch.float64))
    a += torch.diag(torch.ones(n - 1, dtype=torch.float64), 1) + torch.diag(torch.ones(n - 1, dtype=torch.float64), -1)
    d = torch.zeros(n, k, dtype=torch.float64)
    idx = torch.arange(n)
    d[idx, idx] = 6.0
    d[idx, idx + 1] = -12.0
    d[idx, idx + 2] = 6.0
    s[1:-1] = torch.linalg.solve(a, d)
    return s


def knot_sum(knots: torch.Tensor, basis: torch.Tensor) -> torch.Tensor:
    """``knots (..., K) @ basis (K, N)`` → ``(..., N)`` as ``Σ_k knots[..., k] · basis[k]`` added in order ``k = 0, 1, …``.

    Every output element is K products and K - 1 sums rounded one by one, the same
    for a row alone or in any batch and for any thread count (a matmul's blocking
    depends on both). A loop over the few knots, vectorized over the batch.
    """
    out = knots[..., :1] * basis[0]
    for k in range(1, knots.shape[-1]):
        out = out.add_(knots[..., k : k + 1] * basis[k])
    return out


def _segments(knots: torch.Tensor, u: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Left knot index ``(B, 1, T)`` and local coordinate ``tau`` for positions ``u`` in [0, 1]."""
    k = knots.shape[-1]
    s = u.unsqueeze(1) * (k - 1)
    j = s.floor().clamp(0, k - 2)
    return j.long(), s - j


def natural_spline(knots: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Natural cubic spline through ``knots (B, G, K)`` (uniform on [0, 1]) at ``u (B, T)`` → ``(B, G, T)``."""
    b, g, k = knots.shape
    m = knot_sum(knots, _second_derivative_operator(k).to(device=knots.device, dtype=knots.dtype).T)
    j, tau = _segments(knots, u)
    j = j.expand(b, g, -1)
    y0, y1 = knots.gather(2, j), knots.gather(2, j + 1)
    m0, m1 = m.gather(2, j), m.gather(2, j + 1)
    one_minus = 1.0 - tau
    return one_minus * y0 + tau * y1 + ((one_minus**3 - one_minus) * m0 + (tau**3 - tau) * m1) / 6.0


def linear_knots(knots: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """Piecewise-linear curve through ``knots (B, G, K)`` (uniform on [0, 1]) at ``u (B, T)`` → ``(B, G, T)``."""
    b, g, _ = knots.shape
    j, tau = _segments(knots, u)
    j = j.expand(b, g, -1)
    y0, y1 = knots.gather(2, j), knots.gather(2, j + 1)
    return y0 + tau * (y1 - y0)


@functools.lru_cache(maxsize=64)
def _basis(kind: str, k: int, t: int, offset: float, dtype: torch.dtype, device: str) -> torch.Tensor:
    """``(K, T)`` matrix mapping knot values to the curve on ``T`` unpadded steps (cached)."""
    lengths = torch.tensor([t], device=device)
    u = normalized_positions(lengths, t, offset=offset, dtype=torch.float64)
    eye = torch.eye(k, dtype=torch.float64, device=device).unsqueeze(0)
    curve = natural_spline(eye, u) if kind == "spline" else linear_knots(eye, u)
    return curve[0].to(dtype)


def linear_basis(k: int, t: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The cached ``(K, T)`` piecewise-linear basis of an unpadded series of ``T`` steps."""
    return _basis("linear", k, t, 0.0, dtype, str(device))


def smooth_curve(
    knots: torch.Tensor,
    lengths: torch.Tensor,
    t: int,
    *,
    padded: bool,
    kind: str = "spline",
    offset: float = 0.0,
) -> torch.Tensor:
    """Curves through ``knots (B, G, K)`` over each valid part, sampled at ``(t + offset) / (L - 1)`` → ``(B, G, T)``.

    ``kind`` is ``"spline"`` (natural cubic) or ``"linear"``. When the batch is not
    padded every sample shares the positions, and the curve is a fixed-order sum of
    the knots times the rows of a cached ``(K, T)`` basis (the spline is linear in the
    knots, :func:`knot_sum`); padded batches use per-sample gathers. Both give the
    same values (to rounding).
    """
    if not padded:
        basis = _basis(kind, knots.shape[-1], t, offset, knots.dtype, str(knots.device))
        return knot_sum(knots, basis)
    u = normalized_positions(lengths, t, offset=offset, dtype=knots.dtype)
    return natural_spline(knots, u) if kind == "spline" else linear_knots(knots, u)


def warp_path(log_speed_knots: torch.Tensor, lengths: torch.Tensor, t: int, *, padded: bool = True) -> torch.Tensor:
    """Strictly increasing warp paths with pinned ends, ``(B, G, T)``.

    ``path[b, g, i]`` is the input time read at output step ``i``. The local speed is
    ``exp(clamp(spline(knots), -3, 3))`` — positive by construction, and the fastest
    part of a path runs at most e^6 ≈ 400× the slowest — evaluated at the midpoint of
    every step ``i-1 → i`` of the valid part. The path is the cumulative sum of those
    positive increments scaled to run from exactly 0 to exactly ``L - 1`` (the end
    point is written, not computed).

    Why strictness survives rounding: every scaled step is at least e^-6 ≈ 0.0025, and
    a running sum below 16 384 has a float32 ulp under 0.002, so float32 is used up to
    T = 16 384 (the common case, and half the memory traffic of float64) and float64
    beyond. Positions past the valid length continue the identity (they index padding,
    which callers keep as it was).
    """
    b, g, _ = log_speed_knots.shape
    dtype = torch.float32 if t <= FLOAT32_PATH_LIMIT else torch.float64
    log_speed = smooth_curve(log_speed_knots.to(dtype), lengths, t, padded=padded, offset=-0.5)
    if log_speed.requires_grad:  # knots that require grad (a learned magnitude): the same path, out of place
        return _warp_path_autograd(log_speed, lengths, t)
    inc = log_speed.clamp_(-MAX_LOG_SPEED, MAX_LOG_SPEED).sub_(MAX_LOG_SPEED).exp_()  # in [e^-6, 1]
    if not padded:  # every sample spans [0, T - 1]: scalar end point, no index tensors
        inc[..., 0] = 0.0
        path = inc.cumsum_(-1)
        path.mul_((t - 1) / path[..., -1:])
        path[..., -1] = float(t - 1)  # the end point exactly
        return path
    steps = torch.arange(t, device=lengths.device)
    # only the increments 1 .. L-1 of each valid part count
    inside = (steps.unsqueeze(0) >= 1) & (steps.unsqueeze(0) < lengths.unsqueeze(1))
    inc = inc.masked_fill_(~inside.unsqueeze(1), 0.0)
    cum = inc.cumsum(-1)
    end = (lengths - 1).view(b, 1, 1).expand(b, g, 1)
    last = end.to(dtype)
    path = cum.mul_(last / cum.gather(2, end))
    path = path.scatter_(2, end, last)  # the end point exactly
    # past the valid part: the identity (callers keep that padding anyway)
    valid = steps.view(1, 1, t) < lengths.view(b, 1, 1)
    path = torch.where(valid, path, steps.to(dtype).view(1, 1, t))
    return path


def _warp_path_autograd(log_speed: torch.Tensor, lengths: torch.Tensor, t: int) -> torch.Tensor:
    """:func:`warp_path` without in-place writes, for log-speeds that require grad (padded or not)."""
    b, g, _ = log_speed.shape
    dtype = log_speed.dtype
    inc = (log_speed.clamp(-MAX_LOG_SPEED, MAX_LOG_SPEED) - MAX_LOG_SPEED).exp()
    steps = torch.arange(t, device=lengths.device)
    inside = (steps.unsqueeze(0) >= 1) & (steps.unsqueeze(0) < lengths.unsqueeze(1))
    cum = inc.masked_fill(~inside.unsqueeze(1), 0.0).cumsum(-1)
    end = (lengths - 1).view(b, 1, 1).expand(b, g, 1)
    last = end.to(dtype)
    path = cum * (last / cum.gather(2, end).clamp_min(torch.finfo(dtype).tiny))
    path = torch.where(steps.view(1, 1, t) == end, last, path)  # the end point exactly
    valid = steps.view(1, 1, t) < lengths.view(b, 1, 1)
    return torch.where(valid, path, steps.to(dtype).view(1, 1, t))
