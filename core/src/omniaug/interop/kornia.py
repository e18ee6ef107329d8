"""kornia.augmentation → omniaug: the mapping table and :func:`from_kornia`.

Arguments are read from kornia's ``flags``, the transform's attributes and its
parameter generator. Only ``same_on_batch=False`` transforms are mapped as they
are (kornia's ``same_on_batch=True`` maps to omniaug's). kornia's geometric ops
sample with their own ``align_corners`` conventions, so geometric mappings are
approximate; the colour and flip mappings are exact.
"""

from __future__ import annotations

from typing import Any

from ._convert import Conversion, PeerConverter, check_kind
from ._peers import require
from ._table import Arg, Mapping, refuse
from ._wrap import WrappedKornia

__all__ = ["MAPPINGS", "WRAPPED", "CONVERTER", "convert", "from_kornia"]


def _sym(v: Any) -> list[float]:
    if isinstance(v, (int, float)):
        return [-float(v), float(v)]
    return [float(v[0]), float(v[1])]


def _interp(resample: Any) -> str:
    name = getattr(resample, "name", str(resample)).lower()
    if name in ("bilinear", "nearest"):
        return name
    return refuse(f"resample={name!r}")


def _zeros(padding_mode: Any) -> bool:
    """True for zeros padding (raises :class:`Unmappable` otherwise), so a rule lambda can chain it."""
    if getattr(padding_mode, "name", str(padding_mode)).lower() != "zeros":
        refuse(f"padding_mode={padding_mode!r} (omniaug fills a constant)")
    return True


def _strength(v: Any, center: float = 1.0) -> float:
    if isinstance(v, (int, float)):
        return float(v)
    return max(center - float(v[0]), float(v[1]) - center)


_GEOMETRY = "kornia samples with its own align_corners convention; ranges and probabilities are the same."

