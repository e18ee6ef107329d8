"""A fixed, serializable policy: weighted sub-policies of registered ops — what learned policies export.

:class:`LearnedPolicy` is the common output of Adversarial AutoAugment
(:meth:`~omniaug_policy.AdversarialAutoAugment.export`) and of the proxy search
(:func:`~omniaug_policy.search_policy`): ``layers`` rounds, each choosing one
sub-policy per sample with the given weights; a sub-policy is a short sequence of
``[op, probability, magnitude]`` steps. It expands to core containers
(``Compose`` of per-sample ``OneOf``), serializes by name (``policy.learned``) and
plots its op/magnitude distribution (:meth:`LearnedPolicy.plot`, also drawn by
``omniaug preview``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from omniaug import Compose, OneOf, Transform, args
from omniaug.errors import InputError
from omniaug.policies import _Policy, policy_ops

from .common import IDENTITY, SubPolicy

__all__ = ["LearnedPolicy"]


def _steps(sub: Any, known: set[str], where: str) -> list[tuple[str, float, float]]:
    expected = "a list of [op, probability, magnitude] steps with registered policy ops"
    if not isinstance(sub, (list, tuple)) or not sub:
        raise InputError("subpolicies", expected, sub, where=where)
    steps = []
    for step in sub:
        if not isinstance(step, (list, tuple)) or len(step) != 3 or step[0] not in known:
            raise InputError("subpolicies", f"{expected} ({', '.join(sorted(known))})", step, where=where)
        op = str(step[0])
        prob = args.probability("probability", step[1], where=where)
        mag = args.fraction("magnitude", step[2], where=where)
        steps.append((op, prob, mag))
    return steps


class LearnedPolicy(_Policy):
    """Weighted sub-policies of ``modality``'s ops, chosen per sample in each of ``layers`` rounds.

    Args:
        modality: the registered modality.
        subpolicies: ``[[op, probability, magnitude], ...]`` per sub-policy; each step
            runs ``op`` at ``magnitude`` (in [0, 1]) with per-sample probability
            ``probability``, skipping samples it cannot apply to; op ``"identity"`` is allowed.
        weights: the choice weights, one list per layer (or one list for every layer);
            ``None`` is uniform.
        layers: rounds of choice (each sample picks ``layers`` sub-policies in sequence).
    """

    name = "policy.learned"

    def __init__(
        self,
        modality: str,
        subpolicies: Sequence[Sequence[Sequence[Any]]],
        weights: Sequence[Sequence[float]] | Sequence[float] | None = None,
        *,
        layers: int = 1,
    ) -> None:
        where = "LearnedPolicy"
        ops = policy_ops(modality)
        known = {c.name for c in ops} | {IDENTITY}
        if not isinstance(subpolicies, (list, tuple)) or not subpolicies:
            raise InputError("subpolicies", "a non-empty list of sub-policies", subpolicies, where=where)
        self.steps = [_steps(s, known, where) for s in subpolicies]
        self.layers = args.integer("layers", layers, low=1, where=where)
        k = len(self.steps)
        if weights is None:
            table = [[1.0] * k for _ in range(self.layers)]
        elif weights and all(isinstance(w, (int, float)) for w in weights):
            table = [[float(w) for w in weights]] * self.layers  # type: ignore[arg-type, union-attr]
        else:
            table = [[float(w) for w in row] for row in weights]  # type: ignore[union-attr]
        if len(table) != self.layers or any(len(r) != k or min(r) < 0 or sum(r) <= 0 for r in table):
            raise InputError(
                "weights",
                f"{self.layers} list(s) of {k} non-negative weights with a positive sum",
                weights,
                where=where,
            )
        self.weights = table
        self._pipeline = Compose([OneOf([self._build(s) for s in self.steps], row) for row in table])
        self._modality = ops[0].modality_spec()

    @staticmethod
    def _build(steps: list[tuple[str, float, float]]) -> Transform:
        parts = [SubPolicy(op, mag).build(p=prob) for op, prob, mag in steps]
        return parts[0] if len(parts) == 1 else Compose(parts)

    # -- inspection ----------------------------------------------------------------
    def distribution(self) -> list[dict[str, float]]:
        """Per layer: the probability of each ``"op@magnitude"`` step (probability-weighted), summing to ≤ 1."""
        out = []
        for row in self.weights:
            total = sum(row)
            mass: dict[str, float] = {}
            for w, steps in zip(row, self.steps):
                for op, prob, mag in steps:
                    key = op if op == IDENTITY else f"{op}@{mag:.2f}"
                    mass[key] = mass.get(key, 0.0) + w / total * prob / len(steps)
            out.append(mass)
        return out

    def op_mass(self) -> dict[str, float]:
        """The share of choices that go to each op (magnitudes summed, layers averaged)."""
        mass: dict[str, float] = {}
        for layer in self.distribution():
            for key, v in layer.items():
                op = key.split("@", 1)[0]
                mass[op] = mass.get(op, 0.0) + v / self.layers
        return mass

    def render_preview(self, original: Any, views: Sequence[Any], path: str | Path) -> Path:
        """What ``omniaug preview policy.yaml`` draws for a learned policy: its op/magnitude distribution."""
        return self.plot(path)

    def plot(self, out: str | Path) -> Path:
        """Draw the op/magnitude distribution (a bar per op, stacked by magnitude) to ``out`` (PNG).

        One cell per layer of the core's preview grid (:func:`omniaug.render.render_grid`).
        """
        try:
            import matplotlib

            from omniaug.render import render_grid
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise ImportError("plotting a policy needs matplotlib: pip install 'omniaug-policy[preview]'") from exc
        layers = self.distribution()
        ops = sorted({k.split("@", 1)[0] for layer in layers for k in layer})
        mags = sorted({float(k.split("@", 1)[1]) for layer in layers for k in layer if "@" in k})
        cmap = matplotlib.colormaps["viridis"]

        def draw(ax: Any, row: int, li: int) -> None:
            layer = layers[li]
            bottom = torch.zeros(len(ops)).tolist()
            for j, m in enumerate([None, *mags]):
                vals = [layer.get(op if m is None else f"{op}@{m:.2f}", 0.0) for op in ops]
                if not any(vals):
                    continue
                label = "identity" if m is None else f"m={m:.2f}"
                color = "lightgrey" if m is None else cmap(j / max(1, len(mags)))
                ax.bar(range(len(ops)), vals, bottom=bottom, color=color, label=label)
                bottom = [b + v for b, v in zip(bottom, vals)]
            ax.set_xticks(range(len(ops)))
            ax.set_xticklabels([o.split(".", 1)[-1] for o in ops], rotation=60, ha="right", fontsize=8)
            ax.set_ylabel("probability")
            ax.legend(fontsize=7)

        titles = [f"{self.modality_name()} policy, layer {li + 1}" for li in range(len(layers))]
        return render_grid(out, 1, titles, draw, cell_size=(max(6, 0.5 * len(ops) + 3), 4), ticks=True, dpi=100)
