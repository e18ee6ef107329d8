"""albumentations → omniaug: per-transform numerical checks with albumentations' params replayed,
a realistic pipeline with boxes and a mask run batched on real photos, wrapped ops, files.

Replays use ``A.Compose(..., save_applied_params=True)``: the params albumentations drew
for one photo are turned into the omniaug op's params and the op is replayed on the
same photo. Tolerances are in uint8 levels and are stated per transform.
"""

from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest
import torch

import omniaug
from omniaug.interop import convert, from_albumentations
from omniaug.params import Params

A = pytest.importorskip("albumentations")
omniaug_image = pytest.importorskip("omniaug_image")
ImageBatch = omniaug_image.ImageBatch

warnings.filterwarnings("ignore", module="albumentations")


def photos(size: int = 192, n: int = 4) -> np.ndarray:
    """``n`` real photo crops ``(n, size, size, 3)`` uint8 (scikit-learn's two sample photos)."""
    from sklearn.datasets import load_sample_images

    imgs = load_sample_images().images
    out = []
    for k in range(n):
        img = imgs[k % 2]
        top = 40 * (k // 2)
        left = 90 * (k // 2) + 60
        out.append(img[top : top + size, left : left + size])
    return np.stack(out)


def to_batch(arr: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(arr)).permute(0, 3, 1, 2).contiguous()


def native(t: object) -> omniaug.Augmentation:
    """The single omniaug op an albumentations transform converts to (must be native)."""
    pipeline, report = convert(t)
    assert report.entries[0].status == "native", report
    (op,) = pipeline.transforms
    return op


def applied(t: object, img: np.ndarray, seed: int, **targets: object) -> tuple[dict, dict]:
    res = A.Compose([t], save_applied_params=True, seed=seed, strict=False)(image=img, **targets)
    ((name, params),) = res["applied_transforms"]
    return res, params


def replay(op: omniaug.Augmentation, img: np.ndarray, params: dict) -> np.ndarray:
    x = to_batch(img[None])
    full = Params({k: (v if isinstance(v, torch.Tensor) else torch.as_tensor(v)) for k, v in params.items()})
    full["apply"] = torch.ones(1, dtype=torch.bool)
    out = op(x, params=full)
    return out[0].permute(1, 2, 0).numpy()


def diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int32) - b.astype(np.int32))


# ----------------------------------------------------------------------------- replays
def _affine_params(matrix: np.ndarray, h: int, w: int) -> dict:
    """omniaug Affine params of an isotropic, unsheared forward matrix (index coordinates)."""
    a = matrix[:2, :2]
    s = math.sqrt(abs(np.linalg.det(a)))
    angle = math.degrees(math.atan2(a[1, 0], a[0, 0]))
    c = np.array([(w - 1) / 2, (h - 1) / 2])
    t = matrix[:2, 2] - c + a @ c
    return {
        "angle": torch.tensor([angle], dtype=torch.float32),
        "translate": torch.tensor([[t[0] / w, t[1] / h]], dtype=torch.float32),
        "scale": torch.tensor([s], dtype=torch.float32),
        "shear": torch.zeros(1, 2),
    }


def _sigma_of(kernel: np.ndarray) -> float:
    c = len(kernel) // 2
    return math.sqrt(-1.0 / (2.0 * math.log(kernel[c + 1] / kernel[c])))


