"""Image mixers: MixUp, CutMix, ResizeMix, FMix and Mosaic, with per-sample λ.

All of them run through the core :class:`omniaug.Mixer`: partners are a
derangement of the batch, λ ~ Beta(α, α) per sample, and every mixer reports the
share of each source it *actually* used — CutMix the pasted pixel fraction of the
clipped box, FMix the mean of its binary mask, Mosaic the quadrant areas — so the
soft labels match the pixels exactly.

Targets of an :class:`~omniaug_image.ImageBatch`: CutMix pastes the partner's
mask region and carries its boxes clipped to the pasted box (own boxes fully
covered are dropped); Mosaic carries all four images' boxes and masks; MixUp
keeps both images' boxes (it blends whole images). Box lists then grow to
``(1 + K)·N`` entries, padded with ``box_valid = False``. ResizeMix and FMix carry
the image only (targets of ``x`` are kept as they are).

Pairing of MixUp and CutMix: by default (``pairing="shift"``) the partner of sample
``i`` is ``(i + k) mod B`` for one random ``k`` in ``[1, B)`` per call — a derangement,
like torchvision's fixed ``roll(1)`` but with a random shift. The partner index
tensor is stored in the params as always (labels and replay use it); when it is a
cyclic shift and every sample is mixed, the image is mixed as two contiguous slice
pairs written straight into the output, without materialising ``x[partners]`` (a
full copy of the batch). ``pairing="derangement"`` draws a random single-cycle
derangement; other partners (replayed params, ``p < 1``, targets) take the general
path. Both paths give identical results for identical params.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from omniaug import InputError, Mixer, args, rng
from omniaug.params import APPLY, Params

from . import functional_color as FC
from .modality import IMAGE, ImageBatch, Mask, image_of, is_unbatched
from .ops.occlusion import drop_erased_boxes, rect_mask

__all__ = [
    "MIXERS",
    "PAIRINGS",
    "MixUp",
    "CutMix",
    "ResizeMix",
    "FMix",
    "Mosaic",
    "cyclic_shift_of",
    "fourier_mask",
    "resample_into",
]


def _round_like(out: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return out.to(dtype) if dtype.is_floating_point else out.round_().clamp_(0, 255).to(dtype)


def resample_into(
    src: torch.Tensor, rects: torch.Tensor, height: int, width: int, mode: str = "bilinear"
) -> torch.Tensor:
    """Resize each whole ``src[i]`` into rectangle ``rects[i] = (top, left, bottom, right)`` of an ``H × W`` canvas.

    Returns the float canvas ``(B, C, H, W)``; pixels outside the rectangle are
    undefined (callers select them away with :func:`rect_mask`). One ``grid_sample``
    for the whole batch, per-sample rectangles.
    """
    b = src.shape[0]
    dev = src.device
    # grid_sample needs the grid in the input's dtype: float64 stays float64, every other
    # dtype (uint8, float16, bfloat16) is resampled in float32 (callers round/cast back)
    work = src.dtype if src.dtype in (torch.float32, torch.float64) else torch.float32
    r = rects.to(torch.float32)
    top, left = r[:, 0].view(b, 1, 1), r[:, 1].view(b, 1, 1)
    hh = (r[:, 2] - r[:, 0]).clamp_min(1.0).view(b, 1, 1)
    ww = (r[:, 3] - r[:, 1]).clamp_min(1.0).view(b, 1, 1)
    ys = torch.arange(height, device=dev, dtype=torch.float32).view(1, height, 1) + 0.5
    xs = torch.arange(width, device=dev, dtype=torch.float32).view(1, 1, width) + 0.5
    # canvas pixel centre → position in the source, normalized to [-1, 1] (align_corners=False)
    gy = ((ys - top) / hh * 2.0 - 1.0).expand(b, height, width)
    gx = ((xs - left) / ww * 2.0 - 1.0).expand(b, height, width)
    grid = torch.stack([gx, gy], dim=-1).to(work)
    return F.grid_sample(src.to(work), grid, mode=mode, padding_mode="border", align_corners=False)


def _pad_boxes(x: ImageBatch, total: int) -> ImageBatch:
    """Pad the box lists to ``total`` entries (invalid padding)."""
    assert x.boxes is not None
    x = x.with_defaults()
    n = x.boxes.shape[1]
    if n == total:
        return x
    extra = total - n
    b = x.boxes.shape[0]
    labels = x.box_labels if x.box_labels is not None else torch.zeros(b, n, dtype=torch.long, device=x.boxes.device)
    assert x.box_valid is not None
    return x.replace(
        boxes=torch.cat([x.boxes, x.boxes.new_zeros(b, extra, 4)], dim=1),
        box_labels=torch.cat([labels, labels.new_zeros(b, extra)], dim=1),
        box_valid=torch.cat([x.box_valid, x.box_valid.new_zeros(b, extra)], dim=1),
    )


def _refuse_mask(x: Any, where: str) -> None:
    if isinstance(x, Mask):
        raise InputError(
            "x",
            "images or an ImageBatch: a mixer blends samples, which has no meaning for a label map "
            "alone (mix an ImageBatch(image, mask=...) to keep image and mask together)",
            x,
            where=where,
        )


class _ImageMixer(Mixer):
    """Shared plumbing: box lists are padded to ``(1 + K)·N`` before mixing so that
    samples with and without a mix can be merged back into one batch."""

    modality = IMAGE
    carries_boxes = False

    def validate(self, x: Any) -> None:
        super().validate(x)
        if is_unbatched(x):
            raise InputError(
                "x", f"a batch (B, C, H, W) to mix samples of ({self.name} pairs samples)", x, where=self.name
            )
        _refuse_mask(x, self.name)

    def mix_batch(self, x: Any, params: Params) -> tuple[Any, torch.Tensor]:
        _refuse_mask(x, self.name)
        if self.carries_boxes and isinstance(x, ImageBatch) and x.boxes is not None:
            n = x.boxes.shape[1]
            if "boxes_per_source" not in params:
                raise InputError(
                    "params", "params drawn by this mixer (with 'boxes_per_source')", params, where=self.name
                )
            per = int(params["boxes_per_source"][0]) if params["boxes_per_source"].numel() else n
            x = _pad_boxes(x, per * (1 + self.num_partners))
        return super().mix_batch(x, params)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        out: dict[str, Any] = self.draw_image(x, batch_size, generator=generator, device=device)
        if self.carries_boxes and isinstance(x, ImageBatch) and x.boxes is not None:
            out["boxes_per_source"] = torch.full((batch_size,), x.boxes.shape[1], dtype=torch.long, device=device)
        return out

    def draw_image(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {}


def _source_boxes(x: ImageBatch, per: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The first ``per`` (real) boxes, labels and validity of a padded batch."""
    assert x.boxes is not None and x.box_valid is not None
    labels = x.box_labels if x.box_labels is not None else torch.zeros_like(x.box_valid, dtype=torch.long)
    return x.boxes[:, :per], labels[:, :per], x.box_valid[:, :per]


