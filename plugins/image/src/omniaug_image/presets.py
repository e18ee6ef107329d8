"""Ready-made image pipelines: ``image.default`` and a geometry-only variant."""

from __future__ import annotations

from typing import Any

from omniaug import Compose, Preset

from . import policies
from .ops.geometric import Affine, HorizontalFlip

__all__ = ["PRESETS", "default_pipeline", "geometric_pipeline"]


def geometric_pipeline(
    degrees: float = 15.0, translate: float = 0.1, scale: tuple[float, float] = (0.9, 1.1)
) -> Compose:
    """Random horizontal flip + affine, fused into one warp."""
    return Compose(
        [HorizontalFlip(p=0.5), Affine(degrees=degrees, translate=[translate, translate], scale=list(scale))], fuse=True
    )


def default_pipeline(
    degrees: float = 15.0,
    translate: float = 0.1,
    scale: tuple[float, float] = (0.9, 1.1),
    brightness: float = 0.4,
    contrast: float = 0.4,
    saturation: float = 0.4,
    hue: float = 0.05,
) -> Any:
    """Flip + affine (one warp), then brightness → contrast → saturation → YIQ hue (one colour matrix).

    The colour ops are separate ops in a fixed order (``ColorJitter`` draws a random
    order per sample but, as a single op, is not folded by ``Compose``); the YIQ hue
    rotation is the fusable fast mode of ``image.hue``. Without the photometric
    module the pipeline is the geometric part alone.
    """
    ops: list[Any] = [
        HorizontalFlip(p=0.5),
        Affine(degrees=degrees, translate=[translate, translate], scale=list(scale)),
    ]
    try:
        from .ops.photometric import Brightness, Contrast, Hue, Saturation
    except ImportError:  # pragma: no cover - the photometric module ships with the plugin
        return Compose(ops, fuse=True)
    ops += [Brightness(brightness), Contrast(contrast), Saturation(saturation), Hue(hue, hue_mode="yiq")]
    return Compose(ops, fuse=True)


PRESETS: list[Preset] = [
    Preset(
        "image.default",
        "image",
        default_pipeline,
        "flip + affine (one warp) + brightness/contrast/saturation/hue (one colour matrix), fused",
    ),
    Preset(
        "image.geometric", "image", geometric_pipeline, "random horizontal flip + affine, fused into one grid_sample"
    ),
    *policies.PRESETS,  # AutoAugment, RandAugment, TrivialAugmentWide, AugMix, PixMix
]
