"""Geometric kernels against oracles: torchvision v2 functional, torch indexing, F.interpolate.

Tolerances: float outputs agree with torchvision to 1e-4 (both are one bilinear
``grid_sample`` on grids computed in different orders); uint8 outputs may differ
by 1 level where a float value sits at a rounding boundary; nearest-neighbour
outputs may pick the other neighbour where a sample point falls (within float
error) exactly between two pixels, so they must agree on ≥ 99.5 % of the pixels.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
import torchvision.transforms.v2.functional as TF

from omniaug import InputError
from omniaug.rng import make_generator
from omniaug_image.ops.geometric import (
    Affine,
    CropAndPad,
    Dihedral,
    ElasticTransform,
    HorizontalFlip,
    Perspective,
    RandomResizedCrop,
    Rot90,
    VerticalFlip,
    smooth_field,
)

BILINEAR = TF.InterpolationMode.BILINEAR
NEAREST = TF.InterpolationMode.NEAREST


def images(b: int = 5, h: int = 37, w: int = 53, seed: int = 0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(b, 3, h, w, generator=g)
    # smooth structure plus texture, so both interpolation and indexing errors show
    x = 0.5 * x + 0.5 * torch.linspace(0, 1, w).view(1, 1, 1, w) * torch.linspace(1, 0, h).view(1, 1, h, 1)
    return (x * 255).round().to(torch.uint8) if dtype == torch.uint8 else x.to(dtype)


def assert_matches(out: torch.Tensor, ref: torch.Tensor, mode: str = "bilinear") -> None:
    assert out.shape == ref.shape and out.dtype == ref.dtype
    if mode == "nearest":
        differs = (out.float() - ref.float()).abs() > (1 if out.dtype == torch.uint8 else 1e-4)
        assert differs.float().mean() <= 0.005, float(differs.float().mean())
    elif out.dtype == torch.uint8:
        assert (out.int() - ref.int()).abs().max() <= 1
    else:
        torch.testing.assert_close(out, ref, atol=1e-4, rtol=0)


# --------------------------------------------------------------------- exact ops


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
def test_flips_are_exact_per_sample(dtype: torch.dtype) -> None:
    x = images(8, dtype=dtype)
    for op, ref in ((HorizontalFlip(p=0.5), x.flip(-1)), (VerticalFlip(p=0.5), x.flip(-2))):
        out, params = op.augment(x, generator=make_generator(3))
        applied = params["apply"]
        assert 0 < int(applied.sum()) < 8  # the seed mixes applied and unapplied samples
        expected = torch.where(applied.view(-1, 1, 1, 1), ref, x)
        assert torch.equal(out, expected)


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
def test_rot90_matches_torch_rot90(dtype: torch.dtype) -> None:
    x = images(24, 24, 24, dtype=dtype)
    out, params = Rot90(turns=[0, 1, 2, 3]).augment(x, generator=make_generator(1))
    k = params["k"]
    assert set(k.tolist()) == {0, 1, 2, 3}
    for i in range(24):
        assert torch.equal(out[i], torch.rot90(x[i], int(k[i]), dims=(-2, -1)))


def test_dihedral_covers_the_group_exactly() -> None:
    x = images(40, 16, 16)
    out, params = Dihedral().augment(x, generator=make_generator(2))
    e = params["element"]
    assert set(e.tolist()) == set(range(1, 8))  # identity excluded by default
    for i in range(40):
        ref = x[i].flip(-1) if e[i] >= 4 else x[i]
        assert torch.equal(out[i], torch.rot90(ref, int(e[i]) % 4, dims=(-2, -1)))
    outs = {tuple(o.flatten()[:20].tolist()) for o in out[e == 5]}
    assert len(outs) == int((e == 5).sum())  # different images, not one copy


def test_odd_turns_need_square_images() -> None:
    with pytest.raises(InputError, match="square"):
        Rot90()(images(2, 10, 12), generator=make_generator(0))
    out = Rot90(turns=[2])(images(2, 10, 12), generator=make_generator(0))  # half turns keep the shape
    assert torch.equal(out, torch.rot90(images(2, 10, 12), 2, dims=(-2, -1)))


# --------------------------------------------------------------------- torchvision oracles


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_affine_matches_torchvision(dtype: torch.dtype, mode: str) -> None:
    x = images(6, dtype=dtype)
    op = Affine(degrees=40, translate=[0.2, 0.1], scale=[0.7, 1.3], shear=[-15, 15, -10, 10], interpolation=mode)
    out, params = op.augment(x, generator=make_generator(4))
    h, w = x.shape[-2:]
    for i in range(6):
        t = params["translate"][i] * torch.tensor([w, h])
        ref = TF.affine(
            x[i],
            angle=float(params["angle"][i]),
            translate=[float(t[0]), float(t[1])],
            scale=float(params["scale"][i]),
            shear=[float(s) for s in params["shear"][i]],
            interpolation=BILINEAR if mode == "bilinear" else NEAREST,
        )
        assert_matches(out[i], ref, mode)


def test_affine_fill_equals_padding_with_fill() -> None:
    # oracle: pad the image with the fill value far enough, warp with torchvision, crop back
    x = images(3, 20, 20)
    fill = [0.2, 0.5, 0.9]
    op = Affine(degrees=[30, 30], translate=[0.0, 0.0], scale=[0.6, 0.6], fill=fill)
    out = op(x, generator=make_generator(0))
    f = torch.tensor(fill).view(1, 3, 1, 1)
    ref = TF.affine(x - f, angle=30.0, translate=[0.0, 0.0], scale=0.6, shear=[0.0, 0.0], interpolation=BILINEAR) + f
    torch.testing.assert_close(out, ref, atol=1e-5, rtol=0)
    assert torch.allclose(out[:, :, 0, 0], torch.tensor(fill).expand(3, 3))  # a corner is all fill


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
def test_perspective_matches_torchvision(dtype: torch.dtype) -> None:
    x = images(5, dtype=dtype)
    op = Perspective(distortion_scale=0.6)
    out, params = op.augment(x, generator=make_generator(5))
    h, w = x.shape[-2:]
    src, dst = Perspective.corner_points(params["offsets"], h, w)
    for i in range(5):
        ref = TF.perspective(x[i], startpoints=src[i].tolist(), endpoints=dst[i].tolist(), interpolation=BILINEAR)
        assert_matches(out[i], ref)


def test_random_resized_crop_matches_torchvision_resized_crop() -> None:
    x = images(8)
    op = RandomResizedCrop(size=[24, 32], scale=[0.1, 1.0])
    out, params = op.augment(x, generator=make_generator(6))
    assert out.shape == (8, 3, 24, 32)
    box = params["box"]
    area = (box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1]) / (37 * 53)
    assert bool((area <= 1.0 + 1e-6).all()) and bool((area >= 0.1 * 0.9).all())
    for i in range(8):
        left, top, right, bottom = (int(v) for v in box[i])
        assert (left, top, right, bottom) == tuple(box[i].tolist())  # whole pixels, like torchvision
        ref = TF.resized_crop(
            x[i], top, left, bottom - top, right - left, [24, 32], interpolation=BILINEAR, antialias=False
        )
        torch.testing.assert_close(out[i], ref, atol=1e-5, rtol=0)


def test_random_resized_crop_unapplied_samples_are_resized_whole() -> None:
    x = images(6)
    op = RandomResizedCrop(size=[16, 16], p=0.5)
    out, params = op.augment(x, generator=make_generator(7))
    off = ~params["apply"]
    assert bool(off.any())
    ref = F.interpolate(x[off], size=(16, 16), mode="bilinear", align_corners=False)
    torch.testing.assert_close(out[off], ref, atol=1e-5, rtol=0)


def test_crop_and_pad_equals_pad_crop_interpolate() -> None:
    x = images(6)
    op = CropAndPad(amount=[-0.3, 0.3], fill=0.25)
    out, params = op.augment(x, generator=make_generator(8))
    h, w = x.shape[-2:]
    px = torch.round(params["amount"] * torch.tensor([w, h, w, h])).long()
    for i in range(6):
        left, top, right, bottom = px[i].tolist()
        # positive amounts pad, negative amounts crop: F.pad does both
        canvas = F.pad(x[i : i + 1], (left, right, top, bottom), value=0.25)
        ref = F.interpolate(canvas, size=(h, w), mode="bilinear", align_corners=False)
        torch.testing.assert_close(out[i : i + 1], ref, atol=1e-5, rtol=0)


def test_elastic_matches_torchvision_for_the_same_field() -> None:
    x = images(3, 30, 30)
    op = ElasticTransform(displacement=40.0, sigma=3.0)
    out, params = op.augment(x, generator=make_generator(9))
    disp = op.displacement(params["noise"])
    for i in range(3):
        ref = TF.elastic(x[i], disp[i : i + 1], interpolation=BILINEAR)
        torch.testing.assert_close(out[i], ref, atol=1e-4, rtol=0)
    assert not torch.allclose(out, x, atol=1e-2)


def test_elastic_field_blur_matches_torchvision_gaussian_blur() -> None:
    noise = torch.rand(2, 2, 40, 40, generator=torch.Generator().manual_seed(0)) * 2 - 1
    sigma = 3.0
    k = int(8 * sigma + 1) | 1
    ref = TF.gaussian_blur(noise, [k, k], [sigma, sigma])
    torch.testing.assert_close(smooth_field(noise, sigma), ref, atol=1e-5, rtol=0)


def test_elastic_alpha_zero_is_identity() -> None:
    x = images(2)
    torch.testing.assert_close(ElasticTransform(displacement=0.0)(x, generator=make_generator(0)), x, atol=1e-5, rtol=0)


# --------------------------------------------------------------------- behaviour


def test_single_image_gets_a_batch_dimension_around_the_call() -> None:
    x = images(1)
    op = Affine()
    single, params = op.augment(x[0], generator=make_generator(10))
    assert single.shape == x[0].shape
    torch.testing.assert_close(single, op(x, params=params)[0])


def test_same_on_batch_draws_one_transform() -> None:
    x = images(1).expand(4, -1, -1, -1).contiguous()
    out = Affine(same_on_batch=True)(x, generator=make_generator(11))
    for i in range(1, 4):
        assert torch.equal(out[i], out[0])


def test_params_stay_inside_their_ranges() -> None:
    x = images(256, 8, 8)
    params = Affine(degrees=[-10, 20], translate=[0.1, 0.3], scale=[0.8, 1.2], shear=5).sample_params(
        x, generator=make_generator(12)
    )
    a = params["angle"]
    assert a.min() >= -10 and a.max() <= 20 and a.max() - a.min() > 25
    t = params["translate"]
    assert t[:, 0].abs().max() <= 0.1 and t[:, 1].abs().max() <= 0.3 and t[:, 1].abs().max() > 0.2
    assert params["scale"].min() >= 0.8 and params["scale"].max() <= 1.2
    assert params["shear"][:, 0].abs().max() <= 5 and bool((params["shear"][:, 1] == 0).all())


@pytest.mark.parametrize(
    "build",
    [
        lambda: Affine(degrees=[10, -10]),
        lambda: Affine(translate=[2.0, 0.0]),
        lambda: Affine(interpolation="bicubic"),
        lambda: Affine(fill=3.0),
        lambda: Affine(shear=90),
        lambda: Perspective(distortion_scale=1.5),
        lambda: RandomResizedCrop(size=[0, 4]),
        lambda: CropAndPad(amount=[-0.6, 0.1]),
        lambda: Rot90(turns=[5]),
        lambda: ElasticTransform(displacement=-1.0),
    ],
)
def test_bad_arguments_raise_input_error(build) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="must be"):
        build()


def test_uint8_stays_uint8_through_every_op() -> None:
    x = images(4, 24, 24, dtype=torch.uint8)
    for op in (
        HorizontalFlip(p=1.0),
        Rot90(),
        Dihedral(),
        Affine(),
        Perspective(),
        RandomResizedCrop(),
        CropAndPad(),
        ElasticTransform(),
    ):
        out = op(x, generator=make_generator(13))
        assert out.dtype == torch.uint8 and out.shape == x.shape, op.name


def test_magnitude_zero_is_the_identity() -> None:
    x = images(4, 24, 24)
    for cls in (Affine, Perspective, CropAndPad, RandomResizedCrop, ElasticTransform):
        op = cls.at_magnitude(0.0, translate=[0.0, 0.0], scale=[1.0, 1.0]) if cls is Affine else cls.at_magnitude(0.0)
        torch.testing.assert_close(op(x, generator=make_generator(14)), x, atol=1e-5, rtol=0, msg=cls.__name__)
    strong = Affine.at_magnitude(1.0)
    assert strong.degrees == [-30.0, 30.0]


def test_chunked_warp_equals_one_grid_sample_per_sample() -> None:
    from omniaug_image import functional_geometric as FG
    from omniaug_image.targets import sample_mask

    n = FG.WARP_CHUNK * 2 + 5  # three chunks, the last one partial
    x = images(n, 12, 10)
    mask = (x[:, 0] > 0.5).long()
    m = FG.affine_matrices(torch.linspace(-30, 30, n), torch.zeros(n, 2), torch.ones(n), torch.zeros(n, 2), 12, 10)
    out, out_mask = FG.warp_chunked(
        [(x, lambda t, g: FG.sample_image(t, g)), (mask, sample_mask)], m, (12, 10), affine=True
    )
    for i in (0, FG.WARP_CHUNK - 1, FG.WARP_CHUNK, n - 1):
        grid = FG.grid_from_matrices(m[i : i + 1], (12, 10))
        assert torch.equal(out[i : i + 1], FG.sample_image(x[i : i + 1], grid))
        assert torch.equal(out_mask[i : i + 1], sample_mask(mask[i : i + 1], grid))


def test_chunks_on_worker_threads_equal_the_serial_run_and_keep_the_thread_setting() -> None:
    import threading

    from omniaug.parallel import run_chunks
    from omniaug_image import functional_geometric as FG

    before = torch.get_num_threads()
    n = 23
    x = images(n, 40, 36)
    m = FG.affine_matrices(torch.linspace(-30, 30, n), torch.zeros(n, 2), torch.ones(n), torch.zeros(n, 2), 40, 36)
    saved = FG.WARP_CHUNK_BYTES
    try:
        FG.WARP_CHUNK_BYTES = 4 * 3 * 40 * 36 * 5  # chunks of 5 samples: 5 chunks, the last partial
        torch.set_num_threads(1)
        serial = FG.warp_image(x, m)
        torch.set_num_threads(2)
        pooled = FG.warp_image(x, m)
        assert torch.get_num_threads() == 2  # the workers' own setting (1) does not leak
        seen: list[tuple[int, int]] = []
        lock = threading.Lock()

        def record(start: int, stop: int) -> None:
            with lock:
                seen.append((start, stop))

        run_chunks(n, 5, record, x.device)
        assert sorted(seen) == [(0, 5), (5, 10), (10, 15), (15, 20), (20, 23)]
    finally:
        FG.WARP_CHUNK_BYTES = saved
        torch.set_num_threads(before)
    assert torch.equal(serial, pooled)
    for i in (0, 7, n - 1):
        assert torch.equal(
            serial[i : i + 1], FG.sample_image(x[i : i + 1], FG.grid_from_matrices(m[i : i + 1], (40, 36)))
        )


def test_affine_draws_every_parameter_within_its_range_and_follows_reassigned_ranges() -> None:
    from omniaug_image.ops.geometric import Affine

    op = Affine(degrees=[-10, 20], translate=[0.1, 0.3], scale=[0.5, 0.7], shear=[-5, 5, 1, 2])
    x = torch.rand(500, 3, 8, 8)
    p = op.sample_params(x, generator=torch.Generator().manual_seed(0))
    for name, lo, hi in [("angle", -10, 20), ("scale", 0.5, 0.7)]:
        assert float(p[name].min()) >= lo and float(p[name].max()) < hi
        assert float(p[name].max() - p[name].min()) > 0.9 * (hi - lo)  # spread over the range
    assert p["translate"].shape == (500, 2) and p["shear"].shape == (500, 2)
    assert (p["translate"].abs() <= torch.tensor([0.1, 0.3])).all()
    assert (p["shear"][:, 0].abs() <= 5).all() and ((p["shear"][:, 1] >= 1) & (p["shear"][:, 1] <= 2)).all()
    op.degrees = [100.0, 101.0]  # a reassigned range is honoured (the cached bounds follow it)
    p2 = op.sample_params(x, generator=torch.Generator().manual_seed(0))
    assert float(p2["angle"].min()) >= 100 and float(p2["angle"].max()) <= 101
