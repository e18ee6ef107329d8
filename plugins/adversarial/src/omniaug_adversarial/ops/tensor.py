"""FGSM and PGD on images, waveforms, time series and tabular rows, each inside its modality's domain.

Payloads are recognised by their fields (``image``, ``waveform``, ``values`` with
``lengths``, ``features``), so this plugin imports none of the modality plugins.
The model sees the same payload type during the attack, with the perturbed
values in place (uint8 images as float in ``[0, 1]``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch

from omniaug import Magnitude

from ..attack import Surface
from .base import AdversarialOp

__all__ = [
    "ImageFGSM",
    "ImagePGD",
    "TimeSeriesFGSM",
    "TimeSeriesPGD",
    "WaveformFGSM",
    "WaveformPGD",
    "TabularFGSM",
    "TabularPGD",
    "FGSM_DEFAULTS",
]

#: FGSM's defaults: one full step of ε from the clean input (FGSM-RS: ``random_start=True, step_size=1.25``)
FGSM_DEFAULTS: dict[str, Any] = {"steps": 1, "step_size": 1.0, "random_start": False, "keep_best": False}


def _field(x: Any, name: str) -> torch.Tensor | None:
    if dataclasses.is_dataclass(x) and not isinstance(x, type) and hasattr(x, name):
        v = getattr(x, name)
        return v if isinstance(v, torch.Tensor) else None
    return None


def _replace(x: Any, name: str, value: torch.Tensor) -> Any:
    return dataclasses.replace(x, **{name: value})


def _length_mask(lengths: torch.Tensor | None, values: torch.Tensor) -> torch.Tensor | None:
    """``(B, 1, T)`` mask of valid time steps (``None`` when every step is valid)."""
    if lengths is None:
        return None
    t = torch.arange(values.shape[-1], device=values.device)
    return (t.view(1, 1, -1) < lengths.to(values.device).view(-1, 1, 1)).to(values.dtype)


# -- images ------------------------------------------------------------------------------
class _ImageAttack(AdversarialOp):
    modality = "image"
    magnitude = Magnitude("eps", 0.0, 16 / 255)

    def surface(self, x: Any) -> Surface:
        field = "image" if _field(x, "image") is not None else None
        img = x.image if field else x
        uint8 = img.dtype == torch.uint8
        values = img.to(torch.float32) / 255.0 if uint8 else img

        def rebuild(v: torch.Tensor) -> Any:
            return _replace(x, "image", v) if field else v

        return Surface(values, rebuild, lower=0.0, upper=1.0)

    def finish(self, x: Any, values: torch.Tensor) -> Any:
        img = x.image if _field(x, "image") is not None else x
        if img.dtype == torch.uint8:  # back onto the uint8 grid
            values = (values * 255.0).round().clamp(0, 255).to(torch.uint8)
        else:
            values = values.to(img.dtype)
        return _replace(x, "image", values) if img is not x else values

    @classmethod
    def example_input(cls, batch_size: int, *, generator: Any = None, device: Any = "cpu") -> Any:
        """The image modality's example mapped into ``[0.1, 0.9]``: the ε-ball then stays inside the domain,
        where the output is differentiable (at the domain's edge the clamp has a kink ``gradcheck`` cannot pass)."""
        x = super().example_input(batch_size, generator=generator, device=device)
        return 0.1 + 0.8 * x


class ImageFGSM(_ImageAttack):
    """FGSM (Goodfellow et al. 2015) on images: ``x + ε·sign(∇ₓ loss)``, kept in ``[0, 1]`` (uint8: on its grid).

    With ``random_start=True, step_size=1.25`` it is FGSM-RS ("fast adversarial training", Wong et al. 2020).
    """

    name = "image.fgsm"

    def __init__(
        self,
        eps: float | tuple[float, float] = 8 / 255,
        *,
        norm: str = "linf",
        step_size: float = 1.0,
        random_start: bool = False,
        targeted: bool = False,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=1, step_size=step_size, random_start=random_start, targeted=targeted,
            keep_best=False, p=p,
        )  # fmt: skip


class ImagePGD(_ImageAttack):
    """PGD (Madry et al. 2018) on images, L∞ or L2, per-sample ε, early stop per sample; stays in ``[0, 1]``."""

    name = "image.pgd"

    def __init__(
        self,
        eps: float | tuple[float, float] = 8 / 255,
        *,
        norm: str = "linf",
        steps: int = 10,
        step_size: float = 0.25,
        random_start: bool = True,
        targeted: bool = False,
        early_stop: bool = False,
        keep_best: bool = True,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=steps, step_size=step_size, random_start=random_start, targeted=targeted,
            early_stop=early_stop, keep_best=keep_best, p=p,
        )  # fmt: skip


# -- time series ----------------------------------------------------------------------------
class _SeriesAttack(AdversarialOp):
    """ε is relative to each channel's scale: the standard deviation of the sample's channel over its valid steps."""

    modality = "timeseries"
    magnitude = Magnitude("eps", 0.0, 0.3)

    def surface(self, x: Any) -> Surface:
        values = _field(x, "values")
        packed = values is not None
        v = values if packed else x
        mask = _length_mask(getattr(x, "lengths", None) if packed else None, v)
        if mask is None:
            std = v.detach().std(dim=-1, keepdim=True, unbiased=False)
        else:
            count = mask.sum(-1, keepdim=True).clamp_min(1)
            mean = (v.detach() * mask).sum(-1, keepdim=True) / count
            std = (((v.detach() - mean) * mask) ** 2).sum(-1, keepdim=True).div(count).sqrt()
        scale = std.clamp_min(torch.finfo(v.dtype).tiny)

        def rebuild(w: torch.Tensor) -> Any:
            return _replace(x, "values", w) if packed else w

        return Surface(v, rebuild, mask=mask, scale=scale)


class TimeSeriesFGSM(_SeriesAttack):
    """FGSM on time series: ``ε · std(channel) · sign(∇)`` on valid steps only (padding untouched)."""

    name = "timeseries.fgsm"

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.1,
        *,
        norm: str = "linf",
        step_size: float = 1.0,
        random_start: bool = False,
        targeted: bool = False,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=1, step_size=step_size, random_start=random_start, targeted=targeted,
            keep_best=False, p=p,
        )  # fmt: skip


