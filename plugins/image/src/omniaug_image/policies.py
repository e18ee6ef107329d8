"""Image policies as presets: AutoAugment, RandAugment (the core class over the paper's op space), TrivialAugmentWide, AugMix and PixMix.

Every policy expands to the core's per-sample containers (``OneOf``, ``Compose``,
``RandomApply``), so each sample draws its own sub-policy / ops and every op runs
once, on the subset of the batch that drew it — no loop over samples.

Magnitudes follow the convention of the papers as implemented in torchvision: a
level ``m`` of ``M`` sets the strength to ``m / M`` of the op's maximum, and
signed ops (rotation, shear, brightness, …) take that strength with a random sign
per sample. Exceptions, stated here once: translations are drawn uniformly up to
the strength (the affine op has no fixed-translation mode), and are given as a
fraction of the image size (AutoAugment's 150 px of 331 ≈ 0.45; TrivialAugment's
32 px is taken as 0.14 of the size).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from omniaug import Compose, Identity, InputError, OneOf, Preset, RandomApply, args, rng
from omniaug.augmentation import Augmented, Transform
from omniaug.modality import Modality
from omniaug.params import Params

from . import functional_color as FC
from .modality import IMAGE, ImageBatch, Mask, image_of, is_unbatched
from .ops import photometric as P
from .ops.geometric import Affine
from .pixmix_sources import mixing_pictures

__all__ = [
    "PRESETS",
    "AUTOAUGMENT_POLICIES",
    "policy_op",
    "ImagePolicy",
    "AutoAugment",
    "randaugment_space",
    "TrivialAugmentWide",
    "AugMix",
    "PixMix",
]

#: (name, probability, level 0–10) pairs of each sub-policy, from Cubuk et al. (2019), Appendix
AUTOAUGMENT_POLICIES: dict[str, list[tuple[tuple[str, float, int], tuple[str, float, int]]]] = {
    "imagenet": [
        (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, 0)),
        (("Equalize", 0.8, 0), ("Equalize", 0.6, 0)),
        (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
        (("Equalize", 0.4, 0), ("Solarize", 0.2, 4)),
        (("Equalize", 0.4, 0), ("Rotate", 0.8, 8)),
        (("Solarize", 0.6, 3), ("Equalize", 0.6, 0)),
        (("Posterize", 0.8, 5), ("Equalize", 1.0, 0)),
        (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)),
        (("Equalize", 0.6, 0), ("Posterize", 0.4, 6)),
        (("Rotate", 0.8, 8), ("Color", 0.4, 0)),
        (("Rotate", 0.4, 9), ("Equalize", 0.6, 0)),
        (("Equalize", 0.0, 0), ("Equalize", 0.8, 0)),
        (("Invert", 0.6, 0), ("Equalize", 1.0, 0)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
        (("Color", 0.8, 8), ("Solarize", 0.8, 7)),
        (("Sharpness", 0.4, 7), ("Invert", 0.6, 0)),
        (("ShearX", 0.6, 5), ("Equalize", 1.0, 0)),
        (("Color", 0.4, 0), ("Equalize", 0.6, 0)),
        (("Equalize", 0.4, 0), ("Solarize", 0.2, 4)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, 0)),
        (("Invert", 0.6, 0), ("Equalize", 1.0, 0)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Equalize", 0.8, 0), ("Equalize", 0.6, 0)),
    ],
    "cifar10": [
        (("Invert", 0.1, 0), ("Contrast", 0.2, 6)),
        (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
        (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)),
        (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.5, 0), ("Equalize", 0.9, 0)),
        (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
        (("Color", 0.4, 3), ("Brightness", 0.6, 7)),
        (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
        (("Equalize", 0.6, 0), ("Equalize", 0.5, 0)),
        (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
        (("Color", 0.7, 7), ("TranslateX", 0.5, 8)),
        (("Equalize", 0.3, 0), ("AutoContrast", 0.4, 0)),
        (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)),
        (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
        (("Solarize", 0.5, 2), ("Invert", 0.0, 0)),
        (("Equalize", 0.2, 0), ("AutoContrast", 0.6, 0)),
        (("Equalize", 0.2, 0), ("Equalize", 0.6, 0)),
        (("Color", 0.9, 9), ("Equalize", 0.6, 0)),
        (("AutoContrast", 0.8, 0), ("Solarize", 0.2, 8)),
        (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
        (("Solarize", 0.4, 5), ("AutoContrast", 0.9, 0)),
        (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.9, 0), ("Solarize", 0.8, 3)),
        (("Equalize", 0.8, 0), ("Invert", 0.1, 0)),
        (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, 0)),
    ],
    "svhn": [
        (("ShearX", 0.9, 4), ("Invert", 0.2, 0)),
        (("ShearY", 0.9, 8), ("Invert", 0.7, 0)),
        (("Equalize", 0.6, 0), ("Solarize", 0.6, 6)),
        (("Invert", 0.9, 0), ("Equalize", 0.6, 0)),
        (("Equalize", 0.6, 0), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("AutoContrast", 0.8, 0)),
        (("ShearY", 0.9, 8), ("Invert", 0.4, 0)),
        (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
        (("Invert", 0.9, 0), ("AutoContrast", 0.8, 0)),
        (("Equalize", 0.6, 0), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)),
        (("ShearY", 0.8, 8), ("Invert", 0.7, 0)),
        (("Equalize", 0.9, 0), ("TranslateY", 0.6, 6)),
        (("Invert", 0.9, 0), ("Equalize", 0.6, 0)),
        (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)),
        (("Invert", 0.8, 0), ("TranslateY", 0.0, 2)),
        (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)),
        (("Invert", 0.6, 0), ("Rotate", 0.8, 4)),
        (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)),
        (("ShearX", 0.1, 6), ("Invert", 0.6, 0)),
        (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)),
        (("ShearY", 0.8, 4), ("Invert", 0.8, 0)),
        (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)),
        (("ShearY", 0.8, 5), ("AutoContrast", 0.7, 0)),
        (("ShearX", 0.7, 2), ("Invert", 0.1, 0)),
    ],
}

#: maximal strengths (at magnitude 1) of the standard and the "wide" search spaces
_STANDARD = {"shear": 0.3, "translate": 150.0 / 331.0, "rotate": 30.0, "enhance": 0.9, "posterize_bits": 4}
_WIDE = {"shear": 0.99, "translate": 0.14, "rotate": 135.0, "enhance": 0.99, "posterize_bits": 6}

_NO_GEOMETRY: dict[str, Any] = {"degrees": 0.0, "translate": (0.0, 0.0), "scale": (1.0, 1.0), "shear": 0.0}


def _affine(p: float, **changes: Any) -> Affine:
    return Affine(**{**_NO_GEOMETRY, **changes}, p=p)


def _signed(make: Callable[[float], Transform], value: float, p: float) -> Transform:
    """``make(+value)`` or ``make(-value)`` (random sign per sample), applied with probability ``p``."""
    both = OneOf([make(value), make(-value)])
    return both if p >= 1.0 else RandomApply(both, p)


def policy_op(name: str, m: float, *, p: float = 1.0, exact: bool = True, wide: bool = False) -> Transform:
    """The transform for policy op ``name`` at magnitude ``m`` in ``[0, 1]`` applied with probability ``p``.

    ``exact=True`` uses exactly the strength (random sign); ``exact=False`` draws it
    uniformly up to the strength per sample (TrivialAugment, AugMix).
    """
    if not 0.0 <= m <= 1.0:
        raise InputError("m", "a magnitude in [0, 1]", m, where=f"policy_op({name})")
    s = _WIDE if wide else _STANDARD
    if name == "Identity":
        return Identity()
    if name in ("ShearX", "ShearY"):
        deg = math.degrees(math.atan(s["shear"] * m))

        def shear(lo: float, hi: float, prob: float) -> Transform:
            return _affine(prob, shear=[lo, hi] if name == "ShearX" else [0.0, 0.0, lo, hi])

        if exact:
            return _signed(lambda v: shear(v, v, 1.0), deg, p)
        return shear(-deg, deg, p)
    if name in ("TranslateX", "TranslateY"):
        t = s["translate"] * m
        return _affine(p, translate=(t, 0.0) if name == "TranslateX" else (0.0, t))
    if name == "Rotate":
        a = s["rotate"] * m
        if exact:
            return _signed(lambda v: _affine(1.0, degrees=[v, v]), a, p)
        return _affine(p, degrees=[-a, a])
    enhance = {"Color": P.Saturation, "Brightness": P.Brightness, "Contrast": P.Contrast, "Sharpness": P.Sharpness}
    if name in enhance:
        return enhance[name](s["enhance"] * m, exact=exact, p=p)
    if name == "Posterize":
        return P.Posterize(round(8 - s["posterize_bits"] * m), exact=exact, p=p)
    if name == "Solarize":
        return P.Solarize(1.0 - m, exact=exact, p=p)
    simple = {"AutoContrast": P.AutoContrast, "Equalize": P.Equalize, "Invert": P.Invert}
    if name in simple:
        return simple[name](p=p)
    raise InputError("name", "a policy op name (ShearX, Rotate, Color, Posterize, ...)", name, where="policy_op")


def _refuse_mask(x: Any, where: str) -> None:
    """AugMix / PixMix blend several augmented views: a label map has no such blend."""
    if isinstance(x, Mask):
        raise InputError(
            "x",
            "images or an ImageBatch: this policy blends several augmented views, which has no meaning "
            "for a label map (replay RandAugment / TrivialAugment / AutoAugment params on a Mask instead)",
            x,
            where=where,
        )


class ImagePolicy(Transform):
    """Base of the image policies: a named transform that expands to a core container."""

    _pipeline: Transform

    def modality_spec(self) -> Modality:
        return IMAGE

    def modality_name(self) -> str:
        return IMAGE.name

    @property
    def pipeline(self) -> Transform:
        """The container this policy expands to."""
        return self._pipeline

    def sample_params(self, x: Any, *, generator: torch.Generator | None = None) -> Params:
        return self.augment(x, generator=generator).params

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        return self._pipeline.augment(x, generator=generator)

    def apply(self, x: Any, params: Params) -> Any:
        return self._pipeline.apply(x, params)

    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        self._pipeline.feedback(params, losses)

    @property  # type: ignore[misc]
    def requires_model(self) -> bool:  # type: ignore[override]
        return bool(getattr(self._pipeline, "requires_model", False))

    @property  # type: ignore[misc]
    def differentiable(self) -> bool:  # type: ignore[override]
        return bool(getattr(self._pipeline, "differentiable", False))


class AutoAugment(ImagePolicy):
    """AutoAugment (Cubuk et al., 2019) with the learned ImageNet, CIFAR-10 or SVHN policy.

    Each sample picks one of the 25 sub-policies; each of its two ops is applied
    with its own probability at its fixed level (out of 10).
    """

    name = "image.autoaugment"

    def __init__(self, policy: str = "imagenet") -> None:
        self.policy = args.choice("policy", policy, sorted(AUTOAUGMENT_POLICIES), where="AutoAugment")
        subs: list[Transform] = [
            Compose([policy_op(n, lvl / 10.0, p=pr) for n, pr, lvl in pair]) for pair in AUTOAUGMENT_POLICIES[policy]
        ]
        self._pipeline = OneOf(subs)


_RAND_OPS = (
    "Identity",
    "ShearX",
    "ShearY",
    "TranslateX",
    "TranslateY",
    "Rotate",
    "Brightness",
    "Color",
    "Contrast",
    "Sharpness",
    "Posterize",
    "Solarize",
    "AutoContrast",
    "Equalize",
)


def randaugment_space(level: float) -> list[Transform]:
    """One RandAugment layer's branches (Cubuk et al., 2020): the 14 ops, identity included, at ``level`` in ``[0, 1]``.

    ``omniaug.RandAugment("image", n, m)`` uses it with ``level = m / 10`` (the
    paper's scale; torchvision's magnitude ``k`` of 30 is ``m = k / 3``).
    """
    return [policy_op(op, level) for op in _RAND_OPS]


def _randaugment(n: int = 2, m: float = 9) -> Transform:
    """RandAugment with the paper's image op space: ``omniaug.RandAugment("image", n, m)``, ``m`` in ``[0, 10]``."""
    from omniaug import RandAugment

    return RandAugment("image", n, m)


