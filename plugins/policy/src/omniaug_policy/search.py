"""Policy search with a cheap proxy (Fast AutoAugment style), a RandAugment grid and a target-aware variant.

Fast AutoAugment (Lim et al. 2019) scores a candidate policy by how well a model
trained *without* it still explains the augmented held-out data (density
matching): no training run per candidate, one forward pass of the held-out fold.
Here a candidate is a sub-policy of ``steps`` ``(op, probability, magnitude)``
triples drawn from a modality's registry; :func:`search_policy` scores each by
the mean loss of the augmented held-out fold through the fixed model and keeps
the best ones as a :class:`~omniaug_policy.LearnedPolicy` (serializable, usable
in a ``Compose`` or a YAML file).

Target-aware variant: plain density matching prefers augmentations that keep the
data where the training distribution already is, so it can never discover a shift
it has not been shown. Given a small sample of the *target* distribution (the
shifted domain the model will meet), ``target=`` ranks candidates instead by the
maximum mean discrepancy (RBF kernel, median bandwidth) between the model's
outputs (or ``embed(x)``) on the augmented held-out fold and on the target sample.

Samplers: ``"random"`` (``candidates`` sub-policies drawn from the caller's
generator) and ``"grid"`` (every op at every magnitude bin, probability 1, one
step). A TPE sampler (optuna) is not provided.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from omniaug import ModelContext, RandAugment, Transform, args, model_guard, rng
from omniaug.errors import InputError
from omniaug.policies import policy_ops

from .common import magnitude_bins
from .learned import LearnedPolicy

__all__ = ["Candidate", "SearchResult", "search_policy", "randaugment_grid", "mmd2", "proxy_score"]

Step = tuple[str, float, float]


@dataclass(frozen=True)
class Candidate:
    """A scored sub-policy: its ``(op, probability, magnitude)`` steps and its score (lower is better)."""

    steps: tuple[Step, ...]
    score: float


@dataclass
class SearchResult:
    """The kept policy and every candidate, best first."""

    policy: LearnedPolicy
    ranking: list[Candidate] = field(default_factory=list)


def mmd2(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Squared maximum mean discrepancy between samples ``a`` (n, d) and ``b`` (m, d).

    Biased estimate with an RBF kernel whose bandwidth is the median pairwise
    distance of the pooled samples (the usual heuristic).
    """
    a, b = a.flatten(1).double(), b.flatten(1).double()
    pooled = torch.cat([a, b])
    d2 = torch.cdist(pooled, pooled).pow(2)
    off = d2[~torch.eye(len(pooled), dtype=torch.bool, device=d2.device)]
    bw = off.median().clamp_min(1e-12)
    k = torch.exp(-d2 / bw)
    n = len(a)
    return k[:n, :n].mean() + k[n:, n:].mean() - 2 * k[:n, n:].mean()


def _embed_fn(ctx: ModelContext, embed: Callable[[Any], torch.Tensor] | None) -> Callable[[Any], torch.Tensor]:
    def default(x: Any) -> torch.Tensor:
        return ctx.forward(ctx.model, x)  # type: ignore[no-any-return]

    fn = embed or default

    def run(x: Any) -> torch.Tensor:
        with model_guard(ctx.model, ctx.mode), torch.no_grad():
            return fn(x).detach()

    return run


def proxy_score(
    transform: Transform,
    ctx: ModelContext,
    x: Any,
    *,
    generator: torch.Generator | None = None,
    target: Any = None,
    embed: Callable[[Any], torch.Tensor] | None = None,
    repeats: int = 1,
) -> float:
    """The proxy score of ``transform`` (lower is better), averaged over ``repeats`` draws.

    Without ``target``: the mean per-sample loss of ``transform(x)`` through the fixed
    model (density matching; ``ctx.targets`` are ``x``'s labels). With ``target``: the
    MMD² between the embeddings of ``transform(x)`` and of ``target``.
    """
    from omniaug import per_sample_loss

    reps = args.integer("repeats", repeats, low=1, where="proxy_score")
    scores = []
    run = _embed_fn(ctx, embed) if target is not None else None
    target_emb = run(target) if run is not None else None
    for _ in range(reps):
        out = transform(x, generator=generator)
        if run is None:
            scores.append(float(per_sample_loss(ctx, out).mean()))
        else:
            assert target_emb is not None
            scores.append(float(mmd2(run(out), target_emb)))
    return sum(scores) / reps


