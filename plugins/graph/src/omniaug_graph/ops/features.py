"""Node feature ops: masking, Gaussian noise and shuffling, with per-graph parameters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch_geometric.data import Batch

from omniaug import InputError, Magnitude, Params, args, rng
from omniaug.host import host_views

from .. import batch_ops
from ..counter_random import draw_seeds, graph_keys, hash_counters, hashed_normal, hashed_uniform, to_uniform
from .base import GraphAugmentation, Strength, draw_strength, local_node_index

__all__ = ["MaskFeature", "FeatureNoise", "ShuffleFeature"]

MODES = ("column", "node", "entry")

#: float dtype → the (torch, NumPy) integer types of the same width, for bitwise masking
_BITS: dict[torch.dtype, tuple[torch.dtype, Any]] = {
    torch.float64: (torch.int64, np.int64),
    torch.float32: (torch.int32, np.int32),
    torch.float16: (torch.int16, np.int16),
    torch.bfloat16: (torch.int16, np.int16),
}


class MaskFeature(GraphAugmentation):
    """Set node features to ``fill`` (attribute masking, You et al. 2020).

    * ``mode="column"``: each graph masks its own random set of feature columns
      (for all its nodes) — one column set *per graph*, unlike
      ``torch_geometric.utils.mask_feature`` which shares one set across the batch;
    * ``mode="node"``: whole feature rows of random nodes;
    * ``mode="entry"``: independent entries.

    Args:
        rate: masking probability — a number or ``[low, high]`` per graph.
        mode: ``"column"``, ``"node"`` or ``"entry"``.
        fill: the value written into masked entries (NaN marks them missing).
        key: the node feature attribute.
    """

    name = "graph.mask_feature"
    nonfinite_args = frozenset({"fill"})  # NaN marks masked features as missing
    differentiable = True  # in the node features (masked entries get zero gradient)
    magnitude = Magnitude("rate", (0.0, 0.0), (0.0, 0.5))
    salt = 0x3A5C

    def __init__(
        self,
        rate: Strength = 0.2,
        mode: str = "column",
        fill: float = 0.0,
        key: str = "x",
        *,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.mode = args.choice("mode", mode, MODES, where="MaskFeature")
        self.rate = args.value_range("rate", rate, bounds=(0.0, 1.0), scalar="fixed", where="MaskFeature")
        self.fill = args.number("fill", fill, where="MaskFeature")  # NaN marks masked features missing
        self.key = str(key)

    def check(self, x: Any) -> None:
        self._feature(x, self.key, self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        rate = draw_strength(self.rate, batch_size, generator=generator, device=device)
        if self.mode == "column":
            width = int(batch_ops.attrs(x)[self.key].shape[1])  # checked by check(); the store's dict (see attrs)
            u = rng.uniform(batch_size, 0.0, 1.0, shape=(width,), generator=generator, device=device)
            return {"rate": rate, "columns": u < rate.unsqueeze(1)}
        return {"rate": rate, "seed": draw_seeds(batch_size, generator=generator, device=device)}

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        m = batch_ops.attrs(b)
        feats, g = m[self.key], m["batch"]
        if self.mode == "column":
            if feats.dtype in _BITS and not feats.requires_grad:
                masked = self._mask_columns(feats, params["columns"], m["ptr"], g)
                return batch_ops.with_values(b, {self.key: masked})
            mask = params["columns"].to(feats.device).index_select(0, g)
        elif self.mode == "node":
            u = hashed_uniform(params["seed"], self.salt, local_node_index(b), index=g)
            mask = (u < params["rate"].index_select(0, g)).unsqueeze(1)
        else:
            cols = torch.arange(feats.shape[1], device=feats.device).unsqueeze(0)
            keys = graph_keys(params["seed"], self.salt).index_select(0, g).unsqueeze(1)
            u = to_uniform(hash_counters(keys, local_node_index(b).unsqueeze(1), cols))
            mask = u < params["rate"].index_select(0, g).unsqueeze(1)
        fill = torch.as_tensor(self.fill, dtype=feats.dtype, device=feats.device)
        return batch_ops.with_values(b, {self.key: torch.where(mask, fill, feats)})

    def _mask_columns(
        self, feats: torch.Tensor, columns: torch.Tensor, ptr: torch.Tensor, batch: torch.Tensor
    ) -> torch.Tensor:
        """Per-graph column masking as bit operations, equal to ``where(mask, fill, feats)`` bit for bit.

        Why: a masked select over (N, F) floats (``where`` / ``masked_fill``) is a
        slower pass and needs an (N, F) bool mask gathered first. Here
        each graph's row of keep-bits (all ones where kept, zeros where masked) is
        repeated over its nodes and ANDed in place with the features' bit patterns
        (a plain vectorized pass), and the fill value's bits ORed into the masked
        places (skipped for +0.0, whose bits are zero). Faster at every batch size
        measured, most at small and medium ones (docs/performance.md). On small
        CPU batches the rows are gathered by the (validated) graph id of each node and ANDed in
        NumPy (see :mod:`omniaug.host`).
        """
        ints, np_ints = _BITS[feats.dtype]
        host = host_views(feats, columns, batch)  # None for bfloat16 (no NumPy dtype): the torch path
        if host is not None:
            feats_h, columns_h, batch_h = host
            # masked → 1 - 1 = 0, kept → 0 - 1 = -1 (all bits): where(columns, 0, -1) in one op
            out_h = np.subtract(columns_h, 1, dtype=np_ints).take(batch_h, axis=0)
            # NumPy's in-place AND: at this size torch's costs more (dispatch, view, parallel check)
            np.bitwise_and(out_h, feats_h.view(np_ints), out=out_h)
            out = torch.from_numpy(out_h)
        else:
            columns = columns.to(feats.device)
            counts = ptr.diff()
            keep = torch.where(columns, 0, -1).to(ints)
            out = keep.repeat_interleave(counts, dim=0, output_size=feats.shape[0])
            out.bitwise_and_(feats.view(ints))
        if self.fill != 0.0 or math.copysign(1.0, self.fill) < 0:  # not +0.0: OR the fill's bits in
            fill_bits = torch.tensor(self.fill, dtype=feats.dtype).view(ints).to(feats.device)
            fill_rows = torch.where(columns.to(feats.device), fill_bits, torch.zeros_like(fill_bits))
            out.bitwise_or_(fill_rows.repeat_interleave(ptr.diff().to(feats.device), dim=0, output_size=feats.shape[0]))
        return out.view(feats.dtype)


class FeatureNoise(GraphAugmentation):
    """Add Gaussian noise ``N(0, sigma_g²)`` to every node feature entry.

    Args:
        sigma: noise standard deviation — a number or ``[low, high]`` per graph.
        key: the node feature attribute.
    """

    name = "graph.feature_noise"
    differentiable = True
    magnitude = Magnitude("sigma", (0.0, 0.0), (0.0, 0.5))
    salt = 0x9015

    def __init__(self, sigma: Strength = 0.1, key: str = "x", *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.sigma = args.value_range("sigma", sigma, bounds=(0.0, math.inf), scalar="fixed", where="FeatureNoise")
        self.key = str(key)

    def check(self, x: Any) -> None:
        self._feature(x, self.key, self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "sigma": draw_strength(self.sigma, batch_size, generator=generator, device=device),
            "seed": draw_seeds(batch_size, generator=generator, device=device),
        }

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        feats = b[self.key]
        g = b.batch
        cols = torch.arange(feats.shape[1], device=feats.device).unsqueeze(0)
        z = hashed_normal(params["seed"], self.salt, local_node_index(b).unsqueeze(1), cols, index=g.unsqueeze(1))
        noise = (z * params["sigma"].index_select(0, g).unsqueeze(1)).to(feats.dtype)
        return batch_ops.with_values(b, {self.key: feats + noise})


class ShuffleFeature(GraphAugmentation):
    """Permute node feature rows among the nodes of the same graph (structure unchanged).

    One vectorized sort of ``graph id · 2³² + random key`` gives every graph its
    own permutation at once: the graph id keeps rows inside their graph, the
    random key orders them within it.

    Args:
        key: the node feature attribute.
    """

    name = "graph.shuffle_feature"
    differentiable = True
    salt = 0x5F1E

    def __init__(self, key: str = "x", *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.key = str(key)

    def check(self, x: Any) -> None:
        if not isinstance(getattr(x, self.key, None), torch.Tensor):
            raise InputError(f"x.{self.key}", "a node-level tensor", getattr(x, self.key, None), where=self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"seed": draw_seeds(batch_size, generator=generator, device=device)}

    def inner_kernel(self, b: Batch, params: Params) -> Batch:
        g = b.batch
        keys = graph_keys(params["seed"], self.salt).index_select(0, g)
        sort_key = (g << 32) | hash_counters(keys, local_node_index(b))
        perm = torch.sort(sort_key, stable=True).indices
        return batch_ops.with_values(b, {self.key: b[self.key][perm]})
