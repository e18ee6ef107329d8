"""Pure, batched geometric kernels: per-sample 3×3 matrices, sampling grids, one ``grid_sample``.

Coordinate conventions (shared by every geometric op, target and fusion):

* **Matrices** are *forward* transforms (input → output) in *index* coordinates, where
  the centre of pixel ``(row i, col j)`` is ``(x, y) = (j, i)``; this is the
  convention of ``torchvision.transforms.v2.functional.affine`` (rotation about
  ``((W - 1) / 2, (H - 1) / 2)``), so the same parameters give the same warp.
* **Targets** (boxes, keypoints) use *continuous* pixel coordinates where pixel
  ``(i, j)`` covers ``[j, j + 1] × [i, i + 1]``; they are shifted by 0.5 around the
  matrix product (see :mod:`omniaug_image.targets`).
* **Grids** are ``grid_sample`` grids with ``align_corners=False``.

Every function takes a batch and per-sample tensors and runs without a Python loop
over samples, on whatever device the input lives on.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from omniaug import InputError, memory
from omniaug.host import host_views, namespace

from . import _smallmath as SM
from ._chunks import run_balanced, scratch
from .functional_color import to_uint8_in_range

__all__ = [
    "identity_matrices",
    "translation_matrices",
    "hflip_matrices",
    "vflip_matrices",
    "rot90_matrices",
    "affine_matrices",
    "perspective_matrices",
    "box_to_box_matrices",
    "is_affine",
    "grid_from_matrices",
    "identity_grid",
    "inverse3x3",
    "matmul3",
    "sample_image",
    "sample_image_float",
    "warp_image",
    "warp_chunked",
    "warp_chunk_size",
    "normalized_matrices",
    "WARP_CHUNK",
    "WARP_CHUNK_BYTES",
    "hflip_image",
    "vflip_image",
    "dihedral_image",
    "crop_box_grid",
    "crop_box_coords",
    "FillValue",
]

FillValue = float | Sequence[float]


def matmul3(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Product of (batches of) small matrices, e.g. ``(B, 3, 3)`` homographies.

    A broadcast multiply-and-sum (not ``@``, see :func:`_smallmath.matmul3`), in
    NumPy for CPU tensors (dispatch, see :mod:`omniaug_image._smallmath`).
    """
    host = host_views(a, b)
    if host is None:
        return SM.matmul3(a, b)
    return torch.from_numpy(SM.matmul3(*host))


