"""omniaug.host: zero-copy NumPy views only for small CPU tensors without gradient; one threshold, one switch."""

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


def test_unit_interval_accepts_exactly_the_non_negative_values_up_to_one_plus_slack():
    from omniaug.host import in_unit_interval

    assert in_unit_interval(torch.tensor([0.0, 0.5, 1.0])) is True
    assert in_unit_interval(torch.rand(3, 5, 7)) is True
    assert in_unit_interval(torch.tensor([0.0, 1.0005]), slack=1e-3) is True
    assert in_unit_interval(torch.tensor([0.0, 1.0005])) is None  # above 1 without slack
    assert in_unit_interval(torch.tensor([0.2, 1.002]), slack=1e-3) is None
    for bad in (-1e-6, -0.0, -5.0, float("nan"), float("inf"), float("-inf")):
        assert in_unit_interval(torch.tensor([0.5, bad, 0.25])) is None, bad


def test_unit_interval_defers_what_it_cannot_read_cheaply():
    from omniaug.host import in_unit_interval

    assert in_unit_interval(torch.rand(4, dtype=torch.float64)) is None
    assert in_unit_interval(torch.rand(4, 6).t()) is None  # not contiguous
    assert in_unit_interval(torch.rand(4, requires_grad=True)) is None
    assert in_unit_interval(torch.empty(0)) is None


def test_unit_interval_agrees_with_aminmax_on_random_data():
    from omniaug.host import in_unit_interval

    g = torch.Generator().manual_seed(0)
    for _ in range(50):
        t = torch.randn(257, generator=g) * 0.3 + 0.5
        lo, hi = torch.aminmax(t)
        exact = bool(lo >= 0 and hi <= 1)  # randn never gives -0.0, the one value where bits and order differ
        assert (in_unit_interval(t) is True) == exact


def test_none_for_dtypes_numpy_lacks_and_other_devices():
    assert host_views(torch.zeros(3), torch.zeros(2, dtype=torch.bfloat16)) is None
    assert host_views(torch.zeros(3), torch.zeros(2, device="meta")) is None


def test_default_limit_is_the_one_threshold():
    from omniaug.host import HOST_MAX

    assert host_views(torch.zeros(HOST_MAX)) is not None
    assert host_views(torch.zeros(HOST_MAX + 1)) is None
    assert host_views(torch.zeros(HOST_MAX + 1), limit=None) is not None


def test_force_switches_every_host_path_and_restores():
    from omniaug import host

    big, small = torch.zeros(host.HOST_MAX + 1), torch.zeros(3)
    with host.force("host"):
        assert host.forced() == "host"
        assert host_views(big) is not None and host.use_host(1 << 40)
        assert host_views(torch.zeros(2, requires_grad=True)) is None, "forcing never views what cannot be viewed"
    with host.force("torch"):
        assert host_views(small) is None and not host.use_host(0)
        with host.force(None):
            assert host_views(small) is not None and host_views(big) is None
        assert host.forced() == "torch"
    assert host.forced() is None and host.use_host(host.HOST_MAX) and not host.use_host(host.HOST_MAX + 1)


def test_force_names_the_bad_path():
    import pytest

    from omniaug import InputError, host

    with pytest.raises(InputError, match="path"), host.force("gpu"):
        pass


def test_environment_variable_forces_a_path(monkeypatch):
    import pytest

    from omniaug import InputError, host

    monkeypatch.setenv("OMNIAUG_HOST_PATH", "torch")
    assert host._from_env() == "torch"
    monkeypatch.setenv("OMNIAUG_HOST_PATH", "auto")
    assert host._from_env() is None
    monkeypatch.setenv("OMNIAUG_HOST_PATH", "numpy")
    with pytest.raises(InputError, match="OMNIAUG_HOST_PATH"):
        host._from_env()
