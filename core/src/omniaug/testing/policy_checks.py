"""Contract checks over a whole modality: its policies and presets on every declared example shape.

A policy (RandAugment, TrivialAugment) or preset must never raise on valid data:
an op that cannot apply to an input is skipped (:class:`omniaug.SkipInapplicable`).
:func:`check_policies_and_presets` runs each of them, with several seeds, on every
payload the modality's ``example_variants`` declares (univariate and multivariate
series, mono and stereo audio, grey and colour images, single-node graphs, one-word
sentences, …), and checks that the output is valid and that replaying the params
gives it again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch

from ..errors import InputError
from ..rng import make_generator

__all__ = ["example_variants", "modality_transforms", "check_policies_and_presets"]


def example_variants(
    modality: str, batch_size: int = 4, *, seed: int = 0, device: torch.device | str = "cpu"
) -> dict[str, Any]:
    """The modality's named example payloads (its ``example_variants``, or ``{"example": example}``)."""
    from ..registry import registry

    spec = registry().modality(modality)
    g = make_generator(seed)
    if spec.example_variants is not None:
        return dict(spec.example_variants(batch_size, generator=g, device=device))
    if spec.example is None:
        return {}
    return {"example": spec.example(batch_size=batch_size, generator=g, device=device)}


def modality_transforms(modality: str) -> dict[str, Any]:
    """Every policy (when the modality has policy ops) and every preset of ``modality``, built with defaults."""
    from ..policies import RandAugment, TrivialAugment
    from ..registry import registry

    reg = registry()
    out: dict[str, Any] = {}
    if reg.ops_for(modality, policy=True):
        out["rand_augment(n=2, m=9)"] = RandAugment(modality, n=2, m=9)
        out["trivial_augment"] = TrivialAugment(modality)
    for name, preset in sorted(reg.presets.items()):
        if preset.modality == modality:
            out[name] = preset.build()
    return out


def check_policies_and_presets(
    modality: str,
    *,
    seeds: Iterable[int] = range(4),
    batch_size: int = 4,
    device: torch.device | str = "cpu",
    variants: dict[str, Any] | None = None,
) -> None:
    """Every policy and preset of ``modality`` runs on every example variant, gives a valid output and replays."""
    from ..registry import registry

    spec = registry().modality(modality)
    variants = example_variants(modality, batch_size, device=device) if variants is None else variants
    assert variants, f"modality {modality!r} declares no example payload"
    seeds = list(seeds)
    for tname, t in modality_transforms(modality).items():
        for vname, x in variants.items():
            for seed in seeds:
                where = f"{tname} on {modality} example {vname!r} (seed {seed})"
                try:
                    out, params = t.augment(x, generator=make_generator(seed, device))
                except Exception as exc:
                    raise AssertionError(f"{where} raised {type(exc).__name__}: {exc}") from exc
                try:
                    spec.validate(out)
                except InputError as exc:
                    raise AssertionError(f"{where} produced an invalid payload: {exc}") from exc
                again = t(x, params=params)
                rtol, atol = spec.float_tolerance
                assert spec.allclose(again, out, rtol=rtol, atol=atol), f"{where}: replaying the params differs"
