"""omniaug-code: semantics-preserving source-code augmentation for omniaug.

Payload :class:`CodeBatch` (sources + language + per-sample status log). Python is
first-class (scope-exact renaming, loop exchange, dead code, …, verified by
differential execution in the tests); Java, JavaScript, C, C++ and Go get the
transformations their tree-sitter grammars make safe.
"""

from __future__ import annotations

from .base import CodeAugmentation, NotApplicable, Result, shutdown_pools
from .modality import CODE
from .ops import (
    OPS,
    ExchangeLoops,
    InsertDeadCode,
    PerturbDocstrings,
    Reformat,
    RemoveComments,
    RemoveDocstrings,
    RenameFunctions,
    RenameVariables,
    ReorderImports,
    RewriteBooleans,
    ShuffleNames,
    SwapBlocks,
    SwapOperands,
    WrapTry,
)
from .payload import LANGUAGES, CodeBatch, Status
from .presets import default_pipeline

__all__ = [
    "OPS",
    "CODE",
    "LANGUAGES",
    "CodeAugmentation",
    "CodeBatch",
    "ExchangeLoops",
    "InsertDeadCode",
    "NotApplicable",
    "PerturbDocstrings",
    "Reformat",
    "RemoveComments",
    "RemoveDocstrings",
    "RenameFunctions",
    "RenameVariables",
    "ReorderImports",
    "Result",
    "RewriteBooleans",
    "ShuffleNames",
    "Status",
    "SwapBlocks",
    "SwapOperands",
    "WrapTry",
    "default_pipeline",
    "shutdown_pools",
]
