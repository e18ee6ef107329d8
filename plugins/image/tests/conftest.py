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
