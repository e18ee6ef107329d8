"""Bundled sample photos and test patterns for previews and demos.

``data/`` holds two 144×144 crops of scikit-learn's sample photos (``china.jpg``,
``flower.jpg``, CC-BY images shipped with scikit-learn) and two generated test
patterns: a checkerboard with an asymmetric "L" marker (flips and turns are easy
to see) and a colour gradient with concentric rings (interpolation is easy to see).
"""

from __future__ import annotations

from pathlib import Path

import torch

from .image_io import load_images

__all__ = ["DATA_DIR", "sample_files", "load_example_data"]

DATA_DIR = Path(__file__).resolve().parent / "data"


def sample_files() -> list[Path]:
    """The bundled image files, sorted by name."""
    return sorted(p for p in DATA_DIR.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))


def load_example_data(dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The bundled images as one ``(4, 3, 144, 144)`` batch (float in ``[0, 1]`` or uint8)."""
    batch = load_images(sample_files())
    return batch if dtype == torch.uint8 else batch.to(dtype).div_(255.0)