# (transform, replay(params, h, w) -> omniaug params, max |Δ| allowed, mean |Δ| allowed) — uint8 levels
REPLAYS = [
    (lambda: A.HorizontalFlip(p=1), lambda p, h, w: {}, 0, 0),
    (lambda: A.VerticalFlip(p=1), lambda p, h, w: {}, 0, 0),
    (lambda: A.RandomRotate90(p=1), lambda p, h, w: {"k": torch.tensor([p["factor"]])}, 0, 0),
    (lambda: A.InvertImg(p=1), lambda p, h, w: {}, 0, 0),
    (lambda: A.ToGray(p=1), lambda p, h, w: {}, 1, 0.75),  # torchvision truncates, OpenCV rounds
    (lambda: A.ChannelShuffle(p=1), lambda p, h, w: {"permutation": torch.tensor([p["channels_shuffled"]])}, 0, 0),
    (
        lambda: A.Solarize(threshold_range=(0.3, 0.7), p=1),
        lambda p, h, w: {"threshold": torch.tensor([p["threshold"]])},
        0,
        0,
    ),
    (lambda: A.Posterize(num_bits=(2, 6), p=1), lambda p, h, w: {"bits": torch.tensor([int(p["num_bits"])])}, 0, 0),
    (
        lambda: A.RandomGamma(gamma_limit=(70, 150), p=1),
        lambda p, h, w: {"gamma": torch.tensor([p["gamma"]])},
        1,
        0.75,
    ),  # rounding
    (
        lambda: A.GaussianBlur(blur_limit=(5, 5), sigma_limit=(0.5, 2.0), p=1),
        lambda p, h, w: {"sigma": torch.tensor([_sigma_of(p["kernel"])])},
        1,
        0.5,
    ),
    (
        lambda: A.GaussNoise(std_range=(0.0, 0.1), p=1),
        lambda p, h, w: {
            "sigma": torch.ones(1),
            "noise": torch.from_numpy(p["noise_map"]).permute(2, 0, 1)[None].float() / 255.0,
        },
        1,
        0.5,
    ),
    (
        lambda: A.CoarseDropout(num_holes_range=(1, 3), hole_height_range=(0.1, 0.3), hole_width_range=(0.1, 0.3), p=1),
        lambda p, h, w: {
            "holes": torch.from_numpy(p["holes"][:, [1, 0, 3, 2]].astype(np.int64))[None],
            "active": torch.ones(1, len(p["holes"]), dtype=torch.bool),
        },
        0,
        0,
    ),
    (
        lambda: A.Erasing(p=1),
        lambda p, h, w: {
            "holes": torch.from_numpy(p["holes"][:, [1, 0, 3, 2]].astype(np.int64))[None],
            "active": torch.ones(1, len(p["holes"]), dtype=torch.bool),
        },
        0,
        0,
    ),
    (
        lambda: A.RandomResizedCrop(size=(160, 128), scale=(0.3, 1.0), p=1),
        lambda p, h, w: {"box": torch.tensor([p["crop_coords"]], dtype=torch.float32)},
        2,
        0.5,
    ),
    (
        lambda: A.Affine(rotate=(-30, 30), translate_percent=(-0.1, 0.1), scale=(0.8, 1.2), keep_ratio=True, p=1),
        lambda p, h, w: _affine_params(p["matrix"], h, w),
        None,  # bilinear taps differ at sharp edges (cv2 quantizes positions to 1/32 px): mean only
        1.0,
    ),
    (
        lambda: A.Rotate(limit=45, p=1),
        lambda p, h, w: _affine_params(p["matrix"], h, w),
        None,
        1.0,
    ),
    (
        lambda: A.ColorJitter(brightness=0.3, contrast=0.3, saturation=0.3, hue=0.0, p=1),
        lambda p, h, w: {
            "brightness": torch.tensor([p["brightness"]]),
            "contrast": torch.tensor([p["contrast"]]),
            "saturation": torch.tensor([p["saturation"]]),
            "hue": torch.tensor([p["hue"]]),
            "order": torch.tensor([p["order"]]),
        },
        2,
        1.0,
    ),
]


@pytest.mark.parametrize(
    "case", range(len(REPLAYS)), ids=[REPLAYS[i][0]().__class__.__name__ + f"-{i}" for i in range(len(REPLAYS))]
)
def test_replayed_params_match_albumentations(case: int) -> None:
    make, to_params, max_tol, mean_tol = REPLAYS[case]
    t = make()
    op = native(make())
    for k, img in enumerate(photos(192, 2)):
        res, params = applied(t, img, seed=10 + k)
        ours = replay(op, img, to_params(params, img.shape[0], img.shape[1]))
        d = diff(ours, res["image"])
        assert ours.shape == res["image"].shape
        if max_tol is not None:
            assert d.max() <= max_tol, (type(t).__name__, d.max())
        assert d.mean() <= mean_tol, (type(t).__name__, d.mean())