def identity_matrices(
    n: int, *, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """``(n, 3, 3)`` identity matrices."""
    return torch.eye(3, device=device, dtype=dtype).expand(n, 3, 3).clone()


def translation_matrices(tx: torch.Tensor, ty: torch.Tensor) -> torch.Tensor:
    """``(B, 3, 3)`` translations by ``(tx, ty)`` (each ``(B,)``)."""
    m = identity_matrices(tx.shape[0], device=tx.device, dtype=tx.dtype)
    m[:, 0, 2] = tx
    m[:, 1, 2] = ty
    return m


@functools.lru_cache(maxsize=64)
def _flip_matrix(axis: int, size: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """The ``(3, 3)`` flip of coordinate ``axis`` (0: x, 1: y) over ``size`` pixels (cached, read-only)."""
    m = torch.eye(3, dtype=dtype, device=device)
    m[axis, axis] = -1.0
    m[axis, 2] = size - 1.0
    return m


def hflip_matrices(
    n: int, width: int, *, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Horizontal flip ``x → W - 1 - x`` as ``(n, 3, 3)`` matrices (a fresh tensor)."""
    return _flip_matrix(0, width, dtype, torch.device(device)).expand(n, 3, 3).clone()


def vflip_matrices(
    n: int, height: int, *, device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32
) -> torch.Tensor:
    """Vertical flip ``y → H - 1 - y`` as ``(n, 3, 3)`` matrices (a fresh tensor)."""
    return _flip_matrix(1, height, dtype, torch.device(device)).expand(n, 3, 3).clone()


def rot90_matrices(k: torch.Tensor, height: int, width: int, *, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Matrices of ``torch.rot90(img, k, dims=(-2, -1))`` (counter-clockwise) for per-sample ``k``.

    For odd ``k`` the output is ``W × H``; the matrix maps input index coordinates to
    those of the rotated image.
    """
    dev = k.device
    one = torch.eye(3, dtype=dtype, device=dev)
    # k = 1: out[i, j] = in[j, W - 1 - i]  ⇒  x_out = y_in, y_out = W - 1 - x_in
    r1 = torch.tensor([[0.0, 1.0, 0.0], [-1.0, 0.0, width - 1.0], [0.0, 0.0, 1.0]], dtype=dtype, device=dev)
    # k = 1 on the rotated (W × H) image: x_out = y, y_out = H - 1 - x
    r1b = torch.tensor([[0.0, 1.0, 0.0], [-1.0, 0.0, height - 1.0], [0.0, 0.0, 1.0]], dtype=dtype, device=dev)
    r2 = matmul3(r1b, r1)
    r3 = matmul3(r1, r2)  # after two turns the image is H × W again, so the next turn uses W
    table = torch.stack([one, r1, r2, r3])
    return table.index_select(0, (k % 4).long())


def affine_matrices(
    angle: torch.Tensor,
    translate: torch.Tensor,
    scale: torch.Tensor,
    shear: torch.Tensor,
    height: int,
    width: int,
) -> torch.Tensor:
    """Forward affine matrices with torchvision's parametrisation, per sample.

    Args:
        angle: ``(B,)`` degrees, clockwise on screen (torchvision ``affine``'s sign).
        translate: ``(B, 2)`` pixels ``(tx, ty)``.
        scale: ``(B,)`` factors.
        shear: ``(B, 2)`` degrees ``(sx, sy)``.

    Returns:
        ``(B, 3, 3)`` = ``T(c + t) · R(angle) S(scale) SHy(sy) SHx(sx) · T(-c)`` with
        ``c = ((W - 1) / 2, (H - 1) / 2)``.
    """
    host = host_views(angle, translate, scale, shear)
    if host is None:
        return _affine(angle, translate, scale, shear, height, width)
    return torch.from_numpy(_affine(*host, height, width))


def _affine(angle: Any, translate: Any, scale: Any, shear: Any, height: int, width: int) -> Any:
    """:func:`affine_matrices` for NumPy arrays or torch tensors (see :mod:`_smallmath`)."""
    xp = namespace(angle)
    to_rad = math.pi / 180.0
    rot = angle * to_rad
    sx = shear[:, 0] * to_rad
    sy = shear[:, 1] * to_rad
    # one trig call for the four angles (tensors: no MKL/OpenMP round trip, see _smallmath)
    cos, sin = SM.trig(xp.stack([rot - sy, sy, sx, rot]))
    cos_rsy, cos_sy, cos_sx, cos_r = cos
    sin_rsy, _, sin_sx, sin_r = sin
    tan_sx = sin_sx / cos_sx
    a = cos_rsy / cos_sy
    b = -(a * tan_sx + sin_r)
    c = sin_rsy / cos_sy
    d = cos_r - c * tan_sx
    m00, m01, m10, m11 = a * scale, b * scale, c * scale, d * scale
    cx = (width - 1) * 0.5
    cy = (height - 1) * 0.5
    # T(c + t) · RSS · T(-c): translation part = c + t - RSS·c
    m02 = cx + translate[:, 0] - (m00 * cx + m01 * cy)
    m12 = cy + translate[:, 1] - (m10 * cx + m11 * cy)
    zero = xp.zeros_like(m00)
    # built by one stack (not 6 indexed assignments into an identity: each costs an indexing round trip)
    return xp.stack([m00, m01, m02, m10, m11, m12, zero, zero, zero + 1.0], -1).reshape(-1, 3, 3)


def _to_index_coords(m_cont: torch.Tensor) -> torch.Tensor:
    """A continuous-coordinate matrix expressed in index coordinates: ``T(-½) · M · T(½)``."""
    n = m_cont.shape[0]
    half = torch.full((n,), 0.5, dtype=m_cont.dtype, device=m_cont.device)
    return matmul3(matmul3(translation_matrices(-half, -half), m_cont), translation_matrices(half, half))


def perspective_matrices(src: torch.Tensor, dst: torch.Tensor) -> torch.Tensor:
    """Forward homographies mapping 4 points ``src`` onto ``dst`` (each ``(B, 4, 2)``).

    Points are continuous pixel coordinates, as ``torchvision``'s ``perspective``
    treats its ``startpoints``/``endpoints``; the returned matrices are in index
    coordinates like every other geometric matrix. Solved as one batched 8×8
    linear system in float64 (the system is ill-conditioned in float32 for large
    images).
    """
    s = src.to(torch.float64)
    t = dst.to(torch.float64)
    x, y = s[..., 0], s[..., 1]
    u, v = t[..., 0], t[..., 1]
    zeros = torch.zeros_like(x)
    ones = torch.ones_like(x)
    rows_u = torch.stack([x, y, ones, zeros, zeros, zeros, -u * x, -u * y], dim=-1)
    rows_v = torch.stack([zeros, zeros, zeros, x, y, ones, -v * x, -v * y], dim=-1)
    a = torch.cat([rows_u, rows_v], dim=1)  # (B, 8, 8)
    rhs = torch.cat([u, v], dim=1).unsqueeze(-1)  # (B, 8, 1)
    h = torch.linalg.solve(a, rhs).squeeze(-1)
    m = torch.cat([h, torch.ones_like(h[:, :1])], dim=1).reshape(-1, 3, 3)
    return _to_index_coords(m).to(src.dtype)


def box_to_box_matrices(boxes: torch.Tensor, out_height: int, out_width: int) -> torch.Tensor:
    """Forward matrices mapping source boxes ``(B, 4)`` (continuous ``x1, y1, x2, y2``) onto the full output canvas."""
    x1, y1, x2, y2 = boxes.unbind(-1)
    sx = out_width / (x2 - x1)
    sy = out_height / (y2 - y1)
    n = boxes.shape[0]
    m = identity_matrices(n, device=boxes.device, dtype=boxes.dtype)
    m[:, 0, 0] = sx
    m[:, 1, 1] = sy
    m[:, 0, 2] = -x1 * sx
    m[:, 1, 2] = -y1 * sy
    return _to_index_coords(m)


def is_affine(matrices: torch.Tensor) -> bool:
    """Whether every matrix has last row ``(0, 0, 1)`` (one device sync)."""
    last = matrices[:, 2, :]
    ref = torch.tensor([0.0, 0.0, 1.0], dtype=matrices.dtype, device=matrices.device)
    return bool((last == ref).all())


@functools.lru_cache(maxsize=64)
def _normalizers(height: int, width: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Matrix taking index coordinates to ``grid_sample`` coordinates (``align_corners=False``).

    Cached per size (as :func:`_denormalizers`): built on every warp otherwise; never modified.
    """
    return torch.tensor(
        [[2.0 / width, 0.0, 1.0 / width - 1.0], [0.0, 2.0 / height, 1.0 / height - 1.0], [0.0, 0.0, 1.0]],
        dtype=dtype,
        device=device,
    )


@functools.lru_cache(maxsize=64)
def _denormalizers(height: int, width: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Inverse of :func:`_normalizers`: ``grid_sample`` coordinates to index coordinates."""
    return torch.tensor(
        [[width / 2.0, 0.0, (width - 1.0) / 2.0], [0.0, height / 2.0, (height - 1.0) / 2.0], [0.0, 0.0, 1.0]],
        dtype=dtype,
        device=device,
    )


def inverse3x3(m: torch.Tensor) -> torch.Tensor:
    """Batched inverse of ``(B, 3, 3)`` matrices by the adjugate formula.

    Written out instead of ``torch.linalg.inv``: for many tiny matrices the closed
    form is a handful of elementwise ops, while the LU path costs a LAPACK call
    (and a thread-pool round trip) per batch — measurable next to a 224×224 warp.
    """
    host = host_views(m)
    return _inverse3x3(m) if host is None else torch.from_numpy(_inverse3x3(host[0]))


def _inverse3x3(m: Any) -> Any:
    """:func:`inverse3x3` for a NumPy array or a torch tensor."""
    a, b, c, d, e, f, g, h, i = m.reshape(-1, 9).T if namespace(m) is np else m.reshape(-1, 9).unbind(-1)
    co_a = e * i - f * h
    co_b = -(d * i - f * g)
    co_c = d * h - e * g
    det = a * co_a + b * co_b + c * co_c
    adj = (
        namespace(m)
        .stack(
            [
                co_a,
                -(b * i - c * h),
                b * f - c * e,
                co_b,
                a * i - c * g,
                -(a * f - c * d),
                co_c,
                -(a * h - b * g),
                a * e - b * d,
            ],
            -1,
        )
        .reshape(-1, 3, 3)
    )
    return adj / det.reshape(-1, 1, 1)


def normalized_matrices(
    matrices: torch.Tensor, in_size: tuple[int, int], out_size: tuple[int, int] | None = None
) -> torch.Tensor:
    """Backward matrices ``(B, 3, 3)`` in ``grid_sample`` coordinates: output → input, normalized.

    The inverse of each forward matrix (output → input) composed with the index ↔
    normalized conversions, in float64 (these are tiny; NumPy on CPU, see
    :mod:`_smallmath`); :func:`grid_from_matrices` turns them into grids.
    """
    h, w = in_size
    ho, wo = out_size if out_size is not None else in_size
    host = host_views(matrices)
    if host is not None:
        inv = _inverse3x3(host[0].astype(np.float64))
        norm, denorm = (
            _normalizers(h, w, torch.float64, matrices.device),
            _denormalizers(ho, wo, torch.float64, matrices.device),
        )
        return torch.from_numpy(SM.matmul3(SM.matmul3(norm.numpy(), inv), denorm.numpy()))
    inv = _inverse3x3(matrices.to(torch.float64))
    return SM.matmul3(
        SM.matmul3(_normalizers(h, w, torch.float64, inv.device), inv),
        _denormalizers(ho, wo, torch.float64, inv.device),
    )


def grid_from_matrices(
    matrices: torch.Tensor,
    in_size: tuple[int, int],
    out_size: tuple[int, int] | None = None,
    *,
    affine: bool | None = None,
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """``grid_sample`` grids ``(B, Ho, Wo, 2)`` for forward matrices ``(B, 3, 3)``.

    The inverse of each forward matrix (output → input) is composed with the index
    ↔ normalized conversions into one matrix per sample (see
    :func:`normalized_matrices` and :func:`_grid_from_normalized`); projective
    matrices divide by ``w``. ``affine=None`` checks the matrices (one sync); pass
    it when known statically.
    """
    ho, wo = out_size if out_size is not None else in_size
    total = normalized_matrices(matrices, in_size, out_size)
    if affine is None:
        affine = is_affine(matrices)
    return _grid_from_normalized(total.to(dtype), ho, wo, affine)


def _grid_from_normalized(
    total: torch.Tensor, ho: int, wo: int, affine: bool, out: torch.Tensor | None = None
) -> torch.Tensor:
    """Grid ``(B, Ho, Wo, 2)`` of normalized matrices ``(B, 3, 3)`` at the output pixel centres.

    Written here instead of ``F.affine_grid``: a grid entry is ``M·(x_j, y_i, 1)``,
    i.e. a per-row term plus a per-column term, so one broadcast add per coordinate
    builds the whole grid (no ``(H·W, 3)`` base grid and no K=3 batched matmul;
    several times faster than ``F.affine_grid`` on CPU, docs/performance.md). ``out``
    (contiguous, the grid's shape and dtype) receives the grid.
    """
    return _fill_grid(*_grid_terms(total, ho, wo, affine), out=out)


def _grid_terms(total: torch.Tensor, ho: int, wo: int, affine: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The per-row ``(B, R, Ho)`` and per-column ``(B, R, Wo)`` terms of the grids of ``total`` (R = 2, or 3 if projective).

    Small (a few numbers per output row and column): :func:`warp_chunked` computes
    them once per call, so each chunk only runs the broadcast adds of :func:`_fill_grid`.
    """
    xs = _pixel_centres(wo, total.dtype, total.device)
    ys = _pixel_centres(ho, total.dtype, total.device)
    m = total[:, : 2 if affine else 3, :]  # (B, R, 3)
    col = xs.view(1, 1, wo) * m[:, :, 0:1]  # (B, R, Wo)
    row = ys.view(1, 1, ho) * m[:, :, 1:2] + m[:, :, 2:3]  # (B, R, Ho)
    return row, col


@functools.lru_cache(maxsize=64)
def _pixel_centres(size: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """Normalized coordinates ``(2i + 1) / size - 1`` of ``size`` pixel centres (cached, read-only)."""
    return (torch.arange(size, device=device, dtype=dtype) * 2.0 + 1.0) / size - 1.0


def _fill_grid(row: torch.Tensor, col: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
    """The grid ``(B, Ho, Wo, 2)`` from :func:`_grid_terms` (a homogeneous third row divides).

    Each coordinate is written as its own strided plane of the grid: a single add over
    the interleaved ``(…, 2)`` layout runs an inner loop of length 2 and is
    slower.
    """
    n, rows, ho = row.shape
    wo = col.shape[-1]
    if out is None and (row.requires_grad or col.requires_grad):
        # autograd path (a matrix built from params that require grad): no writes into a buffer
        planes = [row[:, r].unsqueeze(2) + col[:, r].unsqueeze(1) for r in range(rows)]
        if rows == 3:
            planes = [planes[0] / planes[2], planes[1] / planes[2]]
        return torch.stack(planes, dim=-1)
    grid = torch.empty((n, ho, wo, 2), dtype=row.dtype, device=row.device) if out is None else out
    if rows == 2:
        for r in range(2):  # the two grid coordinates, not samples
            torch.add(row[:, r].unsqueeze(2), col[:, r].unsqueeze(1), out=grid[..., r])
        return grid
    w = row[:, 2].unsqueeze(2) + col[:, 2].unsqueeze(1)  # (B, Ho, Wo) homogeneous coordinate
    for r in range(2):
        torch.div(row[:, r].unsqueeze(2) + col[:, r].unsqueeze(1), w, out=grid[..., r])
    return grid


def identity_grid(n: int, height: int, width: int, *, device: torch.device | str = "cpu") -> torch.Tensor:
    """``(n, H, W, 2)`` grid sampling every pixel at its own centre."""
    return _grid_from_normalized(identity_matrices(n, device=device), height, width, True)


def _fill_tensor(
    fill: FillValue | None, channels: int, scale: float, dtype: torch.dtype, device: torch.device
) -> torch.Tensor | None:
    if fill is None:
        return None
    values = [float(fill)] if isinstance(fill, (int, float)) else [float(v) for v in fill]
    if all(v == 0.0 for v in values):
        return None
    t = torch.tensor(values, dtype=dtype, device=device) * scale
    if t.numel() == 1:
        t = t.expand(channels)
    return t.reshape(1, channels, 1, 1)


def sample_image(
    img: torch.Tensor, grid: torch.Tensor, *, mode: str = "bilinear", fill: FillValue | None = 0.0
) -> torch.Tensor:
    """``grid_sample`` an image batch; keeps the dtype (uint8 is computed in float and rounded).

    Outside the input the output is ``fill`` (in ``[0, 1]`` units, scaled by 255 for
    uint8), exactly as if the image were padded with ``fill`` and then interpolated:
    ``sample(img - fill) + fill`` with zero padding (one pass, no mask channel).
    """
    out = sample_image_float(img, grid, mode=mode, fill=fill)
    if img.dtype == torch.uint8:
        # bilinear weights are convex and fill is in [0, 255], so rounding needs no clamp
        return to_uint8_in_range(out.round_())
    return out if out.dtype == img.dtype else out.to(img.dtype)


def sample_image_float(
    img: torch.Tensor, grid: torch.Tensor, *, mode: str = "bilinear", fill: FillValue | None = 0.0
) -> torch.Tensor:
    """:func:`sample_image` before the cast back: float32 (float64 stays), in the image's own units (0–255 for uint8)."""
    is_float = img.is_floating_point() and img.dtype in (torch.float32, torch.float64)
    work = img if is_float else img.to(torch.float32)
    scale = 255.0 if img.dtype == torch.uint8 else 1.0
    f = _fill_tensor(fill, img.shape[1], scale, work.dtype, work.device)
    g = grid.to(work.dtype)
    if f is None:
        return F.grid_sample(work, g, mode=mode, padding_mode="zeros", align_corners=False)
    return F.grid_sample(work - f, g, mode=mode, padding_mode="zeros", align_corners=False) + f


#: at most this many samples per ``grid_sample`` call in :func:`warp_chunked`
WARP_CHUNK = 32
#: target size of one chunk's float32 image in :func:`warp_chunked` (bytes): 3 images of
#: 3 × 224². A chunk's working set is about 2.7× its image (input copy, grid, sampled
#: output), so this keeps it near a 2 MB L2 cache; 2–3 images per chunk beat both the
#: 6 of a 4 MB target and 1 image per chunk (docs/performance.md, "Design measurements")
WARP_CHUNK_BYTES = 2 * 1024 * 1024


def warp_chunk_size(sample_numel: int) -> int:
    """Samples per chunk for images of ``sample_numel`` elements: about :data:`WARP_CHUNK_BYTES` of float32.

    At least one and at most :data:`WARP_CHUNK` samples.
    """
    per_bytes = WARP_CHUNK_BYTES // max(1, 4 * sample_numel)
    return int(max(1, min(WARP_CHUNK, per_bytes)))


#: a per-chunk stage after the warp of the first source: ``post(sampled, start, stop, dst)``
#: gets the chunk's sampled values and writes the chunk's final values into ``dst``
PostStage = Callable[[torch.Tensor, int, int, torch.Tensor], None]


def warp_chunked(
    sources: Sequence[tuple[torch.Tensor, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]]],
    matrices: torch.Tensor,
    out_size: tuple[int, int],
    *,
    affine: bool | None = None,
    post: PostStage | None = None,
) -> list[torch.Tensor]:
    """Warp several aligned batches (image, masks) by forward matrices, a few samples at a time.

    ``sources`` pairs each ``(B, ..., H, W)`` tensor with its sampler
    ``sample(part, grid)``. For each chunk the grid is built once and used by every
    source. Chunking is cache blocking, not a loop over samples: a chunk of a few
    224×224 images (~2 MB, :func:`warp_chunk_size`) keeps its input copy, grid and
    output in cache, where one ``grid_sample`` over 64–256 images streams 40–150 MB
    through memory. Each float chunk is first copied (a sequential read that the
    hardware prefetcher follows at full bandwidth); ``grid_sample``'s rotated,
    scattered reads then hit cache instead of waiting on DRAM, clearly faster per
    sample than sampling straight from a large batch (docs/performance.md). With
    several intra-op threads the chunks are spread over worker threads, one chunk
    per worker at a time, cut into near-equal chunks so that the workers finish
    together (:func:`omniaug_image._chunks.run_balanced`). The outputs come from
    :func:`omniaug.memory.empty` (huge pages for large batches), with the first
    source's dtype — or, with ``post`` (:data:`PostStage`), that of the first
    source's tensor, written by ``post`` from the sampled chunk while it is still in
    cache (e.g. a fused colour matrix; see :mod:`omniaug_image.fusion`).
    """
    first = sources[0][0]
    h, w = first.shape[-2:]
    n = first.shape[0]
    if affine is None:
        affine = is_affine(matrices)
    chunk = warp_chunk_size(first[0].numel()) if n else 1
    ho, wo = out_size
    total = normalized_matrices(matrices, (h, w), out_size).to(torch.float32)
    grad = any(t.requires_grad for t, _ in sources) or matrices.requires_grad
    if grad and post is not None:
        raise InputError(
            "post", "no post stage when the input requires grad (it writes into buffers)", post, where="warp_chunked"
        )
    if (n <= chunk and post is None) or grad:
        # one whole-batch grid_sample: also the autograd path (no scratch copies, threads or writes into outputs)
        grid = _grid_from_normalized(total, ho, wo, affine)
        return [sample(t, grid) for t, sample in sources]
    # huge-page-advised outputs: a fresh 38–154 MB output would otherwise page-fault 4 KiB at a time
    outs: list[torch.Tensor] = [
        memory.empty((n, *t.shape[1:-2], *out_size), dtype=t.dtype, device=t.device) for t, _ in sources
    ]

    row, col = _grid_terms(total, ho, wo, affine)  # once per call: each chunk only fills its grid

    def run(start: int, stop: int) -> None:
        k = stop - start
        # grid and input copy in this thread's reused scratch (no per-chunk allocation, see _chunks)
        grid = _fill_grid(
            row[start:stop], col[start:stop], out=scratch("grid", (k, ho, wo, 2), total.dtype, total.device)
        )
        for i, (out, (t, sample)) in enumerate(zip(outs, sources)):
            part = t[start:stop]
            if part.is_floating_point() and n > chunk:
                part = scratch("input", part.shape, part.dtype, part.device).copy_(part)
            if i == 0 and post is not None:
                post(sample(part, grid), start, stop, out[start:stop])
            else:
                out[start:stop] = sample(part, grid)

    run_balanced(n, chunk, run, first.device)  # near-equal chunks spread over worker threads (see _chunks)
    return outs


def warp_image(
    img: torch.Tensor,
    matrices: torch.Tensor,
    out_size: tuple[int, int] | None = None,
    *,
    mode: str = "bilinear",
    fill: FillValue | None = 0.0,
    affine: bool | None = None,
) -> torch.Tensor:
    """Warp ``img`` ``(B, C, H, W)`` by forward matrices ``(B, 3, 3)``: one ``grid_sample`` per chunk of samples."""
    size = out_size if out_size is not None else (img.shape[-2], img.shape[-1])
    return warp_chunked([(img, lambda t, g: sample_image(t, g, mode=mode, fill=fill))], matrices, size, affine=affine)[
        0
    ]


def hflip_image(img: torch.Tensor) -> torch.Tensor:
    """Exact horizontal flip (indexing, no interpolation)."""
    return img.flip(-1)


def vflip_image(img: torch.Tensor) -> torch.Tensor:
    """Exact vertical flip."""
    return img.flip(-2)


def dihedral_image(img: torch.Tensor, k: torch.Tensor, flip: torch.Tensor) -> torch.Tensor:
    """Exact D4 transform per sample: optional horizontal flip, then ``rot90`` by ``k``.

    Works on any ``(B, ..., H, W)`` tensor (images or masks). Runs one indexing pass
    per group element present in the batch (at most 8, not one per sample); odd
    ``k`` needs ``H == W`` so the batch keeps one shape.
    """
    code = (k.long() % 4) + 4 * flip.long()
    out = memory.empty_like(img)
    for element in range(8):  # loop over the 8 group elements, not over samples
        idx = (code == element).nonzero().flatten()
        if idx.numel() == 0:
            continue
        part = img.index_select(0, idx)
        if element >= 4:
            part = part.flip(-1)
        if element % 4:
            part = torch.rot90(part, element % 4, dims=(-2, -1))
        out.index_copy_(0, idx, part)
    return out


def crop_box_coords(
    boxes: torch.Tensor, out_size: tuple[int, int], in_size: tuple[int, int]
) -> tuple[torch.Tensor, torch.Tensor]:
    """The normalized sample coordinates of :func:`crop_box_grid` per axis: ``x`` ``(B, Wo)`` and ``y`` ``(B, Ho)``.

    The grid is their outer combination (the resample is separable); the separable
    kernel (:mod:`omniaug_image._box_resample`) reads its nearest indices off these
    same values.
    """
    ho, wo = out_size
    h, w = in_size
    x1, y1, x2, y2 = (v.reshape(-1, 1) for v in boxes.unbind(-1))
    dev, dt = boxes.device, torch.float32
    jx = torch.arange(wo, device=dev, dtype=dt).reshape(1, -1) + 0.5
    iy = torch.arange(ho, device=dev, dtype=dt).reshape(1, -1) + 0.5
    # continuous source coordinate → index coordinate, clamped to the box's pixel centres
    sx = x1 + jx * (x2 - x1) / wo - 0.5
    sy = y1 + iy * (y2 - y1) / ho - 0.5
    sx = torch.maximum(torch.minimum(sx, x2 - 1.0), x1)
    sy = torch.maximum(torch.minimum(sy, y2 - 1.0), y1)
    gx = (2.0 * sx + 1.0) / w - 1.0  # (B, Wo)
    gy = (2.0 * sy + 1.0) / h - 1.0  # (B, Ho)
    return gx, gy


def crop_box_grid(boxes: torch.Tensor, out_size: tuple[int, int], in_size: tuple[int, int]) -> torch.Tensor:
    """Grids resizing per-sample boxes ``(B, 4)`` (continuous, integer-aligned) to ``out_size``.

    Equivalent to ``pad/crop`` to the box then ``F.interpolate(..., align_corners=False)``:
    sample positions are clamped to the box's outermost pixel centres, as
    ``interpolate`` clamps to the edge of the cropped canvas. The reference path of
    the box ops; :mod:`omniaug_image._box_resample` is the separable fast path.
    """
    ho, wo = out_size
    gx, gy = crop_box_coords(boxes, out_size, in_size)
    n = boxes.shape[0]
    return torch.stack([gx.unsqueeze(1).expand(n, ho, wo), gy.unsqueeze(2).expand(n, ho, wo)], dim=-1)