class TrivialAugmentWide(ImagePolicy):
    """TrivialAugment (Müller & Hutter, 2021), wide search space: one op per sample, strength uniform per sample."""

    name = "image.trivialaugment_wide"

    def __init__(self) -> None:
        self._pipeline = OneOf([policy_op(op, 1.0, exact=False, wide=True) for op in _RAND_OPS])


_AUGMIX_OPS = (
    "AutoContrast",
    "Equalize",
    "Posterize",
    "Rotate",
    "Solarize",
    "ShearX",
    "ShearY",
    "TranslateX",
    "TranslateY",
)
_AUGMIX_ALL_OPS = (*_AUGMIX_OPS, "Color", "Contrast", "Brightness", "Sharpness")


def _augmix_ops(severity: int, all_ops: bool) -> list[Transform]:
    names = _AUGMIX_ALL_OPS if all_ops else _AUGMIX_OPS
    return [policy_op(n, severity / 10.0, exact=False) for n in names]


def _chain(ops_factory: Callable[[], list[Transform]], depth: int) -> Transform:
    """A chain of 1–3 random ops (``depth=-1``: depth uniform in {1, 2, 3} per sample) or exactly ``depth``."""
    if depth > 0:
        return Compose([OneOf(ops_factory()) for _ in range(depth)])
    # depth ≥ 2 with probability 2/3, ≥ 3 with 1/3: uniform over {1, 2, 3}
    third = RandomApply(OneOf(ops_factory()), 0.5)
    return Compose([OneOf(ops_factory()), RandomApply(Compose([OneOf(ops_factory()), third]), 2.0 / 3.0)])


