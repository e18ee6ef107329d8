"""omniaug-example-plugin: a tabular-rows modality for omniaug (third-party style)."""

from .ops import FeatureNoise, SwapNoise, WithinClassMix
from .rows import TABULAR, Rows

__all__ = ["TABULAR", "FeatureNoise", "Rows", "SwapNoise", "WithinClassMix"]
