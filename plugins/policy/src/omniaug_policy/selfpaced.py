"""Self-paced augmentation (SPA, Takase et al. 2021): augment only the samples the model still finds hard.

A sample is augmented when its current loss exceeds a threshold λ. Early in
training most losses are high and most samples are augmented; later only the
hard ones are. ``λ = 0`` augments every sample and ``λ = ∞`` none, exactly.

Two sources for the loss:

* ``source="current"`` (the paper): one extra forward pass, without gradients, of
  the clean batch through the model (:func:`omniaug.per_sample_loss`, eval mode by
  default) — about one third of a training step's compute for a network whose
  backward pass costs twice its forward pass.
* ``source="previous"``: no extra pass. The losses come from the caller
  (``ModelContext(..., losses=...)``), or, when the caller passes ``sample_ids``,
  from the training losses fed back (:func:`omniaug.feedback`) the last time each
  sample was seen; a sample never seen is augmented.

The decision is part of the params (``"augment"`` mask and ``"loss"``), so
``spa(x, params=params)`` replays it without the model.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from omniaug import Augmented, Params, Transform, args, per_sample_loss
from omniaug.containers import _Container
from omniaug.errors import InputError

__all__ = ["SelfPaced", "AUGMENT"]

#: params key: ``(B,)`` bool, True where the wrapped transform ran
AUGMENT = "augment"
SOURCES = ("current", "previous")


def _threshold(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value < 0:
        raise InputError("lam", "a loss threshold >= 0 (0 augments every sample, inf none)", value, where="SelfPaced")
    return float(value)


class SelfPaced(_Container):
    """Apply ``transform`` to exactly the samples whose loss is greater than ``lam``.

    Args:
        transform: any op, container or policy of one modality.
        lam: the threshold λ >= 0; ``0`` augments every sample (no loss is computed),
            ``float("inf")`` none (the input is returned as is).
        source: ``"current"`` (an extra no-grad forward pass of the clean batch) or
            ``"previous"`` (the caller's ``ModelContext.losses``, else the losses fed
            back for ``ModelContext.sample_ids`` at their last step).

    Params: ``"augment"`` (``(B,)`` bool), ``"loss"`` (``(B,)``, the losses compared;
    NaN when λ is 0 or ∞), ``"ids"`` (the sample ids, with ``source="previous"``)
    and ``"inner"`` (the transform's params spread to the batch).
    """

    name = "policy.self_paced"
    nonfinite_args = frozenset({"lam"})  # λ = ∞ augments nothing

    def __init__(self, transform: Transform, lam: float = 1.0, *, source: str = "current") -> None:
        if not isinstance(transform, Transform):
            raise InputError("transform", "an omniaug transform", transform, where="SelfPaced")
        self.transform = transform
        self.transforms = [transform]
        self.lam = _threshold(lam)
        self.source = args.choice("source", source, SOURCES, where="SelfPaced")
        self._modality = transform.modality_spec()  # type: ignore[attr-defined]
        self._memory: torch.Tensor | None = None  # last training loss per sample id (source="previous")

    @property  # type: ignore[misc]
    def requires_model(self) -> bool:  # type: ignore[override]
        """Whether a call needs a :class:`~omniaug.ModelContext` (not for λ = 0 or ∞)."""
        return 0.0 < self.lam < math.inf or bool(getattr(self.transform, "requires_model", False))

    # -- the losses ----------------------------------------------------------------
    def _losses(self, x: Any, n: int, device: torch.device) -> tuple[torch.Tensor, torch.Tensor | None]:
        ctx = self.require_model()
        if self.source == "current":
            return per_sample_loss(ctx, x).to(device), None
        if ctx.losses is not None:
            losses = ctx.losses.detach().to(device)
            if losses.shape != (n,):
                raise InputError("model.losses", f"per-sample losses of shape ({n},)", losses, where=self.name)
            return losses, None
        if ctx.sample_ids is None:
            raise InputError(
                "model",
                "a ModelContext with losses=<previous step's per-sample losses> or sample_ids=<dataset indices> "
                "for source='previous'",
                ctx,
                where=self.name,
            )
        ids = ctx.sample_ids.to(device=device, dtype=torch.long)
        if ids.shape != (n,) or (ids < 0).any():
            raise InputError(
                "model.sample_ids", f"non-negative integer ids of shape ({n},)", ctx.sample_ids, where=self.name
            )
        return self._recall(ids), ids

    def _recall(self, ids: torch.Tensor) -> torch.Tensor:
        """Last fed-back loss of each id; ``inf`` (augment) for ids never seen."""
        out = torch.full(ids.shape, math.inf, device=ids.device)
        mem = self._memory
        if mem is None or ids.numel() == 0:
            return out
        mem = mem.to(ids.device)
        known = ids < mem.numel()
        return torch.where(known, mem[ids.clamp_max(mem.numel() - 1)], out)

    # -- protocol --------------------------------------------------------------------
    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        spec = self.modality_spec()
        n = spec.batch_size(x)
        device = spec.device_of(x)
        ids = None
        if self.lam == 0.0:
            losses = torch.full((n,), math.nan, device=device)
            mask = torch.ones(n, dtype=torch.bool, device=device)
        elif self.lam == math.inf:
            losses = torch.full((n,), math.nan, device=device)
            mask = torch.zeros(n, dtype=torch.bool, device=device)
        else:
            losses, ids = self._losses(x, n, device)
            mask = losses > self.lam
        params = Params({AUGMENT: mask, "loss": losses})
        if ids is not None:
            params["ids"] = ids
        idx = mask.nonzero().flatten()
        if idx.numel():
            part, params["inner"] = self._run_branch(self.transform, x, idx, n, generator)
            x = self._merge(x, idx, n, part)
        return Augmented(x, params)

    def apply(self, x: Any, params: Params) -> Any:
        n = self.modality_spec().batch_size(x)
        idx = params[AUGMENT].nonzero().flatten()
        if idx.numel() == 0:
            return x
        return self._merge(x, idx, n, self._replay_branch(self.transform, x, idx, n, params["inner"]))

    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        """Remember each sample's training loss (``source="previous"`` with ids); route the augmented rows on."""
        ids = params.get("ids")
        if isinstance(ids, torch.Tensor) and ids.numel():
            self._remember(ids, losses)
        inner = params.get("inner")
        if isinstance(inner, Params):
            rows = params[AUGMENT].nonzero().flatten()
            if rows.numel():
                self.transform.feedback(inner.subset(rows), losses.index_select(0, rows.to(losses.device)))

    def _remember(self, ids: torch.Tensor, losses: torch.Tensor) -> None:
        ids = ids.to(losses.device)
        size = int(ids.max()) + 1  # one host sync per step, in feedback (not in the op's kernel)
        mem = self._memory
        if mem is None or mem.numel() < size:
            grown = torch.full((max(size, 2 * (0 if mem is None else mem.numel())),), math.inf, device=losses.device)
            if mem is not None:
                grown[: mem.numel()] = mem.to(losses.device)
            mem = grown
        mem = mem.to(losses.device)
        mem[ids] = losses.detach().to(mem.dtype)
        self._memory = mem

    # -- state -----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The remembered losses (``source="previous"``), for checkpoints."""
        return {"memory": None if self._memory is None else self._memory.clone()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        mem = state.get("memory")
        self._memory = None if mem is None else mem.clone()
