"""Graph augmentation ops (one module per concern)."""

from __future__ import annotations

from .diffusion import Diffusion
from .edges import AddEdge, DropEdge, PerturbEdgeWeight
from .features import FeatureNoise, MaskFeature, ShuffleFeature
from .nodes import DropNode, Subgraph

__all__ = [
    "AddEdge",
    "Diffusion",
    "DropEdge",
    "DropNode",
    "FeatureNoise",
    "MaskFeature",
    "PerturbEdgeWeight",
    "ShuffleFeature",
    "Subgraph",
]
