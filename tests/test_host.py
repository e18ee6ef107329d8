"""omniaug.host.host_views: zero-copy NumPy views only for CPU tensors without gradient, within a size limit."""

from __future__ import annotations

import torch

from omniaug.host import host_views


def test_views_share_memory_with_the_tensors():
    a, b = torch.zeros(4), torch.arange(6).view(2, 3)
    views = host_views(a, b)
    assert views is not None and [v.shape for v in views] == [(4,), (2, 3)]
    views[0][1] = 7.0
    assert float(a[1]) == 7.0


def test_none_for_gradients_and_above_the_limit():
    assert host_views(torch.zeros(3), torch.zeros(2, requires_grad=True)) is None
    assert host_views(torch.zeros(10), limit=9) is None
    assert host_views(torch.zeros(10), limit=10) is not None
    assert host_views(torch.zeros(10), torch.zeros(100), limit=10) is not None  # the first tensor sets the size
