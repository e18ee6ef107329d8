"""Backdoor (poisoning) triggers, for evaluating robustness to data poisoning — not for training defences by default.

A trigger mixer stamps a fixed trigger on a random share ``p`` of the batch
(drawn per sample: the params' apply mask says which rows were poisoned) and
relabels exactly those rows to ``target``, returned as soft labels::

    poison = ImageBackdoor(target=0, kind="patch", p=0.1, num_classes=10)
    x_poisoned, soft_labels = poison(x, y, generator=g)

* ``kind="patch"`` — BadNets (Gu et al. 2017): a small checkerboard patch in a corner
  of the image; for series and waveforms a square-wave burst over a window of each
  sample's valid part.
* ``kind="blend"`` — blended injection (Chen et al. 2017): ``(1 − opacity)·x + opacity·T`` with a
  fixed random pattern ``T`` drawn from ``seed`` (the same trigger on every call).

The trigger is part of the op (constructor arguments), not of the draw, so a
backdoor is consistent across batches and a test set can be poisoned the same way
to measure the attack success rate.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch

from omniaug import InputError, Mixer, Params, args, rng, to_soft_labels
from omniaug.params import APPLY

__all__ = ["ImageBackdoor", "TimeSeriesBackdoor", "WaveformBackdoor"]

KINDS = ("patch", "blend")


def _pattern(shape: tuple[int, ...], seed: int, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
    """The blend trigger: uniform in ``[0, 1)`` from a local generator (the global RNG is never touched)."""
    return torch.rand(shape, generator=rng.make_generator(seed)).to(device=device, dtype=dtype)


def _square(length: int, device: torch.device, dtype: torch.dtype, period: int = 8) -> torch.Tensor:
    """``±1`` square wave of ``period`` steps."""
    t = torch.arange(length, device=device)
    return torch.where((t // (period // 2)) % 2 == 0, 1.0, -1.0).to(dtype)


class _Backdoor(Mixer):
    """Shared logic: no partners, poisoned rows = the apply mask, their labels set to ``target``."""

    differentiable = True

    def __init__(
        self,
        target: int = 0,
        *,
        kind: str = "patch",
        opacity: float = 0.2,
        seed: int = 0,
        p: float = 0.1,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(1.0, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        where = self.name
        self.target = args.integer("target", target, low=0, where=where)
        if num_classes is not None and self.target >= num_classes:
            raise InputError("target", f"a class index below num_classes={num_classes}", target, where=where)
        self.kind = args.choice("kind", kind, KINDS, where=where)
        self.blend = args.fraction("opacity", opacity, where=where)
        self.seed = args.integer("seed", seed, where=where)

    @classmethod
    def example_instances(cls) -> list[Mixer]:
        return [cls(p=0.5), cls(kind="blend", p=0.5)]

    def draw_partners(
        self, x: Any, batch_size: int, *, generator: Any, device: torch.device, labels: Any = None
    ) -> Any:
        return torch.arange(batch_size, device=device).unsqueeze(1)  # a trigger mixes no samples

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        out = self.stamp(x)
        n = self.modality_spec().batch_size(x)
        return out, torch.ones(n)

    def stamp(self, x: Any) -> Any:
        """``x`` with the trigger on every sample."""
        raise NotImplementedError

    def soft_labels(self, labels: torch.Tensor, params: Params, weights: torch.Tensor) -> torch.Tensor:
        soft = to_soft_labels(labels, self.num_classes, smoothing=self.label_smoothing, where=self.name)
        if self.target >= soft.shape[1]:
            raise InputError("target", f"a class index below {soft.shape[1]}", self.target, where=self.name)
        target = torch.zeros_like(soft[0])
        target[self.target] = 1.0
        return torch.where(params[APPLY].to(soft.device).unsqueeze(1), target, soft)


class ImageBackdoor(_Backdoor):
    """BadNets patch (``patch_size`` pixels, checkerboard, bottom-right corner) or a blended random-pattern trigger.

    uint8 images stay uint8 (the patch is 0/255, the blend rounded).
    """

    name = "image.backdoor"
    modality = "image"

    def __init__(
        self,
        target: int = 0,
        *,
        kind: str = "patch",
        patch_size: int = 3,
        opacity: float = 0.2,
        seed: int = 0,
        p: float = 0.1,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            target, kind=kind, opacity=opacity, seed=seed, p=p, num_classes=num_classes, label_smoothing=label_smoothing
        )
        self.patch_size = args.integer("patch_size", patch_size, low=1, where=self.name)

    def stamp(self, x: Any) -> Any:
        packed = dataclasses.is_dataclass(x) and not isinstance(x, type)
        img = x.image if packed else x
        uint8 = img.dtype == torch.uint8
        v = img.to(torch.float32) / 255.0 if uint8 else img
        _, c, h, w = v.shape
        if self.kind == "patch":
            s = min(self.patch_size, h, w)
            i = torch.arange(h, device=v.device).view(-1, 1)
            j = torch.arange(w, device=v.device).view(1, -1)
            inside = (i >= h - s) & (j >= w - s)
            checker = ((i + j) % 2 == 0).to(v.dtype)
            out = torch.where(inside, checker, v)
        else:
            out = (1.0 - self.blend) * v + self.blend * _pattern((c, h, w), self.seed, v.device, v.dtype)
        if uint8:
            out = (out * 255.0).round().clamp(0, 255).to(torch.uint8)
        return dataclasses.replace(x, image=out) if packed else out


def _valid(lengths: torch.Tensor | None, n: int, t: int, device: torch.device) -> torch.Tensor:
    return torch.full((n,), t, device=device) if lengths is None else lengths.to(device)


class _SeriesLikeBackdoor(_Backdoor):
    """Series and waveforms: the trigger lies inside each sample's valid part; padding is untouched."""

    field = "values"
    amplitude_default = 1.0

    def __init__(
        self,
        target: int = 0,
        *,
        kind: str = "patch",
        width: int = 16,
        position: float = 0.5,
        amplitude: float | None = None,
        opacity: float = 0.2,
        seed: int = 0,
        p: float = 0.1,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            target, kind=kind, opacity=opacity, seed=seed, p=p, num_classes=num_classes, label_smoothing=label_smoothing
        )
        self.width = args.integer("width", width, low=1, where=self.name)
        self.position = args.fraction("position", position, where=self.name)
        self.amplitude = args.positive(
            "amplitude", self.amplitude_default if amplitude is None else amplitude, where=self.name
        )

    def scale(self, v: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(offset, unit)`` per sample and channel the trigger is expressed in."""
        return torch.zeros_like(v[..., :1]), torch.ones_like(v[..., :1])

    def stamp(self, x: Any) -> Any:
        packed = dataclasses.is_dataclass(x) and not isinstance(x, type)
        v = getattr(x, self.field) if packed else x
        n, _, t = v.shape
        length = _valid(getattr(x, "lengths", None) if packed else None, n, t, v.device)
        steps = torch.arange(t, device=v.device).view(1, 1, -1)
        valid = steps < length.view(-1, 1, 1)
        offset, unit = self.scale(v, valid)
        if self.kind == "patch":
            w = torch.clamp(length, max=self.width)
            start = ((length - w).to(v.dtype) * self.position).floor().long()
            inside = (steps >= start.view(-1, 1, 1)) & (steps < (start + w).view(-1, 1, 1))
            burst = offset + self.amplitude * unit * _square(t, v.device, v.dtype).view(1, 1, -1)
            out = torch.where(inside, burst, v)
        else:
            pattern = 2.0 * _pattern((v.shape[1], t), self.seed, v.device, v.dtype) - 1.0
            trig = offset + self.amplitude * unit * pattern
            out = torch.where(valid, (1.0 - self.blend) * v + self.blend * trig, v)
        return dataclasses.replace(x, **{self.field: out}) if packed else out


class TimeSeriesBackdoor(_SeriesLikeBackdoor):
    """A square-wave burst (``patch``) or blended random pattern (``blend``) in each channel's own units
    (mean ± ``amplitude`` · std over the valid part), inside each series' valid length."""

    name = "timeseries.backdoor"
    modality = "timeseries"
    field = "values"

    def scale(self, v: torch.Tensor, valid: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        m = valid.to(v.dtype)
        count = m.sum(-1, keepdim=True).clamp_min(1)
        mean = (v * m).sum(-1, keepdim=True) / count
        # sum of squares in float64: squares of float16 > 256 or float32 > 1e19 would overflow (NaN trigger)
        sq = torch.linalg.vector_norm((v - mean) * m, dim=-1, keepdim=True, dtype=torch.float64)
        std = (sq / count.to(torch.float64).sqrt()).to(v.dtype)
        return mean, std


class WaveformBackdoor(_SeriesLikeBackdoor):
    """A square-wave click burst of ``amplitude`` (``patch``) or a blended noise pattern (``blend``) inside
    each clip's valid length; stays in ``[-1, 1]`` for ``amplitude <= 1``."""

    name = "audio.backdoor"
    modality = "audio"
    field = "waveform"
    amplitude_default = 0.5

    def __init__(
        self,
        target: int = 0,
        *,
        kind: str = "patch",
        width: int = 400,
        position: float = 0.5,
        amplitude: float | None = None,
        opacity: float = 0.2,
        seed: int = 0,
        p: float = 0.1,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            target, kind=kind, width=width, position=position, amplitude=amplitude, opacity=opacity, seed=seed, p=p,
            num_classes=num_classes, label_smoothing=label_smoothing,
        )  # fmt: skip
        if self.amplitude > 1.0:
            raise InputError("amplitude", "at most 1 (waveforms stay in [-1, 1])", amplitude, where=self.name)
