"""Plain reference kernels beside the fast fused image kernels (issue #16 §4).

The fast ``image.geometric`` and ``image.color`` kernels run in cache-sized chunks
on a private thread pool with scratch buffers, in-place writes and a one-pass
warp → colour chain. The functions here compute the same thing the obvious way:
the whole batch at once, out of place, written from the documented conventions
(:mod:`omniaug_image.functional_geometric`, :mod:`omniaug_image.color_fusion`)
rather than from the fast code:

* :func:`reference_geometric` — one ``torch.linalg.inv``, one sampling grid, one
  ``grid_sample``;
* :func:`reference_color` — the ``(2C+1) × (2C+1)`` state matrix applied with one
  ``einsum`` to ``[pixel; channel means; 1]``, then one clamp.

``omniaug.set_reference_kernels(True)`` (or ``OMNIAUG_REFERENCE=1``) makes
``Compose(fuse=True)`` use them; the differential test compares the two paths on
real photos. Payloads with targets (boxes, keypoints, masks) keep the fast path
for their targets: only the image tensor has a reference here.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from .modality import ImageBatch, Mask, is_unbatched

__all__ = ["reference_geometric", "reference_color"]


def _fill_values(ops: list[Any]) -> float | list[float]:
    for op in ops:  # the first fused op that has a fill sets it
        fill = getattr(op, "fill", None)
        if fill is not None:
            return fill  # type: ignore[no-any-return]
    return 0.0


def _warp_image(img: torch.Tensor, matrices: torch.Tensor, ops: list[Any]) -> torch.Tensor:
    """Warp ``(B, C, H, W)`` by forward index-coordinate matrices with one ``grid_sample``."""
    b, c, h, w = img.shape
    bilinear = any(getattr(op, "interpolation", "nearest") == "bilinear" for op in ops)
    inv = torch.linalg.inv(matrices.to(torch.float64))  # output pixel → input pixel
    ys, xs = torch.meshgrid(
        torch.arange(h, dtype=torch.float64, device=img.device),
        torch.arange(w, dtype=torch.float64, device=img.device),
        indexing="ij",
    )
    points = torch.stack([xs, ys, torch.ones_like(xs)], dim=-1).reshape(1, h * w, 3)
    src = points @ inv.transpose(1, 2)  # (B, H·W, 3)
    src = src[..., :2] / src[..., 2:]
    # pixel centre j ↦ (2j + 1) / W − 1: grid_sample's align_corners=False convention
    grid = torch.stack([(2 * src[..., 0] + 1) / w - 1, (2 * src[..., 1] + 1) / h - 1], dim=-1).reshape(b, h, w, 2)
    is_uint8 = img.dtype == torch.uint8
    work = img.to(torch.float64)
    fill = torch.as_tensor(_fill_values(ops), dtype=torch.float64, device=img.device).reshape(1, -1, 1, 1)
    fill = fill * (255.0 if is_uint8 else 1.0)
    # padding with `fill`: sample (img − fill) with zero padding, add fill back
    out = F.grid_sample(work - fill, grid, mode="bilinear" if bilinear else "nearest", align_corners=False) + fill
    if is_uint8:
        return out.round().clamp(0, 255).to(torch.uint8)
    return out.to(img.dtype)


def reference_geometric(x: Any, matrices: torch.Tensor, ops: list[Any]) -> Any:
    """Reference of the ``image.geometric`` kind's ``apply`` for image tensors (targets: the fast path)."""
    from .fusion import apply_geometric

    if isinstance(x, (Mask, ImageBatch)):
        return apply_geometric(x, matrices, ops)
    if is_unbatched(x):
        return _warp_image(x.unsqueeze(0), matrices, ops).squeeze(0)
    return _warp_image(x, matrices, ops)


def _color_image(img: torch.Tensor, total: torch.Tensor) -> torch.Tensor:
    """``x' = A x + B m + c`` with ``m`` the per-channel means of ``img``, in [0, 1] units; one clamp."""
    c = img.shape[1]
    is_uint8 = img.dtype == torch.uint8
    x = img.to(torch.float64) / (255.0 if is_uint8 else 1.0)
    t = total.to(torch.float64)
    means = x.mean(dim=(-2, -1))  # (B, C)
    a, bm, off = t[:, :c, :c], t[:, :c, c : 2 * c], t[:, :c, -1]
    out = torch.einsum("bij,bjhw->bihw", a, x) + (torch.einsum("bij,bj->bi", bm, means) + off)[..., None, None]
    out = out.clamp(0.0, 1.0)
    if is_uint8:
        return (out * 255.0).round().to(torch.uint8)
    return out.to(img.dtype)


def reference_color(x: Any, total: torch.Tensor, ops: list[Any]) -> Any:
    """Reference of the ``image.color`` kind's ``apply`` (a label map is left alone, targets untouched)."""
    if isinstance(x, Mask):
        return x
    if isinstance(x, ImageBatch):
        return x.replace(image=_color_image(x.image, total))
    if is_unbatched(x):
        return _color_image(x.unsqueeze(0), total).squeeze(0)
    return _color_image(x, total)
