"""Separable crop-and-resize of per-sample boxes: the fast kernel of the axis-aligned box ops.

An axis-aligned box resized onto the output canvas (``RandomResizedCrop``,
``CropAndPad``) reads, for output row ``i``, the same two source rows across the
whole row, and for output column ``j`` the same two source columns. So instead of a
2-D sampling grid and ``grid_sample`` (:func:`omniaug_image.functional_geometric.crop_box_grid`,
kept as the reference path) this module gathers the two neighbouring source rows
of every output row (``index_select`` of whole rows, on the input's own dtype —
uint8 stays uint8 until the gathered rows are converted), blends them, then gathers
and blends the two neighbouring columns. The whole batch runs in cache-sized chunks
of samples (:func:`omniaug_image._chunks.run_balanced`, as the grid warps do), every
chunk one pass per axis over all its samples with per-sample index tensors: chunking
is cache blocking, not a loop over samples. Running the chunks in order with
multi-threaded ops instead was a little faster on an idle machine but, on a busy
one, every small op's OpenMP region waited for a descheduled thread and the op
became tens of times slower (docs/performance.md, design measurements).

* **bilinear**: the source coordinate of output index ``j`` is ``F.interpolate``'s
  ``(j + 0.5) · span / n_out - 0.5`` relative to the box, clamped to the box's first
  and last pixel centres (the clamp of :func:`crop_box_grid`); taps outside the
  image get weight 0 and the rest of the weight goes to ``fill``, as
  ``grid_sample``'s zero padding of ``image - fill`` does. Float images match the
  grid path within float32 rounding of the coordinates; uint8 images are computed in
  float32 and rounded as :func:`omniaug_image.functional_geometric.sample_image`
  rounds, so they agree with it to within one level where a value lands next to a
  rounding boundary.
* **nearest** (masks always, images in ``mode="nearest"``): the source index of
  every output row / column is the one ``grid_sample(mode="nearest")`` picks from
  the grid path's own normalized coordinates — read off by sampling a ramp
  ``1 … n`` with those coordinates (0: outside the image), so the result equals
  the grid path exactly; the values are then gathered on the tensor's own dtype
  (no float round trip for integer or bool masks).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from omniaug import memory

from . import functional_geometric as FG
from ._chunks import run_balanced, scratch

__all__ = ["bilinear_taps", "nearest_taps", "resample_image", "resample_mask", "supports"]

#: image dtypes the fast kernel takes (others keep the grid path)
_DTYPES = (torch.uint8, torch.float32, torch.float64)


def supports(img: torch.Tensor, mode: str) -> bool:
    """Whether :func:`resample_image` computes what the grid path computes for ``img`` and ``mode``.

    Bilinear and nearest on uint8 / float32 / float64 ``(B, C, H, W)`` images that do
    not require grad (the chunked kernel writes into buffers).
    """
    return mode in ("bilinear", "nearest") and img.dim() == 4 and img.dtype in _DTYPES and not img.requires_grad


def bilinear_taps(
    lo: torch.Tensor, hi: torch.Tensor, n_out: int, n_in: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-sample bilinear taps along one axis for boxes ``[lo, hi)`` ``(B,)`` resized to ``n_out``.

    Returns ``(i0, i1, w0, w1)``, each ``(B, n_out)``: the two source indices (clamped
    into ``[0, n_in)``) and their weights (0 for a tap outside the input, so the
    weights of a row sum to less than 1 where the box reaches past the image).
    """
    lo = lo.to(torch.float32).reshape(-1, 1)
    span = hi.to(torch.float32).reshape(-1, 1) - lo
    j = torch.arange(n_out, device=lo.device, dtype=torch.float32) + 0.5
    rel = (span / n_out) * j - 0.5  # F.interpolate's source index, relative to the box
    base = torch.floor(lo)
    frac = lo - base  # 0 for the integer boxes the ops make: then ``rel`` is used as it is
    pos = torch.minimum(torch.maximum(rel + frac, frac), span - 1.0 + frac)  # the box's pixel centres
    k = torch.floor(pos)
    lam = pos - k
    i0 = (base + k).to(torch.int64)
    i1 = i0 + 1
    w0 = torch.where((i0 >= 0) & (i0 < n_in), 1.0 - lam, 0.0)
    w1 = torch.where((i1 >= 0) & (i1 < n_in), lam, 0.0)
    return i0.clamp(0, n_in - 1), i1.clamp(0, n_in - 1), w0, w1


