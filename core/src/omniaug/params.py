"""Params: the per-sample random parameters of one call, returned as data.

A ``Params`` is a ``dict`` whose tensor (and list) values carry the batch in
dimension 0, so ``params.subset(index)`` slices every entry consistently — the
invariant behind "a batch result equals the per-sample results with the sliced
params". Nested ``Params`` (containers keep one per child) are sliced recursively;
other values (ints, floats, strings) are shared by the whole batch.

Every augmentation's params contain ``"apply"``: a ``(B,)`` bool tensor drawn
from ``p`` telling which samples the op changes.
"""

from __future__ import annotations

from typing import Any

import torch

from . import batching

__all__ = ["Params", "APPLY"]

APPLY = "apply"


class Params(dict[str, Any]):
    """Per-sample parameter tensors of one call (leading batch dimension)."""

    @property
    def apply_mask(self) -> torch.Tensor:
        """The ``(B,)`` bool mask of samples the op is applied to."""
        return self[APPLY]

    @property
    def batch_size(self) -> int:
        return batching.batch_size_of(dict(self))

    def subset(self, index: torch.Tensor) -> Params:
        """The params of samples ``index`` (a 1-D ``LongTensor``); an all-applied mask stays one (p = 1 shortcut)."""
        out = Params(
            {k: (v.subset(index) if isinstance(v, Params) else batching.subset(v, index)) for k, v in self.items()}
        )
        mask = self.get(APPLY)
        if isinstance(mask, torch.Tensor) and batching.is_all_selected(mask):
            out[APPLY] = batching.all_selected(index.numel(), mask.device)
        return out

    def scatter(self, index: torch.Tensor, batch_size: int) -> Params:
        """Params of samples ``index`` spread into a batch of ``batch_size`` (see ``batching.scatter_into``)."""
        return Params(
            {
                k: (
                    v.scatter(index, batch_size)
                    if isinstance(v, Params)
                    else batching.scatter_into(v, index, batch_size)
                )
                for k, v in self.items()
            }
        )

    def to(self, device: torch.device | str) -> Params:
        """All tensors moved to ``device``."""
        return Params(
            {k: (v.to(device) if isinstance(v, Params) else batching.tree_to(v, device)) for k, v in self.items()}
        )

    def with_apply(self, mask: torch.Tensor) -> Params:
        """A copy with the apply mask replaced (e.g. to force p=1 on replay)."""
        out = Params(self)
        out[APPLY] = mask
        return out

    def __repr__(self) -> str:
        def short(v: Any) -> str:
            if isinstance(v, torch.Tensor):
                return f"Tensor{tuple(v.shape)}:{str(v.dtype).replace('torch.', '')}"
            return repr(v)

        return "Params(" + ", ".join(f"{k}={short(v)}" for k, v in self.items()) + ")"
