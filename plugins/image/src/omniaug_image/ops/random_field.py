"""Random-field augmentations: affine and colour parameters that vary smoothly from pixel to pixel.

After "Random Field Augmentations for Self-Supervised Representation Learning"
(Mansfield et al., 2023): instead of one rotation, scale, translation or colour
shift per image, each parameter is a Gaussian random field over the image, so a
single image is rotated a little here and scaled a little there, or turns warmer
at the top and paler at the bottom.

Fields are drawn per sample from the caller's generator as white noise and
low-pass filtered in the Fourier domain with a Gaussian of standard deviation
``length_scale`` (a fraction of the shorter image side): one ``rfft2``/``irfft2``
pair for all fields of the batch. Each field is normalized to unit standard
deviation and scaled by the op's strength times a per-sample amplitude in
``[0, 1]``, so the strength is the largest standard deviation a sample can get.

Batch invariance (``docs/scale-out.md``): with per-item keyed seeds a sample's
output must not depend on its batch nor on the thread count. On the CPU the
transforms run per field in NumPy's pocketfft (torch's MKL FFT may compute a field
differently depending on how many share the call), the spectrum is filtered in real
arithmetic, and the per-pixel colour matrices are written as fixed-order sums
rather than a matmul whose blocking depends on the batch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from omniaug import InputError, args, rng
from omniaug.params import Params

from .. import functional_color as FC
from ..modality import ImageAugmentation, image_of, is_unbatched, map_image
from ..targets import warp_payload_by_grid
from .geometric import check_fill

__all__ = ["OPS", "RandomFieldAffine", "RandomFieldColor", "gaussian_random_field", "field_affine_grid", "field_color"]


def gaussian_random_field(noise: torch.Tensor, length_scale: float, *, normalize: bool = True) -> torch.Tensor:
    """Smooth ``noise`` ``(..., H, W)`` with a periodic Gaussian of std ``length_scale`` pixels.

    The filter is applied as ``exp(−2π²ℓ²|f|²)`` on the ``rfft2`` spectrum (the
    Fourier transform of the Gaussian kernel). With ``normalize`` each field is
    shifted to zero mean and scaled to unit standard deviation.
    """
    h, w = noise.shape[-2:]
    fy = torch.fft.fftfreq(h, device=noise.device, dtype=torch.float32).view(-1, 1)
    fx = torch.fft.rfftfreq(w, device=noise.device, dtype=torch.float32).view(1, -1)
    filt = torch.exp(-2.0 * math.pi**2 * length_scale**2 * (fx * fx + fy * fy))
    noise = noise.to(torch.float32)
    # with normalize the DC bin is zeroed (zero mean exactly, before the inverse: no rounding residue of the mean to
    # blow up below); on the CPU per field in NumPy (batch- and thread-invariant), else (gradients, GPUs) in torch
    if noise.device.type == "cpu" and not (noise.requires_grad and torch.is_grad_enabled()):
        return _smooth_on_host(noise.contiguous(), filt, normalize)
    spectrum = torch.fft.rfft2(noise) * filt
    if normalize:
        spectrum[..., 0, 0] = 0
    field = torch.fft.irfft2(spectrum, s=(h, w))
    if not normalize:
        return field
    field = field - field.mean(dim=(-2, -1), keepdim=True)
    # a 1×1 field has no spread (its std is NaN with Bessel's correction): it stays 0
    return field / field.std(dim=(-2, -1), keepdim=True).nan_to_num(0.0).clamp_min(1e-12)


def _smooth_on_host(noise: torch.Tensor, filt: torch.Tensor, normalize: bool) -> torch.Tensor:
    """:func:`gaussian_random_field` per ``(H, W)`` field in NumPy, chunks of fields spread over the threads.

    pocketfft transforms each field line by line on its own, the real filter scales
    real and imaginary parts one by one and the mean and spread are sums over the one
    field, so how the fields are grouped (the caller's batch, the chunks here) never
    changes a field's bits.
    """
    from omniaug.parallel import run_shared

    h, w = noise.shape[-2:]
    fields = noise.detach().reshape(-1, h, w).numpy()
    gain = filt.numpy()[..., None]  # (H, W/2 + 1, 1): scales both parts of each bin
    out = np.empty_like(fields)
    count = fields.shape[0]
    parts = max(1, min(count, 2 * torch.get_num_threads()))
    bounds = [(count * i // parts, count * (i + 1) // parts) for i in range(parts)]

    def work(i: int) -> None:
        lo, hi = bounds[i]
        if hi > lo:
            spec = np.fft.rfft2(fields[lo:hi])
            spec.view(np.float32).reshape(*spec.shape, 2)[...] *= gain
            if normalize:
                spec[:, 0, 0] = 0
            field = np.fft.irfft2(spec, s=(h, w))  # not out=: NumPy 2.4's irfft2 writes garbage there
            if normalize:
                field -= field.mean(axis=(-2, -1), keepdims=True)
                if h * w > 1:  # a 1×1 field has no spread: it stays 0
                    field /= np.maximum(np.nan_to_num(field.std(axis=(-2, -1), ddof=1, keepdims=True)), 1e-12)
            out[lo:hi] = field

    if count:
        run_shared(parts, work, torch.device("cpu"))
    return torch.from_numpy(out).reshape(noise.shape)


def field_affine_grid(
    angle: torch.Tensor, log_scale: torch.Tensor, translate: torch.Tensor, height: int, width: int
) -> torch.Tensor:
    """Sampling grid ``(B, H, W, 2)`` for per-pixel rotation, scale and translation.

    ``angle`` (degrees, clockwise on screen as in torchvision) and ``log_scale`` are
    ``(B, H, W)``, ``translate`` ``(B, 2, H, W)`` in fractions of width and height.
    Output pixel ``p`` (relative to the image centre) samples the input at
    ``R(θ(p))ᵀ · (p − t(p)) / e^{s(p)}`` — for constant fields exactly the inverse map of
    ``torchvision.transforms.v2.functional.affine``.
    """
    dev = angle.device
    ys = torch.arange(height, device=dev, dtype=torch.float32).view(1, height, 1) + 0.5 - height / 2
    xs = torch.arange(width, device=dev, dtype=torch.float32).view(1, 1, width) + 0.5 - width / 2
    px = xs - translate[:, 0] * width
    py = ys - translate[:, 1] * height
    theta = angle * (math.pi / 180.0)
    cos, sin = torch.cos(theta), torch.sin(theta)
    inv_s = torch.exp(-log_scale)
    # clockwise rotation by θ on screen (y down) is the matrix [[cos, -sin], [sin, cos]]; sample with its inverse
    qx = (cos * px + sin * py) * inv_s
    qy = (-sin * px + cos * py) * inv_s
    return torch.stack([qx / (width / 2), qy / (height / 2)], dim=-1)


def _mix3(m: Sequence[Sequence[float]], planes: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """The 3×3 constant matrix ``m`` times three planes, per pixel, as sums in a fixed order
    (a batched matmul's blocking, and so its rounding, depends on the batch)."""
    return [planes[0] * row[0] + planes[1] * row[1] + planes[2] * row[2] for row in m]


def field_color(
    img: torch.Tensor, brightness: torch.Tensor, saturation: torch.Tensor, hue: torch.Tensor
) -> torch.Tensor:
    """Per-pixel saturation, YIQ hue rotation and brightness; fields ``(B, H, W)``; clamped, dtype kept.

    ``brightness`` and ``saturation`` are factors (1 = identity), ``hue`` is in turns.
    """
    x = FC.to_float(img)
    if x.dtype != torch.float64:  # float64 stays (gradcheck, precision); the rest computes in float32
        x = x.to(torch.float32)
    if x.shape[1] == 3:
        gray = FC.gray(x)
        s = saturation.unsqueeze(1)
        x = x * s + gray * (1.0 - s)
        y, i, q = _mix3(FC.RGB_TO_YIQ, x.unbind(1))
        theta = hue * (-2.0 * math.pi)  # same sign convention as functional_color.yiq_hue_matrix
        cos, sin = torch.cos(theta), torch.sin(theta)
        # the inverse computed once (functional_color): a LAPACK call per call wakes BLAS threads
        x = torch.stack(_mix3(FC._YIQ_TO_RGB, (y, cos * i - sin * q, sin * i + cos * q)), dim=1)
    x = (x * brightness.unsqueeze(1)).clamp_(0.0, 1.0)
    return FC.from_float(x, img.dtype)


def _size(x: Any) -> tuple[int, int]:
    img = image_of(x)
    return int(img.shape[-2]), int(img.shape[-1])


class _FieldOp(ImageAugmentation):
    in_policies = False
    moves_pixels = False  # the colour field; RandomFieldAffine warps
    num_fields = 0

    def __init__(self, length_scale: float, p: float, same_on_batch: bool) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.length_scale = args.finite("length_scale", length_scale, low=1e-3, where=type(self).__name__)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        h, w = _size(x)
        kw: dict[str, Any] = {"generator": generator, "device": device}
        return {
            "noise": rng.normal(batch_size, shape=(self.num_fields, h, w), **kw),
            "amplitude": rng.uniform(batch_size, 0.0, 1.0, **kw),
        }

    def fields(self, params: Params, height: int, width: int) -> torch.Tensor:
        """Unit-std smooth fields ``(B, K, H, W)`` scaled by each sample's amplitude."""
        ell = self.length_scale * min(height, width)
        f = gaussian_random_field(params["noise"], ell)
        return f * params["amplitude"].to(f.dtype).view(-1, 1, 1, 1)


class RandomFieldAffine(_FieldOp):
    """Per-pixel rotation, scale and translation from Gaussian random fields (one ``grid_sample``).

    Args:
        rotation: standard deviation of the rotation field, degrees.
        scale: standard deviation of the log-scale field.
        translation: standard deviation of the translation fields, fractions of the size.
        length_scale: correlation length of the fields, fraction of the shorter side.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill: value outside the input, in ``[0, 1]``.
    """

    name = "image.random_field_affine"
    differentiable = True
    moves_pixels = True  # a Mask payload is warped through the same grid (nearest-neighbour)
    num_fields = 4

    def __init__(
        self,
        rotation: float = 10.0,
        scale: float = 0.1,
        translation: float = 0.05,
        length_scale: float = 0.25,
        interpolation: str = "bilinear",
        fill: float | Sequence[float] = 0.0,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(length_scale, p, same_on_batch)
        where = "RandomFieldAffine"
        self.rotation = args.non_negative("rotation", rotation, where=where)
        # log-scale std: e^(4·2) is already ×3000
        self.scale = args.finite("scale", scale, low=0.0, high=2.0, where=where)
        self.translation = args.non_negative("translation", translation, where=where)
        self.interpolation = args.choice("interpolation", interpolation, ("bilinear", "nearest"), where=where)
        self.fill = check_fill(fill, where)

    def grid(self, params: Params, height: int, width: int) -> torch.Tensor:
        """The sampling grid ``(B, H, W, 2)`` of these params."""
        f = self.fields(params, height, width)
        return field_affine_grid(
            f[:, 0] * self.rotation, f[:, 1] * self.scale, f[:, 2:4] * self.translation, height, width
        )

    def kernel(self, x: Any, params: Params) -> Any:
        h, w = _size(x)
        return warp_payload_by_grid(x, self.grid(params, h, w), mode=self.interpolation, fill=self.fill)


class RandomFieldColor(_FieldOp):
    """Per-pixel brightness, saturation and hue from Gaussian random fields.

    Args:
        brightness: standard deviation of the brightness factor field (around 1).
        saturation: standard deviation of the saturation factor field (around 1).
        hue: standard deviation of the hue field, in turns (YIQ rotation).
        length_scale: correlation length of the fields, fraction of the shorter side.
    """

    name = "image.random_field_color"
    differentiable = True
    num_fields = 3

    def __init__(
        self,
        brightness: float = 0.2,
        saturation: float = 0.3,
        hue: float = 0.05,
        length_scale: float = 0.25,
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(length_scale, p, same_on_batch)
        where = "RandomFieldColor"
        self.brightness = args.non_negative("brightness", brightness, where=where)
        self.saturation = args.non_negative("saturation", saturation, where=where)
        self.hue = args.non_negative("hue", hue, where=where)

    def check(self, x: Any) -> None:
        img = image_of(x)
        c = img.shape[0] if is_unbatched(x) else img.shape[1]
        if c not in (1, 3):
            raise InputError("x", "images with 1 or 3 channels", img, where=self.name)

    def kernel(self, x: Any, params: Params) -> Any:
        h, w = _size(x)
        f = self.fields(params, h, w)
        bright = (1.0 + self.brightness * f[:, 0]).clamp_min(0.0)
        sat = (1.0 + self.saturation * f[:, 1]).clamp_min(0.0)
        hue = self.hue * f[:, 2]
        return map_image(x, lambda img: field_color(img, bright, sat, hue))


OPS: list[type] = [RandomFieldAffine, RandomFieldColor]
