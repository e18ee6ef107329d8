"""torchvision.transforms.v2 → omniaug: the mapping table and :func:`from_torchvision`.

Arguments are read back from the transform's attributes (torchvision keeps its
constructor arguments, normalized, under the same names). omniaug's image ops
follow torchvision's functional kernels, so most mappings are exact; values in
pixel units (``fill``, a solarize ``threshold``) above 1 are read on the uint8
scale and divided by 255. Layout conversions (``ToImage``, ``ToPureTensor``)
are dropped: an omniaug batch is already a ``(B, C, H, W)`` tensor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import InputError
from ._convert import Conversion, PeerConverter, check_kind, random_apply
from ._peers import require
from ._table import Arg, Fidelity, Mapping, const, interpolation, refuse, same
from ._wrap import WrappedTorchvision, signature_args

__all__ = ["MAPPINGS", "WRAPPED", "CONVERTER", "convert", "from_torchvision"]


def _pair(v: Any, default: Sequence[float]) -> list[float]:
    if v is None:
        return [float(x) for x in default]
    if isinstance(v, (int, float)):
        return [float(v), float(v)]
    return [float(x) for x in v]


def _fill(fill: Any) -> Any:
    if fill is None:
        return 0.0
    if isinstance(fill, dict):
        refuse("a fill per input type")
    values = [float(v) for v in fill] if isinstance(fill, (list, tuple)) else [float(fill)]
    scale = 255.0 if any(v > 1.0 for v in values) else 1.0  # torchvision fills in the image's units
    values = [v / scale for v in values]
    return values if isinstance(fill, (list, tuple)) else values[0]


def _no_center(center: Any) -> bool:
    """True when ``center`` is None (raises :class:`Unmappable` otherwise), so a rule lambda can chain it."""
    if center is not None:
        refuse("a custom center (omniaug turns about the image centre)")
    return True


def _shear(shear: Any) -> list[float]:
    if shear is None:
        return [0.0, 0.0, 0.0, 0.0]
    s = [float(v) for v in shear]
    return s if len(s) == 4 else [*s, 0.0, 0.0]


def _strength(v: Any, center: float = 1.0) -> float:
    if v is None:
        return 0.0
    lo, hi = float(v[0]), float(v[1])
    return max(center - lo, hi - center)


def _jitter_fidelity(v: dict[str, Any]) -> tuple[Fidelity, str]:
    for name in ("brightness", "contrast", "saturation"):
        r = v.get(name)
        if r is not None and abs(max(0.0, 2.0 - float(r[1])) - float(r[0])) > 1e-9:
            return "approximate", f"asymmetric {name} range widened to a symmetric one"
    h = v.get("hue")
    if h is not None and float(h[0]) != -float(h[1]):
        return "approximate", "asymmetric hue range widened"
    return "exact", ""


def _size(size: Any) -> list[int]:
    if isinstance(size, int):
        return [size, size]
    s = list(size)
    return [int(s[0]), int(s[-1])]


def _rrc_fidelity(v: dict[str, Any]) -> tuple[Fidelity, str]:
    if v.get("antialias", True):
        return "approximate", "no antialiasing when the crop is shrunk (torchvision antialiases by default)"
    return "exact", ""


def _kernel(k: Any) -> int:
    k = [int(x) for x in k] if isinstance(k, (list, tuple)) else [int(k), int(k)]
    if k[0] != k[-1]:
        refuse("a non-square blur kernel")
    return k[0]


def _threshold(t: Any) -> float:
    t = float(t)
    return t / 255.0 if t > 1.0 else t


def _erase_value(value: Any) -> Any:
    if value == "random":
        return "random"
    if isinstance(value, (int, float)):
        return _fill(value)
    if isinstance(value, (list, tuple)):
        return _fill(list(value))
    return refuse(f"value={value!r}")


MAPPINGS: dict[str, Mapping] = {
    m.transform: m
    for m in [
        Mapping("RandomHorizontalFlip", "image.horizontal_flip", {}, check="equal."),
        Mapping("RandomVerticalFlip", "image.vertical_flip", {}, check="equal."),
        Mapping(
            "RandomAffine",
            "image.affine",
            {
                "degrees": Arg(("degrees",), lambda d: [float(x) for x in d], "`degrees`"),
                "translate": Arg(("translate",), lambda t: _pair(t, (0.0, 0.0)), "`translate` (None → 0)"),
                "scale": Arg(("scale",), lambda s: _pair(s, (1.0, 1.0)), "`scale` (None → 1)"),
                "shear": Arg(("shear",), _shear, "`shear` (2 or 4 values)"),
                "interpolation": Arg(
                    ("interpolation", "center"),
                    lambda i, c: (_no_center(c), interpolation(i))[1],
                    "`interpolation`; center must be None",
                ),
                "fill": Arg(("fill",), _fill, "`fill` (÷ 255 when > 1)"),
            },
            fidelity="approximate",
            note="translations are continuous instead of whole pixels.",
            check="replayed (angle, translate, scale, shear): max |Δ| ≤ 1/255 but for ≤ 0.1 % of pixels on the fill border.",
        ),
        Mapping(
            "RandomRotation",
            "image.affine",
            {
                # F.rotate turns counter-clockwise for positive angles, F.affine (and omniaug) clockwise
                "degrees": Arg(
                    ("degrees",),
                    lambda d: [-float(d[1]), -float(d[0])],
                    "`degrees` (sign flipped: rotate is counter-clockwise)",
                ),
                "translate": const([0.0, 0.0]),
                "scale": const([1.0, 1.0]),
                "interpolation": Arg(
                    ("interpolation", "center", "expand"),
                    lambda i, c, e: (_no_center(c), refuse("expand=True") if e else None, interpolation(i))[2],
                    "`interpolation`; center None, expand False",
                ),
                "fill": Arg(("fill",), _fill, "`fill`"),
            },
            check="replayed (`-angle`): max |Δ| ≤ 1/255 but for ≤ 0.1 % of pixels on the fill border.",
        ),
        Mapping(
            "RandomPerspective",
            "image.perspective",
            {
                "distortion_scale": same("distortion_scale"),
                "interpolation": Arg(("interpolation",), interpolation, "`interpolation`"),
                "fill": Arg(("fill",), _fill, "`fill`"),
            },
            fidelity="approximate",
            note="corner offsets are continuous instead of whole pixels (same law otherwise).",
            check="replayed (corners recovered from the coefficients): mean |Δ| < 3/255 (corner conventions differ by half a pixel).",
        ),
        Mapping(
            "RandomResizedCrop",
            "image.random_resized_crop",
            {
                "size": Arg(("size",), _size, "`size`"),
                "scale": Arg(("scale",), lambda s: [float(x) for x in s], "`scale`"),
                "ratio": Arg(("ratio",), lambda r: [float(x) for x in r], "`ratio`"),
                "interpolation": Arg(("interpolation",), interpolation, "`interpolation`"),
            },
            fidelity=_rrc_fidelity,
            check="replayed (top, left, height, width): max |Δ| ≤ 1/255 with antialias=False.",
        ),
        Mapping(
            "ColorJitter",
            "image.color_jitter",
            {
                "brightness": Arg(("brightness",), _strength, "half-width of `brightness`"),
                "contrast": Arg(("contrast",), _strength, "half-width of `contrast`"),
                "saturation": Arg(("saturation",), _strength, "half-width of `saturation`"),
                "hue": Arg(("hue",), lambda h: _strength(h, 0.0), "`hue`"),
            },
            fidelity=_jitter_fidelity,
            check="replayed (`fn_idx` and the four factors): max |Δ| ≤ 1/255.",
        ),
        Mapping("RandomGrayscale", "image.grayscale", {}, check="max |Δ| ≤ 1/255."),
        Mapping(
            "Grayscale",
            "image.grayscale",
            {
                "_": Arg(
                    ("num_output_channels",),
                    lambda n: None if n == 3 else refuse("num_output_channels=1 (changes the channel count)"),
                    "3 channels",
                )
            },
            check="max |Δ| ≤ 1/255.",
        ),
        Mapping("RandomInvert", "image.invert", {}, check="equal."),
        Mapping(
            "RandomPosterize",
            "image.posterize",
            {"bits": Arg(("bits",), int, "`bits`"), "exact": const(True, "fixed bits")},
            check="equal.",
        ),
        Mapping(
            "RandomSolarize",
            "image.solarize",
            {
                "threshold": Arg(("threshold",), _threshold, "`threshold` (÷ 255 when > 1)"),
                "exact": const(True, "fixed threshold"),
            },
            check="equal.",
        ),
        Mapping("RandomAutocontrast", "image.autocontrast", {}, check="max |Δ| ≤ 1/255."),
        Mapping("RandomEqualize", "image.equalize", {}, check="equal."),
        Mapping(
            "GaussianBlur",
            "image.gaussian_blur",
            {
                "kernel_size": Arg(("kernel_size",), _kernel, "`kernel_size` (square)"),
                "sigma": Arg(("sigma",), lambda s: [float(s[0]), float(s[1])], "`sigma`"),
            },
            check="replayed (`sigma`): max |Δ| ≤ 1/255.",
        ),
        Mapping(
            "RandomErasing",
            "image.random_erasing",
            {
                "scale": Arg(("scale",), lambda s: [float(x) for x in s], "`scale`"),
                "ratio": Arg(("ratio",), lambda r: [float(x) for x in r], "`ratio`"),
                "fill": Arg(("value",), _erase_value, "`value`"),
            },
            fidelity="approximate",
            note="a hole too large is clipped to the image instead of redrawn (10 attempts, else no erasing).",
            check="replayed (i, j, h, w): equal.",
        ),
        Mapping("RandomChannelPermutation", "image.channel_shuffle", {}, check="replayed (`permutation`): equal."),
        Mapping(
            "ElasticTransform",
            "image.elastic",
            {
                "displacement": Arg(
                    ("alpha",), lambda a: float(a[0]) if isinstance(a, (list, tuple)) else float(a), "`alpha`"
                ),
                "sigma": Arg(
                    ("sigma",), lambda s: float(s[0]) if isinstance(s, (list, tuple)) else float(s), "`sigma`"
                ),
                "interpolation": Arg(("interpolation",), interpolation, "`interpolation`"),
                "fill": Arg(("fill",), _fill, "`fill`"),
            },
            check="replayed from the same noise (torchvision's params hold the blurred field): displacement within 1e-5.",
        ),
        Mapping(
            "GaussianNoise",
            "image.gaussian_noise",
            {
                "sigma": same("sigma"),
                "mean": same("mean"),
                "_": Arg(("clip",), lambda c: None if c else refuse("clip=False"), "clip=True"),
            },
            check="replayed (the noise field as params, σ = sigma, the fixed σ of a number `sigma`): max |Δ| ≤ 1e-6.",
        ),
    ]
}

WRAPPED: dict[str, str] = {
    "RandomAdjustSharpness": "a fixed sharpness factor (omniaug's Sharpness draws one in a range)",
    "RandomPhotometricDistort": "no native equivalent",
    "AutoAugment": "omniaug's image.autoaugment preset is the native policy (not mapped automatically)",
    "RandAugment": 'omniaug.RandAugment("image", n, m) is the native policy, m = torchvision magnitude / 3 (not mapped automatically)',
    "TrivialAugmentWide": "omniaug's image.trivialaugment_wide preset is the native policy (not mapped automatically)",
    "AugMix": "omniaug's image.augmix preset is the native policy (not mapped automatically)",
    "Resize": "deterministic: one torchvision call per batch",
    "CenterCrop": "deterministic: one torchvision call per batch",
    "Normalize": "deterministic: one torchvision call per batch",
    "ToDtype": "deterministic: one torchvision call per batch",
    "Pad": "deterministic: one torchvision call per batch",
    "RandomCrop": "changes the output size",
    "RandomZoomOut": "changes the output size",
    "RandomIoUCrop": "changes the output size",
}

DROPPED = {
    "ToImage": "omniaug batches are already (B, C, H, W) tensors",
    "ToPureTensor": "omniaug batches are plain tensors",
    "PILToTensor": "omniaug batches are already tensors",
    "SanitizeBoundingBoxes": "omniaug marks degenerate boxes invalid (box_valid) itself",
}


def _values(t: Any) -> dict[str, Any]:
    return signature_args(t)


def _compose(t: Any, children: Any) -> Any:
    from ..containers import Compose

    return Compose(children(t.transforms))


def _random_apply(t: Any, children: Any) -> Any:
    from ..containers import Compose

    return random_apply(Compose(children(t.transforms)), float(t.p))


def _choice(t: Any, children: Any) -> Any:
    from ..containers import OneOf

    weights = list(t.p) if getattr(t, "p", None) is not None else None
    return OneOf(children(t.transforms), weights=weights)


CONVERTER = PeerConverter(
    peer="torchvision",
    mappings=MAPPINGS,
    wrapper=WrappedTorchvision,
    values=_values,
    probability=lambda t: float(getattr(t, "p", 1.0)) if isinstance(getattr(t, "p", 1.0), (int, float)) else 1.0,
    containers={"Compose": _compose, "RandomApply": _random_apply, "RandomChoice": _choice, "RandomOrder": _compose},
    dropped=DROPPED,
    wrapped_only=WRAPPED,
)


def convert(source: Any) -> Conversion:
    """Convert a ``torchvision.transforms.v2`` pipeline and report what was done."""
    require("torchvision")
    check_kind(source, "torchvision", "torchvision.transforms")
    if type(source).__module__.startswith("torchvision.transforms.") and ".v2" not in type(source).__module__:
        raise InputError(
            "pipeline",
            "a torchvision.transforms.v2 transform (v1 transforms are not converted)",
            source,
            where="from_torchvision",
        )
    return CONVERTER.convert(source)


def from_torchvision(source: Any) -> Any:
    """An omniaug pipeline equivalent to a ``torchvision.transforms.v2`` pipeline."""
    return convert(source).pipeline
