"""Differentiable Siamese Augmentation through params-as-data.

DSA applies the *same* random transformation to a real batch and to the
synthetic batch it is matched against, differentiably in the synthetic samples.
The reference code gets "the same transformation" by re-seeding the global RNG
before every draw. omniaug needs no such trick: params are data. One set of
params is drawn per group (per class), and every row of that group — real or
synthetic — replays it (``Params.subset`` with a repeated index). Gradients
reach the synthetic samples through every op that is differentiable in its
input; a pipeline with any other op is refused up front, naming the ops.
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import InputError, Params, Transform

__all__ = ["check_differentiable", "non_differentiable_ops", "draw_group_params", "replay_groups"]


def non_differentiable_ops(pipeline: Any) -> list[str]:
    """Names of the ops inside ``pipeline`` (containers and policies walked) that are not differentiable."""
    children = getattr(pipeline, "transforms", None)
    inner = getattr(pipeline, "pipeline", None) if children is None else None
    if children is None and isinstance(inner, Transform):
        return non_differentiable_ops(inner)
    if children is not None:
        found: list[str] = []
        for t in children.values() if isinstance(children, dict) else children:
            found += non_differentiable_ops(t)
        return found
    if getattr(pipeline, "differentiable", False):
        return []
    return [getattr(pipeline, "name", "") or type(pipeline).__name__]


def check_differentiable(pipeline: Any, *, where: str = "distill") -> None:
    """Refuse a pipeline through which gradients cannot reach the synthetic samples."""
    if pipeline is None:
        return
    if not isinstance(pipeline, Transform):
        raise InputError("pipeline", "an omniaug transform (op, container or policy) or None", pipeline, where=where)
    bad = non_differentiable_ops(pipeline)
    if bad:
        raise InputError(
            "pipeline",
            "ops that are differentiable in their input (`omniaug list` marks them `grad`); "
            f"not differentiable here: {', '.join(sorted(set(bad)))}",
            pipeline,
            where=where,
        )


def draw_group_params(pipeline: Transform, reference: torch.Tensor, *, generator: torch.Generator | None) -> Params:
    """One params row per group: drawn on ``reference`` (one sample per group, ``(G, ...)``)."""
    return pipeline.sample_params(reference.detach(), generator=generator)


def replay_groups(pipeline: Transform, x: torch.Tensor, params: Params, group: torch.Tensor) -> torch.Tensor:
    """Apply group ``group[i]``'s params to row ``i`` of ``x`` (differentiable in ``x``)."""
    return pipeline(x, params=params.subset(group.to(torch.long)))  # type: ignore[no-any-return]