def _random_candidates(ops: list[str], n: int, steps: int, generator: torch.Generator | None) -> list[tuple[Step, ...]]:
    which = rng.randint(n, 0, len(ops), shape=(steps,), generator=generator)
    probs = rng.uniform(n, 0.0, 1.0, shape=(steps,), generator=generator)
    mags = rng.uniform(n, 0.0, 1.0, shape=(steps,), generator=generator)
    return [
        tuple((ops[int(w)], round(float(p), 4), round(float(m), 4)) for w, p, m in zip(wr, pr, mr))
        for wr, pr, mr in zip(which.tolist(), probs.tolist(), mags.tolist())
    ]


def search_policy(
    modality: str,
    ctx: ModelContext,
    x: Any,
    *,
    sampler: str = "random",
    candidates: int = 64,
    steps: int = 2,
    bins: int = 5,
    keep: int = 5,
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    target: Any = None,
    embed: Callable[[Any], torch.Tensor] | None = None,
    repeats: int = 1,
    generator: torch.Generator | None = None,
) -> SearchResult:
    """Search sub-policies of ``modality``'s ops by a proxy score through a fixed model; keep the ``keep`` best.

    Args:
        modality: the registered modality.
        ctx: the fixed model (trained without augmentation, or the user's) with the
            held-out fold's targets.
        x: the held-out fold.
        sampler: ``"random"`` (``candidates`` sub-policies of ``steps`` steps, ops,
            probabilities and magnitudes uniform) or ``"grid"`` (each op at each of
            ``bins`` magnitudes, probability 1).
        keep: how many of the best sub-policies the returned policy chooses among (uniformly).
        target: a sample of the target distribution: rank by MMD² to it instead of by loss.
        embed: ``embed(x) -> (B, d)`` for the target-aware score (default: the model's outputs).
        repeats: draws per candidate averaged in its score.
        generator: every random choice (candidates and augmentation draws) comes from it.
    """
    where = "search_policy"
    names = [c.name for c in policy_ops(modality, include=include, exclude=exclude)]
    sampler = args.choice("sampler", sampler, ("random", "grid"), where=where)
    keep = args.integer("keep", keep, low=1, where=where)
    if sampler == "random":
        cands = _random_candidates(
            names,
            args.integer("candidates", candidates, low=1, where=where),
            args.integer("steps", steps, low=1, where=where),
            generator,
        )
    else:
        cands = [((op, 1.0, m),) for op in names for m in magnitude_bins(bins, where)]
    ranking = []
    for cand in cands:
        t = LearnedPolicy._build(list(cand))
        score = proxy_score(t, ctx, x, generator=generator, target=target, embed=embed, repeats=repeats)
        ranking.append(Candidate(cand, score))
    ranking.sort(key=lambda c: c.score)
    best = ranking[: min(keep, len(ranking))]
    if not best:
        raise InputError("candidates", "at least one candidate", candidates, where=where)
    policy = LearnedPolicy(modality, [[list(s) for s in c.steps] for c in best])
    return SearchResult(policy, ranking)


def randaugment_grid(
    modality: str,
    ctx: ModelContext,
    x: Any,
    *,
    ns: Sequence[int] = (1, 2, 3),
    ms: Sequence[float] = (3, 6, 9),
    include: Sequence[str] | None = None,
    exclude: Sequence[str] = (),
    target: Any = None,
    embed: Callable[[Any], torch.Tensor] | None = None,
    repeats: int = 1,
    generator: torch.Generator | None = None,
) -> list[tuple[int, float, float]]:
    """RandAugment ``(N, M)`` pairs scored by the same proxy as :func:`search_policy`, best first.

    Returns ``[(n, m, score), ...]`` (``m`` on RandAugment's scale ``[0, 10]``);
    ``RandAugment(modality, n, m)`` builds the winner.
    """
    out = []
    for n in ns:
        for m in ms:
            policy = RandAugment(modality, n=n, m=m, include=include, exclude=exclude)
            score = proxy_score(policy, ctx, x, generator=generator, target=target, embed=embed, repeats=repeats)
            out.append((int(n), float(m), score))
    out.sort(key=lambda r: r[2])
    return out