def nearest_taps(coords: torch.Tensor, n_in: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Source indices ``(B, n_out)`` that ``grid_sample(mode="nearest")`` picks at normalized ``coords``.

    Computed by ``grid_sample`` itself on a ramp ``1 … n_in`` (exact in float32 below
    2**24), so rounding and the bounds test are bit-for-bit those of the grid path
    on every device. Returns the indices clamped into ``[0, n_in)`` and whether each
    lies inside the input.
    """
    b, n_out = coords.shape
    ramp = torch.arange(1, n_in + 1, device=coords.device, dtype=torch.float32).view(1, 1, 1, n_in)
    grid = torch.stack([coords.to(torch.float32), torch.zeros_like(coords, dtype=torch.float32)], dim=-1)
    picked = F.grid_sample(
        ramp.expand(b, 1, 1, n_in), grid.view(b, 1, n_out, 2), mode="nearest", padding_mode="zeros", align_corners=False
    ).view(b, n_out)
    idx = picked.to(torch.int64) - 1
    return idx.clamp_min(0), idx >= 0


def _row_index(rows: torch.Tensor, planes: int, height: int) -> torch.Tensor:
    """Flat row indices into a ``(k · planes · height, W)`` view: sample ``b``'s ``rows`` in each of its planes."""
    k, n = rows.shape
    base = torch.arange(k * planes, device=rows.device, dtype=torch.int64).view(k, planes, 1) * height
    return (base + rows.view(k, 1, n)).view(-1)


def _fill_values(fill: FG.FillValue | None, channels: int, scale: float, device: torch.device) -> torch.Tensor | None:
    return FG._fill_tensor(fill, channels, scale, torch.float32, device)


def resample_image(
    img: torch.Tensor,
    boxes: torch.Tensor,
    out_size: tuple[int, int],
    *,
    mode: str = "bilinear",
    fill: FG.FillValue | None = 0.0,
) -> torch.Tensor:
    """Resize each sample's box ``(B, 4)`` (continuous ``x1, y1, x2, y2``) of ``img`` to ``out_size``.

    The separable equivalent of ``sample_image(img, crop_box_grid(boxes, out_size, …))``
    (see the module docstring for how close); only for :func:`supports` inputs.
    """
    n, c, h, w = img.shape
    ho, wo = out_size
    dev = img.device
    boxes = boxes.to(device=dev, dtype=torch.float32)
    out = memory.empty((n, c, ho, wo), dtype=img.dtype, device=dev)
    if n == 0:
        return out
    src = img.contiguous()
    work = torch.float64 if img.dtype == torch.float64 else torch.float32
    scale = 255.0 if img.dtype == torch.uint8 else 1.0
    f = _fill_values(fill, c, scale, dev)
    if mode == "nearest":
        gx, gy = FG.crop_box_coords(boxes, out_size, (h, w))
        ix, vx = nearest_taps(gx, w)
        iy, vy = nearest_taps(gy, h)
        if f is None:
            return _gather2d(src, iy, ix, vy, vx)
        # outside the image: the fill (in the image's units, rounded for uint8 as sample_image rounds)
        fill_px = f.round().to(torch.uint8) if img.dtype == torch.uint8 else f.to(img.dtype)
        picked = _gather2d(src, iy, ix, torch.ones_like(vy), torch.ones_like(vx))
        inside = vy.view(n, 1, ho, 1) & vx.view(n, 1, 1, wo)
        return torch.where(inside, picked, fill_px)
    y0, y1, wy0, wy1 = bilinear_taps(boxes[:, 1], boxes[:, 3], ho, h)
    x0, x1, wx0, wx1 = bilinear_taps(boxes[:, 0], boxes[:, 2], wo, w)
    ys = torch.cat([y0, y1], dim=1)  # (B, 2·Ho): the first taps, then the second taps
    xs = torch.cat([x0, x1], dim=1)  # (B, 2·Wo)
    # boxes inside the image (every crop): no tap falls outside, each pair blends as one lerp by the
    # second tap's weight; else the weighted sum with the outside weight going to the fill
    # (one device sync, as ``FG.is_affine`` in the warp path)
    inside = bool(((boxes[:, :2] >= 0) & (boxes[:, 2:3] <= w) & (boxes[:, 3:4] <= h)).all())
    wy0, wy1, wx0, wx1 = (t.to(work) for t in (wy0, wy1, wx0, wx1))
    rest = None
    if f is not None and not inside:  # sample(img - f) + f: the weight outside the image goes to the fill
        rest = 1.0 - (wy0 + wy1).view(n, 1, ho, 1) * (wx0 + wx1).view(n, 1, 1, wo)
        f = f.to(work)
    flat = src.view(n * c * h, w)
    chunk = FG.warp_chunk_size(c * max(h * w, ho * wo))

    def run(start: int, stop: int) -> None:
        k = stop - start
        rows = scratch("box_rows", (k * c * 2 * ho, w), img.dtype, dev)
        torch.index_select(flat[start * c * h : stop * c * h], 0, _row_index(ys[start:stop], c, h), out=rows)
        if img.dtype != work:
            rows = scratch("box_rows_f", (k * c * 2 * ho, w), work, dev).copy_(rows)
        rows5 = rows.view(k, c, 2, ho, w)
        blended = scratch("box_rowmix", (k, c, ho, w), work, dev)
        if inside:
            torch.lerp(rows5[:, :, 0], rows5[:, :, 1], wy1[start:stop].view(k, 1, ho, 1), out=blended)
        else:
            torch.mul(rows5[:, :, 0], wy0[start:stop].view(k, 1, ho, 1), out=blended)
            blended.addcmul_(rows5[:, :, 1], wy1[start:stop].view(k, 1, ho, 1))
        cols = scratch("box_cols", (k, c, ho, 2 * wo), work, dev)
        torch.gather(blended, 3, xs[start:stop].view(k, 1, 1, 2 * wo).expand(k, c, ho, 2 * wo), out=cols)
        dst = out[start:stop] if img.dtype == work else scratch("box_out", (k, c, ho, wo), work, dev)
        if inside:
            torch.lerp(cols[..., :wo], cols[..., wo:], wx1[start:stop].view(k, 1, 1, wo), out=dst)
        else:
            torch.mul(cols[..., :wo], wx0[start:stop].view(k, 1, 1, wo), out=dst)
            dst.addcmul_(cols[..., wo:], wx1[start:stop].view(k, 1, 1, wo))
        if rest is not None and f is not None:
            dst.addcmul_(rest[start:stop], f)
        if img.dtype == torch.uint8:
            # convex weights and a fill in [0, 255]: no clamp before the cast (as sample_image);
            # float → int16 → uint8 truncates as a direct cast does (see to_uint8_in_range)
            whole = scratch("box_out_i16", (k, c, ho, wo), torch.int16, dev).copy_(dst.round_())
            out[start:stop].copy_(whole)

    run_balanced(n, chunk, run, dev)
    return out


def _gather2d(t: torch.Tensor, iy: torch.Tensor, ix: torch.Tensor, vy: torch.Tensor, vx: torch.Tensor) -> torch.Tensor:
    """``t[b, :, iy[b, i], ix[b, j]]`` for ``t`` ``(B, P, H, W)`` on its own dtype, 0 where ``vy``/``vx`` is false.

    Whole rows first (``index_select``), then columns (``gather``); the validity is
    applied per axis as a multiplication by 0/1 (elementwise bool ops broadcast
    over a 2-D outer product are many times slower on CPU).
    """
    n, p, h, w = t.shape
    ho, wo = iy.shape[1], ix.shape[1]
    rows = t.reshape(n * p * h, w).index_select(0, _row_index(iy, p, h)).view(n, p, ho, w)
    rows.mul_(vy.to(t.dtype).view(n, 1, ho, 1))
    picked = rows.gather(3, ix.view(n, 1, 1, wo).expand(n, p, ho, wo))
    return picked.mul_(vx.to(t.dtype).view(n, 1, 1, wo))


def resample_mask(mask: torch.Tensor, boxes: torch.Tensor, out_size: tuple[int, int]) -> torch.Tensor:
    """Nearest-neighbour resize of masks ``(B, H, W)`` or ``(B, M, H, W)`` by boxes; outside the image → 0.

    Exactly the grid path's ``sample_mask(mask, crop_box_grid(...))`` for integer
    (below 2**24), bool and float32 masks, gathered on the mask's own dtype.
    """
    squeeze = mask.dim() == 3
    m = mask.unsqueeze(1) if squeeze else mask
    n, _, h, w = m.shape
    ho, wo = out_size
    gx, gy = FG.crop_box_coords(boxes.to(device=m.device, dtype=torch.float32), out_size, (h, w))
    ix, vx = nearest_taps(gx, w)
    iy, vy = nearest_taps(gy, h)
    out = _gather2d(m.contiguous(), iy, ix, vy, vx)
    return out.squeeze(1) if squeeze else out
