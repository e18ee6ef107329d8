"""albumentations → omniaug: the mapping table and :func:`from_albumentations`.

Arguments are read from ``transform.to_dict_private()`` (what albumentations
serializes), so a pipeline converts the same from a live ``A.Compose``, its
``A.to_dict`` dict, or a saved JSON/YAML file. Pixel-valued arguments (``fill``)
are taken on albumentations' uint8 scale and divided by 255. Converted pipelines
take an ``omniaug_image.ImageBatch`` (image ``(B, C, H, W)``, mask, padded
``pascal_voc`` boxes with a validity mask, keypoints) where albumentations took
one sample's keyword arguments.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError
from ._convert import Conversion, PeerConverter, compose, random_apply
from ._peers import require
from ._table import Arg, Fidelity, Mapping, Unmappable, const, refuse, same
from ._wrap import WrappedAlbumentations

__all__ = ["MAPPINGS", "WRAPPED", "CONVERTER", "from_albumentations", "convert"]


# ----------------------------------------------------------------------------- rules
def _range(v: Any) -> tuple[float, float]:
    if isinstance(v, (int, float)):
        return (float(v), float(v))
    return (float(v[0]), float(v[1]))


def _xy(v: Any) -> tuple[tuple[float, float], tuple[float, float]]:
    """albumentations' ``{"x": (lo, hi), "y": (lo, hi)}`` (or one range for both)."""
    if isinstance(v, dict):
        return _range(v["x"]), _range(v["y"])
    r = _range(v)
    return r, r


def _constant_border(border_mode: Any) -> None:
    if border_mode != 0:
        raise Unmappable(f"border_mode={border_mode} (omniaug warps fill a constant: cv2.BORDER_CONSTANT only)")


def _fill(fill: Any, border_mode: Any = 0) -> Any:
    _constant_border(border_mode)
    if isinstance(fill, (int, float)):
        return min(max(float(fill) / 255.0, 0.0), 1.0)
    if isinstance(fill, (list, tuple)) and all(isinstance(v, (int, float)) for v in fill):
        return [min(max(float(v) / 255.0, 0.0), 1.0) for v in fill]
    raise Unmappable(f"fill={fill!r}")


def _interp(value: Any) -> str:
    if value == 1:
        return "bilinear"
    if value == 0:
        return "nearest"
    raise Unmappable(f"interpolation={value} (omniaug has cv2.INTER_LINEAR (1) and INTER_NEAREST (0))")


def _degrees(rotate: Any) -> list[float]:
    # albumentations turns counter-clockwise for positive angles, omniaug clockwise (torchvision)
    lo, hi = _range(rotate)
    return [-hi, -lo]


def _translate(translate_percent: Any, translate_px: Any) -> list[float]:
    if translate_px is not None:
        (a, b), (c, d) = _xy(translate_px)
        if any((a, b, c, d)):
            raise Unmappable("translate_px (pixel shifts; omniaug translates by fractions of the size)")
    if translate_percent is None:
        return [0.0, 0.0]
    (a, b), (c, d) = _xy(translate_percent)
    return [max(abs(a), abs(b)), max(abs(c), abs(d))]


def _scale(scale: Any) -> list[float]:
    x, y = _xy(scale)
    return [min(x[0], y[0]), max(x[1], y[1])]


def _shear(shear: Any) -> list[float]:
    x, y = _xy(shear)
    # omniaug's shear follows torchvision's sign (the opposite of albumentations' for x)
    return [-x[1], -x[0], -y[1], -y[0]]


def _affine_fidelity(v: dict[str, Any]) -> tuple[Fidelity, str]:
    x, y = _xy(v["scale"])
    notes = []
    if x != y or (not v.get("keep_ratio") and x[0] != x[1]):
        notes.append("albumentations draws x and y scales independently; omniaug one scale")
    if v.get("translate_percent") is not None:
        (a, b), (c, d) = _xy(v["translate_percent"])
        if a != -b or c != -d:
            notes.append("asymmetric translate range widened to a symmetric one")
    sx, sy = _xy(v["shear"])
    if any(sx) or any(sy):
        notes.append("shear angles compose differently (albumentations shears after rotating)")
    if v.get("balanced_scale"):
        notes.append("balanced_scale ignored")
    return ("approximate", "; ".join(notes)) if notes else ("exact", "")


