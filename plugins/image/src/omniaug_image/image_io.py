"""Reading and writing image files for ``omniaug apply`` (Pillow)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from omniaug import InputError

from .modality import ImageBatch

__all__ = ["FILE_PATTERNS", "load_images", "save_images"]

FILE_PATTERNS = ("*.png", "*.jpg", "*.jpeg", "*.bmp", "*.webp")


def load_images(paths: Sequence[Path]) -> torch.Tensor:
    """Read image files into a uint8 batch ``(B, 3, H, W)`` (converted to RGB).

    One batch holds one size: files of different sizes raise :class:`InputError`
    (``omniaug apply --batch-size 1`` handles folders of mixed sizes).
    """
    from PIL import Image

    arrays = []
    for p in paths:
        with Image.open(p) as im:
            arrays.append(np.asarray(im.convert("RGB"), dtype=np.uint8))
    if not arrays:
        raise InputError("paths", "at least one image file", list(paths), where="image.load")
    sizes = {a.shape for a in arrays}
    if len(sizes) > 1:
        raise InputError(
            "paths", "images of one size per batch (use --batch-size 1 for mixed sizes)", sorted(sizes), where="image.load"
        )
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()


def to_uint8_hwc(img: torch.Tensor) -> np.ndarray:
    """One ``(C, H, W)`` image (float in [0, 1] or uint8) as a ``(H, W, C)`` uint8 array."""
    if img.dtype != torch.uint8:
        img = (img.detach().float().clamp(0.0, 1.0) * 255.0).round().to(torch.uint8)
    arr = img.cpu().permute(1, 2, 0).numpy()
    return arr[..., 0] if arr.shape[-1] == 1 else arr


def save_images(x: Any, paths: Sequence[Path]) -> None:
    """Write each image of a payload to its path; the format follows the suffix (targets are not written)."""
    from PIL import Image

    img = x.image if isinstance(x, ImageBatch) else x
    if not isinstance(img, torch.Tensor) or img.dim() != 4 or img.shape[0] != len(paths):
        raise InputError("x", f"an image batch of {len(paths)} samples (one per path)", img, where="image.save")
    for i, p in enumerate(paths):
        Image.fromarray(to_uint8_hwc(img[i])).save(p)
