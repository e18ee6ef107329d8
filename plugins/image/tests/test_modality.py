"""The image modality: validation messages, batching helpers, map_image, example data, files, previews, presets."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from omniaug import Compose, InputError, from_config, registry, to_config
from omniaug.rng import make_generator
from omniaug_image import IMAGE, ImageBatch, map_image
from omniaug_image.image_io import load_images, save_images
from omniaug_image.modality import image_batch_size, image_merge, image_subset
from omniaug_image.ops.geometric import Affine, example_image_batch
from omniaug_image.sample_data import load_example_data, sample_files


def test_registered() -> None:
    assert registry().modality("image") is IMAGE


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        (torch.rand(2, 3, 8, 8) * 2, "values in [0, 1]"),
        (torch.zeros(2, 3, 8, 8, dtype=torch.int32), "dtype float or uint8"),
        (torch.rand(8, 8), "4 dimensions"),
        (ImageBatch(torch.rand(2, 3, 8, 8), keypoints=torch.rand(2, 5, 3)), "x.keypoints"),
        (
            ImageBatch(torch.rand(2, 3, 8, 8), boxes=torch.rand(2, 4, 4), box_valid=torch.ones(2, 3, dtype=torch.bool)),
            "x.box_valid",
        ),
    ],
)
def test_validation_names_argument_expectation_and_what_came(bad, fragment: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        Affine()(bad, generator=make_generator(0))
    msg = str(info.value)
    assert fragment in msg and "must be" in msg and "got" in msg


def test_bad_examples_are_all_rejected() -> None:
    for bad in IMAGE.bad_examples():
        with pytest.raises(InputError):
            IMAGE.validate(bad)


def test_single_image_helpers() -> None:
    one = torch.rand(3, 5, 5)
    assert image_batch_size(one) == 1
    assert image_subset(one, torch.tensor([0])) is one
    other = torch.rand(3, 5, 5)
    assert image_merge(one, torch.tensor([0]), other) is other
    assert image_merge(one, torch.tensor([], dtype=torch.long), other) is one
    assert image_batch_size(example_image_batch(3)) == 3


def test_map_image_touches_only_the_image() -> None:
    x = example_image_batch(2, generator=make_generator(0))
    out = map_image(x, lambda t: 1.0 - t)
    assert torch.equal(out.image, 1.0 - x.image)
    assert out.boxes is x.boxes and out.mask is x.mask and out.keypoints is x.keypoints
    plain = torch.rand(2, 3, 4, 4)
    assert torch.equal(map_image(plain, lambda t: t * 0.5), plain * 0.5)


def test_example_is_seeded_and_valid() -> None:
    a = IMAGE.example(batch_size=3, generator=make_generator(1))
    b = IMAGE.example(batch_size=3, generator=make_generator(1))
    c = IMAGE.example(batch_size=3, generator=make_generator(2))
    assert torch.equal(a, b) and not torch.equal(a, c)
    IMAGE.validate(a)
    # asymmetric, so flips and turns are visible
    assert not torch.allclose(a, a.flip(-1)) and not torch.allclose(a, a.flip(-2))


def test_bundled_example_data() -> None:
    files = sample_files()
    assert {f.name for f in files} == {"china.jpg", "flower.jpg", "pattern_checker.png", "pattern_rings.png"}
    assert sum(f.stat().st_size for f in files) < 300_000
    x = registry().example_data("image")
    assert x.shape == (4, 3, 144, 144) and x.dtype == torch.float32
    assert torch.equal(load_example_data(torch.uint8), (x * 255).round().to(torch.uint8))


def test_save_then_load_round_trips_uint8_and_float(tmp_path: Path) -> None:
    x = load_example_data(torch.uint8)
    paths = [tmp_path / f"s{i}.png" for i in range(x.shape[0])]
    save_images(x, paths)
    assert torch.equal(load_images(paths), x)
    save_images(x.float() / 255.0, paths)  # float images are scaled and rounded
    assert torch.equal(load_images(paths), x)


def test_load_rejects_mixed_sizes(tmp_path: Path) -> None:
    save_images(torch.zeros(1, 3, 4, 4, dtype=torch.uint8), [tmp_path / "a.png"])
    save_images(torch.zeros(1, 3, 5, 4, dtype=torch.uint8), [tmp_path / "b.png"])
    with pytest.raises(InputError, match="one size per batch"):
        load_images([tmp_path / "a.png", tmp_path / "b.png"])


def test_render_writes_a_png_with_targets(tmp_path: Path) -> None:
    x = example_image_batch(3, generator=make_generator(0))
    views = [Affine()(x, generator=make_generator(i)) for i in range(2)]
    out = IMAGE.render(x, views, tmp_path / "preview.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    with Image.open(out) as im:
        assert im.size[0] > im.size[1] * 0.5  # 3 columns × 3 rows


def test_default_preset_runs_fused_and_round_trips() -> None:
    pipe = registry().preset("image.default").build()
    assert isinstance(pipe, Compose) and pipe.fuse
    x = registry().example_data("image")
    y = pipe(x, generator=make_generator(0))
    assert y.shape == x.shape and not torch.allclose(x, y)
    rebuilt = from_config(to_config(pipe))
    assert torch.equal(rebuilt(x, generator=make_generator(0)), y)
    u8 = pipe((x * 255).round().to(torch.uint8), generator=make_generator(0))
    assert u8.dtype == torch.uint8


def test_range_check_is_redone_after_an_in_place_change() -> None:
    x = torch.rand(2, 3, 6, 6)
    IMAGE.validate(x)
    IMAGE.validate(x)  # the unchanged tensor passes again (without re-reading it)
    x.mul_(3.0)
    with pytest.raises(InputError, match=r"values in \[0, 1\]"):
        IMAGE.validate(x)


def test_warp_output_inherits_the_range_check_only_from_a_checked_input() -> None:
    from omniaug import validation
    from omniaug_image import modality

    x = torch.rand(2, 3, 6, 6)
    with validation.call_scope():  # checks are trusted within one op call (as inside a pipeline's call)
        IMAGE.validate(x)
        out = Affine()(x, generator=make_generator(0))
        assert validation.checked("image.range", out)  # a warp of a checked image stays in [0, 1]
        fresh = torch.rand(2, 3, 6, 6)
        assert not validation.checked("image.range", modality.carry_range_check(torch.rand(2, 3, 6, 6), fresh))
    assert not validation.checked("image.range", out)  # after the call: read again (a NumPy view may have refilled it)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_range_check_tolerates_round_off_and_rejects_nan_and_out_of_range(dtype: torch.dtype) -> None:
    """float32 goes through the bit test first, float64 straight to min/max: the same verdicts."""
    base = torch.rand(2, 3, 8, 8, dtype=dtype)
    for value, ok in [
        (-5e-4, True),
        (-0.0, True),
        (1.0 + 5e-4, True),
        (-2e-3, False),
        (1.002, False),
        (float("nan"), False),
        (float("inf"), False),
        (-float("inf"), False),
    ]:
        x = base.clone()
        x[1, 2, 3, 4] = value
        if ok:
            IMAGE.validate(x)
        else:
            with pytest.raises(InputError, match=r"values in \[0, 1\], no NaN"):
                IMAGE.validate(x)