def _no_fit_output(fit_output: Any) -> bool:
    """True for ``fit_output=False`` (raises :class:`Unmappable` otherwise), so a rule lambda can chain it."""
    if fit_output:
        raise Unmappable("fit_output=True (changes the output size per sample)")
    return True


def _jitter(v: Any, name: str) -> float:
    lo, hi = _range(v)
    if name == "hue":
        return max(abs(lo), abs(hi))
    return max(1.0 - lo, hi - 1.0)


def _jitter_fidelity(v: dict[str, Any]) -> tuple[Fidelity, str]:
    sym = all(
        abs((1 - _range(v[k])[0]) - (_range(v[k])[1] - 1)) < 1e-9 or _range(v[k])[0] == 0
        for k in ("brightness", "contrast", "saturation")
    )
    sym = sym and _range(v["hue"])[0] == -_range(v["hue"])[1]
    note = "uint8 hue runs through OpenCV's 180-step hue in albumentations, float HSV in omniaug"
    return ("exact", note) if sym else ("approximate", "asymmetric factor ranges widened to symmetric ones; " + note)


def _gamma_strength(limit: Any) -> float:
    lo, hi = _range(limit)
    return max(abs(math.log2(lo / 100.0)), abs(math.log2(hi / 100.0)))


def _gray(num_output_channels: Any, method: Any) -> None:
    if method != "weighted_average" or num_output_channels != 3:
        raise Unmappable(
            f"ToGray(method={method!r}, num_output_channels={num_output_channels}) (omniaug: ITU-R 601 luma, channels kept)"
        )


def _solarize_fidelity(v: dict[str, Any]) -> tuple[Fidelity, str]:
    lo, hi = _range(v["threshold_range"])
    if lo == hi or hi == 1.0:
        return "exact", ""
    return "approximate", f"threshold drawn in [{lo}, 1] instead of [{lo}, {hi}]"


def _posterize_fidelity(v: dict[str, Any]) -> tuple[Fidelity, str]:
    lo, hi = _range(v["num_bits"])
    if lo == hi or hi == 8:
        return "exact", ""
    return "approximate", f"bits drawn in [{int(lo)}, 8] instead of [{int(lo)}, {int(hi)}]"


def _blur_kernel(blur_limit: Any, sigma_limit: Any) -> int:
    lo, hi = _range(blur_limit)
    if (
        hi <= 0
    ):  # albumentations derives the size from sigma: round(sigma * 3.5) * 2 + 1 (OpenCV's rule for uint8 is 3σ·2+1)
        hi = round(_range(sigma_limit)[1] * 3.5) * 2 + 1
    k = int(hi)
    return k if k % 2 else k + 1


def _blur_fidelity(v: dict[str, Any]) -> tuple[Fidelity, str]:
    lo, hi = _range(v["blur_limit"])
    if lo == hi and lo > 0:
        return "exact", ""
    return (
        "approximate",
        "one kernel size (the largest) instead of one drawn per sample; sigma drawn as in albumentations",
    )


def _noise_mean(mean_range: Any) -> float:
    lo, hi = _range(mean_range)
    if lo != hi:
        raise Unmappable("mean_range with a random mean")
    return lo


def _noise_fidelity(v: dict[str, Any]) -> tuple[Fidelity, str]:
    notes = []
    if not v.get("per_channel", True):
        notes.append("noise drawn per channel (albumentations: shared)")
    if v.get("noise_scale_factor", 1) != 1:
        notes.append("noise_scale_factor ignored (full-resolution noise)")
    return ("approximate", "; ".join(notes)) if notes else ("exact", "")


