"""Named pipelines of the graph plugin."""

from __future__ import annotations

from omniaug import Compose, Preset

from .ops import DropEdge, MaskFeature
from .views import TwoViews

__all__ = ["PRESETS", "graphcl_default", "graphcl_views"]


def graphcl_default(drop_rate: float = 0.2, mask_rate: float = 0.2) -> Compose:
    """GraphCL-style view: drop 20 % of the edges, mask 20 % of the feature columns (per graph)."""
    return Compose([DropEdge(rate=drop_rate), MaskFeature(rate=mask_rate, mode="column")])


def graphcl_views(drop_rate: float = 0.2, mask_rate: float = 0.2) -> TwoViews:
    """Two independently augmented GraphCL views of a batch in one call."""
    return TwoViews(graphcl_default(drop_rate, mask_rate))


PRESETS = [
    Preset(
        "graph.default",
        "graph",
        graphcl_default,
        "GraphCL-style edge dropping (20 %) + per-graph feature-column masking (20 %)",
    ),
]