MAPPINGS: dict[str, Mapping] = {
    m.transform: m
    for m in [
        Mapping("RandomHorizontalFlip", "image.horizontal_flip", {}, check="equal."),
        Mapping("RandomVerticalFlip", "image.vertical_flip", {}, check="equal."),
        Mapping(
            "RandomAffine",
            "image.affine",
            {
                "degrees": Arg(("degrees",), _sym, "`degrees`"),
                "translate": Arg(
                    ("translate",), lambda t: [0.0, 0.0] if t is None else [float(t[0]), float(t[1])], "`translate`"
                ),
                "scale": Arg(
                    ("scale",), lambda s: [1.0, 1.0] if s is None else [float(s[0]), float(s[1])], "`scale` (isotropic)"
                ),
                "shear": Arg(
                    ("shear",),
                    lambda s: (
                        0.0
                        if s is None
                        else _sym(s)
                        if isinstance(s, (int, float)) or len(s) == 2
                        else [float(x) for x in s]
                    ),
                    "`shear`",
                ),
                "interpolation": Arg(
                    ("resample", "padding_mode"), lambda r, p: (_zeros(p), _interp(r))[1], "`resample`; zeros padding"
                ),
            },
            fidelity="approximate",
            note=_GEOMETRY,
            check="not replayed (kornia's align_corners grid convention differs): documented.",
        ),
        Mapping(
            "RandomRotation",
            "image.affine",
            {
                "degrees": Arg(("degrees",), _sym, "`degrees`"),
                "translate": Arg((), lambda: [0.0, 0.0], "0"),
                "scale": Arg((), lambda: [1.0, 1.0], "1"),
                "interpolation": Arg(("resample",), _interp, "`resample`"),
            },
            fidelity="approximate",
            note=_GEOMETRY,
            check="not replayed: documented.",
        ),
        Mapping(
            "RandomPerspective",
            "image.perspective",
            {
                "distortion_scale": Arg(("distortion_scale",), float, "`distortion_scale`"),
                "interpolation": Arg(("resample",), _interp, "`resample`"),
            },
            fidelity="approximate",
            note=_GEOMETRY,
            check="not replayed: documented.",
        ),
        Mapping(
            "RandomResizedCrop",
            "image.random_resized_crop",
            {
                "size": Arg(("size",), lambda s: [int(s[0]), int(s[1])], "`size`"),
                "scale": Arg(("scale",), lambda s: [float(s[0]), float(s[1])], "`scale`"),
                "ratio": Arg(("ratio",), lambda r: [float(r[0]), float(r[1])], "`ratio`"),
                "interpolation": Arg(("resample",), _interp, "`resample`"),
            },
            fidelity="approximate",
            note="kornia resizes with align_corners=True by default; same box law.",
            check="not replayed: documented.",
        ),
        Mapping(
            "ColorJitter",
            "image.color_jitter",
            {
                "brightness": Arg(("brightness",), _strength, "`brightness`"),
                "contrast": Arg(("contrast",), _strength, "`contrast`"),
                "saturation": Arg(("saturation",), _strength, "`saturation`"),
                "hue": Arg(("hue",), lambda h: _strength(h, 0.0), "`hue`"),
            },
            fidelity="approximate",
            note="kornia's hue shift and factor order follow its own implementation.",
            check="not replayed: documented.",
        ),
        Mapping(
            "RandomGrayscale",
            "image.grayscale",
            {
                "_": Arg(
                    ("rgb_weights",), lambda w: None if w is None else refuse("custom rgb_weights"), "default weights"
                )
            },
            check="max |Δ| ≤ 1e-3 (float): kornia's luma weight 0.299 vs torchvision's 0.2989.",
        ),
        Mapping("RandomChannelShuffle", "image.channel_shuffle", {}, check="replayed (`channels`): equal."),
        Mapping(
            "RandomEqualize",
            "image.equalize",
            {},
            fidelity="approximate",
            note="kornia equalizes float images by its own histogram binning.",
            check="not replayed: documented.",
        ),
        Mapping(
            "RandomInvert",
            "image.invert",
            {"_": Arg(("max_val",), lambda m: None if float(m) == 1.0 else refuse(f"max_val={m}"), "max_val 1")},
            check="max |Δ| ≤ 1e-6 (float).",
        ),
        Mapping(
            "RandomGaussianBlur",
            "image.gaussian_blur",
            {
                "kernel_size": Arg(
                    ("kernel_size",),
                    lambda k: int(k[0]) if int(k[0]) == int(k[-1]) else refuse("a non-square kernel"),
                    "`kernel_size`",
                ),
                "sigma": Arg(("sigma",), lambda s: [float(s[0]), float(s[1])], "`sigma`"),
                "_": Arg(
                    ("border_type",),
                    lambda b: None if getattr(b, "name", str(b)).lower() == "reflect" else refuse(f"border_type={b}"),
                    "reflect border",
                ),
            },
            check="not replayed: documented (same kernel law as torchvision's, checked there).",
        ),
        Mapping(
            "RandomErasing",
            "image.random_erasing",
            {
                "scale": Arg(("scale",), lambda s: [float(s[0]), float(s[1])], "`scale`"),
                "ratio": Arg(("ratio",), lambda r: [float(r[0]), float(r[1])], "`ratio`"),
                "fill": Arg(
                    ("value",), lambda v: float(v) if 0.0 <= float(v) <= 1.0 else refuse(f"value={v}"), "`value`"
                ),
            },
            fidelity="approximate",
            note="a hole too large is clipped instead of redrawn.",
            check="not replayed: documented.",
        ),
        Mapping(
            "RandomGaussianNoise",
            "image.gaussian_noise",
            {"sigma": Arg(("std",), float, "`std`"), "mean": Arg(("mean",), float, "`mean`")},
            fidelity="approximate",
            note="same fixed standard deviation; omniaug clips to [0, 1].",
            check="not replayed: documented.",
        ),
    ]
}

WRAPPED: dict[str, str] = {
    "RandomSolarize": "random thresholds and additions around 0.5",
    "RandomPosterize": "random bits per sample from a float range",
    "RandomSharpness": "kornia's sharpness law",
    "RandomMotionBlur": "no native equivalent",
    "RandomElasticTransform": "kornia's field construction",
    "RandomPlanckianJitter": "no native equivalent",
}


def _values(t: Any) -> dict[str, Any]:
    from ._wrap import WrappedKornia as W

    return W.peer_args(W.__new__(W), t) | {"p": float(t.p)}


def _sequence(t: Any, children: Any) -> Any:
    from ..containers import Compose

    return Compose(children(list(t.children())))


CONVERTER = PeerConverter(
    peer="kornia",
    mappings=MAPPINGS,
    wrapper=WrappedKornia,
    values=_values,
    probability=lambda t: float(getattr(t, "p", 1.0)),
    containers={"AugmentationSequential": _sequence, "ImageSequential": _sequence},
    wrapped_only=WRAPPED,
)


def convert(source: Any) -> Conversion:
    """Convert a kornia augmentation or ``AugmentationSequential`` (images only) and report what was done."""
    require("kornia")
    check_kind(source, "kornia", "kornia")
    return CONVERTER.convert(source)


def from_kornia(source: Any) -> Any:
    """An omniaug pipeline equivalent to a kornia augmentation pipeline."""
    return convert(source).pipeline
