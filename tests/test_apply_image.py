"""`omniaug apply` on real photos of mixed sizes and formats: size, mode, bit depth, alpha, palette
and JPEG quality kept; a corrupt file is skipped and reported while the rest is written."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("omniaug_image")
Image = pytest.importorskip("PIL.Image")

from omniaug import cli  # noqa: E402
from omniaug.cli import apply_folder  # noqa: E402
from omniaug_image import HorizontalFlip  # noqa: E402
from omniaug_image.image_io import estimate_jpeg_quality  # noqa: E402


def _photo(name: str) -> np.ndarray:
    """A scikit-learn sample photo (427 × 640, shipped with scikit-learn)."""
    from sklearn.datasets import load_sample_image

    return load_sample_image(name)


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    """Crops of two real photos at several sizes, in every mode and format `apply` must keep."""
    root = tmp_path_factory.mktemp("photos")
    china, flower = _photo("china.jpg"), _photo("flower.jpg")
    (root / "jpeg").mkdir()
    Image.fromarray(china[:300, :400]).save(root / "jpeg" / "china_q85.jpg", quality=85)
    Image.fromarray(flower[50:290, 100:420]).save(root / "jpeg" / "flower_q95.jpg", quality=95, subsampling=0)
    Image.fromarray(china[100:356, 200:456]).save(root / "rgb.png")
    Image.fromarray(flower[:200, :300]).convert("L").save(root / "grey.png")
    grey16 = (np.asarray(Image.fromarray(china[:160, :240]).convert("L"), dtype=np.uint16) * 257) | 0x3
    Image.fromarray(grey16).save(root / "grey16.png")
    rgba = np.dstack([flower[:180, :220], np.linspace(0, 255, 220, dtype=np.uint8)[None].repeat(180, 0)])
    Image.fromarray(rgba).save(root / "alpha.png")
    Image.fromarray(china[:150, :150]).quantize(colors=48, dither=Image.Dither.NONE).save(root / "palette.png")
    Image.fromarray(flower[:120, :160]).convert("L").convert("1", dither=Image.Dither.NONE).save(root / "bw.png")
    (root / "broken").mkdir()
    good = (root / "rgb.png").read_bytes()
    (root / "broken" / "truncated.png").write_bytes(good[: len(good) // 3])
    (root / "broken" / "not_an_image.png").write_text("this is text, not a PNG\n")
    return root


def _load(path: Path) -> Image.Image:
    im = Image.open(path)
    im.load()
    return im


def test_flip_keeps_every_mode_size_and_pixel(photos, tmp_path):
    out = tmp_path / "out"
    stats = apply_folder(HorizontalFlip(p=1.0), photos, out, progress=False)  # default batch size, mixed sizes
    assert stats["written"] == 8 and stats["failed"] == 2
    for name in ("rgb.png", "grey.png", "grey16.png", "alpha.png", "palette.png", "bw.png"):
        a, b = _load(photos / name), _load(out / name.replace(".png", ".aug0.png"))
        assert (b.mode, b.size) == (a.mode, a.size), name
        expected = np.asarray(a)[:, ::-1]
        assert np.array_equal(np.asarray(b), expected), name  # lossless formats: exactly the flipped input
        if a.mode == "P":
            assert b.getpalette() == a.getpalette()
    grey16 = np.asarray(_load(out / "grey16.aug0.png"))
    assert grey16.dtype == np.uint16 and np.mean(grey16 >= 65000) < 0.05  # not blown out to white


def test_jpeg_quality_is_estimated_and_kept_or_set(photos, tmp_path):
    apply_folder(HorizontalFlip(p=1.0), photos / "jpeg", tmp_path / "keep", progress=False)
    apply_folder(
        HorizontalFlip(p=1.0), photos / "jpeg", tmp_path / "q50", progress=False, options={"jpeg_quality": "50"}
    )
    for name, q in (("china_q85", 85), ("flower_q95", 95)):
        src = _load(photos / "jpeg" / f"{name}.jpg")
        kept = _load(tmp_path / "keep" / f"{name}.aug0.jpg")
        set50 = _load(tmp_path / "q50" / f"{name}.aug0.jpg")
        assert estimate_jpeg_quality(src) == q and estimate_jpeg_quality(kept) == q
        assert estimate_jpeg_quality(set50) == 50
        assert kept.size == src.size and kept.mode == "RGB"
        diff = np.abs(np.asarray(kept, dtype=int) - np.asarray(src, dtype=int)[:, ::-1]).mean()
        assert diff < 3.0  # a re-encode at the same quality: close to the flipped input


def test_corrupt_files_are_skipped_reported_and_the_exit_code_says_so(photos, tmp_path, capsys):
    code = cli.main(["apply", "image.default", str(photos), str(tmp_path / "out"), "-q"])
    captured = capsys.readouterr()
    assert code == 1
    assert "truncated.png" in captured.err and "not_an_image.png" in captured.err
    assert "Traceback" not in captured.err and "2 failed" in captured.out
    lines = [json.loads(x) for x in (tmp_path / "out" / "omniaug-apply-report.jsonl").read_text().splitlines()]
    errors = {x["input"]: x["error"] for x in lines if "error" in x}
    assert set(errors) == {"broken/truncated.png", "broken/not_an_image.png"}
    written = {x["input"] for x in lines if "output" in x}
    assert len(written) == 8
    for rel in written:  # the default pipeline keeps each file's size and mode
        a = _load(photos / rel)
        b = _load(tmp_path / "out" / Path(rel).with_name(Path(rel).stem + ".aug0" + Path(rel).suffix))
        assert (a.size, a.mode) == (b.size, b.mode), rel


def test_webp_cmyk_and_exif_orientation_are_kept(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    photo = _photo("china.jpg")[:100, :140]
    Image.fromarray(photo).save(src / "lossless.webp", lossless=True)
    Image.fromarray(photo).convert("CMYK").save(src / "print.jpg", quality=90)
    im = Image.fromarray(photo)
    exif = im.getexif()
    exif[0x0112] = 6  # "rotate 90° to display": the pixels stay as stored, so the tag must stay too
    im.save(src / "phone.jpg", exif=exif, quality=88)
    stats = apply_folder(HorizontalFlip(p=1.0), src, tmp_path / "out", progress=False)
    assert stats["failed"] == 0
    webp = _load(tmp_path / "out" / "lossless.aug0.webp")
    assert np.array_equal(np.asarray(webp), np.asarray(_load(src / "lossless.webp"))[:, ::-1])  # still lossless
    cmyk = _load(tmp_path / "out" / "print.aug0.jpg")
    assert cmyk.mode == "CMYK" and estimate_jpeg_quality(cmyk) == 90
    phone = _load(tmp_path / "out" / "phone.aug0.jpg")
    assert phone.getexif().get(0x0112) == 6 and estimate_jpeg_quality(phone) == 88