def test_colorjitter_hue_replay_within_opencv_hue_steps() -> None:
    t = A.ColorJitter(brightness=0.0, contrast=0.0, saturation=0.0, hue=0.1, p=1)
    op = native(A.ColorJitter(brightness=0.0, contrast=0.0, saturation=0.0, hue=0.1, p=1))
    img = photos(128, 1)[0]
    res, p = applied(t, img, seed=3)
    ours = replay(
        op,
        img,
        {k: torch.tensor([p[k]]) for k in ("brightness", "contrast", "saturation", "hue")}
        | {"order": torch.tensor([p["order"]])},
    )
    d = diff(ours, res["image"])
    # OpenCV's uint8 hue has 180 steps (2°): a few levels at saturated pixels, small on average
    assert d.mean() < 2.0 and np.percentile(d, 99) <= 8


def test_d4_elements_are_a_bijection_and_replay_exactly() -> None:
    img = photos(96, 1)[0]
    x = to_batch(img[None])
    op = native(A.D4(p=1))
    ours = {
        e: op(x, params=Params({"element": torch.tensor([e]), "apply": torch.ones(1, dtype=torch.bool)}))[0]
        .permute(1, 2, 0)
        .numpy()
        for e in range(8)
    }
    seen = {}
    for seed in range(40):
        res, p = applied(A.D4(p=1), img, seed)
        match = [e for e, o in ours.items() if np.array_equal(o, res["image"])]
        assert len(match) == 1, p
        seen[str(p["group_element"])] = match[0]
    assert len(seen) == 8 and len(set(seen.values())) == 8


def test_equalize_close_to_opencv() -> None:
    op = native(A.Equalize(p=1))
    for img in photos(192, 2):
        res, _ = applied(A.Equalize(p=1), img, 0)
        d = diff(replay(op, img, {}), res["image"])
        assert d.mean() < 6.0 and np.percentile(d, 90) <= 20


def test_elastic_displacement_spread_matches() -> None:
    """Not replayable (different field construction): the mapped alpha gives the same displacement spread."""
    from omniaug_image.ops.geometric import ElasticTransform

    t = A.ElasticTransform(alpha=40, sigma=6, p=1)
    h = w = 128
    img = np.zeros((h, w, 3), np.uint8)
    spreads = []
    for seed in range(6):
        _, p = applied(t, img, seed)
        grid_x = np.meshgrid(np.arange(w), np.arange(h))[0]
        spreads.append(np.std(p["map_x"] - grid_x))
    op = native(A.ElasticTransform(alpha=40, sigma=6, p=1))
    assert isinstance(op, ElasticTransform)
    g = omniaug.rng.make_generator(0)
    x = torch.zeros(6, 3, h, w)
    disp = op.displacement(op.sample_params(x, generator=g)["noise"])[..., 0] * (w / 2)  # normalized → pixels
    ratio = float(disp.std()) / float(np.mean(spreads))
    assert 0.8 < ratio < 1.25, ratio


# ----------------------------------------------------------------------------- mapping semantics
def test_affine_angle_sign_and_fill() -> None:
    op = native(A.Affine(rotate=(10, 20), fill=255, p=0.3))
    assert op.degrees == [-20.0, -10.0] and op.fill == 1.0 and op.p == 0.3
    img = photos(96, 1)[0]
    for seed in range(5):  # the angle albumentations drew, read off its matrix, lies in the mapped range
        _, p = applied(A.Affine(rotate=(10, 20), p=1), img, seed)
        angle = float(_affine_params(p["matrix"], 96, 96)["angle"])
        assert op.degrees[0] - 1e-4 <= angle <= op.degrees[1] + 1e-4


def test_unmappable_settings_are_wrapped_not_approximated() -> None:
    import cv2

    _, report = convert(
        A.Compose([A.Affine(rotate=10, border_mode=cv2.BORDER_REFLECT_101), A.Affine(interpolation=cv2.INTER_CUBIC)])
    )
    assert [e.status for e in report.entries] == ["wrapped", "wrapped"]
    assert "border_mode" in report.entries[0].note and "interpolation" in report.entries[1].note


