"""Modality-agnostic policies over the ops a modality registers with a magnitude.

* :class:`RandAugment` (Cubuk et al. 2020): ``n`` layers, each picking one op per
  sample (uniformly, identity included) at magnitude ``m`` on the paper's scale
  ``[0, 10]`` — the one RandAugment of every modality (the image plugin supplies the
  paper's op space through ``Modality.extra["randaugment_space"]``).
* :class:`TrivialAugment` (Müller & Hutter 2021): one layer, one op per sample at a
  magnitude drawn uniformly per sample.

An op's :class:`~omniaug.Magnitude` maps a level ``m / 10`` in ``[0, 1]`` to its
strength argument; the op then draws each sample's value inside that range, so RandAugment's
``m`` bounds the strength and TrivialAugment (built at full magnitude) draws it
uniformly per sample. Each layer is a per-sample :class:`~omniaug.OneOf`: every op
runs once, on the samples that picked it.

Policies never raise on valid data: every op they pick is wrapped in
:class:`SkipInapplicable`, so an op that cannot apply to an input (a 3-D rotation
on a univariate series, a phase vocoder on a clip shorter than its window) leaves
those samples unchanged and says why in the params (``"skipped"``, ``"reason"``).
Presets use the same wrapper around ops that need a particular input.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from . import args
from .augmentation import Augmentation, Augmented, Transform
from .containers import Compose, Identity, OneOf, _Container
from .errors import InputError
from .modality import Modality
from .model import ModelContext
from .params import Params

__all__ = ["RandAugment", "SkipInapplicable", "TrivialAugment", "inapplicable", "policy_ops"]

#: params key of :class:`SkipInapplicable`: ``(B,)`` bool, True where the op was skipped
SKIPPED = "skipped"


def inapplicable(transform: Transform, x: Any) -> tuple[torch.Tensor | None, str]:
    """Which samples of ``x`` ``transform`` cannot apply to, and why.

    Returns ``(mask, reason)``: ``mask`` is a ``(B,)`` bool tensor (True = cannot
    apply) or ``None`` when every sample is fine. An op may answer per sample by
    defining ``inapplicable(x) -> (mask | None, reason)``; otherwise an
    :class:`InputError` from its own :meth:`~omniaug.Augmentation.check` (too few
    channels, too short) marks the whole batch. Malformed payloads are not
    "inapplicable": the modality's validation still raises when the op runs.
    """
    own = getattr(transform, "inapplicable", None)
    if callable(own):
        result = own(x)
        return (None, "") if result is None else result
    if not isinstance(transform, Augmentation):
        return None, ""
    try:
        transform.check(x)
    except InputError as exc:
        spec = transform.modality_spec()
        n = spec.batch_size(x)
        return torch.ones(n, dtype=torch.bool, device=spec.device_of(x)), str(exc)
    return None, ""


class SkipInapplicable(_Container):
    """Run ``transform`` on the samples it can apply to; leave the others unchanged.

    Params: ``"skipped"`` (``(B,)`` bool), ``"reason"`` (why, ``""`` when nothing was
    skipped) and ``"inner"``, the transform's own params spread to the batch (absent
    when every sample was skipped). Replaying them skips the same samples.
    """

    name = "skip_inapplicable"

    def __init__(self, transform: Transform) -> None:
        if not isinstance(transform, Transform):
            raise InputError("transform", "an omniaug transform", transform, where="SkipInapplicable")
        self.transform = transform
        self.transforms = [transform]
        self._modality = transform.modality_spec()  # type: ignore[attr-defined]

    def augment(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        spec = self.modality_spec()
        n = spec.batch_size(x)
        skipped, reason = inapplicable(self.transform, x)
        if skipped is None:
            out, inner = self.transform.augment(x, generator=generator)
            params = Params({SKIPPED: torch.zeros(n, dtype=torch.bool, device=spec.device_of(x)), "reason": ""})
            params["inner"] = inner
            return Augmented(out, params)
        params = Params({SKIPPED: skipped, "reason": reason})
        idx = (~skipped).nonzero().flatten()
        if idx.numel():
            part, params["inner"] = self._run_branch(self.transform, x, idx, n, generator)
            x = self._merge(x, idx, n, part)
        return Augmented(x, params)

    def apply(self, x: Any, params: Params) -> Any:
        n = self.modality_spec().batch_size(x)
        idx = (~params[SKIPPED]).nonzero().flatten()
        if idx.numel() == 0:
            return x
        return self._merge(x, idx, n, self._replay_branch(self.transform, x, idx, n, params["inner"]))

    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        inner = params.get("inner")
        if isinstance(inner, Params):
            rows = (~params[SKIPPED]).nonzero().flatten()
            if rows.numel():
                self.transform.feedback(inner.subset(rows), losses.index_select(0, rows.to(losses.device)))


def policy_ops(
    modality: str, *, include: Sequence[str] | None = None, exclude: Sequence[str] = ()
) -> list[type[Augmentation]]:
    """The registered ops of ``modality`` that policies may use, filtered by name."""
    from .registry import registry

    ops = registry().ops_for(modality, policy=True)
    known = {c.name for c in ops}
    for name in [*(include or []), *exclude]:
        if name not in known:
            raise InputError(
                "include/exclude", f"names of policy ops of {modality!r} ({', '.join(sorted(known))})", name
            )
    if include is not None:
        ops = [c for c in ops if c.name in include]
    ops = [c for c in ops if c.name not in exclude]
    if not ops:
        raise InputError("modality", "a modality with ops that declare a magnitude", modality, where="policy")
    return ops


class _Policy(Transform):
    _pipeline: Transform
    _modality: Modality

    def modality_spec(self) -> Modality:
        return self._modality

    def modality_name(self) -> str:
        return self._modality.name

    @property
    def pipeline(self) -> Transform:
        """The container this policy expands to."""
        return self._pipeline

    def sample_params(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Params:
        return self._pipeline.sample_params(x, generator=generator)

    def augment(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        return self._pipeline.augment(x, generator=generator)

    def apply(self, x: Any, params: Params) -> Any:
        return self._pipeline.apply(x, params)

    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        self._pipeline.feedback(params, losses)

    @property  # type: ignore[misc]
    def requires_model(self) -> bool:  # type: ignore[override]
        return bool(getattr(self._pipeline, "requires_model", False))

    @property  # type: ignore[misc]
    def differentiable(self) -> bool:  # type: ignore[override]
        return bool(getattr(self._pipeline, "differentiable", False))


#: the scale of RandAugment's ``m`` (the paper's; torchvision's 31 bins are ``m = k / 3``)
M_MAX = 10.0


class RandAugment(_Policy):
    """RandAugment over a modality's op space.

    The op space is the modality's own when it declares one
    (``Modality.extra["randaugment_space"]``: a function of the level ``m / 10``
    returning the layer's branches — the image plugin gives the paper's 14 ops at
    exactly that strength with a random sign), else every registered policy op of the
    modality (each at ``at_magnitude(m / 10)``, drawing per-sample strengths up to it).
    ``include`` / ``exclude`` always select from the registered policy ops.

    Args:
        modality: registered modality name, e.g. ``"image"``.
        n: number of layers (ops applied in sequence per sample).
        m: magnitude in ``[0, 10]`` (the paper's scale; ``m = 9`` as in its ImageNet
            setting; torchvision's magnitude ``k`` of 30 is ``m = k / 3``).
        include / exclude: restrict the op set by registered name.
        identity: add the identity among the choices (as the paper does).
    """

    name = "rand_augment"

    def __init__(
        self,
        modality: str,
        n: int = 2,
        m: float = 9,
        *,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        identity: bool = True,
    ) -> None:
        self.n = args.integer("n", n, low=1, where="RandAugment")
        self.m = args.non_negative("m", m, where="RandAugment")
        if self.m > M_MAX:
            raise InputError("m", f"a magnitude in [0, {M_MAX:g}]", m, where="RandAugment")
        level = self.m / M_MAX
        from .registry import registry

        spec = registry().modality(modality)
        space = spec.extra.get("randaugment_space") if include is None and not exclude else None
        if space is not None:

            def layer() -> OneOf:
                branches = [b for b in space(level) if identity or not isinstance(b, Identity)]
                return OneOf(branches)

            self._modality = spec
        else:
            ops = policy_ops(modality, include=include, exclude=exclude)

            def layer() -> OneOf:
                branches: list[Transform] = [SkipInapplicable(c.at_magnitude(level)) for c in ops]
                if identity:
                    branches.append(Identity())
                return OneOf(branches)

            self._modality = ops[0].modality_spec()
        self._pipeline = Compose([layer() for _ in range(self.n)])


class TrivialAugment(_Policy):
    """TrivialAugment (wide): one op per sample, strength uniform per sample.

    Args:
        modality: registered modality name.
        include / exclude: restrict the op set by registered name.
        identity: add the identity among the choices (as the paper does).
    """

    name = "trivial_augment"

    def __init__(
        self,
        modality: str,
        *,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        identity: bool = True,
    ) -> None:
        ops = policy_ops(modality, include=include, exclude=exclude)
        branches: list[Transform] = [SkipInapplicable(c.at_magnitude(1.0)) for c in ops]
        if identity:
            branches.append(Identity())
        self._pipeline = OneOf(branches)
        self._modality = ops[0].modality_spec()
