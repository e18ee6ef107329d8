"""omniaug-graph: batch-safe, vectorized augmentation of PyTorch Geometric graph batches.

Payload: a ``torch_geometric.data.Batch`` (a single ``Data`` is treated as a batch
of one and returned as a ``Data``). Every op runs on the whole batch at once with
per-graph random parameters and returns a ``Batch`` whose ``to_data_list()``
round-trips: ``ptr``, ``batch`` and the slice/increment bookkeeping of every
attribute it changes are rewritten.
"""

from __future__ import annotations

from .mixers import GMixup, NodeMixup, estimate_graphons
from .modality import GRAPH
from .ops import (
    AddEdge,
    Diffusion,
    DropEdge,
    DropNode,
    FeatureNoise,
    MaskFeature,
    PerturbEdgeWeight,
    ShuffleFeature,
    Subgraph,
)
from .presets import graphcl_default, graphcl_views
from .views import TwoViews, Views

__all__ = [
    "GRAPH",
    "AddEdge",
    "Diffusion",
    "DropEdge",
    "DropNode",
    "FeatureNoise",
    "GMixup",
    "MaskFeature",
    "NodeMixup",
    "PerturbEdgeWeight",
    "ShuffleFeature",
    "Subgraph",
    "TwoViews",
    "Views",
    "estimate_graphons",
    "graphcl_default",
    "graphcl_views",
]
