"""torchvision.transforms.v2 → omniaug: replayed params equal torchvision's output on real photos,
the docs' pipeline converts and runs batched, wrapped transforms are seeded and batched when deterministic."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import omniaug
from omniaug.interop import convert, from_torchvision
from omniaug.params import Params

v2 = pytest.importorskip("torchvision.transforms.v2")
pytest.importorskip("omniaug_image")


def photos(size: int = 160, n: int = 2) -> torch.Tensor:
    """Real photo crops ``(n, 3, size, size)`` uint8 (scikit-learn's sample photos)."""
    from sklearn.datasets import load_sample_images

    imgs = load_sample_images().images
    out = [imgs[k % 2][30 * (k // 2) : 30 * (k // 2) + size, 100 : 100 + size] for k in range(n)]
    return torch.from_numpy(np.stack(out)).permute(0, 3, 1, 2).contiguous()


def native(t: object) -> omniaug.Augmentation:
    pipeline, report = convert(t)
    assert report.entries[0].status == "native", report
    (op,) = pipeline.transforms
    return op


def replay(op: omniaug.Augmentation, img: torch.Tensor, params: dict) -> torch.Tensor:
    full = Params({k: torch.as_tensor(v) for k, v in params.items()})
    full["apply"] = torch.ones(1, dtype=torch.bool)
    return op(img[None], params=full)[0]


def _affine(p: dict, h: int, w: int) -> dict:
    tx, ty = p.get("translate", (0, 0))
    sx, sy = p.get("shear", (0.0, 0.0))
    return {
        "angle": torch.tensor([p["angle"]]),
        "translate": torch.tensor([[tx / w, ty / h]]),
        "scale": torch.tensor([p.get("scale", 1.0)]),
        "shear": torch.tensor([[sx, sy]]),
    }


def _perspective(p: dict, h: int, w: int) -> dict:
    c = p["coefficients"]
    hom = np.array([[c[0], c[1], c[2]], [c[3], c[4], c[5]], [c[6], c[7], 1.0]])
    start = np.array([[0, 0, 1], [w - 1, 0, 1], [w - 1, h - 1, 1], [0, h - 1, 1]], dtype=np.float64)
    end = (np.linalg.inv(hom) @ start.T).T
    end = end[:, :2] / end[:, 2:]
    inward = np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    offsets = inward * (end - start[:, :2]) / np.array([w / 2, h / 2])
    return {"offsets": torch.tensor(offsets[None], dtype=torch.float32)}


# (transform, replay(params, h, w), max |Δ| allowed, mean |Δ| allowed) — uint8 levels
REPLAYS = [
    (lambda: v2.RandomHorizontalFlip(p=1), lambda p, h, w: {}, 0, 0),
    (lambda: v2.RandomVerticalFlip(p=1), lambda p, h, w: {}, 0, 0),
    (lambda: v2.RandomInvert(p=1), lambda p, h, w: {}, 0, 0),
    (lambda: v2.RandomGrayscale(p=1), lambda p, h, w: {}, 1, 0.5),
    (lambda: v2.RandomPosterize(bits=3, p=1), lambda p, h, w: {"bits": torch.tensor([3])}, 0, 0),
    (lambda: v2.RandomSolarize(threshold=100, p=1), lambda p, h, w: {"threshold": torch.tensor([100 / 255])}, 0, 0),
    (lambda: v2.RandomAutocontrast(p=1), lambda p, h, w: {}, 1, 0.5),
    (lambda: v2.RandomEqualize(p=1), lambda p, h, w: {}, 0, 0),
    (lambda: v2.RandomChannelPermutation(), lambda p, h, w: {"permutation": p["permutation"][None]}, 0, 0),
    (
        lambda: v2.RandomAffine(degrees=25, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=(-8, 8, -4, 4)),
        _affine,
        1,
        0.2,
    ),
    (lambda: v2.RandomRotation(degrees=40), lambda p, h, w: _affine({"angle": -p["angle"]}, h, w), 1, 0.2),
    (lambda: v2.RandomPerspective(distortion_scale=0.4, p=1), _perspective, None, 3.0),
    (
        lambda: v2.RandomResizedCrop(size=(96, 128), antialias=False),
        lambda p, h, w: {
            "box": torch.tensor(
                [[p["left"], p["top"], p["left"] + p["width"], p["top"] + p["height"]]], dtype=torch.float32
            )
        },
        1,
        0.2,
    ),
    (
        lambda: v2.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1),
        lambda p, h, w: {
            "brightness": torch.tensor([p["brightness_factor"]]),
            "contrast": torch.tensor([p["contrast_factor"]]),
            "saturation": torch.tensor([p["saturation_factor"]]),
            "hue": torch.tensor([p["hue_factor"]]),
            "order": p["fn_idx"][None],
        },
        1,
        0.1,
    ),
    (
        lambda: v2.GaussianBlur(kernel_size=7, sigma=(0.3, 2.5)),
        lambda p, h, w: {"sigma": torch.tensor([p["sigma"][0]])},
        1,
        0.1,
    ),
    (
        lambda: v2.RandomErasing(p=1, scale=(0.05, 0.3)),
        lambda p, h, w: {
            "holes": torch.tensor([[[p["i"], p["j"], p["i"] + p["h"], p["j"] + p["w"]]]]),
            "active": torch.ones(1, 1, dtype=torch.bool),
        },
        0,
        0,
    ),
]


@pytest.mark.parametrize(
    "case", range(len(REPLAYS)), ids=[type(REPLAYS[i][0]()).__name__ + f"-{i}" for i in range(len(REPLAYS))]
)
def test_replayed_params_match_torchvision(case: int) -> None:
    make, to_params, max_tol, mean_tol = REPLAYS[case]
    t = make()
    op = native(make())
    for k, img in enumerate(photos()):
        torch.manual_seed(20 + k)  # torchvision draws from the global RNG (test code only)
        params = t.make_params([img])
        ref = t.transform(img, params) if params or not hasattr(t, "p") else t(img)
        ours = replay(op, img, to_params(params, img.shape[-2], img.shape[-1]))
        d = (ours.int() - ref.int()).abs().float()
        assert ours.shape == ref.shape
        if max_tol is not None:  # all but 0.1 % of the pixels (bilinear taps at the fill border)
            assert torch.quantile(d.flatten(), 0.999) <= max_tol, (type(t).__name__, float(d.max()))
        assert d.mean() <= mean_tol, (type(t).__name__, float(d.mean()))


def test_elastic_field_from_the_same_noise() -> None:
    """torchvision's params hold the blurred field; built from the same raw noise, the fields agree."""
    t = v2.ElasticTransform(alpha=60.0, sigma=5.0)
    op = native(v2.ElasticTransform(alpha=60.0, sigma=5.0))
    img = photos(96, 1)[0]
    torch.manual_seed(3)
    ref = t.make_params([img])["displacement"]  # (1, H, W, 2)
    torch.manual_seed(3)
    dx = torch.rand(1, 1, 96, 96) * 2 - 1
    dy = torch.rand(1, 1, 96, 96) * 2 - 1
    ours = op.displacement(torch.cat([dx, dy], dim=1))
    assert torch.allclose(ours, ref, atol=1e-5)


def test_gaussian_noise_replays_the_noise_field() -> None:
    t = v2.GaussianNoise(mean=0.0, sigma=0.08)
    op = native(v2.GaussianNoise(mean=0.0, sigma=0.08))
    img = photos(96, 1)[0].float() / 255
    torch.manual_seed(4)
    ref = t(img)
    torch.manual_seed(4)
    noise = torch.randn_like(img)
    ours = replay(op, img, {"sigma": torch.tensor([0.08]), "noise": noise[None]})
    assert torch.allclose(ours, ref, atol=1e-6)
    # a number sigma is the fixed σ of every sample (as torchvision), not a range up to it
    sigmas = op.sample_params(img.expand(5, -1, -1, -1).contiguous(), generator=torch.Generator().manual_seed(0))[
        "sigma"
    ]
    assert torch.equal(sigmas, torch.full((5,), 0.08))


def test_argument_rules() -> None:
    op = native(v2.RandomAffine(degrees=(-10, 30), fill=255))
    assert op.degrees == [-10.0, 30.0] and op.fill == 1.0 and op.translate == [0.0, 0.0] and op.scale == [1.0, 1.0]
    jitter = native(v2.ColorJitter(brightness=0.3, hue=0.2))
    assert jitter.strengths == pytest.approx((0.3, 0.0, 0.0, 0.2))
    _, report = convert(
        v2.Compose([v2.RandomRotation(10, expand=True), v2.RandomAffine(5, interpolation=v2.InterpolationMode.BICUBIC)])
    )
    assert [e.status for e in report.entries] == ["wrapped", "wrapped"]
    assert "expand" in report.entries[0].note and "interpolation" in report.entries[1].note


def docs_pipeline() -> object:
    """The classification pipeline of torchvision's v2 getting-started page, plus common extras."""
    return v2.Compose(
        [
            v2.ToImage(),
            v2.RandomResizedCrop(size=(128, 128), antialias=True),
            v2.RandomHorizontalFlip(p=0.5),
            v2.RandomApply([v2.ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8),
            v2.RandomGrayscale(p=0.2),
            v2.RandomChoice([v2.GaussianBlur(5, sigma=(0.1, 2.0)), v2.RandomAdjustSharpness(2.0, p=1.0)]),
            v2.RandomRotation(degrees=15),
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
        ]
    )


def test_docs_pipeline_converts_and_runs_batched_on_photos() -> None:
    pipeline, report = convert(docs_pipeline())
    statuses = {e.source: e.status for e in report.entries}
    assert statuses["ToImage"] == "dropped" and statuses["RandomAdjustSharpness"] == "wrapped"
    assert statuses["ToDtype"] == statuses["Normalize"] == "wrapped"
    assert len(report.native) == 6
    x = photos(160, 6)
    out, params = pipeline.augment(x, generator=omniaug.rng.make_generator(0))
    assert out.shape == (6, 3, 128, 128) and out.dtype == torch.float32
    assert abs(float(out.mean())) < 1.5  # normalized
    assert torch.equal(pipeline(x, params=params), out)
    rebuilt = omniaug.from_config(omniaug.to_config(pipeline))
    assert torch.equal(rebuilt(x, generator=omniaug.rng.make_generator(0)), out)


def test_deterministic_wrapped_transform_runs_once_per_batch() -> None:
    op = omniaug.interop.WrappedTorchvision(v2.Normalize(mean=[0.5] * 3, std=[0.25] * 3))
    assert op.batched
    x = photos(64, 3).float() / 255
    assert torch.allclose(op(x, generator=omniaug.rng.make_generator(0)), (x - 0.5) / 0.25)


def test_wrapped_torchvision_is_seeded_from_the_generator_only() -> None:
    op = omniaug.interop.WrappedTorchvision(v2.RandomPhotometricDistort(p=1.0))
    x = photos(64, 4)
    torch.manual_seed(0)
    before = torch.get_rng_state()
    a = op(x, generator=omniaug.rng.make_generator(5))
    assert torch.equal(torch.get_rng_state(), before)
    torch.manual_seed(123)
    assert torch.equal(op(x, generator=omniaug.rng.make_generator(5)), a)
    assert not torch.equal(op(x, generator=omniaug.rng.make_generator(6)), a)


def test_not_a_torchvision_transform_is_a_clear_error() -> None:
    with pytest.raises(omniaug.InputError, match="torchvision"):
        from_torchvision(object())