def _clip_boxes(boxes: torch.Tensor, valid: torch.Tensor, rect: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Clip xyxy boxes to per-sample rectangles ``(top, left, bottom, right)``; empty ones become invalid."""
    r = rect.to(boxes.dtype).unsqueeze(1)
    x1 = boxes[..., 0].clamp(min=r[..., 1], max=r[..., 3])
    y1 = boxes[..., 1].clamp(min=r[..., 0], max=r[..., 2])
    x2 = boxes[..., 2].clamp(min=r[..., 1], max=r[..., 3])
    y2 = boxes[..., 3].clamp(min=r[..., 0], max=r[..., 2])
    out = torch.stack([x1, y1, x2, y2], dim=-1)
    return out, valid & (x2 > x1) & (y2 > y1)


#: pairings of :class:`MixUp` / :class:`CutMix`
PAIRINGS = ("shift", "derangement")
#: rows per float chunk when a uint8 batch is mixed through float (keeps the temporaries in cache)
_MIX_CHUNK_BYTES = 2 * 1024 * 1024


def cyclic_shift_of(partners: torch.Tensor) -> int | None:
    """``k`` if ``partners`` ``(B, 1)`` is ``(i + k) mod B`` with ``0 < k < B``, else None (two tiny syncs)."""
    n = partners.shape[0]
    if partners.dim() != 2 or partners.shape[1] != 1 or n < 2:
        return None
    first = partners[0, 0]
    expected = (torch.arange(n, device=partners.device) + first) % n
    if not bool((partners[:, 0] == expected).all() & (first > 0) & (first < n)):
        return None
    return int(first)


def _shift_runs(n: int, k: int) -> tuple[tuple[int, int, int], ...]:
    """Rows ``a:b`` whose partners are the contiguous rows ``p:p + (b − a)`` under a shift by ``k``."""
    return ((0, n - k, k), (n - k, n, 0))


def _box_mask(rect: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """``(B, 1, H, W)`` bool inside each sample's ``(top, left, bottom, right)``: one broadcast ``&``."""
    b = rect.shape[0]
    ys = torch.arange(height, device=rect.device).view(1, height)
    xs = torch.arange(width, device=rect.device).view(1, width)
    rows = (ys >= rect[:, 0:1]) & (ys < rect[:, 2:3])
    cols = (xs >= rect[:, 1:2]) & (xs < rect[:, 3:4])
    return rows.view(b, 1, height, 1) & cols.view(b, 1, 1, width)


class _ShiftPairing(_ImageMixer):
    """Cyclic-shift pairing and the copy-free mixing path it allows (see the module docstring)."""

    pairing: str = "shift"

    def _check_pairing(self, pairing: str) -> str:
        return args.choice("pairing", pairing, PAIRINGS, where=type(self).__name__)

    def draw_partners(
        self,
        x: Any,
        batch_size: int,
        *,
        generator: torch.Generator | None,
        device: torch.device,
        labels: torch.Tensor | None = None,
    ) -> torch.Tensor:
        if self.pairing != "shift" or batch_size < 2:
            return super().draw_partners(x, batch_size, generator=generator, device=device, labels=labels)
        k = rng.randint(1, 1, batch_size, generator=generator, device=device)  # one shift in [1, B)
        return ((torch.arange(batch_size, device=device) + k) % batch_size).unsqueeze(1)

    def mix_batch(self, x: Any, params: Params) -> tuple[Any, torch.Tensor]:
        partners = params.get("partners")
        mask = params.get(APPLY)
        if not (
            isinstance(x, torch.Tensor)
            and x.dim() == 4
            and isinstance(partners, torch.Tensor)
            and isinstance(mask, torch.Tensor)
        ):
            return super().mix_batch(x, params)
        if partners.shape != (x.shape[0], 1) or mask.shape != (x.shape[0],) or not bool(mask.all()):
            return super().mix_batch(x, params)
        if x.requires_grad:  # the copy-free path writes into its output (out=): autograd takes the general one
            return super().mix_batch(x, params)
        k = cyclic_shift_of(partners)
        if k is None:
            return super().mix_batch(x, params)
        out, w = self.mix_shifted(x, k, params)
        w = w.to(torch.float32)
        return out, torch.stack([w, 1.0 - w], dim=1)

    def mix_shifted(self, img: torch.Tensor, k: int, params: Params) -> tuple[torch.Tensor, torch.Tensor]:
        """Mix every sample ``i`` with sample ``(i + k) mod B``; same result as :meth:`mix` with those partners."""
        raise NotImplementedError


class MixUp(_ShiftPairing):
    """MixUp (Zhang et al., 2018): ``λ·x + (1 − λ)·partner`` with λ ~ Beta(α, α) per sample.

    ``pairing``: ``"shift"`` (default; partners are a random cyclic shift of the batch,
    mixed without copying the partner batch) or ``"derangement"`` (a random
    single-cycle derangement).
    """

    name = "image.mixup"
    differentiable = True
    carries_boxes = True

    def __init__(
        self,
        alpha: float = 0.2,
        *,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
        pairing: str = "shift",
    ) -> None:
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        self.pairing = self._check_pairing(pairing)

    def mix_shifted(self, img: torch.Tensor, k: int, params: Params) -> tuple[torch.Tensor, torch.Tensor]:
        n, c, h, w = img.shape
        lam = params["lam"].to(torch.float32)
        out = torch.empty_like(img)
        if img.is_floating_point():
            lam_x = FC.per_sample(lam.to(img.dtype))
            for a, b, p in _shift_runs(n, k):  # the same lerp as mix(), written into the output rows
                torch.lerp(img[p : p + b - a], img[a:b], lam_x[a:b], out=out[a:b])
            return out, lam
        lam_x = FC.per_sample(lam)
        rows = max(1, _MIX_CHUNK_BYTES // (4 * c * h * w))
        for a, b, p in _shift_runs(n, k):
            for s in range(a, b, rows):  # chunks of rows: the float temporaries stay in cache
                e = min(s + rows, b)
                mixed = torch.lerp(img[p + s - a : p + e - a].to(torch.float32), img[s:e].to(torch.float32), lam_x[s:e])
                out[s:e] = mixed.round_().clamp_(0, 255)
        return out, lam

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        img, other = image_of(x), image_of(partners[0])
        lam = params["lam"].to(torch.float32)
        if img.is_floating_point():
            # one fused pass: other + λ·(img − other)
            out = torch.lerp(other, img, FC.per_sample(lam.to(img.dtype)))
        else:
            out = _round_like(torch.lerp(other.to(torch.float32), img.to(torch.float32), FC.per_sample(lam)), img.dtype)
        if not isinstance(x, ImageBatch):
            return out, lam
        y = x.replace(image=out)
        if x.boxes is not None:
            per = x.boxes.shape[1] // 2
            b0, l0, v0 = _source_boxes(x, per)
            b1, l1, v1 = _source_boxes(partners[0], per)
            y = y.replace(
                boxes=torch.cat([b0, b1], 1), box_labels=torch.cat([l0, l1], 1), box_valid=torch.cat([v0, v1], 1)
            )
        return y, lam


class CutMix(_ShiftPairing):
    """CutMix (Yun et al., 2019): paste a partner box of area ``(1 − λ)·HW`` centred uniformly.

    The box is clipped at the image border; the label weight is recomputed from the
    clipped box's pixel count (``1 − pasted / HW``), so it is exactly the pasted
    fraction. ``pairing`` as for :class:`MixUp`.
    """

    name = "image.cutmix"
    differentiable = True
    carries_boxes = True

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
        pairing: str = "shift",
    ) -> None:
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        self.pairing = self._check_pairing(pairing)

    def mix_shifted(self, img: torch.Tensor, k: int, params: Params) -> tuple[torch.Tensor, torch.Tensor]:
        n, _, h, w = img.shape
        rect = self.box(params["lam"], params["center"], h, w)
        inside = _box_mask(rect, h, w)
        out = torch.empty_like(img)
        for a, b, p in _shift_runs(n, k):  # the same select as mix(), written into the output rows
            torch.where(inside[a:b], img[p : p + b - a], img[a:b], out=out[a:b])
        return out, self._pasted_weight(rect, h, w)

    @staticmethod
    def _pasted_weight(rect: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """``1 − pasted pixels / HW`` of the clipped boxes: the share of ``x`` that is left."""
        pasted = ((rect[:, 2] - rect[:, 0]) * (rect[:, 3] - rect[:, 1])).to(torch.float32)
        return 1.0 - pasted / float(height * width)

    def draw_image(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {"center": rng.uniform(batch_size, 0.0, 1.0, shape=(2,), generator=generator, device=device)}

    @staticmethod
    def box(lam: torch.Tensor, center: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """Integer ``(top, left, bottom, right)`` of the pasted box, clipped to the image."""
        cut = torch.sqrt((1.0 - lam.to(torch.float32)).clamp(0.0, 1.0))
        ch, cw = cut * height, cut * width
        cy, cx = center[:, 0] * height, center[:, 1] * width
        top = (cy - ch / 2).round().clamp(0, height)
        bottom = (cy + ch / 2).round().clamp(0, height)
        left = (cx - cw / 2).round().clamp(0, width)
        right = (cx + cw / 2).round().clamp(0, width)
        return torch.stack([top, left, bottom, right], dim=1).long()

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        img, other = image_of(x), image_of(partners[0])
        _, _, h, w = img.shape
        rect = self.box(params["lam"], params["center"], h, w)
        inside = _box_mask(rect, h, w)
        out = torch.where(inside, other, img)
        weight = self._pasted_weight(rect, h, w)
        if not isinstance(x, ImageBatch):
            return out, weight
        partner: ImageBatch = partners[0]
        y = x.replace(image=out)
        if x.mask is not None and partner.mask is not None:
            m = inside if x.mask.dim() == 4 else inside[:, 0]
            y = y.replace(mask=torch.where(m, partner.mask, x.mask))
        if x.boxes is not None:
            per = x.boxes.shape[1] // 2
            ob, ol, ov = _source_boxes(x, per)
            own = drop_erased_boxes(x.replace(boxes=ob, box_labels=ol, box_valid=ov), inside)
            pb, pl, pv = _source_boxes(partner, per)
            pb, pv = _clip_boxes(pb, pv, rect)
            assert own.boxes is not None and own.box_labels is not None and own.box_valid is not None
            y = y.replace(
                boxes=torch.cat([own.boxes, pb], 1),
                box_labels=torch.cat([own.box_labels, pl], 1),
                box_valid=torch.cat([own.box_valid, pv], 1),
            )
        return y, weight


class ResizeMix(_ImageMixer):
    """ResizeMix (Qin et al., 2020): paste the whole partner, shrunk to ``τ`` of the image side.

    ``τ`` is uniform in ``scale = (low, high)`` per sample and the patch is placed
    uniformly where it fits; the weight is ``1 − patch pixels / HW``.
    """

    name = "image.resizemix"
    differentiable = True

    def __init__(
        self,
        scale: float | Sequence[float] = (0.1, 0.8),
        *,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        # the weight is the pasted area, not a Beta λ: no alpha
        super().__init__(1.0, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        self.scale = args.value_range("scale", scale, bounds=(1e-6, 1.0), scalar="fixed", where="ResizeMix")

    def draw_image(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        kw: dict[str, Any] = {"generator": generator, "device": device}
        return {
            "scale": rng.uniform(batch_size, self.scale[0], self.scale[1], **kw),
            "position": rng.uniform(batch_size, 0.0, 1.0, shape=(2,), **kw),
        }

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        img, other = image_of(x), image_of(partners[0])
        _, _, h, w = img.shape
        ph = (params["scale"] * h).round().clamp(1, h)
        pw = (params["scale"] * w).round().clamp(1, w)
        top = (params["position"][:, 0] * (h - ph + 1)).floor().clamp(max=h - ph)
        left = (params["position"][:, 1] * (w - pw + 1)).floor().clamp(max=w - pw)
        rect = torch.stack([top, left, top + ph, left + pw], dim=1).long()
        patch = _round_like(resample_into(other, rect, h, w), img.dtype)
        inside = rect_mask(rect.unsqueeze(1), torch.ones(rect.shape[0], 1, dtype=torch.bool, device=img.device), h, w)
        out = torch.where(inside, patch, img)
        weight = 1.0 - (ph * pw) / float(h * w)
        return (x.replace(image=out) if isinstance(x, ImageBatch) else out), weight


def fourier_mask(spectrum: torch.Tensor, lam: torch.Tensor, height: int, width: int, decay: float) -> torch.Tensor:
    """FMix binary masks ``(B, 1, H, W)``: low-pass Gaussian noise, top ``λ·HW`` pixels set.

    ``spectrum`` ``(B, H, W//2+1, 2)`` holds standard-normal real/imaginary parts; it is
    scaled by ``1 / f^decay`` (``f`` the frequency magnitude) and inverted with
    ``irfft2``. Each sample keeps exactly ``round(λ·HW)`` pixels (a per-sample
    threshold from one batched sort), so the mask mean is λ up to ``1 / HW``.
    """
    b = spectrum.shape[0]
    fy = torch.fft.fftfreq(height, device=spectrum.device).view(-1, 1)
    fx = torch.fft.rfftfreq(width, device=spectrum.device).view(1, -1)
    freq = torch.sqrt(fx * fx + fy * fy)
    scale = 1.0 / torch.clamp(freq, min=1.0 / max(height, width)) ** decay
    coeff = torch.complex(spectrum[..., 0], spectrum[..., 1]) * scale
    field = torch.fft.irfft2(coeff, s=(height, width)).reshape(b, -1)
    k = (lam.to(torch.float32) * (height * width)).round().long().clamp(0, height * width)
    order = field.argsort(dim=1, descending=True)
    rank = torch.empty_like(order).scatter_(1, order, torch.arange(height * width, device=field.device).expand(b, -1))
    return (rank < k.unsqueeze(1)).reshape(b, 1, height, width)


class FMix(_ImageMixer):
    """FMix (Harris et al., 2020): mix with a binary mask thresholded from low-frequency Fourier noise.

    The mask keeps ``round(λ·HW)`` pixels of ``x``; the label weight is the mask's mean.
    """

    name = "image.fmix"
    differentiable = True

    def __init__(
        self,
        alpha: float = 1.0,
        decay_power: float = 3.0,
        *,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        self.decay_power = args.positive("decay_power", decay_power, where="FMix")

    def draw_image(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        h, w = image_of(x).shape[-2:]
        return {"spectrum": rng.normal(batch_size, shape=(h, w // 2 + 1, 2), generator=generator, device=device)}

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        img, other = image_of(x), image_of(partners[0])
        _, _, h, w = img.shape
        mask = fourier_mask(params["spectrum"], params["lam"], h, w, self.decay_power)
        out = torch.where(mask, img, other)
        weight = mask.to(torch.float32).mean(dim=(1, 2, 3))
        return (x.replace(image=out) if isinstance(x, ImageBatch) else out), weight


class Mosaic(_ImageMixer):
    """Mosaic (YOLOv4): four images resized into the quadrants around a random centre.

    The centre is uniform in ``center = (low, high)`` of each side; ``x`` fills
    the top-left quadrant and its three partners the others. Weights are the
    quadrant areas. Boxes and masks of an :class:`ImageBatch` are scaled into their
    quadrant with the image (boxes of all four sources are kept).
    """

    name = "image.mosaic"
    differentiable = True
    num_partners = 3
    carries_boxes = True

    def __init__(
        self,
        center: float | Sequence[float] = (0.25, 0.75),
        *,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        # the weights are the quadrant areas, not a Beta λ: no alpha
        super().__init__(1.0, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        self.center = args.value_range("center", center, bounds=(1e-6, 1.0 - 1e-6), scalar="fixed", where="Mosaic")

    def draw_image(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "center": rng.uniform(
                batch_size, self.center[0], self.center[1], shape=(2,), generator=generator, device=device
            )
        }

    @staticmethod
    def quadrants(center: torch.Tensor, height: int, width: int) -> torch.Tensor:
        """``(B, 4, 4)`` integer rectangles (top, left, bottom, right) of the four quadrants."""
        cy = (center[:, 0] * height).round().clamp(1, height - 1) if height > 1 else torch.ones_like(center[:, 0])
        cx = (center[:, 1] * width).round().clamp(1, width - 1) if width > 1 else torch.ones_like(center[:, 1])
        z, hh, ww = torch.zeros_like(cy), torch.full_like(cy, height), torch.full_like(cx, width)
        return torch.stack(
            [
                torch.stack([z, z, cy, cx], 1),
                torch.stack([z, cx, cy, ww], 1),
                torch.stack([cy, z, hh, cx], 1),
                torch.stack([cy, cx, hh, ww], 1),
            ],
            dim=1,
        ).long()

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        sources = [x, *partners]
        img = image_of(x)
        b, _, h, w = img.shape
        rects = self.quadrants(params["center"], h, w)
        ones = torch.ones(b, 1, dtype=torch.bool, device=img.device)
        out = torch.zeros(img.shape, dtype=torch.float32, device=img.device)
        for q, src in enumerate(sources):  # four sources, each one batched grid_sample
            inside = rect_mask(rects[:, q].unsqueeze(1), ones, h, w)
            out = torch.where(inside, resample_into(image_of(src), rects[:, q], h, w), out)
        out_img = _round_like(out, img.dtype)
        areas = ((rects[..., 2] - rects[..., 0]) * (rects[..., 3] - rects[..., 1])).to(torch.float32)
        weights = areas / float(h * w)
        if not isinstance(x, ImageBatch):
            return out_img, weights
        y = x.replace(image=out_img)
        if x.mask is not None and all(isinstance(s, ImageBatch) and s.mask is not None for s in sources):
            mask_out = torch.zeros_like(x.mask)
            for q, src in enumerate(sources):
                m = src.mask.unsqueeze(1) if src.mask.dim() == 3 else src.mask
                warped = resample_into(m.to(torch.float32), rects[:, q], h, w, mode="nearest").round().to(x.mask.dtype)
                inside = rect_mask(rects[:, q].unsqueeze(1), ones, h, w)
                warped = warped[:, 0] if x.mask.dim() == 3 else warped
                inside = inside[:, 0] if x.mask.dim() == 3 else inside
                mask_out = torch.where(inside, warped, mask_out)
            y = y.replace(mask=mask_out)
        if x.boxes is not None:
            per = x.boxes.shape[1] // 4
            all_b, all_l, all_v = [], [], []
            for q, src in enumerate(sources):
                bx, lb, vd = _source_boxes(src, per)
                r = rects[:, q].to(bx.dtype)
                sy = ((r[:, 2] - r[:, 0]) / h).view(b, 1)
                sx = ((r[:, 3] - r[:, 1]) / w).view(b, 1)
                moved = torch.stack(
                    [
                        r[:, 1:2] + bx[..., 0] * sx,
                        r[:, 0:1] + bx[..., 1] * sy,
                        r[:, 1:2] + bx[..., 2] * sx,
                        r[:, 0:1] + bx[..., 3] * sy,
                    ],
                    dim=-1,
                )
                all_b.append(moved)
                all_l.append(lb)
                all_v.append(vd & (moved[..., 2] > moved[..., 0]) & (moved[..., 3] > moved[..., 1]))
            y = y.replace(boxes=torch.cat(all_b, 1), box_labels=torch.cat(all_l, 1), box_valid=torch.cat(all_v, 1))
        return y, weights


MIXERS: list[type[Mixer]] = [MixUp, CutMix, ResizeMix, FMix, Mosaic]
