"""Wrapped ops move images between CHW tensors and HWC arrays with ``cv2.transpose`` (issue #22): same bytes as a transpose copy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from omniaug.interop import _wrap


@pytest.mark.parametrize("dtype", [torch.uint8, torch.float32, torch.float64, torch.int16, torch.bool])
@pytest.mark.parametrize("channels", [1, 3, 4])
def test_hwc_sample_and_back_are_transposes(dtype: torch.dtype, channels: int) -> None:
    g = torch.Generator().manual_seed(0)
    x = (torch.rand(3, channels, 17, 23, generator=g) * 200).to(dtype)
    for i in range(3):
        hwc = _wrap._hwc_sample(x, i)
        assert hwc.flags["C_CONTIGUOUS"] and hwc.shape == (17, 23, channels)
        assert np.array_equal(hwc, x[i].permute(1, 2, 0).numpy())
        assert not np.shares_memory(hwc, x.numpy())  # a copy: the peer may write into it
        back = _wrap._from_numpy_hwc(hwc, x)
        assert back.is_contiguous() and back.dtype == x.dtype and torch.equal(back, x[i])


def test_from_numpy_hwc_rounds_float_results_for_uint8_batches() -> None:
    like = torch.zeros(1, 3, 2, 2, dtype=torch.uint8)
    arr = np.full((2, 2, 3), 254.6, dtype=np.float32)
    arr[0, 0] = [-3.0, 300.0, 7.4]
    out = _wrap._from_numpy_hwc(arr, like)
    assert out.dtype == torch.uint8 and out[:, 0, 0].tolist() == [0, 255, 7] and int(out[0, 1, 1]) == 255
    grey = _wrap._from_numpy_hwc(np.arange(4, dtype=np.uint8).reshape(2, 2), like[:, :1])
    assert grey.shape == (1, 2, 2) and grey.flatten().tolist() == [0, 1, 2, 3]
