"""The contract checks on plain float and uint8 tensors (the registered contract runs on ImageBatch)."""

from __future__ import annotations

import pytest
import torch

from omniaug.testing import check_augmentation
from omniaug_image.modality import example_images
from omniaug_image.ops.geometric import OPS

INSTANCES = [cls() for cls in OPS]


@pytest.mark.parametrize("op", INSTANCES, ids=lambda o: o.name)
@pytest.mark.parametrize("dtype", [torch.float32, torch.uint8])
def test_contract_on_plain_tensors(op, dtype: torch.dtype) -> None:  # type: ignore[no-untyped-def]
    x = example_images(6, generator=torch.Generator().manual_seed(0), size=20)
    if dtype == torch.uint8:
        x = (x * 255).round().to(torch.uint8)
    check_augmentation(op, x)


@pytest.mark.parametrize("op", INSTANCES, ids=lambda o: o.name)
def test_single_image_round_trip(op) -> None:  # type: ignore[no-untyped-def]
    x = example_images(1, generator=torch.Generator().manual_seed(1), size=20)
    out, params = op.augment(x[0], generator=torch.Generator().manual_seed(2))
    assert out.shape == x[0].shape
    torch.testing.assert_close(out, op(x, params=params)[0])
