"""Shared fixtures of the image plugin's tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import torch


@pytest.fixture(scope="session")
def photo_crops() -> Callable[[int, int, int], torch.Tensor]:
    """``crops(h, w, n)``: ``n`` uint8 ``h × w`` cut-outs of sklearn's two sample photos at different places."""
    from sklearn.datasets import load_sample_images

    sources = [torch.from_numpy(a.copy()).permute(2, 0, 1) for a in load_sample_images().images]

    def crops(h: int, w: int, n: int) -> torch.Tensor:
        out = []
        for k in range(n):
            src = sources[k % 2]
            top, left = (37 * k) % (src.shape[1] - h), (53 * k) % (src.shape[2] - w)
            out.append(src[:, top : top + h, left : left + w])
        return torch.stack(out).contiguous()

    return crops


def make_tricky_pixels(n: int = 6, size: int = 64) -> torch.Tensor:
    """uint8 random pixels plus the cases colour selections turn on: greys, ties for the max, saturated channels."""
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (n, 3, size, size), dtype=torch.uint8, generator=g)
    v = torch.randint(0, 256, (n, size, size), dtype=torch.uint8, generator=g)
    w = torch.randint(0, 256, (n, size, size), dtype=torch.uint8, generator=g)
    rows = size // 8
    x[:, :, :rows] = v[:, None, :rows]  # grey: max == min
    x[:, 0, rows : 2 * rows], x[:, 1, rows : 2 * rows] = v[:, rows : 2 * rows], v[:, rows : 2 * rows]  # r == g
    x[:, 2, rows : 2 * rows] = torch.minimum(w, v)[:, rows : 2 * rows]
    x[:, 1, 2 * rows : 3 * rows], x[:, 2, 2 * rows : 3 * rows] = v[:, 2 * rows : 3 * rows], v[:, 2 * rows : 3 * rows]
    x[:, 0, 2 * rows : 3 * rows] = torch.minimum(w, v)[:, 2 * rows : 3 * rows]  # g == b > r
    x[:, :, 3 * rows : 4 * rows] = torch.where(x[:, :, 3 * rows : 4 * rows] > 127, 255, 0).to(torch.uint8)  # saturated
    x[:, 0, 4 * rows : 5 * rows] = x[:, 2, 4 * rows : 5 * rows]  # r == b (either may be the max or the min)
    x[:, 1, 5 * rows : 6 * rows] = x[:, 2, 5 * rows : 6 * rows]  # g == b
    return x


@pytest.fixture(scope="session")
def tricky_pixels() -> Callable[..., torch.Tensor]:
    """``tricky_pixels(n, size)``: :func:`make_tricky_pixels` (uint8 ``(n, 3, size, size)``)."""
    return make_tricky_pixels
