"""The ``image.geometric`` fusion kind: fold flips, turns, affine and perspective into one warp.

Each fusable op gives its per-sample forward 3×3 matrix; the run's matrices are
multiplied (``then @ first``) and applied with a single ``grid_sample`` — one
interpolation instead of one per op, so a fused chain is both faster and sharper
than the unfused one. The fused result equals the unfused chain exactly (to float
error) for a single interpolating op among flips/turns, and otherwise within the
kind's ``tolerance`` of ``0.05`` on ``[0, 1]`` images wherever the unfused chain
keeps its content on the canvas: each unfused bilinear step blurs once more. Two
deliberate differences remain: at the edge of the valid region the unfused chain
blends with the fill once per step, and content that an intermediate step moves
off the canvas is lost (filled) in the unfused chain even if a later step would
bring it back, while the fused warp still shows it.
"""

from __future__ import annotations

from typing import Any

import torch

from omniaug import FusionKind

from . import functional_geometric as FG
from .color_fusion import COLOR_FUSION, color_stage
from .modality import Mask, check_params_batch, image_of, is_unbatched, validate_payload
from .reference import reference_geometric
from .targets import warp_payload

__all__ = ["GEOMETRIC", "FUSIONS", "apply_geometric", "apply_geometric_then_color"]


def _identity(x: Any, batch_size: int) -> torch.Tensor:
    return FG.identity_matrices(batch_size, device=image_of(x).device)


def _compose(first: torch.Tensor, then: torch.Tensor) -> torch.Tensor:
    return FG.matmul3(then, first)


def _warp_options(ops: list[Any]) -> dict[str, Any]:
    """Interpolation, fill and affine-only flag of a fused run of geometric ops."""
    mode = "bilinear" if any(getattr(op, "interpolation", "nearest") == "bilinear" for op in ops) else "nearest"
    fill = next((op.fill for op in ops if getattr(op, "fill", None) is not None), 0.0)
    affine = all(getattr(op, "affine_only", False) for op in ops)
    return {"mode": mode, "fill": fill, "affine": affine}


def apply_geometric(x: Any, matrices: torch.Tensor, ops: list[Any]) -> Any:
    """Warp payload ``x`` once by the composed ``matrices``.

    Interpolation is bilinear if any fused op interpolates bilinearly (flips and
    turns alone stay ``nearest``, hence exact); the fill comes from the first op
    that has one; the fast affine grid is used unless an op is projective. A
    :class:`~omniaug_image.Mask` is warped with nearest-neighbour.
    """
    validate_payload(x)  # a replay through Compose reaches here unchecked (checked tensors are not re-read)
    check_params_batch(x, int(matrices.shape[0]), "image.geometric")
    if is_unbatched(x):
        return warp_payload(x.unsqueeze(0), matrices, **_warp_options(ops)).squeeze(0)
    return warp_payload(x, matrices, **_warp_options(ops))


def apply_geometric_then_color(
    x: Any, matrices: torch.Tensor, ops: list[Any], color_total: torch.Tensor, color_ops: list[Any]
) -> Any:
    """A fused geometric run followed by a fused colour run, in one pass over the batch.

    Each chunk of a few images is warped and then colour-mapped while it is in
    cache, in one round of the worker threads, straight into the output: the
    separate passes read and wrote the whole batch twice and woke the workers twice
    (the separate colour pass was a sizeable share of a call: docs/performance.md).
    For uint8 the warped chunk stays float until the colour step's final
    cast (one rounding instead of two). The colour matrix's contrast means are
    those of each *warped* image, as in the two-pass chain, so the result is the
    same (float; uint8 within a grey level). Images other than float32 / uint8 take
    the two passes.
    """
    if isinstance(x, Mask):  # the colour step leaves a label map alone
        return apply_geometric(x, matrices, ops)
    validate_payload(x)
    check_params_batch(x, int(matrices.shape[0]), "image.geometric")
    if is_unbatched(x):
        return apply_geometric_then_color(x.unsqueeze(0), matrices, ops, color_total, color_ops).squeeze(0)
    img = image_of(x)
    if img.dtype not in (torch.float32, torch.uint8) or img.dim() != 4 or img.requires_grad:
        # also the autograd path: the one-pass kernel writes into buffers, the two passes do not
        return COLOR_FUSION.apply(apply_geometric(x, matrices, ops), color_total, color_ops)
    b, c, h, w = img.shape
    step = color_stage(color_total, c, img.dtype)

    def post(sampled: torch.Tensor, start: int, stop: int, dst: torch.Tensor) -> None:
        n = stop - start
        step(sampled.view(n, c, h * w), start, stop, dst.view(n, c, h * w))

    return warp_payload(x, matrices, **_warp_options(ops), post=post)


GEOMETRIC = FusionKind(
    name="image.geometric",
    identity=_identity,
    compose=_compose,
    apply=apply_geometric,
    fresh_output=True,  # warp_payload always samples into new buffers
    chain={COLOR_FUSION.name: apply_geometric_then_color},
    tolerance=(0.0, 0.05),
    description="per-sample 3×3 homographies composed and applied with one grid_sample",
    reference=reference_geometric,
)

FUSIONS: list[FusionKind] = [GEOMETRIC]