def _value(fill: Any, fill_mask: Any) -> Any:
    if fill_mask is not None:
        raise Unmappable("fill_mask (omniaug erasing leaves masks as they are)")
    if fill == "random" or fill == "random_uniform":
        return "random"
    if isinstance(fill, str):
        raise Unmappable(f"fill={fill!r}")
    return _fill(fill)


def _erasing_scale(height: Any, width: Any) -> list[float]:
    (h0, h1), (w0, w1) = _range(height), _range(width)
    if max(h1, w1) > 1.0:
        raise Unmappable("hole sizes in pixels (omniaug: fractions of the image)")
    return [h0 * w0, h1 * w1]


def _erasing_ratio(height: Any, width: Any) -> list[float]:
    (h0, h1), (w0, w1) = _range(height), _range(width)
    return [max(h0 / w1, 1e-3), h1 / max(w0, 1e-6)]


MAPPINGS: dict[str, Mapping] = {
    m.transform: m
    for m in [
        Mapping("HorizontalFlip", "image.horizontal_flip", {}, check="replayed: equal."),
        Mapping("VerticalFlip", "image.vertical_flip", {}, check="replayed: equal."),
        Mapping(
            "RandomRotate90",
            "image.rot90",
            {"turns": const([0, 1, 2, 3], "all four quarter turns")},
            note="square images only (a batch keeps one shape).",
            check="replayed (`factor` → `k`): equal.",
        ),
        Mapping(
            "D4",
            "image.dihedral",
            {"include_identity": const(True, "`True` (the 8 elements uniformly)")},
            note="square images only.",
            check="replayed (each `group_element` ↔ its omniaug element, found by the test): equal.",
        ),
        Mapping(
            "Affine",
            "image.affine",
            {
                "degrees": Arg(("rotate",), _degrees, "`rotate` (sign flipped: omniaug turns clockwise)"),
                "translate": Arg(
                    ("translate_percent", "translate_px"), _translate, "largest `|translate_percent|` per axis"
                ),
                "scale": Arg(("scale",), _scale, "`scale` (x and y ranges merged)"),
                "shear": Arg(("shear",), _shear, "`shear` x and y ranges (signs flipped)"),
                "interpolation": Arg(
                    ("interpolation", "fit_output"),
                    lambda i, f: (_no_fit_output(f), _interp(i))[1],
                    "`interpolation` (1 → bilinear, 0 → nearest)",
                ),
                "fill": Arg(("fill", "border_mode"), _fill, "`fill` / 255; border_mode must be constant"),
            },
            fidelity=_affine_fidelity,
            check="replayed (the drawn matrix decomposed into angle, scale, translation): mean |Δ| < 1/255 on uint8 photos, cv2 and grid_sample bilinear differ at edges.",
        ),
        Mapping(
            "Rotate",
            "image.affine",
            {
                "degrees": Arg(("limit",), _degrees, "`limit` (sign flipped)"),
                "translate": const([0.0, 0.0]),
                "scale": const([1.0, 1.0]),
                "interpolation": Arg(
                    ("interpolation", "crop_border"),
                    lambda i, c: _interp(i) if not c else refuse("crop_border=True"),
                    "`interpolation`; crop_border must be False",
                ),
                "fill": Arg(("fill", "border_mode"), _fill, "`fill` / 255"),
            },
            check="replayed (the angle of the drawn matrix): as Affine.",
        ),
        Mapping(
            "ShiftScaleRotate",
            "image.affine",
            {
                "degrees": Arg(("rotate_limit",), _degrees, "`rotate_limit` (sign flipped)"),
                "translate": Arg(
                    ("shift_limit_x", "shift_limit_y"),
                    lambda x, y: [max(map(abs, _range(x))), max(map(abs, _range(y)))],
                    "largest `|shift_limit|` per axis",
                ),
                "scale": Arg(("scale_limit",), lambda s: [1.0 + _range(s)[0], 1.0 + _range(s)[1]], "`1 + scale_limit`"),
                "interpolation": Arg(("interpolation",), _interp, "`interpolation`"),
                "fill": Arg(("fill", "border_mode"), _fill, "`fill` / 255"),
            },
            fidelity="approximate",
            note="albumentations 2 draws x and y scales independently; omniaug one scale.",
            check="not replayed: an anisotropic draw has no omniaug params (Affine's replay covers the shared math).",
        ),
        Mapping(
            "Perspective",
            "image.perspective",
            {
                "distortion_scale": Arg(
                    ("scale", "keep_size", "fit_output"),
                    lambda s, k, f: (
                        min(1.0, 2.0 * _range(s)[1]) if k and not f else refuse("keep_size=False or fit_output=True")
                    ),
                    "`2 × max(scale)`",
                ),
                "interpolation": Arg(("interpolation",), _interp, "`interpolation`"),
                "fill": Arg(("fill", "border_mode"), _fill, "`fill` / 255"),
            },
            fidelity="approximate",
            note="albumentations moves corners by |N(0, scale)| and resizes the warped box back; omniaug moves them inward uniformly (torchvision's law).",
            check="not replayed: albumentations' warp-then-resize has no single homography in omniaug's params.",
        ),
        Mapping(
            "RandomResizedCrop",
            "image.random_resized_crop",
            {
                "size": Arg(("size",), lambda s: [int(s[0]), int(s[1])], "`size` (height, width)"),
                "scale": Arg(("scale",), lambda s: list(_range(s)), "`scale`"),
                "ratio": Arg(("ratio",), lambda r: list(_range(r)), "`ratio`"),
                "interpolation": Arg(("interpolation",), _interp, "`interpolation`"),
            },
            note="same sampling (torchvision's 10 attempts + centre fallback).",
            check="replayed (`crop_coords` → box): max |Δ| ≤ 2/255 (cv2 INTER_LINEAR vs F.interpolate rounding).",
        ),
        Mapping(
            "ElasticTransform",
            "image.elastic",
            {
                "displacement": Arg(
                    ("alpha",),
                    float,
                    "`alpha` (measured: the same pixel displacement spread within ±20 % for σ in 4–10)",
                ),
                "sigma": same("sigma"),
                "interpolation": Arg(("interpolation",), _interp, "`interpolation`"),
                "fill": Arg(("fill", "border_mode"), _fill, "`fill` / 255"),
            },
            fidelity="approximate",
            note="displacement fields are built differently (albumentations: Gaussian noise, cv2 blur; omniaug: torchvision's uniform noise).",
            check="not replayed: the fields differ in construction; the test checks the displacement spread matches.",
        ),
        Mapping(
            "ColorJitter",
            "image.color_jitter",
            {
                "brightness": Arg(
                    ("brightness",), lambda v: _jitter(v, "brightness"), "half-width of the factor range"
                ),
                "contrast": Arg(("contrast",), lambda v: _jitter(v, "contrast"), "half-width of the factor range"),
                "saturation": Arg(
                    ("saturation",), lambda v: _jitter(v, "saturation"), "half-width of the factor range"
                ),
                "hue": Arg(("hue",), lambda v: _jitter(v, "hue"), "largest `|hue|`"),
            },
            fidelity=_jitter_fidelity,
            check="replayed (factors and order): brightness/contrast/saturation mean |Δ| < 1/255; hue differs by OpenCV's 2° hue steps.",
        ),
        Mapping(
            "RandomGamma",
            "image.gamma",
            {"strength": Arg(("gamma_limit",), _gamma_strength, "`max |log2(gamma_limit / 100)|`")},
            fidelity="approximate",
            note="γ is log-uniform in [2^-s, 2^s] in omniaug, uniform in gamma_limit / 100 in albumentations.",
            check="replayed (`gamma`): max |Δ| ≤ 1/255.",
        ),
        Mapping(
            "ToGray",
            "image.grayscale",
            {"_": Arg(("num_output_channels", "method"), _gray, "method must be weighted_average")},
            check="max |Δ| ≤ 1/255 (rounding).",
        ),
        Mapping("InvertImg", "image.invert", {}, check="equal."),
        Mapping(
            "Solarize",
            "image.solarize",
            {
                "threshold": Arg(("threshold_range",), lambda r: _range(r)[0], "low end of `threshold_range`"),
                "exact": Arg(("threshold_range",), lambda r: _range(r)[0] == _range(r)[1], "fixed threshold"),
            },
            fidelity=_solarize_fidelity,
            check="replayed (`threshold`): equal.",
        ),
        Mapping(
            "Posterize",
            "image.posterize",
            {
                "bits": Arg(("num_bits",), lambda r: int(_range(r)[0]), "low end of `num_bits`"),
                "exact": Arg(("num_bits",), lambda r: _range(r)[0] == _range(r)[1], "fixed bits"),
            },
            fidelity=_posterize_fidelity,
            check="replayed (`num_bits`): equal.",
        ),
        Mapping(
            "GaussianBlur",
            "image.gaussian_blur",
            {
                "kernel_size": Arg(("blur_limit", "sigma_limit"), _blur_kernel, "largest odd `blur_limit`"),
                "sigma": Arg(
                    ("sigma_limit",), lambda s: [max(_range(s)[0], 1e-3), max(_range(s)[1], 1e-3)], "`sigma_limit`"
                ),
            },
            fidelity=_blur_fidelity,
            check="replayed (σ read off the drawn kernel, fixed size): max |Δ| ≤ 1/255.",
        ),
        Mapping(
            "GaussNoise",
            "image.gaussian_noise",
            {
                "sigma": Arg(("std_range",), lambda r: list(_range(r)), "`std_range`"),
                "mean": Arg(("mean_range",), _noise_mean, "fixed `mean_range`"),
            },
            fidelity=_noise_fidelity,
            check="replayed (`noise_map` as the noise field): max |Δ| ≤ 1/255.",
        ),
        Mapping(
            "CoarseDropout",
            "image.random_erasing",
            {
                "scale": Arg(
                    ("hole_height_range", "hole_width_range"),
                    _erasing_scale,
                    "products of the height and width fractions",
                ),
                "ratio": Arg(("hole_height_range", "hole_width_range"), _erasing_ratio, "height / width bounds"),
                "max_holes": Arg(("num_holes_range",), lambda r: int(_range(r)[1]), "high end of `num_holes_range`"),
                "fill": Arg(("fill", "fill_mask"), _value, "`fill` / 255 or 'random'"),
            },
            fidelity="approximate",
            note="holes are parametrized by area and aspect instead of height and width; the count is uniform in [1, max].",
            check="replayed (`holes`): equal.",
        ),
        Mapping(
            "Erasing",
            "image.random_erasing",
            {
                "scale": Arg(("scale",), lambda s: list(_range(s)), "`scale`"),
                "ratio": Arg(("ratio",), lambda r: list(_range(r)), "`ratio`"),
                "fill": Arg(("fill", "fill_mask"), _value, "`fill` / 255 or 'random'"),
            },
            fidelity="approximate",
            note="a hole too large for the image is clipped instead of redrawn.",
            check="replayed (`holes`): equal.",
        ),
        Mapping("ChannelShuffle", "image.channel_shuffle", {}, check="replayed (`channels_shuffled`): equal."),
        Mapping(
            "Equalize",
            "image.equalize",
            {
                "_": Arg(
                    ("mode", "by_channels", "mask"),
                    lambda m, b, k: (
                        None if (m == "cv" and b and k is None) else refuse("mode='pil', a mask or by_channels=False")
                    ),
                    "mode 'cv', by_channels, no mask",
                )
            },
            fidelity="approximate",
            note="torchvision's histogram equalization; OpenCV's equalizeHist scales the cumulative histogram differently.",
            check="compared (no params): mean |Δ| < 6/255, 90th percentile ≤ 20/255 on photos (one channel of one photo differs by 16 levels in its darkest bins).",
        ),
    ]
}