def test_oneof_weights_and_probability() -> None:
    from omniaug.containers import OneOf, RandomApply

    pipe = from_albumentations(A.OneOf([A.HorizontalFlip(p=1.0), A.VerticalFlip(p=0.75)], p=0.4))
    (outer,) = pipe.transforms
    assert isinstance(outer, RandomApply) and outer.p == 0.4
    inner = outer.transforms[0]
    assert isinstance(inner, OneOf) and inner.weights == [1.0, 0.75]
    assert all(t.p == 1.0 for t in inner.transforms)


# ----------------------------------------------------------------------------- realistic pipeline
def realistic() -> object:
    """A detection + segmentation pipeline in the style of albumentations' docs (12 transforms)."""
    return A.Compose(
        [
            A.RandomResizedCrop(size=(160, 160), scale=(0.5, 1.0), p=1.0),
            A.HorizontalFlip(p=0.5),
            A.Affine(rotate=(-15, 15), translate_percent=(-0.05, 0.05), scale=(0.9, 1.1), keep_ratio=True, p=0.5),
            A.OneOf([A.GaussianBlur(blur_limit=(3, 5)), A.MotionBlur(blur_limit=5)], p=0.3),
            A.ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2, hue=0.05, p=0.5),
            A.RandomGamma(p=0.3),
            A.ToGray(p=0.1),
            A.GaussNoise(std_range=(0.0, 0.05), p=0.3),
            A.CoarseDropout(
                num_holes_range=(1, 4), hole_height_range=(0.05, 0.15), hole_width_range=(0.05, 0.15), p=0.3
            ),
            A.CLAHE(p=0.2),
            A.RandomBrightnessContrast(p=0.3),
            A.Solarize(threshold_range=(0.9, 0.9), p=0.1),
        ],
        bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"]),
    )


def photo_batch(n: int = 6, size: int = 192) -> ImageBatch:
    imgs = to_batch(photos(size, n))
    boxes = (
        torch.tensor([[20.0, 30.0, 90.0, 120.0], [100.0, 40.0, 180.0, 100.0], [0.0, 0.0, 0.0, 0.0]])
        .expand(n, 3, 4)
        .clone()
    )
    valid = torch.tensor([True, True, False]).expand(n, 3).clone()
    labels = torch.tensor([1, 2, 0]).expand(n, 3).clone()
    ys, xs = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    mask = ((xs >= 20) & (xs < 90) & (ys >= 30) & (ys < 120)).long().expand(n, size, size).clone()
    return ImageBatch(imgs, mask=mask, boxes=boxes, box_labels=labels, box_valid=valid)


def test_realistic_pipeline_with_boxes_and_mask_runs_batched_on_photos() -> None:
    pipeline, report = convert(realistic())
    assert len(report.entries) == 13
    assert len(report.native) >= 9 and {e.source for e in report.wrapped} == {
        "MotionBlur",
        "CLAHE",
        "RandomBrightnessContrast",
    }
    x = photo_batch()
    g = omniaug.rng.make_generator(0)
    out, params = pipeline.augment(x, generator=g)
    assert out.image.shape == (6, 3, 160, 160) and out.image.dtype == torch.uint8
    assert out.mask.shape == (6, 160, 160)
    assert not torch.equal(out.image[0], out.image[1])
    # replay is exact, and the config round-trips to the same pipeline
    again = pipeline(x, params=params)
    assert torch.equal(again.image, out.image) and torch.equal(again.boxes, out.boxes)
    rebuilt = omniaug.from_config(omniaug.to_config(pipeline))
    assert torch.equal(rebuilt(x, generator=omniaug.rng.make_generator(0)).image, out.image)
    # boxes follow the image: the mask region of box 0 stays inside box 0 (its hull after rotations)
    for i in range(6):
        region = out.mask[i].bool()
        if out.box_valid[i, 0] and region.sum() > 50:
            x1, y1, x2, y2 = out.boxes[i, 0].tolist()
            ys, xs = region.nonzero().unbind(1)
            inside = (
                ((xs + 0.5 >= x1 - 1) & (xs + 0.5 <= x2 + 1) & (ys + 0.5 >= y1 - 1) & (ys + 0.5 <= y2 + 1))
                .float()
                .mean()
            )
            assert inside > 0.97, (i, inside)


