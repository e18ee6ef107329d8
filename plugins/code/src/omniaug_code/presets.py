"""Ready-made code pipelines."""

from __future__ import annotations

from typing import Any

from omniaug import Compose, Preset, RandomApply

from .ops import ExchangeLoops, InsertDeadCode, RenameVariables, SwapBlocks, SwapOperands

__all__ = ["PRESETS", "default_pipeline"]


def default_pipeline(workers: int = 1, progress: bool = False, **_: Any) -> Compose:
    """The four NatGen-style semantic-preserving rewrites, each applied with probability 0.8 / 0.5."""
    kw = {"workers": workers, "progress": progress}
    return Compose(
        [
            RenameVariables(max_sites=3, **kw, p=0.8),
            InsertDeadCode(max_sites=1, **kw, p=0.5),
            ExchangeLoops(max_sites=1, **kw, p=0.5),
            SwapOperands(max_sites=2, **kw, p=0.5),
            RandomApply([SwapBlocks(max_sites=1, **kw)], p=0.3),
        ]
    )


PRESETS = [
    Preset(
        "code.default",
        "code",
        default_pipeline,
        "rename variables, insert dead code, exchange loops, swap operands and if/else blocks (behaviour kept)",
    ),
]