#: transforms documented as wrapped (no native equivalent), with the reason
WRAPPED: dict[str, str] = {
    "RandomBrightnessContrast": "additive brightness (beta) and multiplicative contrast about 0; omniaug's contrast blends with the mean",
    "HueSaturationValue": "additive HSV shifts in OpenCV units",
    "RGBShift": "additive per-channel shifts",
    "CLAHE": "no native equivalent",
    "MotionBlur": "no native equivalent",
    "MedianBlur": "no native equivalent",
    "Blur": "no native equivalent",
    "Sharpen": "a different kernel from omniaug's (PIL's) sharpness",
    "Emboss": "no native equivalent",
    "Transpose": "one fixed dihedral element (omniaug's Dihedral draws one)",
    "SafeRotate": "rotates and rescales to keep the whole image",
    "RandomCrop": "changes the output size",
    "CenterCrop": "changes the output size",
    "Resize": "deterministic resize (no random op)",
    "Normalize": "deterministic normalization (leaves the [0, 1] image range)",
    "GridDistortion": "no native equivalent",
    "OpticalDistortion": "no native equivalent",
    "ISONoise": "no native equivalent",
    "ImageCompression": "no native equivalent",
    "RandomToneCurve": "no native equivalent",
    "ToSepia": "no native equivalent",
    "Downscale": "no native equivalent",
    "GridDropout": "different grid parametrization from GridMask",
    "AutoContrast": "albumentations' cdf / pil methods with cutoffs differ from torchvision's autocontrast",
}