def _dirichlet(n: int, k: int, alpha: float, generator: torch.Generator | None, device: torch.device) -> torch.Tensor:
    """Symmetric Dirichlet(α, …, α) draws ``(n, k)`` by stick-breaking with Beta draws."""
    rest = torch.ones(n, device=device)
    parts = []
    for i in range(k - 1):
        frac = rng.beta(n, alpha, alpha * (k - 1 - i), generator=generator, device=device)
        parts.append(rest * frac)
        rest = rest * (1.0 - frac)
    parts.append(rest)
    return torch.stack(parts, dim=1)


def _float(img: torch.Tensor) -> torch.Tensor:
    return FC.to_float(img).to(torch.float32)


class AugMix(ImagePolicy):
    """AugMix (Hendrycks et al., 2020): a convex mix of ``width`` random op chains, skip-connected to the input.

    Per sample: chain weights ``w ~ Dirichlet(α)``, skip weight ``m ~ Beta(α, α)``;
    output ``m·x + (1 − m)·Σ wᵢ·chainᵢ(x)``. Every chain runs once on the whole batch
    (each of its ops once on the samples that drew it). :meth:`jsd_views` returns
    ``(clean, view1, view2)`` for the Jensen–Shannon consistency loss.
    """

    name = "image.augmix"

    def __init__(
        self, severity: int = 3, width: int = 3, depth: int = -1, alpha: float = 1.0, all_ops: bool = True
    ) -> None:
        severity = args.integer("severity", severity, low=1, high=10, where="AugMix")
        width = args.integer("width", width, low=1, where="AugMix")
        if not isinstance(depth, int) or depth == 0 or depth < -1:
            raise InputError("depth", "-1 (random 1–3) or an integer >= 1", depth, where="AugMix")
        self.severity, self.width, self.depth, self.all_ops = severity, width, depth, all_ops
        self.alpha = args.positive("alpha", alpha, where="AugMix")
        self.chains = [_chain(lambda: _augmix_ops(severity, all_ops), depth) for _ in range(width)]
        self._pipeline = Compose(self.chains)  # for introspection only; augment() mixes the chains

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        _refuse_mask(x, self.name)
        IMAGE.validate(x)
        params = Params()
        outs = []
        for i, chain in enumerate(self.chains):
            out, params[f"chain{i}"] = chain.augment(x, generator=generator)
            outs.append(out)
        n = IMAGE.batch_size(x)
        dev = IMAGE.device_of(x)
        params["weights"] = _dirichlet(n, self.width, self.alpha, generator, dev)
        params["skip"] = rng.beta(n, self.alpha, generator=generator, device=dev)
        return Augmented(self._mix(x, outs, params), params)

    def apply(self, x: Any, params: Params) -> Any:
        _refuse_mask(x, self.name)
        outs = [chain.apply(x, params[f"chain{i}"]) for i, chain in enumerate(self.chains)]
        return self._mix(x, outs, params)

    def _mix(self, x: Any, outs: list[Any], params: Params) -> Any:
        img = image_of(x)
        single = is_unbatched(x)
        ref = img.unsqueeze(0) if single else img
        w = params["weights"].to(torch.float32)
        mixed = torch.zeros(ref.shape, dtype=torch.float32, device=ref.device)
        for i, o in enumerate(outs):
            oi = image_of(o)
            mixed = mixed + w[:, i].view(-1, 1, 1, 1) * _float(oi.unsqueeze(0) if single else oi)
        m = params["skip"].to(torch.float32).view(-1, 1, 1, 1)
        out = FC.from_float((m * _float(ref) + (1.0 - m) * mixed).clamp(0.0, 1.0), img.dtype)
        if single:
            out = out.squeeze(0)
        return x.replace(image=out) if isinstance(x, ImageBatch) else out

    def jsd_views(self, x: Any, *, generator: torch.Generator | None = None) -> tuple[Any, Any, Any]:
        """``(clean, augmix(x), augmix(x))`` — two independent views for the JSD loss."""
        return x, self(x, generator=generator), self(x, generator=generator)


