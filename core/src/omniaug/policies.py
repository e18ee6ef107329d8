"""Modality-agnostic policies over the ops a modality registers with a magnitude.

* :class:`RandAugment` (Cubuk et al. 2020): ``n`` layers, each picking one op per
  sample (uniformly, identity included) at magnitude ``m`` of ``m_max``.
* :class:`TrivialAugment` (Müller & Hutter 2021): one layer, one op per sample at a
  magnitude drawn uniformly per sample.

An op's :class:`~omniaug.Magnitude` maps a magnitude in ``[0, 1]`` to its strength
argument; the op then draws each sample's value inside that range, so RandAugment's
``m`` bounds the strength and TrivialAugment (built at full magnitude) draws it
uniformly per sample. Each layer is a per-sample :class:`~omniaug.OneOf`: every op
runs once, on the samples that picked it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from .augmentation import Augmentation, Augmented, Transform
from .containers import Compose, Identity, OneOf
from .errors import InputError
from .modality import Modality
from .params import Params

__all__ = ["RandAugment", "TrivialAugment", "policy_ops"]


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

    def sample_params(self, x: Any, *, generator: torch.Generator | None = None) -> Params:
        return self._pipeline.sample_params(x, generator=generator)

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        return self._pipeline.augment(x, generator=generator)

    def apply(self, x: Any, params: Params) -> Any:
        return self._pipeline.apply(x, params)


class RandAugment(_Policy):
    """RandAugment over a modality's policy ops.

    Args:
        modality: registered modality name, e.g. ``"image"``.
        n: number of layers (ops applied in sequence per sample).
        m: magnitude in ``[0, m_max]``.
        m_max: the scale of ``m`` (10 as in the paper; torchvision uses 30).
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
        m_max: float = 10,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        identity: bool = True,
    ) -> None:
        if n < 1:
            raise InputError("n", "an integer >= 1", n, where="RandAugment")
        if not 0 <= m <= m_max:
            raise InputError("m", f"a magnitude in [0, {m_max}]", m, where="RandAugment")
        self.n, self.m, self.m_max = int(n), float(m), float(m_max)
        ops = policy_ops(modality, include=include, exclude=exclude)

        def layer() -> OneOf:
            branches: list[Transform] = [c.at_magnitude(self.m / self.m_max) for c in ops]
            if identity:
                branches.append(Identity())
            return OneOf(branches)

        self._pipeline = Compose([layer() for _ in range(self.n)])
        self._modality = ops[0].modality_spec()


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
        branches: list[Transform] = [c.at_magnitude(1.0) for c in ops]
        if identity:
            branches.append(Identity())
        self._pipeline = OneOf(branches)
        self._modality = ops[0].modality_spec()
