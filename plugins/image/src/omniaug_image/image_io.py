"""Reading and writing image files for ``omniaug apply`` (Pillow)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from omniaug import InputError
from omniaug.files import check_paths, file_error, require_paths

from .modality import ImageBatch

__all__ = ["FILE_PATTERNS", "FILES", "load_images", "save_images", "estimate_jpeg_quality"]

FILE_PATTERNS = ("*.png", "*.jpg", "*.jpeg", "*.bmp", "*.webp")


def load_images(paths: Sequence[Path]) -> torch.Tensor:
    """Read image files into a uint8 batch ``(B, 3, H, W)`` (converted to RGB).

    One batch holds one size: files of different sizes raise :class:`InputError`
    (``omniaug apply --batch-size 1`` handles folders of mixed sizes).
    """
    arrays = []
    for p in require_paths(paths, "image file", where="image.load"):
        with _open(p) as im:
            arrays.append(np.asarray(im.convert("RGB"), dtype=np.uint8))
    sizes = {a.shape for a in arrays}
    if len(sizes) > 1:
        raise InputError(
            "paths",
            "images of one size per batch (use --batch-size 1 for mixed sizes)",
            sorted(sizes),
            where="image.load",
        )
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()


def to_uint8_hwc(img: torch.Tensor) -> np.ndarray:
    """One ``(C, H, W)`` image (float in [0, 1] or uint8) as a ``(H, W, C)`` uint8 array."""
    if img.dtype != torch.uint8:
        img = (img.detach().float().clamp(0.0, 1.0) * 255.0).round().to(torch.uint8)
    arr = img.cpu().permute(1, 2, 0).numpy()
    return arr[..., 0] if arr.shape[-1] == 1 else arr


def save_images(x: Any, paths: Sequence[Path]) -> None:
    """Write each image of a payload to its path; the format follows the suffix (targets are not written)."""
    from PIL import Image

    img = x.image if isinstance(x, ImageBatch) else x
    if not isinstance(img, torch.Tensor) or img.dim() != 4:
        raise InputError("x", "an image batch (B, C, H, W)", img, where="image.save")
    for i, p in enumerate(check_paths(paths, img.shape[0], where="image.save")):
        Image.fromarray(to_uint8_hwc(img[i])).save(p)


# ----------------------------------------------------------------------------- omniaug apply
# Modes read as they are: "L" (grey), "RGB", 16-bit grey ("I;16*", "I") as float in [0, 1].
# Others are converted for the ops and converted back when written (see _MODES).
_ALPHA_MODES = {"RGBA": "RGB", "LA": "L", "PA": "RGB"}
_CONVERTED = {"1": "L", "P": "RGB", "CMYK": "RGB", "YCbCr": "RGB"}
_SIXTEEN = {"I;16", "I;16L", "I;16B", "I;16N", "I"}
_IJG_LUMA = np.array(
    [16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
     14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
     49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99],
    dtype=np.float64,
)  # fmt: skip


def estimate_jpeg_quality(im: Any) -> int | None:
    """The libjpeg quality (1–100) whose scaled standard luminance table is closest to the file's.

    ``None`` when the file has no quantization tables (not a JPEG).
    """
    tables = getattr(im, "quantization", None)
    if not tables or 0 not in tables:
        return None
    luma = np.sort(np.asarray(tables[0], dtype=np.float64))
    best, best_err = 75, float("inf")
    for q in range(1, 101):
        scale = 5000.0 / q if q < 50 else 200.0 - 2.0 * q
        table = np.clip(np.floor((_IJG_LUMA * scale + 50.0) / 100.0), 1, 255)
        err = float(np.abs(np.sort(table) - luma).sum())
        if err < best_err:
            best, best_err = q, err
    return best


def _open(path: Path) -> Any:
    from PIL import Image, UnidentifiedImageError

    try:
        return Image.open(path)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise file_error(path, "a readable image file", exc, where="image.load") from None


def _layout(im: Any) -> tuple[str, int, str, bool]:
    """(working mode, channels, dtype name, has alpha) of an opened image."""
    mode = im.mode
    if mode in _SIXTEEN:
        return mode, 1, "float32", False
    if mode == "P" and "transparency" in im.info:
        return "RGBA", 3, "uint8", True
    if mode in _ALPHA_MODES:
        base = _ALPHA_MODES[mode]
        return mode, 3 if base == "RGB" else 1, "uint8", True
    work = _CONVERTED.get(mode, mode)
    if work not in ("L", "RGB"):
        raise InputError(
            "paths",
            "an image in a mode omniaug apply handles (1, L, P, RGB, RGBA, LA, CMYK, I;16)",
            f"mode {mode}",
            where="image.load",
        )
    return work, 3 if work == "RGB" else 1, "uint8", False


def _probe_image(path: Path, options: Any) -> tuple[Any, int]:
    with _open(path) as im:
        _, channels, dtype, alpha = _layout(im)
        return ("image", im.size, channels, dtype, alpha), 1


def _read_image(path: Path, options: Any) -> tuple[list[Any], dict[str, Any]]:
    with _open(path) as im:
        try:
            im.load()
        except (OSError, ValueError, SyntaxError) as exc:
            raise file_error(path, "a complete image file", exc, where="image.load") from None
        work, channels, dtype, alpha = _layout(im)
        meta: dict[str, Any] = {"mode": im.mode, "format": im.format, "size": im.size}
        for key in ("icc_profile", "dpi", "exif", "transparency"):
            if key in im.info:
                meta[key] = im.info[key]
        if im.format == "JPEG":
            from PIL import JpegImagePlugin

            meta["quality"] = estimate_jpeg_quality(im)
            meta["subsampling"] = JpegImagePlugin.get_sampling(im)
            meta["progressive"] = bool(im.info.get("progressive") or im.info.get("progression"))
        if im.format == "WEBP":  # Pillow does not say: a lossless file's image chunk is "VP8L"
            with path.open("rb") as fh:
                head = fh.read(1 << 16)
            meta["lossless"] = b"VP8L" in head and (b"VP8 " not in head or head.index(b"VP8L") < head.index(b"VP8 "))
        if im.mode == "P":
            meta["palette"] = (im.getpalette() or [], np.unique(np.asarray(im)).tolist())
        if dtype == "float32":
            arr = np.asarray(im, dtype=np.float64) / 65535.0
            image = torch.from_numpy(arr.astype(np.float32))[None]
        else:
            rgba = im.convert("RGBA" if alpha and channels == 3 else "LA" if alpha else work)
            arr = np.asarray(rgba, dtype=np.uint8)
            arr = arr[..., None] if arr.ndim == 2 else arr
            image = torch.from_numpy(arr[..., :channels].copy()).permute(2, 0, 1).contiguous()
            if alpha:
                meta["_alpha"] = torch.from_numpy(arr[..., channels].copy())
    return [(image, meta.pop("_alpha", None))], meta


def _collate_images(samples: list[Any]) -> Any:
    image = torch.stack([img for img, _ in samples])
    if samples[0][1] is None:
        return image
    return ImageBatch(image, mask=torch.stack([a for _, a in samples]))


def _to_pil(image: torch.Tensor, alpha: torch.Tensor | None, meta: dict[str, Any]) -> Any:
    from PIL import Image

    mode = meta["mode"]
    if mode in _SIXTEEN:
        arr = (image[0].detach().cpu().double().clamp(0, 1) * 65535.0).round().numpy().astype(np.uint16)
        return Image.fromarray(arr)  # uint16 → "I;16"
    arr = to_uint8_hwc(image)
    base = Image.fromarray(arr)  # (H, W) → "L", (H, W, 3) → "RGB"
    if alpha is not None:
        a = Image.fromarray(alpha.detach().cpu().to(torch.uint8).numpy())
        base = base.convert("RGBA" if base.mode == "RGB" else "LA")
        base.putalpha(a)
        return base  # a palette with transparency comes back RGBA (a palette cannot hold new alpha values)
    if mode == "P":
        return _to_palette(arr, meta["palette"])
    if mode == "1":
        return base.convert("1", dither=Image.Dither.NONE)
    if mode in ("CMYK", "YCbCr"):
        return base.convert(mode)
    return base


def _to_palette(rgb: np.ndarray, palette: tuple[list[int], list[int]]) -> Any:
    """RGB pixels back to indices of the input's palette: the nearest colour, an index the input used on ties."""
    from PIL import Image

    entries, used = palette
    colours = np.asarray(entries, dtype=np.int64).reshape(-1, 3)
    order = np.array(used + [i for i in range(len(colours)) if i not in set(used)], dtype=np.int64)
    flat = rgb.reshape(-1, 3).astype(np.int64)
    keys, inverse = np.unique(flat[:, 0] << 16 | flat[:, 1] << 8 | flat[:, 2], return_inverse=True)
    uniq = np.stack([keys >> 16, (keys >> 8) & 255, keys & 255], axis=1)
    best = np.empty(len(uniq), dtype=np.int64)
    for start in range(0, len(uniq), 4096):  # bounded memory: 4096 colours × 256 entries at a time
        d = ((uniq[start : start + 4096, None, :] - colours[order][None]) ** 2).sum(-1)
        best[start : start + 4096] = order[d.argmin(1)]
    out = Image.fromarray(best[inverse].reshape(rgb.shape[:2]).astype(np.uint8))
    out.putpalette(entries)
    return out


