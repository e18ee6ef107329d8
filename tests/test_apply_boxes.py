"""Per-image box lists in COCO / Pascal VOC / YOLO formats go into and come out of ImageBatch."""

from __future__ import annotations

import numpy as np
import pytest
import torch

pytest.importorskip("omniaug_image")
tv_ops = pytest.importorskip("torchvision.ops")

from omniaug import InputError  # noqa: E402
from omniaug.rng import make_generator  # noqa: E402
from omniaug_image import Affine, HorizontalFlip, ImageBatch, box_lists, with_boxes  # noqa: E402
from omniaug_image.box_formats import from_xyxy, to_xyxy  # noqa: E402


@pytest.fixture(scope="module")
def photos() -> torch.Tensor:
    """Two real 427 × 640 photos (scikit-learn's china and flower), uint8 (2, 3, 427, 640)."""
    from sklearn.datasets import load_sample_images

    return torch.from_numpy(np.stack(load_sample_images().images)).permute(0, 3, 1, 2).contiguous()


# Hand-drawn boxes around objects of the photos: the china temple roof and a flower, in COCO [x, y, w, h].
COCO = [
    [[113.0, 40.0, 380.0, 150.0], [0.0, 300.0, 640.0, 127.0], [250.0, 200.0, 60.0, 90.0]],
    [[180.0, 90.0, 290.0, 250.0]],
]
LABELS = [[3, 7, 1], [5]]


def test_formats_agree_with_torchvision_box_convert(photos):
    coco = torch.tensor(COCO[0])
    xyxy = to_xyxy(coco, "coco")
    assert torch.equal(xyxy, tv_ops.box_convert(coco, "xywh", "xyxy"))
    h, w = photos.shape[-2:]
    cxcywh = tv_ops.box_convert(xyxy, "xyxy", "cxcywh")
    yolo = from_xyxy(xyxy, "yolo", (h, w))
    assert torch.allclose(yolo, cxcywh / torch.tensor([w, h, w, h]), atol=1e-6)
    assert torch.allclose(to_xyxy(yolo, "yolo", (h, w)), xyxy, atol=1e-4)
    assert torch.equal(from_xyxy(xyxy, "voc"), xyxy) and torch.equal(from_xyxy(xyxy, "coco"), coco)


def test_lists_of_different_lengths_go_in_and_come_back_in_every_format(photos):
    batch = with_boxes(photos, COCO, LABELS, format="coco")
    assert isinstance(batch, ImageBatch) and batch.boxes.shape == (2, 3, 4)
    assert batch.box_valid.tolist() == [[True, True, True], [True, False, False]]
    assert batch.box_labels[1].tolist() == [5, -1, -1]
    for fmt in ("coco", "voc", "yolo", "xyxy"):
        boxes, labels = box_lists(batch, format=fmt)
        assert [len(b) for b in boxes] == [3, 1] and [lab.tolist() for lab in labels] == LABELS
        again = with_boxes(photos, boxes, labels, format=fmt)
        assert torch.allclose(again.boxes, batch.boxes, atol=1e-3)
    empty = with_boxes(photos, [[], COCO[1]], format="coco")
    assert [len(b) for b in box_lists(empty, format="coco")[0]] == [0, 1]


def test_a_flip_moves_coco_boxes_as_the_formula_says(photos):
    batch = with_boxes(photos, COCO, LABELS, format="coco")
    out = HorizontalFlip(p=1.0)(batch, generator=make_generator(0))
    boxes, _ = box_lists(out, format="coco")
    w = photos.shape[-1]
    for got, src in zip(boxes, COCO):
        src = torch.tensor(src)
        expected = torch.stack([w - src[:, 0] - src[:, 2], src[:, 1], src[:, 2], src[:, 3]], 1)
        assert torch.allclose(got, expected, atol=1e-3)


def test_boxes_an_op_drops_are_left_out(photos):
    batch = with_boxes(photos, COCO, LABELS, format="coco")
    out = Affine(degrees=0.0, translate=(0.45, 0.45), p=1.0)(batch, generator=make_generator(3))
    boxes, labels = box_lists(out, format="yolo")
    kept = out.box_valid.sum(1).tolist()
    assert [len(b) for b in boxes] == kept and all(len(x) == n for x, n in zip(labels, kept))
    for b in boxes:
        assert ((b[:, :2] >= 0) & (b[:, :2] <= 1)).all() and (b[:, 2:] > 0).all()  # centres inside, sizes positive


def test_bad_lists_are_clear_errors(photos):
    with pytest.raises(InputError, match="one box list per image"):
        with_boxes(photos, COCO[:1], format="coco")
    with pytest.raises(InputError, match=r"labels\[0\]"):
        with_boxes(photos, COCO, [[1], [5]], format="coco")
    with pytest.raises(InputError, match="format"):
        with_boxes(photos, COCO, format="xywh")
    with pytest.raises(InputError, match="non-negative width"):
        with_boxes(photos, [[[10, 10, -5, 4]], []], format="coco")