DROPPED = {
    "ToTensorV2": "omniaug batches are already (B, C, H, W) tensors",
}


def _values(t: Any) -> dict[str, Any]:
    d = dict(t.to_dict_private())
    d.pop("__class_fullname__", None)
    return d


def _compose(t: Any, children: Any) -> Any:
    from ..containers import Compose

    items = children(t.transforms)
    inner = Compose(items)
    return random_apply(inner, float(getattr(t, "p", 1.0)))


def _one_of(t: Any, children: Any) -> Any:
    from ..containers import OneOf

    weights = [float(getattr(c, "p", 1.0)) for c in t.transforms]
    items = children(t.transforms)
    # albumentations applies the chosen child always: the children's own p only weigh the choice
    items = [_force_p1(i) for i in items]
    return random_apply(OneOf(items, weights=weights), float(t.p))


def _force_p1(t: Any) -> Any:
    from ..augmentation import Augmentation
    from ..containers import RandomApply

    if isinstance(t, Augmentation) and t.p < 1.0:
        return type(t)(**{**t.init_args, "p": 1.0})
    if isinstance(t, RandomApply):
        return compose(t.transforms)
    return t


def _some_of(t: Any, children: Any) -> Any:
    from ..containers import SomeOf

    n = t.n if isinstance(t.n, int) else int(t.n[0])
    items = children(t.transforms)
    return random_apply(SomeOf(items, n=min(n, len(items))), float(t.p))


