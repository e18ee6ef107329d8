"""Containers: Compose, RandomApply, OneOf, SomeOf and Identity — modality-agnostic.

Per-sample choices are drawn as tensors; each branch then runs **once**, on the
subset of samples that chose it (gather → branch → scatter through the
modality's ``subset``/``merge``), never in a Python loop over samples. Branch
params are spread back to the full batch (``Params.scatter``), so container params
slice like any op's params and replay exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from . import batching, fusion, rng
from .augmentation import Augmentation, Augmented, Transform
from .errors import InputError
from .modality import Modality
from .model import ModelContext, current, using_model
from .params import APPLY, Params

__all__ = ["Compose", "RandomApply", "OneOf", "SomeOf", "Identity", "modality_of"]


def modality_of(transform: Any) -> Modality:
    """The modality a transform (op, mixer or container) accepts."""
    if hasattr(transform, "modality_spec"):
        return transform.modality_spec()  # type: ignore[no-any-return]
    raise InputError("transform", "an omniaug transform", transform)


def _common_modality(transforms: Sequence[Transform], where: str) -> Modality | None:
    specs = [t.modality_spec() for t in transforms if not isinstance(t, Identity)]  # type: ignore[attr-defined]
    names = {s.name for s in specs}
    if len(names) > 1:
        raise InputError("transforms", "transforms of one modality", sorted(names), where=where)
    return specs[0] if specs else None


def _as_transforms(transforms: Any, where: str) -> list[Transform]:
    if isinstance(transforms, Transform):
        return [transforms]
    items = list(transforms)
    for t in items:
        if not isinstance(t, Transform):
            raise InputError("transforms", "omniaug transforms (ops, containers or policies)", t, where=where)
    return items


class Identity(Transform):
    """Returns its input unchanged; a branch that policies may pick."""

    name = "identity"

    def __init__(self) -> None:
        pass

    def sample_params(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Params:
        return Params()

    def apply(self, x: Any, params: Params) -> Any:
        return x

    differentiable = True  # the identity passes gradients through


class _Container(Transform):
    transforms: list[Transform]
    _modality: Modality | None

    @property  # type: ignore[misc]
    def requires_model(self) -> bool:  # type: ignore[override]
        """Whether any child needs a model context."""
        return any(getattr(t, "requires_model", False) for t in self.transforms)

    @property  # type: ignore[misc]
    def differentiable(self) -> bool:  # type: ignore[override]
        """Whether every child is differentiable in its input."""
        return all(getattr(t, "differentiable", False) for t in self.transforms)

    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        """Route each child the losses of the rows it ran on (see :meth:`_branch_rows`)."""
        for k, t in enumerate(self.transforms):
            sub = params.get(str(k))
            if not isinstance(sub, Params):
                continue
            rows = self._branch_rows(params, k)
            if rows is None:
                t.feedback(sub, losses)
            elif rows.numel():
                t.feedback(sub.subset(rows), losses.index_select(0, rows.to(losses.device)))

    def _branch_rows(self, params: Params, k: int) -> torch.Tensor | None:
        """The rows child ``k`` ran on, or ``None`` for all of them."""
        return None

    def modality_spec(self) -> Modality:
        if self._modality is None:
            raise InputError(
                "transforms", "at least one op with a modality", self.transforms, where=type(self).__name__
            )
        return self._modality

    def modality_name(self) -> str:
        return self.modality_spec().name

    def sample_params(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Params:
        """Params of a container are drawn by running it (later draws may depend on earlier outputs)."""
        return self.augment(x, generator=generator).params

    def _run_branch(
        self, t: Transform, x: Any, idx: torch.Tensor, n: int, generator: torch.Generator | None
    ) -> tuple[Any, Params]:
        """Run ``t`` on samples ``idx``; return their output and params spread to the batch."""
        if idx.numel() == n:
            out, p = t.augment(x, generator=generator)
            return out, p
        ctx = current()  # a model-aware branch sees the targets of its own rows
        with using_model(None if ctx is None else ctx.subset(idx)):
            out, p = t.augment(self.modality_spec().subset(x, idx), generator=rng.subset_generator(generator, idx))
        return out, p.scatter(idx, n)

    def _replay_branch(self, t: Transform, x: Any, idx: torch.Tensor, n: int, params: Params) -> Any:
        """Replay ``params`` of ``t`` on samples ``idx``; return their output."""
        if idx.numel() == n:
            return t.apply(x, params)
        return t.apply(self.modality_spec().subset(x, idx), params.subset(idx))

    def _merge(self, base: Any, idx: torch.Tensor, n: int, part: Any) -> Any:
        return part if idx.numel() == n else self.modality_spec().merge(base, idx, part)


class Compose(_Container):
    """Apply transforms in order.

    Args:
        transforms: ops, containers or policies of one modality.
        fuse: fold runs of consecutive ops that declare the same fusion kind into
            one kernel call (see :mod:`omniaug.fusion`); results equal the unfused
            chain within that kind's stated tolerance.
    """

    name = "compose"

    def __init__(self, transforms: Sequence[Transform], *, fuse: bool = False) -> None:
        self.transforms = _as_transforms(transforms, "Compose")
        self.fuse = bool(fuse)
        self._modality = _common_modality(self.transforms, "Compose")
        self._segments = self._plan()

    def _fused(self, seg: list[int]) -> bool:
        """Whether a segment runs through its fusion kind: two or more ops, or one that asks to."""
        if len(seg) > 1:
            return True
        op = self.transforms[seg[0]]  # one op fuses alone only if it asks to and has a kind for this config
        return self.fuse and bool(getattr(op, "fuse_alone", False)) and getattr(op, "fusion", None) is not None

    def _plan(self) -> list[list[int]]:
        segments: list[list[int]] = []
        for i, t in enumerate(self.transforms):
            kind = getattr(t, "fusion", None) if (self.fuse and isinstance(t, Augmentation)) else None
            prev = segments[-1] if segments else None
            if kind and prev and getattr(self.transforms[prev[0]], "fusion", None) == kind and self.fuse:
                prev.append(i)
            else:
                segments.append([i])
        return segments

    def _chains(self, seg: list[int], nxt: list[int] | None) -> bool:
        """Whether fused segment ``seg`` and the fused segment ``nxt`` after it run as one kernel call."""
        if nxt is None or not self._fused(nxt):
            return False
        from .registry import registry

        kind = registry().fusion(self.transforms[seg[0]].fusion)  # type: ignore[attr-defined]
        return self.transforms[nxt[0]].fusion in kind.chain  # type: ignore[attr-defined]

    def _run(self, x: Any, params: Params, generator: torch.Generator | None, replay: bool) -> Any:
        """Run the segments in order, drawing params into ``params`` (or replaying them when ``replay``)."""
        owned = False  # whether x is an intermediate of this call that nobody else holds
        segments = self._segments
        i = 0
        while i < len(segments):
            seg = segments[i]
            if not self._fused(seg):
                op = self.transforms[seg[0]]
                if replay:
                    x = op.apply(x, params[str(seg[0])])
                else:
                    x, params[str(seg[0])] = op.augment(x, generator=generator)
                owned = False
                i += 1
                continue
            nxt = segments[i + 1] if i + 1 < len(segments) else None
            chained = nxt is not None and self._chains(seg, nxt)
            group = [seg, nxt] if chained and nxt is not None else [seg]
            if not replay:  # every draw from x, in op order: the same params as the unchained run
                for part in group:
                    for j in part:
                        params[str(j)] = self.transforms[j].sample_params(x, generator=generator)
            x, owned = self._apply_fused(
                x, group, [[params[str(j)] for j in part] for part in group], owned, fresh=not replay
            )
            i += len(group)
        return x

    def augment(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        params = Params()
        x = self._run(x, params, generator, replay=False)
        return Augmented(x, params)

    def apply(self, x: Any, params: Params) -> Any:
        return self._run(x, params, None, replay=True)

    def _total(
        self, x: Any, seg: list[int], seg_params: list[Params], fresh: bool = False
    ) -> tuple[Any, torch.Tensor, list[Any]]:
        """The fusion kind of a segment, its composed per-sample transform and its ops.

        ``fresh``: the params were just drawn by the ops' own ``sample_params``, so an op
        with ``p >= 1`` applies to every sample and its transform needs no masking
        (replayed params may carry any mask, so they are always masked).
        """
        from .registry import registry

        ops = [self.transforms[i] for i in seg]
        kind = registry().fusion(ops[0].fusion)  # type: ignore[attr-defined,arg-type]
        n = self.modality_spec().batch_size(x)
        identity: torch.Tensor | None = None
        total: torch.Tensor | None = None
        for op, p in zip(ops, seg_params):
            t = op.fusion_transform(x, p)  # type: ignore[attr-defined]
            always = fresh and _always_applied(op)
            if not always:
                identity = kind.identity(x, n) if identity is None else identity
                keep = p[APPLY].reshape(-1, *([1] * (t.dim() - 1)))
                t = torch.where(keep, t, identity)
            total = t if total is None else kind.compose(total, t)
        assert total is not None  # a segment has at least one op
        return kind, total, ops

    def _apply_fused(
        self, x: Any, group: list[list[int]], group_params: list[list[Params]], owned: bool, fresh: bool = False
    ) -> tuple[Any, bool]:
        """Run one fused segment, or two chained ones; return the output and whether it is an owned intermediate.

        With an input that requires grad, the fast paths that write into buffers (``apply_inplace``,
        ``chain`` kernels) are skipped: each segment runs through its kind's plain ``apply``, which
        must then be autograd-safe (see :class:`~omniaug.fusion.FusionKind`). Same params, same
        transforms, so the same output within the kinds' tolerance.
        """
        kind, total, ops = self._total(x, group[0], group_params[0], fresh)
        if fusion.reference_kernels():  # the plain kernels: no chain, no in-place fast path
            out = (kind.reference or kind.apply)(x, total, ops)
            if len(group) == 2:  # the next transform was computed from this segment's input, as chained
                nkind, ntotal, nops = self._total(x, group[1], group_params[1], fresh)
                out = (nkind.reference or nkind.apply)(out, ntotal, nops)
            return out, False
        grad = batching.any_requires_grad(x)
        if len(group) == 2:
            nkind, ntotal, nops = self._total(x, group[1], group_params[1], fresh)
            if not grad:
                return kind.chain[nkind.name](x, total, ops, ntotal, nops), True  # chain kernels return fresh outputs
            return nkind.apply(kind.apply(x, total, ops), ntotal, nops), nkind.fresh_output
        if owned and kind.apply_inplace is not None and not grad:
            return kind.apply_inplace(x, total, ops), True  # x came fresh from the previous fused segment
        return kind.apply(x, total, ops), kind.fresh_output


def _always_applied(op: Any) -> bool:
    """Whether ``op.sample_params`` marks every sample applied (``p >= 1``, the base class's draw)."""
    return isinstance(op, Augmentation) and op.p >= 1.0 and type(op).sample_params is Augmentation.sample_params


class RandomApply(_Container):
    """Apply ``transforms`` (in order) to each sample with probability ``p``."""

    name = "random_apply"

    def __init__(self, transforms: Transform | Sequence[Transform], p: float = 0.5) -> None:
        if not 0.0 <= p <= 1.0:
            raise InputError("p", "a probability in [0, 1]", p, where="RandomApply")
        self.transforms = _as_transforms(transforms, "RandomApply")
        self.p = float(p)
        self._modality = _common_modality(self.transforms, "RandomApply")
        self._inner: Transform = self.transforms[0] if len(self.transforms) == 1 else Compose(self.transforms)

    def augment(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        spec = self.modality_spec()
        n = spec.batch_size(x)
        mask = rng.bernoulli(n, self.p, generator=generator, device=spec.device_of(x))
        idx = mask.nonzero().flatten()
        params = Params({APPLY: mask})
        if idx.numel():
            part, params["inner"] = self._run_branch(self._inner, x, idx, n, generator)
            x = self._merge(x, idx, n, part)
        return Augmented(x, params)

    def apply(self, x: Any, params: Params) -> Any:
        n = self.modality_spec().batch_size(x)
        idx = params[APPLY].nonzero().flatten()
        if idx.numel() == 0:
            return x
        return self._merge(x, idx, n, self._replay_branch(self._inner, x, idx, n, params["inner"]))

    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        inner = params.get("inner")
        if isinstance(inner, Params):
            rows = params[APPLY].nonzero().flatten()
            if rows.numel():
                self._inner.feedback(inner.subset(rows), losses.index_select(0, rows.to(losses.device)))


class OneOf(_Container):
    """Apply one of ``transforms`` per sample, chosen with probabilities ``weights``.

    Each branch runs once, on the samples that chose it.
    """

    name = "one_of"

    def __init__(self, transforms: Sequence[Transform], weights: Sequence[float] | None = None) -> None:
        self.transforms = _as_transforms(transforms, "OneOf")
        if not self.transforms:
            raise InputError("transforms", "at least one transform", self.transforms, where="OneOf")
        if weights is not None and (
            len(weights) != len(self.transforms) or any(w < 0 for w in weights) or sum(weights) <= 0
        ):
            raise InputError(
                "weights", f"{len(self.transforms)} non-negative numbers with a positive sum", weights, where="OneOf"
            )
        self.weights = None if weights is None else [float(w) for w in weights]
        self._modality = _common_modality(self.transforms, "OneOf")

    def _draw_choice(self, n: int, generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
        k = len(self.transforms)
        if self.weights is None:
            return rng.randint(n, 0, k, generator=generator, device=device)
        w = torch.tensor(self.weights, dtype=torch.float64, device=device)
        cdf = (w.cumsum(0) / w.sum()).to(torch.float32)
        u = rng.uniform(n, 0.0, 1.0, generator=generator, device=device)
        return torch.searchsorted(cdf, u.contiguous(), right=True).clamp_max(k - 1)

    def augment(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        spec = self.modality_spec()
        n = spec.batch_size(x)
        return self.augment_with_choice(x, self._draw_choice(n, generator, spec.device_of(x)), generator)

    def augment_with_choice(self, x: Any, choice: torch.Tensor, generator: torch.Generator | None) -> Augmented:
        """Run branch ``choice[i]`` on row ``i``, each branch once on its rows (a policy's own choice too)."""
        n = self.modality_spec().batch_size(x)
        params = Params({"choice": choice})
        out = x
        for k, t in enumerate(self.transforms):
            idx = (choice == k).nonzero().flatten()
            if idx.numel():
                part, params[str(k)] = self._run_branch(t, x, idx, n, generator)
                out = self._merge(out, idx, n, part)
        return Augmented(out, params)

    def apply(self, x: Any, params: Params) -> Any:
        n = self.modality_spec().batch_size(x)
        choice: torch.Tensor = params["choice"]
        out = x
        for k, t in enumerate(self.transforms):
            idx = (choice == k).nonzero().flatten()
            if idx.numel():
                out = self._merge(out, idx, n, self._replay_branch(t, x, idx, n, params[str(k)]))
        return out

    def _branch_rows(self, params: Params, k: int) -> torch.Tensor | None:
        return (params["choice"] == k).nonzero().flatten()


class SomeOf(_Container):
    """Apply exactly ``n`` of ``transforms`` per sample (distinct, in list order).

    Each transform runs once, on the samples that picked it, after the ones
    listed before it.
    """

    name = "some_of"

    def __init__(self, transforms: Sequence[Transform], n: int = 2) -> None:
        self.transforms = _as_transforms(transforms, "SomeOf")
        if not 0 <= n <= len(self.transforms):
            raise InputError("n", f"an integer in [0, {len(self.transforms)}]", n, where="SomeOf")
        self.n = int(n)
        self._modality = _common_modality(self.transforms, "SomeOf")

    def augment(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        spec = self.modality_spec()
        b = spec.batch_size(x)
        chosen = rng.choose_k(b, len(self.transforms), self.n, generator=generator, device=spec.device_of(x))
        params = Params({"chosen": chosen})
        for k, t in enumerate(self.transforms):
            idx = chosen[:, k].nonzero().flatten()
            if idx.numel():
                part, params[str(k)] = self._run_branch(t, x, idx, b, generator)
                x = self._merge(x, idx, b, part)
        return Augmented(x, params)

    def apply(self, x: Any, params: Params) -> Any:
        b = self.modality_spec().batch_size(x)
        chosen: torch.Tensor = params["chosen"]
        for k, t in enumerate(self.transforms):
            idx = chosen[:, k].nonzero().flatten()
            if idx.numel():
                x = self._merge(x, idx, b, self._replay_branch(t, x, idx, b, params[str(k)]))
        return x

    def _branch_rows(self, params: Params, k: int) -> torch.Tensor | None:
        return params["chosen"][:, k].nonzero().flatten()
