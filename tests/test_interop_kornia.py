"""kornia.augmentation → omniaug on real photos: exact mappings replayed, a sequence converts and runs batched."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import omniaug
from omniaug.interop import convert
from omniaug.params import Params

K = pytest.importorskip("kornia.augmentation")
pytest.importorskip("omniaug_image")


def photos(n: int = 2, size: int = 96) -> torch.Tensor:
    from sklearn.datasets import load_sample_images

    imgs = load_sample_images().images
    arr = np.stack([imgs[k % 2][50 : 50 + size, 200 : 200 + size] for k in range(n)])
    return torch.from_numpy(arr).permute(0, 3, 1, 2).float() / 255.0


def native(t: object) -> omniaug.Augmentation:
    pipeline, report = convert(t)
    assert report.entries[0].status == "native", report
    return pipeline.transforms[0]


@pytest.mark.parametrize(
    ("make", "to_params", "tol"),
    [
        (lambda: K.RandomHorizontalFlip(p=1.0), lambda p: {}, 1e-6),
        (lambda: K.RandomVerticalFlip(p=1.0), lambda p: {}, 1e-6),
        (lambda: K.RandomGrayscale(p=1.0), lambda p: {}, 1e-3),  # luma weight 0.299 (kornia) vs 0.2989 (torchvision)
        (lambda: K.RandomInvert(p=1.0), lambda p: {}, 1e-6),
        (lambda: K.RandomChannelShuffle(p=1.0), lambda p: {"permutation": p["channels"].long()}, 1e-6),
    ],
    ids=["hflip", "vflip", "grayscale", "invert", "channel_shuffle"],
)
def test_replayed_params_match_kornia(make, to_params, tol) -> None:
    t = make()
    op = native(make())
    x = photos()
    for i in range(2):
        torch.manual_seed(i)  # kornia draws from the global RNG (test code only)
        ref = t(x[i : i + 1])
        params = Params({k: torch.as_tensor(v) for k, v in to_params(t._params).items()})
        params["apply"] = torch.ones(1, dtype=torch.bool)
        assert torch.allclose(op(x[i : i + 1], params=params), ref, atol=tol)


def test_sequence_converts_and_runs_batched() -> None:
    seq = K.AugmentationSequential(
        K.RandomResizedCrop((64, 64), p=1.0),
        K.RandomHorizontalFlip(),
        K.ColorJitter(0.2, 0.2, 0.2, 0.05, p=0.8),
        K.RandomGaussianBlur((5, 5), (0.1, 1.5), p=0.3),
        K.RandomMotionBlur(3, 35.0, 0.5, p=0.2),
    )
    pipeline, report = convert(seq)
    assert [e.status for e in report.entries] == ["native"] * 4 + ["wrapped"]
    assert report.entries[2].fidelity == "approximate"
    x = photos(4)
    out, params = pipeline.augment(x, generator=omniaug.rng.make_generator(0))
    assert out.shape == (4, 3, 64, 64)
    assert torch.equal(pipeline(x, params=params), out)
    assert torch.equal(
        omniaug.from_config(omniaug.to_config(pipeline))(x, generator=omniaug.rng.make_generator(0)), out
    )


def test_custom_padding_is_wrapped() -> None:
    _, report = convert(K.RandomAffine(degrees=10, padding_mode="reflection"))
    assert report.entries[0].status == "wrapped" and "padding_mode" in report.entries[0].note