CONVERTER = PeerConverter(
    peer="albumentations",
    mappings=MAPPINGS,
    wrapper=WrappedAlbumentations,
    values=_values,
    probability=lambda t: float(getattr(t, "p", 1.0)),
    containers={
        "Compose": _compose,
        "Sequential": _compose,
        "RandomOrder": _compose,
        "OneOf": _one_of,
        "SomeOf": _some_of,
    },
    dropped=DROPPED,
    wrapped_only=WRAPPED,
)


def _load(source: Any) -> Any:
    A = require("albumentations")
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise ConfigError(f"albumentations pipeline file {str(path)!r} does not exist")
        fmt = "yaml" if path.suffix in (".yaml", ".yml") else "json"
        return A.load(str(path), data_format=fmt)
    if isinstance(source, dict):
        return A.from_dict(source)
    if not type(source).__module__.startswith("albumentations"):
        raise InputError(
            "pipeline",
            "an albumentations transform or Compose, its A.to_dict() dict, or a saved file",
            source,
            where="from_albumentations",
        )
    return source


def convert(source: Any) -> Conversion:
    """Convert an albumentations pipeline (object, ``A.to_dict`` dict or saved file) and report what was done."""
    return CONVERTER.convert(_load(source))


def from_albumentations(source: Any) -> Any:
    """An omniaug pipeline equivalent to an albumentations pipeline (see :func:`convert`)."""
    return convert(source).pipeline
