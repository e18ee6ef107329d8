"""omniaug-example-plugin: a tabular-rows modality for omniaug (third-party style)."""

from .mixers import WithinClassMix
from .modality import TABULAR, Rows
from .ops import FeatureNoise, SwapNoise

__all__ = ["TABULAR", "FeatureNoise", "Rows", "SwapNoise", "WithinClassMix"]