class PixMix(ImagePolicy):
    """PixMix (Hendrycks et al., 2022): mix with procedurally generated pictures and augmented copies.

    Per sample: start from ``x`` or an augmented ``x`` (probability ½), then for a
    number of rounds uniform in ``{0, …, k}`` mix in (additively or
    multiplicatively, ½ each, weights from Beta(β, 1)/Beta(1, β)) either another
    augmented ``x`` or a generated picture (fractal, grating or 1/f noise, see
    :mod:`.pixmix_sources`). The augmentations are AugMix's ops at ``aug_severity``.
    """

    name = "image.pixmix"

    def __init__(self, k: int = 4, beta: float = 3.0, aug_severity: int = 3, all_ops: bool = True) -> None:
        self.k = args.integer("k", k, low=0, where="PixMix")
        self.beta = args.positive("beta", beta, where="PixMix")
        self.aug_severity = args.integer("aug_severity", aug_severity, low=1, high=10, where="PixMix")
        self.all_ops = all_ops
        self.augmenter = OneOf(_augmix_ops(self.aug_severity, all_ops))
        self._pipeline = self.augmenter  # introspection; augment() does the mixing

    def _weights(
        self, n: int, generator: torch.Generator | None, dev: torch.device
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """PixMix's (a, b): with ½ a ~ Beta(β, 1), b ~ Beta(1, β); else a = 1 + Beta(1, β), b = −Beta(1, β)."""
        first = rng.bernoulli(n, 0.5, generator=generator, device=dev)
        ba = rng.beta(n, self.beta, 1.0, generator=generator, device=dev)
        bb = rng.beta(n, 1.0, self.beta, generator=generator, device=dev)
        bc = rng.beta(n, 1.0, self.beta, generator=generator, device=dev)
        return torch.where(first, ba, 1.0 + bc), torch.where(first, bb, -bc)

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        _refuse_mask(x, self.name)
        IMAGE.validate(x)
        n = IMAGE.batch_size(x)
        dev = IMAGE.device_of(x)
        h, w = image_of(x).shape[-2:]
        params = Params()
        params["start_aug"] = rng.bernoulli(n, 0.5, generator=generator, device=dev)
        params["rounds"] = rng.randint(n, 0, self.k + 1, generator=generator, device=dev)
        for r in range(self.k):
            params[f"use_aug{r}"] = rng.bernoulli(n, 0.5, generator=generator, device=dev)
            params[f"multiply{r}"] = rng.bernoulli(n, 0.5, generator=generator, device=dev)
            params[f"a{r}"], params[f"b{r}"] = self._weights(n, generator, dev)
            params[f"picture{r}"] = mixing_pictures(n, h, w, generator=generator, device=dev)
        out = self._run(x, params, generator, replay=False)
        return Augmented(out, params)

    def apply(self, x: Any, params: Params) -> Any:
        _refuse_mask(x, self.name)
        return self._run(x, params, None, replay=True)

    def _augmented(
        self, x: Any, mask: torch.Tensor, key: str, params: Params, generator: torch.Generator | None, replay: bool
    ) -> torch.Tensor:
        """Float images of ``x`` with the augmenter applied to the samples in ``mask`` (once, on that subset)."""
        if replay:
            out = RandomApply(self.augmenter, 0.5).apply(x, params[key])
        else:
            idx = mask.nonzero().flatten()
            n = mask.shape[0]
            inner = Params({"apply": mask})
            if idx.numel():
                part, p = self.augmenter.augment(IMAGE.subset(x, idx), generator=generator)
                inner["inner"] = p.scatter(idx, n)
            params[key] = inner
            out = RandomApply(self.augmenter, 0.5).apply(x, inner)
        return _float(image_of(out))

    def _run(self, x: Any, params: Params, generator: torch.Generator | None, replay: bool) -> Any:
        img = image_of(x)
        if is_unbatched(x):
            raise InputError("x", "a batch (B, C, H, W) for PixMix", img, where=self.name)
        c = img.shape[1]
        mixed = self._augmented(x, params["start_aug"], "start", params, generator, replay)
        rounds = params["rounds"]
        for r in range(self.k):
            active = rounds > r
            use_aug = params[f"use_aug{r}"] & active
            aug = self._augmented(x, use_aug, f"aug{r}", params, generator, replay)
            pic = params[f"picture{r}"].to(torch.float32)
            pic = (
                pic.mean(dim=1, keepdim=True)
                if c == 1
                else pic[:, :c]
                if c <= 3
                else pic.repeat(1, math.ceil(c / 3), 1, 1)[:, :c]
            )
            other = torch.where(use_aug.view(-1, 1, 1, 1), aug, pic)
            a = params[f"a{r}"].view(-1, 1, 1, 1)
            b = params[f"b{r}"].view(-1, 1, 1, 1)
            added = (a * (mixed * 2 - 1) + b * (other * 2 - 1) + 1) / 2
            multiplied = ((mixed * 2) ** a) * ((other * 2).clamp_min(1e-37) ** b) / 2
            step = torch.where(params[f"multiply{r}"].view(-1, 1, 1, 1), multiplied, added).clamp(0.0, 1.0)
            mixed = torch.where(active.view(-1, 1, 1, 1), step, mixed)
        out = FC.from_float(mixed, img.dtype)
        return x.replace(image=out) if isinstance(x, ImageBatch) else out


def _presets() -> list[Preset]:
    def named(cls: type, text: str) -> Preset:
        return Preset(name=cls.name, modality="image", factory=cls, description=text)

    return [
        named(AutoAugment, "AutoAugment with the learned ImageNet / CIFAR-10 / SVHN policy (policy=...)"),
        Preset(
            name="image.randaugment",
            modality="image",
            factory=_randaugment,
            description="RandAugment, the paper's 14 ops: omniaug.RandAugment('image', n, m), m in [0, 10]",
        ),
        named(TrivialAugmentWide, "TrivialAugment, wide space: one op per sample at a random strength"),
        named(AugMix, "AugMix: mix of random op chains with a skip connection; jsd_views() for the JSD loss"),
        named(PixMix, "PixMix: mixing with generated fractals / gratings / noise and augmented copies"),
    ]


PRESETS: list[Preset] = _presets()
