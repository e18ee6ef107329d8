"""Ready-made pipelines."""

from __future__ import annotations

from omniaug import Compose, Preset, SkipInapplicable

from .ops.amplitude import Jitter, MagnitudeWarp, Scaling
from .ops.channels import ChannelSwap, Rotation3D
from .ops.crops import Crop
from .ops.order import SegmentPermutation
from .ops.warps import TimeWarp

__all__ = ["PRESETS", "wearable", "um2017"]


def wearable(*, channel_swap: bool = True, channel_groups: list[list[int]] | None = None, p: float = 0.5) -> Compose:
    """Abbaspourazad et al. 2024's wearable pre-training pipeline.

    Random crop (80–100 %, resized back), Gaussian noise, time warp, magnitude warp and
    channel swap, each applied to a sample with probability ``p``. The channel swap
    is skipped (reason in the params) on single-channel series such as most UCR
    sets; ``channel_swap=False`` leaves it out. ``channel_groups`` (e.g.
    ``[[0, 1, 2], [3, 4, 5]]`` for accelerometer + gyroscope) swaps only channels of
    the same kind.
    """
    ops = [
        Crop(size=[0.8, 1.0], resize=True, p=p),
        Jitter(sigma=0.05, relative=True, p=p),
        TimeWarp(sigma=0.2, knots=4, p=p),
        MagnitudeWarp(sigma=0.2, knots=4, p=p),
    ]
    if channel_swap:
        ops.append(SkipInapplicable(ChannelSwap(groups=channel_groups, p=p)))
    return Compose(ops)


def um2017(*, rotation: bool = True, p: float = 0.5) -> Compose:
    """Um et al. 2017's set for wearable accelerometers: jitter, scaling, rotation, permutation, magnitude and time warp.

    The 3-D rotation needs xyz channels: on series with fewer than 3 channels it is
    skipped (reason in the params); ``rotation=False`` leaves it out.
    """
    ops = [
        Jitter(sigma=0.05, relative=True, p=p),
        Scaling(sigma=0.1, p=p),
        *([SkipInapplicable(Rotation3D(p=p))] if rotation else []),
        SegmentPermutation(segments=4, p=p),
        MagnitudeWarp(sigma=0.2, p=p),
        TimeWarp(sigma=0.2, p=p),
    ]
    return Compose(ops)


PRESETS = [
    Preset(
        "timeseries.default",
        "timeseries",
        wearable,
        "Wearable pipeline (Abbaspourazad et al. 2024): crop, Gaussian noise, time warp, magnitude warp, channel swap",
    ),
    Preset(
        "timeseries.um2017",
        "timeseries",
        um2017,
        "Um et al. 2017: jitter, scaling, 3-D rotation, permutation, magnitude warp, time warp",
    ),
]