def _encode_image(samples: list[Any], meta: dict[str, Any], target: Path, options: Any) -> bytes:
    import io

    (sample,) = samples
    if isinstance(sample, ImageBatch):
        image = sample.image[0]
        alpha = sample.mask[0] if sample.mask is not None else None
        if alpha is not None and alpha.dim() == 3:
            alpha = alpha[0]
    else:
        image, alpha = sample[0], None
    pil = _to_pil(image, alpha, meta)
    fmt = meta.get("format") or None
    kwargs: dict[str, Any] = {}
    for key in ("icc_profile", "dpi", "exif"):
        if key in meta:
            kwargs[key] = meta[key]
    if meta.get("transparency") is not None and pil.mode in ("P", "L", "RGB") and pil.mode == meta["mode"]:
        kwargs["transparency"] = meta["transparency"]
    if fmt == "JPEG":
        quality = options.get("jpeg_quality") or meta.get("quality") or 75
        try:
            kwargs["quality"] = int(quality)
        except ValueError:
            raise InputError("--option jpeg_quality", "an integer from 1 to 100", quality) from None
        if not 1 <= kwargs["quality"] <= 100:
            raise InputError("--option jpeg_quality", "an integer from 1 to 100", quality)
        if meta.get("subsampling", -1) != -1:
            kwargs["subsampling"] = meta["subsampling"]
        kwargs["progressive"] = meta.get("progressive", False)
    elif fmt == "WEBP":
        kwargs["lossless"] = meta.get("lossless", False)
        if options.get("jpeg_quality"):
            kwargs["quality"] = int(options["jpeg_quality"])
    buf = io.BytesIO()
    pil.save(buf, format=fmt or target.suffix.lstrip(".").upper(), **kwargs)
    return buf.getvalue()


def _image_files() -> Any:
    from omniaug.files import FileCodec

    return FileCodec(
        patterns=(*FILE_PATTERNS, "*.PNG", "*.JPG", "*.JPEG"),
        probe=_probe_image,
        read=_read_image,
        collate=_collate_images,
        encode=_encode_image,
        options={"jpeg_quality": "JPEG (and lossy WebP) quality 1–100; default: the input's estimated quality"},
        preserves=(
            "Format, mode and bit depth: grey stays grey, RGB stays RGB, palette images keep their palette "
            "(colours mapped back to it), 1-bit stays 1-bit, CMYK stays CMYK, 16-bit grey PNG stays 16-bit; "
            "alpha is kept and follows geometric ops (nearest neighbour, transparent where the image is "
            "filled); JPEG quality (estimated from the input, or jpeg_quality), chroma subsampling and "
            "progressive mode; ICC profile, DPI and EXIF (orientation included)."
        ),
    )


FILES = _image_files()
