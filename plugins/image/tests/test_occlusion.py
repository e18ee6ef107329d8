"""Occlusion ops: contract, torchvision ``erase`` oracle, box dropping, GridMask geometry."""

from __future__ import annotations

import math

import pytest
import torch
import torchvision.transforms.v2.functional as TF

from omniaug import InputError
from omniaug.rng import make_generator
from omniaug.testing import AugmentationContract
from omniaug_image import ImageBatch
from omniaug_image.ops import occlusion as O


class TestOcclusionVariantsContract(AugmentationContract):
    # defaults run in test_contract.py; these are the other modes
    omniaug_ops = [O.RandomErasing(max_holes=4, fill="random"), O.GridMask(degrees=30.0, fill=[1.0, 0.5, 0.0])]


@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8], ids=["float", "uint8"])
def test_random_erasing_matches_torchvision_erase(dtype: torch.dtype) -> None:
    x = torch.rand(6, 3, 20, 24, generator=make_generator(0))
    if dtype == torch.uint8:
        x = (x * 255).to(torch.uint8)
    op = O.RandomErasing(scale=(0.05, 0.3), max_holes=3, fill=[0.2, 0.4, 0.6])
    out, params = op.augment(x, generator=make_generator(1))
    fill = torch.tensor([0.2, 0.4, 0.6]).view(3, 1, 1)
    fill = fill.to(dtype) if dtype.is_floating_point else (fill * 255).round().to(dtype)
    holes, active = params["holes"], params["active"]
    assert bool(active[:, 0].all()) and active.sum() > 6  # every sample has >= 1 hole, some have more
    for i in range(6):
        ref = x[i]
        for k in range(3):
            if active[i, k]:
                top, left, bot, right = holes[i, k].tolist()
                ref = TF.erase(ref, top, left, bot - top, right - left, fill.expand(3, bot - top, right - left))
        assert torch.equal(out[i], ref)


def test_hole_areas_and_fit() -> None:
    x = torch.rand(200, 1, 32, 32)
    params = O.RandomErasing(scale=(0.1, 0.2), ratio=(0.5, 2.0)).augment(x, generator=make_generator(2)).params
    top, left, bot, right = params["holes"][:, 0].unbind(-1)
    area = ((bot - top) * (right - left)).float() / (32 * 32)
    assert bool((top >= 0).all() and (left >= 0).all() and (bot <= 32).all() and (right <= 32).all())
    assert 0.08 < float(area.min()) and float(area.max()) < 0.23  # rounding of the sides only
    aspect = (bot - top).float() / (right - left).float()
    assert 0.4 < float(aspect.min()) and float(aspect.max()) < 2.5


def test_fully_erased_boxes_are_dropped() -> None:
    x = torch.rand(2, 3, 16, 16)
    boxes = torch.tensor(
        [[[2.0, 2.0, 6.0, 6.0], [0.0, 0.0, 16.0, 16.0]], [[10.0, 10.0, 12.0, 12.0], [3.0, 3.0, 5.0, 5.0]]]
    )
    batch = ImageBatch(x, boxes=boxes, box_labels=torch.tensor([[1, 2], [3, 4]]))
    op = O.RandomErasing(max_holes=2)
    params = op.augment(batch, generator=make_generator(0)).params
    # hand-made holes: sample 0 covers box 0 exactly; sample 1 covers box 1 but box 0 only partly
    params["holes"] = torch.tensor([[[2, 2, 6, 6], [0, 0, 0, 0]], [[3, 3, 5, 5], [10, 10, 11, 12]]])
    params["active"] = torch.tensor([[True, False], [True, True]])
    out = op(batch, params=params)
    assert out.box_valid.tolist() == [[False, True], [True, False]]
    assert torch.equal(out.boxes, boxes) and torch.equal(out.box_labels, batch.box_labels)
    assert bool((out.image[0, :, 2:6, 2:6] == 0).all())


def test_box_dropping_matches_brute_force() -> None:
    g = make_generator(5)
    n, h, w = 8, 12, 14
    erased = torch.rand(n, 1, h, w, generator=g) < 0.7
    erased[:, :, 3:9, 4:10] = True
    xy = torch.rand(n, 6, 2, generator=g) * torch.tensor([w, h])
    wh = torch.rand(n, 6, 2, generator=g) * 6
    boxes = torch.cat([xy, xy + wh], dim=-1)
    boxes[:, 0] = torch.tensor([4.0, 3.0, 10.0, 9.0])  # exactly the erased block
    out = O.drop_erased_boxes(ImageBatch(torch.zeros(n, 3, h, w), boxes=boxes), erased)
    for i in range(n):
        for k in range(6):
            x1, y1, x2, y2 = boxes[i, k].tolist()
            pix = [(r, c) for r in range(h) for c in range(w) if x1 <= c + 0.5 <= x2 and y1 <= r + 0.5 <= y2]
            full = bool(pix) and all(bool(erased[i, 0, r, c]) for r, c in pix)
            assert bool(out.box_valid[i, k]) == (not full)
    assert not bool(out.box_valid[:, 0].any())


def test_grid_mask_matches_per_pixel_formula() -> None:
    x = torch.rand(3, 3, 21, 25)
    op = O.GridMask(side=0.4, degrees=45.0)
    out, params = op.augment(x, generator=make_generator(3))
    for i in range(3):
        d, (ox, oy), a = float(params["unit"][i]), params["offset"][i].tolist(), float(params["angle"][i])
        for r in range(21):
            for c in range(25):
                px, py = c + 0.5 - 25 / 2, r + 0.5 - 21 / 2
                u = math.cos(a) * px + math.sin(a) * py + ox
                v = -math.sin(a) * px + math.cos(a) * py + oy
                erased = (u % d) < 0.4 * d and (v % d) < 0.4 * d
                # float32 vs float64 can disagree exactly on a cell edge; those pixels are skipped
                near_edge = min(abs((u % d) - 0.4 * d), abs((v % d) - 0.4 * d), u % d, v % d) < 1e-3
                if near_edge:
                    continue
                expected = torch.zeros(3) if erased else x[i, :, r, c]
                assert torch.equal(out[i, :, r, c], expected)


def test_grid_mask_erases_about_ratio_squared() -> None:
    x = torch.ones(16, 1, 64, 64)
    out = O.GridMask(side=0.5, unit=(0.1, 0.2))(x, generator=make_generator(4))
    frac = float((out == 0).float().mean())
    assert abs(frac - 0.25) < 0.04


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="scale"):
        O.RandomErasing(scale=(0.5, 0.1))
    with pytest.raises(InputError, match="fill"):
        O.RandomErasing(fill="noise")
    with pytest.raises(InputError, match="max_holes"):
        O.RandomErasing(max_holes=0)
