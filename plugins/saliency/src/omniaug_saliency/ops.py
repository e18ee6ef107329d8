"""The op of omniaug-saliency: RandConv (Xu et al. 2021).

Every sample is convolved with its own random filter (kernel size drawn per
sample, He-scaled Gaussian weights) and blended with the input by a per-sample
weight: texture and colour change, shapes stay. No weights, nothing learned. The
filters are the params (replayable).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

import omniaug
from omniaug import InputError, Params, args, rng

from .style import _check_image_batch, _image_of, _rebuild

__all__ = ["RandConv"]


class RandConv(omniaug.Augmentation):
    """RandConv: a random ``k × k`` convolution per sample, blended with the input.

    ``out = w·x + (1 − w)·conv(x, K)`` with ``k`` drawn from ``kernel_sizes`` and
    ``w`` uniform in ``mix_range`` per sample (``mix_range=(0, 0)`` is the paper's
    plain RandConv, ``(0, 1)`` its mixing variant). Filter weights are
    ``N(0, σ²)`` with ``σ = 1 / √(k²·C)`` (He init); the kernel is zero-padded
    ("same" output size). All samples run in one grouped convolution: each sample's
    ``k × k`` kernel sits centred in a ``kmax × kmax`` one. Output is clamped to
    ``[0, 1]``, the image modality's range, so the next op accepts it (the paper
    feeds the unclamped responses to the network).
    Params: ``kernel`` ``(B, C, C, kmax, kmax)``, ``size`` ``(B,)``, ``mix`` ``(B,)``.
    """

    name = "image.randconv"
    modality = "image"
    differentiable = True
    in_policies = False

    def __init__(
        self,
        kernel_sizes: Sequence[int] = (1, 3, 5, 7),
        mix_range: tuple[float, float] = (0.0, 1.0),
        *,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        if not isinstance(kernel_sizes, (list, tuple)) or not kernel_sizes:
            raise InputError("kernel_sizes", "a non-empty list of odd sizes", kernel_sizes, where=self.name)
        self.kernel_sizes = [args.integer("kernel_sizes", k, low=1, high=31, where=self.name) for k in kernel_sizes]
        if any(k % 2 == 0 for k in self.kernel_sizes):
            raise InputError("kernel_sizes", "odd sizes (a centred kernel)", kernel_sizes, where=self.name)
        self.mix_range = args.value_range("mix_range", mix_range, bounds=(0.0, 1.0), where=self.name)

    def check(self, x: Any) -> None:
        _check_image_batch(x, self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        c = _image_of(x).shape[1]
        kmax = max(self.kernel_sizes)
        sizes = torch.tensor(self.kernel_sizes, device=device)
        size = sizes[rng.randint(batch_size, 0, len(self.kernel_sizes), generator=generator, device=device)]
        raw = rng.normal(batch_size, shape=(c, c, kmax, kmax), generator=generator, device=device)
        r = torch.arange(kmax, device=device) - kmax // 2
        inside = r.abs().view(1, -1) <= (size // 2).view(-1, 1)  # (B, kmax)
        support = (inside.unsqueeze(2) & inside.unsqueeze(1)).view(batch_size, 1, 1, kmax, kmax)
        std = 1.0 / (size.to(torch.float32) * c**0.5)
        kernel = raw * support * std.view(-1, 1, 1, 1, 1)
        lo, hi = self.mix_range
        mix = (
            rng.uniform(batch_size, lo, hi, generator=generator, device=device)
            if hi > lo
            else torch.full((batch_size,), lo, device=device)
        )
        return {"kernel": kernel, "size": size, "mix": mix}

    def kernel(self, x: Any, params: Params) -> Any:
        img = _image_of(x)
        b, c, h, w = img.shape
        v = img.to(torch.float32) / 255.0 if img.dtype == torch.uint8 else img
        k = params["kernel"].to(device=v.device, dtype=v.dtype)
        kmax = k.shape[-1]
        conv = F.conv2d(v.reshape(1, b * c, h, w), k.reshape(b * c, c, kmax, kmax), padding=kmax // 2, groups=b)
        wmix = params["mix"].to(device=v.device, dtype=v.dtype).view(-1, 1, 1, 1)
        out = wmix * v + (1 - wmix) * conv.view(b, c, h, w)
        out = out.clamp(0, 1)
        if img.dtype == torch.uint8:
            out = (out * 255).round().to(torch.uint8)
        return _rebuild(x, out)

    @classmethod
    def example_instances(cls) -> list[omniaug.Augmentation]:
        return [cls(), cls(kernel_sizes=(3,), mix_range=(0.0, 0.0))]
