"""omniaug-image: batched, seeded image augmentations for omniaug.

Payload: ``(B, C, H, W)`` tensors (float in [0, 1] or uint8) or an
:class:`ImageBatch` whose masks, boxes and keypoints move with the image.
"""

from __future__ import annotations

from .box_formats import BOX_FORMATS, box_lists, with_boxes
from .mixers import CutMix, FMix, MixUp, Mosaic, ResizeMix
from .modality import IMAGE, ImageBatch, Mask, image_of, map_image
from .ops.geometric import (
    Affine,
    CropAndPad,
    Dihedral,
    ElasticTransform,
    HorizontalFlip,
    Perspective,
    RandomResizedCrop,
    Rot90,
    VerticalFlip,
)
from .ops.occlusion import GridMask, RandomErasing
from .ops.photometric import (
    AutoContrast,
    Brightness,
    ChannelShuffle,
    ColorJitter,
    Contrast,
    Equalize,
    Gamma,
    GaussianBlur,
    GaussianNoise,
    Grayscale,
    Hue,
    Invert,
    Posterize,
    Saturation,
    Sharpness,
    Solarize,
)
from .ops.random_field import RandomFieldAffine, RandomFieldColor

__all__ = [
    "BOX_FORMATS",
    "IMAGE",
    "ImageBatch",
    "Mask",
    "box_lists",
    "with_boxes",
    "image_of",
    "map_image",
    "Affine",
    "AutoContrast",
    "Brightness",
    "ChannelShuffle",
    "ColorJitter",
    "Contrast",
    "CropAndPad",
    "CutMix",
    "Dihedral",
    "ElasticTransform",
    "Equalize",
    "FMix",
    "Gamma",
    "GaussianBlur",
    "GaussianNoise",
    "Grayscale",
    "GridMask",
    "HorizontalFlip",
    "Hue",
    "Invert",
    "MixUp",
    "Mosaic",
    "Perspective",
    "Posterize",
    "RandomErasing",
    "RandomFieldAffine",
    "RandomFieldColor",
    "RandomResizedCrop",
    "ResizeMix",
    "Rot90",
    "Saturation",
    "Sharpness",
    "Solarize",
    "VerticalFlip",
]
