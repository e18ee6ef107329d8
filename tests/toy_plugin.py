"""A small in-process plugin used by the core tests: a 'vec' modality (B, F).

It defines ops with and without a fusion kind, a mixer whose effective weight
differs from λ (like CutMix), file I/O and a text renderer, so every core
mechanism can be tested without any modality plugin installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

import omniaug
from omniaug import rng

CALLS: list[tuple[str, int]] = []  # (op name, batch size) of every kernel call


def validate(x: Any) -> None:
    if not isinstance(x, torch.Tensor) or x.dim() != 2 or not x.is_floating_point():
        raise omniaug.InputError("x", "a float tensor (B, F)", x)


def example(batch_size: int = 8, generator: torch.Generator | None = None, device: Any = "cpu") -> torch.Tensor:
    return rng.uniform(batch_size, 0.0, 1.0, shape=(5,), generator=generator, device=device)


def load(paths: Sequence[Path]) -> torch.Tensor:
    return torch.stack([torch.tensor([float(v) for v in Path(p).read_text().split()]) for p in paths])


def save(x: torch.Tensor, paths: Sequence[Path]) -> None:
    for row, p in zip(x, paths):
        Path(p).write_text(" ".join(f"{v:.6f}" for v in row.tolist()))


def render(original: torch.Tensor, views: Sequence[torch.Tensor], path: Path) -> Path:
    lines = ["original: " + str(original.tolist())] + [f"view {i}: {v.tolist()}" for i, v in enumerate(views)]
    Path(path).write_text("\n".join(lines))
    return Path(path)


VEC = omniaug.Modality(
    name="vec",
    payload="Tensor (B, F) float",
    validate=validate,
    example=example,
    bad_examples=lambda: [torch.zeros(3), torch.zeros(2, 3, dtype=torch.long), "text"],
    load=load,
    save=save,
    render=render,
    file_patterns=("*.vec",),
)


class Scale(omniaug.Augmentation):
    """Multiply each sample by a factor in [1 - amount, 1 + amount]."""

    name = "vec.scale"
    modality = VEC
    magnitude = omniaug.Magnitude("amount", 0.0, 0.9)
    fusion = "vec.gain"

    def __init__(self, amount: float = 0.5, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.amount = float(amount)

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: Any) -> dict[str, Any]:
        return {"factor": rng.uniform(batch_size, 1 - self.amount, 1 + self.amount, generator=generator, device=device)}

    def kernel(self, x: torch.Tensor, params: omniaug.Params) -> torch.Tensor:
        CALLS.append((self.name, x.shape[0]))
        return x * params["factor"].unsqueeze(1)

    def fusion_transform(self, x: Any, params: omniaug.Params) -> torch.Tensor:
        return params["factor"]


class Shift(omniaug.Augmentation):
    """Add an offset in [-amount, amount] to each sample."""

    name = "vec.shift"
    modality = VEC
    magnitude = omniaug.Magnitude("amount", 0.0, 1.0)

    def __init__(self, amount: float = 0.5, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.amount = float(amount)

    def draw(self, x: Any, batch_size: int, *, generator: Any, device: Any) -> dict[str, Any]:
        return {"offset": rng.uniform(batch_size, -self.amount, self.amount, generator=generator, device=device)}

    def kernel(self, x: torch.Tensor, params: omniaug.Params) -> torch.Tensor:
        CALLS.append((self.name, x.shape[0]))
        return x + params["offset"].unsqueeze(1)


class Negate(omniaug.Augmentation):
    """Negate the sample (no random params besides p; not usable by policies)."""

    name = "vec.negate"
    modality = VEC

    def kernel(self, x: torch.Tensor, params: omniaug.Params) -> torch.Tensor:
        CALLS.append((self.name, x.shape[0]))
        return -x


class PasteMix(omniaug.Mixer):
    """Paste the partner's first k features, k = round(F * (1 - λ)); weight = k / F (not λ)."""

    name = "vec.paste_mix"
    modality = VEC

    def mix(
        self, x: torch.Tensor, partners: list[torch.Tensor], params: omniaug.Params
    ) -> tuple[torch.Tensor, torch.Tensor]:
        f = x.shape[1]
        k = torch.round(f * (1 - params["lam"])).long()
        cols = torch.arange(f).unsqueeze(0) < k.unsqueeze(1)
        return torch.where(cols, partners[0], x), 1 - k.float() / f


def _gain_identity(x: Any, n: int) -> torch.Tensor:
    return torch.ones(n)


GAIN = omniaug.FusionKind(
    name="vec.gain",
    identity=_gain_identity,
    compose=lambda first, then: first * then,
    apply=lambda x, t, ops: (CALLS.append(("fused", x.shape[0])), x * t.unsqueeze(1))[1],
)


class Plugin:
    @omniaug.hookimpl
    def omniaug_register_modalities(self) -> list[omniaug.Modality]:
        return [VEC]

    @omniaug.hookimpl
    def omniaug_register_augmentations(self) -> list[type[omniaug.Augmentation]]:
        return [Scale, Shift, Negate]

    @omniaug.hookimpl
    def omniaug_register_mixers(self) -> list[type[omniaug.Mixer]]:
        return [PasteMix]

    @omniaug.hookimpl
    def omniaug_register_presets(self) -> list[omniaug.Preset]:
        return [omniaug.Preset("vec.default", "vec", lambda: omniaug.Compose([Scale(), Shift()]), "scale then shift")]

    @omniaug.hookimpl
    def omniaug_register_fusions(self) -> list[omniaug.FusionKind]:
        return [GAIN]

    @omniaug.hookimpl
    def omniaug_example_data(self, modality: str) -> Any:
        return example(4, rng.make_generator(0)) if modality == "vec" else None
