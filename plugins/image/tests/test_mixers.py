"""Mixers: contract, effective weights == pixel shares (also clipped at borders), soft labels, targets."""

from __future__ import annotations

import pytest
import torch

from omniaug.rng import make_generator
from omniaug.testing import MixerContract
from omniaug_image import ImageBatch
from omniaug_image import mixers as M


class TestMixerVariantsContract(MixerContract):
    # defaults run in test_contract.py; these are the other settings
    omniaug_mixers = [M.CutMix(alpha=0.5, p=0.5), M.Mosaic(p=0.5)]


def _constant_batch(n: int = 8, h: int = 24, w: int = 20, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Sample i is the constant (i + 1) / (n + 1): every pixel tells which source it came from."""
    vals = (torch.arange(n, dtype=torch.float32) + 1) / (n + 1)
    x = vals.view(n, 1, 1, 1).expand(n, 3, h, w).contiguous()
    return x if dtype == torch.float32 else (x * 255).round().to(dtype)


def _share_of_self(x: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    return (out[:, 0] == x[:, 0]).float().mean(dim=(1, 2))


def _expected_labels(y: torch.Tensor, partners: torch.Tensor, weights: torch.Tensor, k: int) -> torch.Tensor:
    onehot = torch.nn.functional.one_hot(y, k).float()
    sources = torch.cat([torch.arange(len(y)).unsqueeze(1), partners], 1)
    return (weights.unsqueeze(-1) * onehot[sources]).sum(1)


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8], ids=["float", "uint8"])
def test_cutmix_weight_is_pasted_fraction(dtype: torch.dtype) -> None:
    x = _constant_batch(dtype=dtype)
    y = torch.arange(8) % 5
    mixer = M.CutMix(alpha=1.0, num_classes=5)
    res = mixer.augment_with_labels(x, y, generator=make_generator(0))
    share = _share_of_self(x, res.output)
    expected = _expected_labels(y, res.params["partners"], torch.stack([share, 1 - share], 1), 5)
    torch.testing.assert_close(res.labels, expected, rtol=0, atol=1e-6)
    assert torch.allclose(res.labels.sum(1), torch.ones(8))


def test_cutmix_weight_when_the_box_is_clipped_at_borders() -> None:
    x = _constant_batch(n=4)
    y = torch.arange(4)
    mixer = M.CutMix(num_classes=4)
    params = mixer.sample_params(x, generator=make_generator(1))
    params["lam"] = torch.tensor([0.2, 0.5, 0.7, 0.05])
    params["center"] = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.0, 0.9], [0.97, 0.02]])  # corners and edges
    out, soft = mixer(x, y, params=params)
    share = _share_of_self(x, out)
    # the drawn λ is not what was pasted once the box is clipped...
    assert bool(((share - params["lam"]).abs() > 0.1).any())
    # ...and the labels follow the pasted pixels, not λ
    expected = _expected_labels(y, params["partners"], torch.stack([share, 1 - share], 1), 4)
    torch.testing.assert_close(soft, expected, rtol=0, atol=1e-6)
    rect = M.CutMix.box(params["lam"], params["center"], 24, 20)
    assert bool((rect >= 0).all()) and bool((rect[:, 2] <= 24).all()) and bool((rect[:, 3] <= 20).all())


def test_mixup_matches_formula_and_lambda_weights() -> None:
    x = torch.rand(6, 3, 8, 8, generator=make_generator(2))
    y = torch.arange(6) % 3
    res = M.MixUp(alpha=0.4, num_classes=3).augment_with_labels(x, y, generator=make_generator(3))
    lam, part = res.params["lam"], res.params["partners"][:, 0]
    torch.testing.assert_close(res.output, lam.view(-1, 1, 1, 1) * x + (1 - lam.view(-1, 1, 1, 1)) * x[part])
    torch.testing.assert_close(
        res.labels, _expected_labels(y, res.params["partners"], torch.stack([lam, 1 - lam], 1), 3)
    )


def test_no_self_pairing_and_row_sums() -> None:
    x = torch.rand(16, 3, 8, 8)
    y = torch.randint(0, 7, (16,), generator=make_generator(4))
    for cls in M.MIXERS:
        res = cls(num_classes=7).augment_with_labels(x, y, generator=make_generator(5))
        assert not bool((res.params["partners"] == torch.arange(16).unsqueeze(1)).any()), cls.__name__
        torch.testing.assert_close(res.labels.sum(1), torch.ones(16))
        assert bool((res.labels >= 0).all())


def test_fmix_weight_is_mask_mean() -> None:
    x = _constant_batch(n=8, h=32, w=32)
    y = torch.arange(8)
    res = M.FMix(num_classes=8).augment_with_labels(x, y, generator=make_generator(6))
    share = _share_of_self(x, res.output)
    expected = _expected_labels(y, res.params["partners"], torch.stack([share, 1 - share], 1), 8)
    torch.testing.assert_close(res.labels, expected, rtol=0, atol=1e-6)
    # the mask keeps round(λ·HW) pixels
    assert float((share - res.params["lam"]).abs().max()) <= 1.0 / (32 * 32) + 1e-6


def test_fmix_mask_is_low_frequency() -> None:
    spectrum = torch.randn(4, 64, 33, 2, generator=make_generator(7))
    lam = torch.full((4,), 0.5)
    mask = M.fourier_mask(spectrum, lam, 64, 64, decay=3.0).float()
    # neighbouring pixels agree far more often than for white noise (50 %)
    agree = (mask[..., 1:, :] == mask[..., :-1, :]).float().mean()
    assert float(agree) > 0.9


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8], ids=["float", "uint8"])
def test_resizemix_weight_is_patch_fraction(dtype: torch.dtype) -> None:
    x = _constant_batch(dtype=dtype)
    y = torch.arange(8)
    res = M.ResizeMix(num_classes=8).augment_with_labels(x, y, generator=make_generator(8))
    share = _share_of_self(x, res.output)
    expected = _expected_labels(y, res.params["partners"], torch.stack([share, 1 - share], 1), 8)
    torch.testing.assert_close(res.labels, expected, rtol=0, atol=1e-6)
    assert res.output.dtype == dtype


def test_resizemix_patch_is_the_resized_partner() -> None:
    x = torch.rand(2, 1, 16, 16, generator=make_generator(9))
    rect = torch.tensor([[0, 0, 8, 8], [4, 2, 12, 10]])
    canvas = M.resample_into(x, rect, 16, 16)
    pooled = torch.nn.functional.avg_pool2d(x, 2)  # 2× bilinear downscale at pixel centres == 2×2 mean
    torch.testing.assert_close(canvas[0, :, 0:8, 0:8], pooled[0], rtol=0, atol=1e-5)
    torch.testing.assert_close(canvas[1, :, 4:12, 2:10], pooled[1], rtol=0, atol=1e-5)


def test_mosaic_quadrants_and_weights() -> None:
    x = _constant_batch(n=6, h=20, w=20)
    y = torch.arange(6)
    res = M.Mosaic(num_classes=6).augment_with_labels(x, y, generator=make_generator(10))
    rects = M.Mosaic.quadrants(res.params["center"], 20, 20)
    sources = torch.cat([torch.arange(6).unsqueeze(1), res.params["partners"]], 1)
    assert res.params["partners"].shape == (6, 3)
    for i in range(6):
        for q in range(4):
            top, left, bot, right = rects[i, q].tolist()
            assert torch.allclose(res.output[i, :, top:bot, left:right], x[sources[i, q], :, top:bot, left:right])
    areas = ((rects[..., 2] - rects[..., 0]) * (rects[..., 3] - rects[..., 1])).float() / 400
    onehot = torch.nn.functional.one_hot(y, 6).float()
    torch.testing.assert_close(res.labels, (areas.unsqueeze(-1) * onehot[sources]).sum(1))


def test_mosaic_carries_boxes_and_masks() -> None:
    n, h, w = 4, 20, 20
    x = torch.rand(n, 3, h, w)
    boxes = torch.tensor([[[0.0, 0.0, 20.0, 20.0], [5.0, 5.0, 10.0, 10.0]]]).repeat(n, 1, 1)
    labels = torch.arange(n * 2).view(n, 2)
    mask = torch.zeros(n, h, w, dtype=torch.long)
    mask[:, :10, :10] = torch.arange(1, n + 1).view(n, 1, 1)
    batch = ImageBatch(x, mask=mask, boxes=boxes, box_labels=labels)
    res = M.Mosaic(num_classes=4, p=0.5).augment_with_labels(batch, torch.arange(n), generator=make_generator(11))
    out, params = res.output, res.params
    assert out.boxes.shape == (n, 8, 4) and out.box_valid.shape == (n, 8)
    rects = M.Mosaic.quadrants(params["center"], h, w)
    applied = params["apply"]
    sources = torch.cat([torch.arange(n).unsqueeze(1), params["partners"]], 1)
    for i in range(n):
        if not applied[i]:
            assert torch.equal(out.boxes[i, :2], boxes[i]) and not bool(out.box_valid[i, 2:].any())
            continue
        for q in range(4):
            top, left, bot, right = rects[i, q].tolist()
            # the full-image box of each source becomes exactly its quadrant
            torch.testing.assert_close(out.boxes[i, 2 * q], torch.tensor([left, top, right, bot], dtype=torch.float32))
            assert out.box_labels[i, 2 * q] == labels[sources[i, q], 0]
            # the mask's labelled top-left corner lands in the top-left of each quadrant
            assert int(out.mask[i, top, left]) == int(sources[i, q]) + 1
    assert bool(out.box_valid[applied].all())


def test_cutmix_carries_partner_boxes_clipped_and_drops_covered_ones() -> None:
    n, h, w = 2, 16, 16
    x = torch.rand(n, 3, h, w)
    boxes = torch.tensor([[[4.0, 4.0, 8.0, 8.0]], [[0.0, 0.0, 16.0, 16.0]]])
    batch = ImageBatch(x, boxes=boxes, box_labels=torch.tensor([[7], [9]]))
    mixer = M.CutMix(num_classes=2)
    params = mixer.sample_params(batch, generator=make_generator(12))
    params["lam"] = torch.tensor([0.75, 0.75])  # an 8×8 box
    params["center"] = torch.tensor([[0.375, 0.375], [0.5, 0.5]])  # sample 0: rows/cols 2..10
    out = mixer(batch, params=params)
    # sample 0's own box (pixels 4..7) is covered by the paste → dropped; partner's full box clipped to the paste
    assert out.box_valid[0].tolist() == [False, True]
    torch.testing.assert_close(out.boxes[0, 1], torch.tensor([2.0, 2.0, 10.0, 10.0]))
    assert out.box_labels[0].tolist() == [7, 9]
    # sample 1 keeps its own full-image box; partner's small box lies inside the paste (4..12)
    assert out.box_valid[1].tolist() == [True, True]
    torch.testing.assert_close(out.boxes[1, 1], torch.tensor([4.0, 4.0, 8.0, 8.0]))


def test_mixup_uint8_rounds_the_blend() -> None:
    x = (torch.rand(6, 3, 8, 8, generator=make_generator(13)) * 255).to(torch.uint8)
    out, _, params = M.MixUp(alpha=1.0, num_classes=6).augment_with_labels(
        x, torch.arange(6), generator=make_generator(14)
    )
    lam = params["lam"].view(-1, 1, 1, 1)
    part = params["partners"][:, 0]
    expected = (lam * x.float() + (1 - lam) * x[part].float()).round().to(torch.uint8)
    assert out.dtype == torch.uint8
    assert int((out.int() - expected.int()).abs().max()) <= 1  # lerp vs two-term rounding at .5 ties


def test_label_smoothing_is_applied_before_mixing() -> None:
    x = _constant_batch(n=4)
    y = torch.arange(4)
    res = M.CutMix(num_classes=4, label_smoothing=0.2).augment_with_labels(x, y, generator=make_generator(15))
    share = _share_of_self(x, res.output)
    smooth = torch.nn.functional.one_hot(y, 4).float() * 0.8 + 0.05
    sources = torch.cat([torch.arange(4).unsqueeze(1), res.params["partners"]], 1)
    expected = share.unsqueeze(1) * smooth[sources[:, 0]] + (1 - share).unsqueeze(1) * smooth[sources[:, 1]]
    torch.testing.assert_close(res.labels, expected, rtol=0, atol=1e-6)


def test_shift_pairing_is_a_random_cyclic_shift_without_self_pairs() -> None:
    x = torch.rand(9, 3, 4, 4)
    shifts = set()
    for seed in range(12):
        partners = M.MixUp(num_classes=3).sample_params(x, generator=make_generator(100 + seed))["partners"]
        k = M.cyclic_shift_of(partners)
        assert k is not None and 1 <= k < 9
        assert torch.equal(partners[:, 0], (torch.arange(9) + k) % 9)
        shifts.add(k)
    assert len(shifts) > 3  # the shift is drawn, not fixed like torchvision's roll(1)
    assert M.cyclic_shift_of(torch.tensor([[1], [0], [3], [2]])) is None  # a derangement that is no shift
    assert M.cyclic_shift_of(torch.arange(5).unsqueeze(1)) is None  # k = 0 pairs samples with themselves


@pytest.mark.parametrize("cls", [M.MixUp, M.CutMix], ids=["mixup", "cutmix"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8], ids=["float", "uint8"])
def test_copy_free_shift_path_equals_the_general_path(cls: type, dtype: torch.dtype) -> None:
    from omniaug import Mixer

    x = torch.rand(11, 3, 9, 7, generator=make_generator(16))
    x = x if dtype == torch.float32 else (x * 255).round().to(dtype)
    mixer = cls(alpha=1.0, num_classes=4)
    for seed in range(4):
        params = mixer.sample_params(x, generator=make_generator(200 + seed))
        assert M.cyclic_shift_of(params["partners"]) is not None
        out, weights = mixer.mix_batch(x, params)  # slice-wise, no partner copy
        ref_out, ref_weights = Mixer.mix_batch(mixer, x, params)  # oracle: gathers x[partners], calls mix()
        assert torch.equal(out, ref_out) and out.dtype == dtype
        assert torch.equal(weights, ref_weights)
    # the general path still serves derangements that are no shift
    params["partners"] = torch.tensor([[1], [0], [3], [2], [5], [4], [7], [6], [9], [10], [8]])
    out, weights = mixer.mix_batch(x, params)
    ref_out, ref_weights = Mixer.mix_batch(mixer, x, params)
    assert torch.equal(out, ref_out) and torch.equal(weights, ref_weights)


@pytest.mark.parametrize("cls", [M.MixUp, M.CutMix], ids=["mixup", "cutmix"])
def test_derangement_pairing_and_bad_pairing(cls: type) -> None:
    from omniaug import InputError

    x = torch.rand(16, 3, 4, 4)
    partners = cls(num_classes=3, pairing="derangement").sample_params(x, generator=make_generator(17))["partners"]
    assert not bool((partners[:, 0] == torch.arange(16)).any())
    assert sorted(partners[:, 0].tolist()) == list(range(16))
    with pytest.raises(InputError, match="pairing"):
        cls(pairing="roll")


def test_box_mask_equals_rect_mask() -> None:
    from omniaug_image.ops.occlusion import rect_mask

    lam = torch.rand(7, generator=make_generator(18))
    center = torch.rand(7, 2, generator=make_generator(19))
    rect = M.CutMix.box(lam, center, 13, 17)
    ones = torch.ones(7, 1, dtype=torch.bool)
    assert torch.equal(M._box_mask(rect, 13, 17), rect_mask(rect.unsqueeze(1), ones, 13, 17))
