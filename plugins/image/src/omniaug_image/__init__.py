"""omniaug-image: batched, seeded image augmentations for omniaug.

Payload: ``(B, C, H, W)`` tensors (float in [0, 1] or uint8) or an
:class:`ImageBatch` whose masks, boxes and keypoints move with the image.
"""

from __future__ import annotations

from .modality import IMAGE, ImageBatch, image_of, map_image

__all__ = ["IMAGE", "ImageBatch", "image_of", "map_image"]
