"""FLAG (Kong et al. 2022): adversarial perturbation of node features in a PyG batch, per-graph ε.

The node features ``x`` ``(N, F)`` of a ``Batch`` are laid out per graph as
``(G, N_max, F)`` (padding masked), so ε, the ball, the step and early stopping
are per graph and δ — the params — slices by graph like every other op's
params. A boolean node attribute named by ``node_mask`` (e.g. ``"train_mask"``)
restricts the perturbation to those nodes. Needs ``torch-geometric`` (the
``omniaug-adversarial[graph]`` extra).
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import InputError, Magnitude, Params

from ..attack import Surface
from .base import AdversarialOp

__all__ = ["GraphFLAG", "GraphPGD"]


def _layout(g: Any) -> tuple[torch.Tensor, torch.Tensor, int, int]:
    """``(graph of each node, position inside its graph, number of graphs, largest graph)``."""
    x = g.x
    n = x.shape[0]
    batch = getattr(g, "batch", None)
    if batch is None:  # a single Data: one graph
        return torch.zeros(n, dtype=torch.long, device=x.device), torch.arange(n, device=x.device), 1, n
    num = int(g.num_graphs)
    counts = torch.bincount(batch, minlength=num)
    starts = torch.cumsum(counts, 0) - counts
    pos = torch.arange(n, device=x.device) - starts[batch]
    return batch, pos, num, int(counts.max()) if n else 0


class _GraphAttack(AdversarialOp):
    modality = "graph"
    magnitude = Magnitude("eps", 0.0, 0.05)
    node_mask: str | None = None

    def _set_mask(self, node_mask: str | None) -> None:
        if node_mask is not None and (not isinstance(node_mask, str) or not node_mask):
            raise InputError("node_mask", "the name of a boolean node attribute (e.g. 'train_mask') or None", node_mask)
        self.node_mask = node_mask

    def check(self, x: Any) -> None:
        if self.node_mask is not None:
            m = getattr(x, self.node_mask, None)
            if not isinstance(m, torch.Tensor) or m.dtype != torch.bool or m.shape != (x.x.shape[0],):
                raise InputError(
                    f"x.{self.node_mask}", f"a bool node mask of shape ({x.x.shape[0]},)", m, where=self.name
                )
        if not x.x.is_floating_point():
            raise InputError("x.x", "floating-point node features", x.x, where=self.name)

    def surface(self, x: Any) -> Surface:
        feats = x.x
        batch, pos, num, width = _layout(x)
        dense = feats.new_zeros((num, width, *feats.shape[1:]))
        dense = dense.index_put((batch, pos), feats)
        valid = torch.zeros(num, width, dtype=feats.dtype, device=feats.device)
        valid = valid.index_put((batch, pos), torch.ones_like(batch, dtype=feats.dtype))
        if self.node_mask is not None:
            chosen = getattr(x, self.node_mask).to(feats.dtype)
            valid = valid.index_put((batch, pos), chosen)
        mask = valid.view((num, width) + (1,) * (feats.dim() - 1))

        def rebuild(v: torch.Tensor) -> Any:
            out = x.clone()
            out.x = v[batch, pos]
            return out

        return Surface(dense, rebuild, mask=mask)

    def kernel(self, x: Any, params: Params) -> Any:
        _, _, _, width = _layout(x)
        delta = params["delta"]
        if delta.shape[1] < width:
            raise InputError(
                "params['delta']", f"a perturbation for graphs of up to {delta.shape[1]} nodes", x, where=self.name
            )
        return super().kernel(x, Params(params, delta=delta[:, :width]))

    @classmethod
    def example_instances(cls) -> list[Any]:
        return [cls(), cls(eps=(0.01, 0.05), norm="l2", steps=2, early_stop=False)]


class GraphFLAG(_GraphAttack):
    """FLAG's node-feature ascent: a uniform random start in the ε-ball, then ``steps`` signed-gradient steps of
    ``step_size · ε`` (per graph), projected back onto the ball; padding and masked nodes untouched."""

    name = "graph.flag"

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.01,
        *,
        norm: str = "linf",
        steps: int = 3,
        step_size: float = 1.0,
        random_start: bool = True,
        targeted: bool = False,
        early_stop: bool = False,
        keep_best: bool = False,
        node_mask: str | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=steps, step_size=step_size, random_start=random_start, targeted=targeted,
            early_stop=early_stop, keep_best=keep_best, p=p,
        )  # fmt: skip
        self._set_mask(node_mask)


class GraphPGD(_GraphAttack):
    """PGD on node features, per-graph ε, the best iterate kept (an evaluation attack)."""

    name = "graph.pgd"

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.05,
        *,
        norm: str = "linf",
        steps: int = 10,
        step_size: float = 0.25,
        random_start: bool = True,
        targeted: bool = False,
        early_stop: bool = False,
        keep_best: bool = True,
        node_mask: str | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=steps, step_size=step_size, random_start=random_start, targeted=targeted,
            early_stop=early_stop, keep_best=keep_best, p=p,
        )  # fmt: skip
        self._set_mask(node_mask)
