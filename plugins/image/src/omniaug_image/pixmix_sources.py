"""Procedurally generated mixing pictures for PixMix: fractals, gratings and 1/f noise.

PixMix (Hendrycks et al., 2022) mixes training images with "pictures that are
structurally complex" — in the paper fractals and feature visualizations loaded
from disk. Nothing is downloaded here: every picture is generated at run time from
the caller's generator, one batch at a time, with no loop over samples:

* **fractals** — attractors of random iterated function systems (2–4 contractive
  affine maps per sample), drawn with the chaos game: many points per sample
  iterated in parallel, then splatted into a density image with one
  ``scatter_add`` and coloured with a random two-colour palette;
* **gratings** — oriented sinusoidal stripes and checkerboards with random
  frequency, phase and colours;
* **noise** — 1/f^β ("natural image") noise, coloured per channel.
"""

from __future__ import annotations

import math

import torch

from omniaug import rng

__all__ = ["KINDS", "fractals", "gratings", "spectral_noise", "mixing_pictures"]

KINDS = ("fractal", "grating", "noise")


def _colorize(density: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """``(B, H, W)`` values in [0, 1] → RGB between two random colours per sample."""
    b = density.shape[0]
    dev = density.device
    c0 = rng.uniform(b, 0.0, 1.0, shape=(3, 1, 1), generator=generator, device=dev)
    c1 = rng.uniform(b, 0.0, 1.0, shape=(3, 1, 1), generator=generator, device=dev)
    d = density.unsqueeze(1)
    return c0 * (1.0 - d) + c1 * d


def fractals(
    batch_size: int,
    height: int,
    width: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    points: int | None = None,
    iterations: int = 16,
    max_maps: int = 4,
) -> torch.Tensor:
    """IFS fractal pictures ``(B, 3, H, W)`` in [0, 1], one random system per sample.

    ``points`` defaults to twice the pixel count (clamped to [512, 4096]); after
    ``iterations`` contractions (factor ≤ 0.8 each) the points lie on the attractor.
    """
    dev = torch.device(device)
    points = points if points is not None else max(512, min(4096, 2 * height * width))
    kw = {"generator": generator, "device": dev}
    # contractive maps A = R(α)·diag(s)·R(β), |s| in [0.25, 0.8], random reflections; offsets in [-1, 1]
    a1 = rng.uniform(batch_size, 0.0, 2 * math.pi, shape=(max_maps,), **kw)
    a2 = rng.uniform(batch_size, 0.0, 2 * math.pi, shape=(max_maps,), **kw)
    s = rng.uniform(batch_size, 0.25, 0.8, shape=(max_maps, 2), **kw)
    flip = torch.where(rng.bernoulli(batch_size, 0.5, shape=(max_maps,), **kw), -1.0, 1.0)
    s = s * torch.stack([torch.ones_like(flip), flip], dim=-1)

    def rot(t: torch.Tensor) -> torch.Tensor:
        c, n = torch.cos(t), torch.sin(t)
        return torch.stack([torch.stack([c, -n], -1), torch.stack([n, c], -1)], -2)

    maps = rot(a1) @ torch.diag_embed(s) @ rot(a2)  # (B, M, 2, 2)
    shift = rng.uniform(batch_size, -1.0, 1.0, shape=(max_maps, 2), **kw)
    n_maps = rng.randint(batch_size, 2, max_maps + 1, **kw)
    # probability of a map ∝ |det| (as in FractalDB), only the sample's first n_maps maps
    weight = torch.linalg.det(maps).abs() + 1e-3
    weight = weight * (torch.arange(max_maps, device=dev).unsqueeze(0) < n_maps.unsqueeze(1))
    cdf = (weight / weight.sum(1, keepdim=True)).cumsum(1)
    pts = rng.uniform(batch_size, -1.0, 1.0, shape=(points, 2), **kw)
    rows = torch.arange(batch_size, device=dev).unsqueeze(1)
    coef = torch.cat([maps.reshape(batch_size, max_maps, 4), shift], dim=-1)  # (B, M, 6): a, b, c, d, e, f
    px, py = pts[..., 0], pts[..., 1]
    for _ in range(iterations):  # chaos game: every point of every sample moves at once
        u = rng.uniform(batch_size, 0.0, 1.0, shape=(points,), **kw)
        k = torch.searchsorted(cdf, u.contiguous()).clamp_max(max_maps - 1)
        a, b, c, d, e, f = coef.gather(1, k.unsqueeze(-1).expand(-1, -1, 6)).unbind(-1)  # (B, P) each
        px, py = a * px + b * py + e, c * px + d * py + f
    pts = torch.stack([px, py], dim=-1)
    # fit each attractor into the frame, then splat
    lo = pts.amin(dim=1, keepdim=True)
    hi = pts.amax(dim=1, keepdim=True)
    unit = (pts - lo) / (hi - lo).clamp_min(1e-6)
    ix = (unit[..., 0] * (width - 1)).round().long().clamp(0, width - 1)
    iy = (unit[..., 1] * (height - 1)).round().long().clamp(0, height - 1)
    flat = rows * (height * width) + iy * width + ix
    hist = torch.zeros(batch_size * height * width, device=dev).scatter_add_(
        0, flat.reshape(-1), torch.ones(flat.numel(), device=dev)
    )
    density = hist.reshape(batch_size, height, width)
    density = torch.log1p(density) / torch.log1p(density.amax(dim=(1, 2), keepdim=True)).clamp_min(1e-6)
    return _colorize(density, generator)


def gratings(
    batch_size: int,
    height: int,
    width: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """Oriented sinusoidal gratings (half of them multiplied into checkerboards), ``(B, 3, H, W)``."""
    dev = torch.device(device)
    kw = {"generator": generator, "device": dev}
    ys = torch.linspace(-1.0, 1.0, height, device=dev).view(1, height, 1)
    xs = torch.linspace(-1.0, 1.0, width, device=dev).view(1, 1, width)
    theta = rng.uniform(batch_size, 0.0, math.pi, **kw).view(-1, 1, 1)
    freq = rng.uniform(batch_size, 1.0, 8.0, **kw).view(-1, 1, 1)
    phase = rng.uniform(batch_size, 0.0, 2 * math.pi, **kw).view(-1, 1, 1)
    along = torch.cos(theta) * xs + torch.sin(theta) * ys
    across = -torch.sin(theta) * xs + torch.cos(theta) * ys
    wave = torch.sin(math.pi * freq * along + phase)
    checker = rng.bernoulli(batch_size, 0.5, **kw).view(-1, 1, 1)
    wave = torch.where(checker, torch.sign(wave * torch.sin(math.pi * freq * across + phase)), wave)
    return _colorize(0.5 + 0.5 * wave, generator)


def spectral_noise(
    batch_size: int,
    height: int,
    width: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """1/f^β noise per channel (β uniform in [1, 3] per sample), stretched to [0, 1], ``(B, 3, H, W)``."""
    dev = torch.device(device)
    kw = {"generator": generator, "device": dev}
    beta = rng.uniform(batch_size, 1.0, 3.0, **kw).view(-1, 1, 1, 1)
    noise = rng.normal(batch_size, shape=(3, height, width), **kw)
    fy = torch.fft.fftfreq(height, device=dev).view(-1, 1)
    fx = torch.fft.rfftfreq(width, device=dev).view(1, -1)
    f = torch.sqrt(fx * fx + fy * fy).clamp_min(1.0 / max(height, width))
    field = torch.fft.irfft2(torch.fft.rfft2(noise) / f.pow(beta / 2.0), s=(height, width))
    lo = field.amin(dim=(-2, -1), keepdim=True)
    hi = field.amax(dim=(-2, -1), keepdim=True)
    return (field - lo) / (hi - lo).clamp_min(1e-6)


def mixing_pictures(
    batch_size: int,
    height: int,
    width: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """One picture per sample, its kind (fractal, grating, noise) drawn uniformly per sample."""
    kind = rng.randint(batch_size, 0, len(KINDS), generator=generator, device=device).view(-1, 1, 1, 1)
    kw = {"generator": generator, "device": device}
    pics = [
        fractals(batch_size, height, width, **kw),  # type: ignore[arg-type]
        gratings(batch_size, height, width, **kw),  # type: ignore[arg-type]
        spectral_noise(batch_size, height, width, **kw),  # type: ignore[arg-type]
    ]
    out = pics[0]
    for k in (1, 2):
        out = torch.where(kind == k, pics[k], out)
    return out.clamp(0.0, 1.0)