def test_wrapped_transform_moves_boxes_and_mask_like_albumentations() -> None:
    t = A.SafeRotate(limit=(25, 25), p=1.0)
    pipeline, report = convert(A.Compose([t]))
    assert report.entries[0].status == "wrapped"
    x = photo_batch(2)
    out = pipeline(x, generator=omniaug.rng.make_generator(1))
    img = x.image[0].permute(1, 2, 0).numpy()
    ref = A.Compose(
        [A.SafeRotate(limit=(25, 25), p=1.0)], bbox_params=A.BboxParams(format="pascal_voc", label_fields=["labels"])
    )(image=img, mask=x.mask[0].numpy(), bboxes=x.boxes[0, :2].numpy(), labels=[1, 2])
    assert np.array_equal(out.image[0].permute(1, 2, 0).numpy(), ref["image"])  # fixed angle: seed-independent
    assert np.array_equal(out.mask[0].numpy(), ref["mask"])
    assert np.allclose(out.boxes[0, :2].numpy(), np.asarray(ref["bboxes"]), atol=1e-3)


def test_image_only_wrapped_transforms_skip_compose_and_targets() -> None:
    """An A.ImageOnlyTransform runs directly on the images: the bytes of a seeded one-transform Compose, targets untouched."""
    op = omniaug.interop.WrappedAlbumentations(A.CLAHE(p=1.0), p=0.5)
    assert op.image_only and not omniaug.interop.WrappedAlbumentations(A.SafeRotate(p=1.0)).image_only
    x = photo_batch(6)
    out, params = op.augment(x, generator=omniaug.rng.make_generator(2))
    assert out.mask is x.mask and out.boxes is x.boxes and out.box_valid is x.box_valid
    for i, (seed, on) in enumerate(zip(params["seed"].tolist(), params["apply"].tolist())):
        img = x.image[i].permute(1, 2, 0).numpy()
        ref = A.Compose([A.CLAHE(p=1.0)], p=1.0)
        ref.set_random_seed(seed)
        want = ref(image=img)["image"] if on else img
        assert np.array_equal(out.image[i].permute(1, 2, 0).numpy(), want), i


def test_wrapped_ops_leave_global_rngs_alone_and_are_reproducible() -> None:
    op = omniaug.interop.WrappedAlbumentations(A.MotionBlur(blur_limit=(3, 9), p=1.0))
    x = to_batch(photos(96, 4))
    random.seed(5)
    np.random.seed(5)
    torch.manual_seed(5)
    states = (random.getstate(), np.random.get_state()[1].copy(), torch.get_rng_state())
    a = op(x, generator=omniaug.rng.make_generator(3))
    assert random.getstate() == states[0]
    assert np.array_equal(np.random.get_state()[1], states[1]) and torch.equal(torch.get_rng_state(), states[2])
    random.seed(99)  # a different global state must not change the result
    np.random.seed(99)
    b = op(x, generator=omniaug.rng.make_generator(3))
    assert torch.equal(a, b)
    c = op(x, generator=omniaug.rng.make_generator(4))
    assert not torch.equal(a, c)


def test_files_and_dicts_convert_the_same(tmp_path) -> None:
    pipe = A.Compose([A.HorizontalFlip(p=0.5), A.CLAHE(p=0.2), A.ToTensorV2()])
    A.save(pipe, str(tmp_path / "p.json"))
    for source in (pipe, A.to_dict(pipe), tmp_path / "p.json"):
        pipeline, report = convert(source, "albumentations")
        assert [e.status for e in report.entries] == ["native", "wrapped", "dropped"]
        assert omniaug.to_config(pipeline) == omniaug.to_config(from_albumentations(pipe))