class TimeSeriesPGD(_SeriesAttack):
    """PGD on time series, ε in units of each channel's std, valid steps only."""

    name = "timeseries.pgd"

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.1,
        *,
        norm: str = "linf",
        steps: int = 10,
        step_size: float = 0.25,
        random_start: bool = True,
        targeted: bool = False,
        early_stop: bool = False,
        keep_best: bool = True,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=steps, step_size=step_size, random_start=random_start, targeted=targeted,
            early_stop=early_stop, keep_best=keep_best, p=p,
        )  # fmt: skip


# -- waveforms ------------------------------------------------------------------------------
class _WaveformAttack(AdversarialOp):
    """Waveforms stay in ``[-1, 1]``; padding past each clip's length is never perturbed."""

    modality = "audio"
    magnitude = Magnitude("eps", 0.0, 0.01)

    def surface(self, x: Any) -> Surface:
        wave = _field(x, "waveform")
        packed = wave is not None
        w = wave if packed else x
        mask = _length_mask(getattr(x, "lengths", None) if packed else None, w)

        def rebuild(v: torch.Tensor) -> Any:
            return _replace(x, "waveform", v) if packed else v

        return Surface(w, rebuild, mask=mask, lower=-1.0, upper=1.0)


class WaveformFGSM(_WaveformAttack):
    """FGSM on waveforms (valid samples only, kept in ``[-1, 1]``)."""

    name = "audio.fgsm"

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.002,
        *,
        norm: str = "linf",
        step_size: float = 1.0,
        random_start: bool = False,
        targeted: bool = False,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=1, step_size=step_size, random_start=random_start, targeted=targeted,
            keep_best=False, p=p,
        )  # fmt: skip


class WaveformPGD(_WaveformAttack):
    """PGD on waveforms (valid samples only, kept in ``[-1, 1]``)."""

    name = "audio.pgd"

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.002,
        *,
        norm: str = "linf",
        steps: int = 10,
        step_size: float = 0.25,
        random_start: bool = True,
        targeted: bool = False,
        early_stop: bool = False,
        keep_best: bool = True,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=steps, step_size=step_size, random_start=random_start, targeted=targeted,
            early_stop=early_stop, keep_best=keep_best, p=p,
        )  # fmt: skip


# -- tabular ------------------------------------------------------------------------------
class _TabularAttack(AdversarialOp):
    """Rows ``(B, F)`` (or ``Rows(features, labels)``), unbounded; ``feature_scale`` makes ε per feature."""

    modality = "tabular"
    magnitude = Magnitude("eps", 0.0, 0.5)
    feature_scale: torch.Tensor | None = None

    def surface(self, x: Any) -> Surface:
        feats = _field(x, "features")
        packed = feats is not None
        f = feats if packed else x
        scale = (
            None if self.feature_scale is None else self.feature_scale.to(device=f.device, dtype=f.dtype).view(1, -1)
        )

        def rebuild(v: torch.Tensor) -> Any:
            return _replace(x, "features", v) if packed else v

        return Surface(f, rebuild, scale=scale)

    def _set_scale(self, feature_scale: list[float] | None) -> None:
        from omniaug import InputError

        if feature_scale is None:
            return
        t = torch.as_tensor(feature_scale, dtype=torch.float64)
        if t.dim() != 1 or not bool((t > 0).all()) or not bool(torch.isfinite(t).all()):
            raise InputError(
                "feature_scale", "a list of positive finite numbers, one per feature", feature_scale, where=self.name
            )
        self.feature_scale = t


class TabularFGSM(_TabularAttack):
    """FGSM on feature rows; ``feature_scale`` (one number per feature, e.g. the training std) scales ε."""

    name = "tabular.fgsm"

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.1,
        *,
        norm: str = "linf",
        step_size: float = 1.0,
        random_start: bool = False,
        targeted: bool = False,
        feature_scale: list[float] | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=1, step_size=step_size, random_start=random_start, targeted=targeted,
            keep_best=False, p=p,
        )  # fmt: skip
        self._set_scale(feature_scale)


class TabularPGD(_TabularAttack):
    """PGD on feature rows; ``feature_scale`` (one number per feature) scales ε."""

    name = "tabular.pgd"

    def __init__(
        self,
        eps: float | tuple[float, float] = 0.1,
        *,
        norm: str = "linf",
        steps: int = 10,
        step_size: float = 0.25,
        random_start: bool = True,
        targeted: bool = False,
        early_stop: bool = False,
        keep_best: bool = True,
        feature_scale: list[float] | None = None,
        p: float = 1.0,
    ) -> None:
        super().__init__(
            eps, norm=norm, steps=steps, step_size=step_size, random_start=random_start, targeted=targeted,
            early_stop=early_stop, keep_best=keep_best, p=p,
        )  # fmt: skip
        self._set_scale(feature_scale)
