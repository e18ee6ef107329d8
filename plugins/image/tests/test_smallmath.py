"""Per-sample matrix math: the NumPy path (CPU) and the torch path (other devices) agree."""

from __future__ import annotations

import torch

from omniaug import host
from omniaug_image import color_fusion
from omniaug_image import functional_geometric as FG


def _inputs(n: int = 37):
    g = torch.Generator().manual_seed(0)
    angle = torch.rand(n, generator=g) * 60 - 30
    translate = torch.rand(n, 2, generator=g) * 40 - 20
    scale = torch.rand(n, generator=g) * 0.4 + 0.8
    shear = torch.rand(n, 2, generator=g) * 20 - 10
    return angle, translate, scale, shear


def _both_paths(monkeypatch, fn):
    with host.force("host"):
        on_host = fn()
    with host.force("torch"):  # what a GPU tensor (or a large batch) takes
        return on_host, fn()


def test_affine_inverse_and_normalization_agree_between_numpy_and_torch(monkeypatch) -> None:
    angle, translate, scale, shear = _inputs()
    host, device = _both_paths(monkeypatch, lambda: FG.affine_matrices(angle, translate, scale, shear, 224, 160))
    assert host.dtype == device.dtype == torch.float32
    torch.testing.assert_close(host, device, atol=1e-4, rtol=1e-5)
    m = host
    inv_h, inv_d = _both_paths(monkeypatch, lambda: FG.inverse3x3(m.double()))
    torch.testing.assert_close(inv_h, inv_d, atol=1e-9, rtol=1e-9)
    torch.testing.assert_close(
        FG.matmul3(m.double(), inv_h), torch.eye(3, dtype=torch.float64).expand_as(inv_h), atol=1e-9, rtol=0
    )
    n_h, n_d = _both_paths(monkeypatch, lambda: FG.normalized_matrices(m, (224, 160), (100, 120)))
    assert n_h.dtype == n_d.dtype == torch.float64
    torch.testing.assert_close(n_h, n_d, atol=1e-9, rtol=1e-9)
    first, then = torch.rand(9, 7, 7), torch.rand(9, 7, 7)
    c_h, c_d = _both_paths(monkeypatch, lambda: color_fusion._compose(first, then))
    torch.testing.assert_close(c_h, c_d, atol=1e-5, rtol=1e-5)
    factor = torch.rand(9) - 0.5
    h_h, h_d = _both_paths(monkeypatch, lambda: color_fusion.hue_matrix(factor, 3))
    assert h_h.dtype == h_d.dtype == torch.float32
    torch.testing.assert_close(h_h, h_d, atol=1e-6, rtol=1e-6)
