"""The argument vocabulary of docs/plugins/authoring.md holds for every registered op and mixer."""

from __future__ import annotations

import inspect
import warnings

import pytest

import omniaug
from omniaug import InputError

#: names the vocabulary retired (each concept has one name now)
RETIRED = {"percent", "fill_value", "mask_value", "value", "std", "window_ratio", "max_levels", "rotate"}
#: ``ratio`` is an aspect ratio only
ASPECT_RATIO_OPS = {"image.random_resized_crop", "image.random_erasing"}


def _items() -> list[tuple[str, str, type]]:
    reg = omniaug.registry()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg.load_all()
    out = [(n, "augmentation", c) for n, c in reg.augmentations.items()]
    return out + [(n, "mixer", c) for n, c in reg.mixers.items()]


def _params(cls: type) -> list[str]:
    return [p for p in inspect.signature(cls).parameters if p not in ("self", "kw", "kwargs")]


def test_one_name_per_concept() -> None:
    bad = []
    for name, kind, cls in _items():
        params = _params(cls)
        for p in params:
            if p in RETIRED or (p == "ratio" and name not in ASPECT_RATIO_OPS):
                bad.append(f"{name}: {p}")
            if p == "alpha" and kind != "mixer":
                bad.append(f"{name}: alpha outside a mixer (alpha is a Beta concentration only)")
            if p.endswith("_min") and p[:-4] + "_max" in params:
                bad.append(f"{name}: {p} / {p[:-4]}_max (a range is one (low, high) argument)")
    assert not bad, bad


def test_mixup_type_mixers_share_alpha_default() -> None:
    defaults = {
        name: inspect.signature(cls).parameters["alpha"].default
        for name, kind, cls in _items()
        if kind == "mixer" and "alpha" in inspect.signature(cls).parameters
    }
    mixups = {n: a for n, a in defaults.items() if "mixup" in n or n.endswith("within_class_mix")}
    cutmixes = {n: a for n, a in defaults.items() if n.endswith(".cutmix") or n == "image.fmix"}
    assert mixups and set(mixups.values()) == {0.2}, mixups
    assert cutmixes and set(cutmixes.values()) == {1.0}, cutmixes


def test_scalar_ranges_symmetric_for_offsets_and_factors_fixed_for_amounts() -> None:
    reg = omniaug.registry()
    assert reg.augmentation("audio.gain")(gain_db=6).gain_db == (-6.0, 6.0)
    assert reg.augmentation("audio.pitch_shift")(semitones=2).semitones == (-2.0, 2.0)
    assert reg.augmentation("audio.speed")(factor=0.1).factor == pytest.approx((0.9, 1.1))
    assert reg.augmentation("audio.time_stretch")(factor=0.2).factor == pytest.approx((0.8, 1.2))
    assert reg.augmentation("image.affine")(degrees=10, scale=0.2).scale == pytest.approx([0.8, 1.2])
    assert reg.augmentation("audio.colored_noise")(snr_db=10).snr_db == (10.0, 10.0)
    assert reg.augmentation("image.gaussian_blur")(sigma=1.5).sigma == (1.5, 1.5)
    assert reg.augmentation("graph.drop_edge")(rate=0.3).rate == (0.3, 0.3)
    # a negative number where a symmetric range is expected names the argument
    with pytest.raises(InputError, match="gain_db"):
        reg.augmentation("audio.gain")(gain_db=-6)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("text.random_deletion", {"rate": float("nan")}),
        ("graph.feature_noise", {"sigma": float("inf")}),
        ("image.brightness", {"brightness": float("inf")}),
        ("timeseries.jitter", {"sigma": float("nan")}),
        ("audio.gain", {"gain_db": (float("-inf"), 0.0)}),
        ("tokens.masking", {"rate": 1.5}),
    ],
)
def test_non_finite_and_out_of_range_arguments_are_refused(name: str, kwargs: dict) -> None:
    with pytest.raises(InputError, match=next(iter(kwargs))):
        omniaug.registry().augmentation(name)(**kwargs)


def test_randaugment_has_one_scale() -> None:
    ra = omniaug.RandAugment("image", n=1, m=10)
    assert ra.m == 10.0
    with pytest.raises(InputError, match="m"):
        omniaug.RandAugment("image", n=1, m=11)
    assert "m_max" not in inspect.signature(omniaug.RandAugment).parameters
