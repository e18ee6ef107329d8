"""Real photos with a known saliency: scikit-learn's two sample photos and hand-traced object masks.

``data/photo_objects.json`` holds an outline of the main object of each photo (the
pagoda in ``china.jpg``, the dahlia in ``flower.jpg``), traced by hand on the
640 × 427 photos with a 40-pixel grid drawn over them. The mask is what a caller
with an annotation or a detector would pass as ``saliency=``; the tests and the
preview use it. Needs scikit-learn (the photos ship inside it; nothing is downloaded).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch

from omniaug import InputError

__all__ = ["OBJECTS_FILE", "polygon_mask", "object_outlines", "object_photos"]

OBJECTS_FILE = Path(__file__).resolve().parent / "data" / "photo_objects.json"


def polygon_mask(vertices: list[list[float]], height: int, width: int) -> torch.Tensor:
    """``(H, W)`` bool: pixel centres inside the polygon ``[[x, y], …]`` (even-odd rule), all at once."""
    v = torch.tensor(vertices, dtype=torch.float64)
    if v.dim() != 2 or v.shape[0] < 3 or v.shape[1] != 2:
        raise InputError("vertices", "at least 3 (x, y) points", vertices, where="polygon_mask")
    x0, y0 = v[:, 0], v[:, 1]
    x1, y1 = v.roll(-1, 0)[:, 0], v.roll(-1, 0)[:, 1]
    py = torch.arange(height, dtype=torch.float64).view(height, 1, 1) + 0.5
    px = torch.arange(width, dtype=torch.float64).view(1, width, 1) + 0.5
    spans = (y0 > py) != (y1 > py)  # the edge crosses this pixel row
    dy = torch.where(y1 == y0, torch.ones_like(y1), y1 - y0)
    x_cross = x0 + (py - y0) * (x1 - x0) / dy
    return (spans & (px < x_cross)).sum(-1) % 2 == 1


def object_outlines() -> dict[str, list[list[float]]]:
    """File name → outline ``[[x, y], …]`` in the photo's pixel coordinates."""
    return json.loads(OBJECTS_FILE.read_text())["objects"]  # type: ignore[no-any-return]


def object_photos() -> tuple[torch.Tensor, torch.Tensor]:
    """sklearn's china / flower photos ``(2, 3, 427, 640)`` in ``[0, 1]`` and their object masks ``(2, 427, 640)`` (0/1)."""
    import numpy as np
    from sklearn.datasets import load_sample_images

    data = load_sample_images()
    outlines = object_outlines()
    imgs = torch.from_numpy(np.stack(data.images).copy()).permute(0, 3, 1, 2).to(torch.float32) / 255.0
    h, w = imgs.shape[-2:]
    masks = torch.stack([polygon_mask(outlines[Path(f).name], h, w) for f in data.filenames]).to(torch.float32)
    return imgs, masks
