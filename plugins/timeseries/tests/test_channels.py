"""Channel permutation, swap and 3-D rotation."""

from __future__ import annotations

import pytest
import torch

from omniaug import InputError
from omniaug.rng import make_generator
from omniaug_timeseries import ChannelPermutation, ChannelSwap, Rotation3D, SeriesBatch
from omniaug_timeseries.ops.channels import rotation_matrices


def _distinct_channels(b: int, c: int, t: int = 20) -> torch.Tensor:
    # channel i holds the constant i + 1 plus a ramp, so the source of every output channel is readable
    return (
        (torch.arange(c, dtype=torch.float32).view(1, c, 1) + 1) * 100
        + torch.arange(t).float().view(1, 1, t)
        + torch.zeros(b, 1, 1)
    )


def test_channel_permutation_is_a_permutation_per_sample() -> None:
    x = _distinct_channels(64, 5)
    out, params = ChannelPermutation().augment(x, generator=make_generator(0))
    perm = params["perm"]
    assert torch.equal(perm.sort(-1).values, torch.arange(5).expand(64, 5))
    assert torch.equal(out, x.gather(1, perm.unsqueeze(-1).expand(64, 5, 20)))
    assert len({tuple(p) for p in perm.tolist()}) > 10, "each sample draws its own permutation"


def test_channel_permutation_stays_within_groups() -> None:
    x = _distinct_channels(64, 7)
    groups = [[0, 2, 4], [1, 5]]
    perm = ChannelPermutation(groups=groups).augment(x, generator=make_generator(1)).params["perm"]
    for grp in groups:
        assert bool(torch.isin(perm[:, grp], torch.tensor(grp)).all())
    assert bool((perm[:, 3] == 3).all()) and bool((perm[:, 6] == 6).all())


def test_channel_swap_swaps_exactly_one_pair_within_a_group() -> None:
    x = _distinct_channels(128, 6)
    out, params = ChannelSwap(groups=[[0, 1, 2], [3, 4, 5]]).augment(x, generator=make_generator(2))
    moved = params["perm"] != torch.arange(6)
    assert bool((moved.sum(1) == 2).all())
    i, j = moved.nonzero()[:, 1].view(-1, 2).unbind(1)
    assert bool(((i < 3) == (j < 3)).all()), "a swap never crosses groups"
    assert torch.equal(out, x.gather(1, params["perm"].unsqueeze(-1).expand(128, 6, 20)))


def test_group_channels_must_exist() -> None:
    with pytest.raises(InputError, match="channels"):
        ChannelPermutation(groups=[[0, 5]])(torch.zeros(2, 3, 10), generator=make_generator(0))
    with pytest.raises(InputError, match="groups"):
        ChannelSwap(groups=[[0, 1], [1, 2]])


def test_rotation_matrices_are_proper_rotations() -> None:
    g = make_generator(3)
    axis = torch.nn.functional.normalize(torch.randn(100, 3, generator=g, dtype=torch.float64), dim=-1)
    angle = torch.rand(100, generator=g, dtype=torch.float64) * 6.3 - 3.15
    r = rotation_matrices(axis, angle)
    torch.testing.assert_close(r @ r.transpose(-1, -2), torch.eye(3, dtype=torch.float64).expand(100, 3, 3))
    torch.testing.assert_close(torch.linalg.det(r), torch.ones(100, dtype=torch.float64))
    torch.testing.assert_close((r @ axis.unsqueeze(-1)).squeeze(-1), axis)  # the axis is fixed
    cos = (r.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2
    torch.testing.assert_close(cos, torch.cos(angle))


def test_rotation_preserves_per_step_norms_and_other_channels() -> None:
    x = torch.randn(16, 7, 50, generator=make_generator(4))
    op = Rotation3D(groups=[[0, 1, 2], [3, 4, 5]])
    out, params = op.augment(x, generator=make_generator(5))
    for grp in ([0, 1, 2], [3, 4, 5]):
        torch.testing.assert_close(out[:, grp].norm(dim=1), x[:, grp].norm(dim=1))
    assert torch.equal(out[:, 6], x[:, 6])
    rot = params["rotation"][:, 0]
    torch.testing.assert_close(out[:, :3], rot @ x[:, :3])
    torch.testing.assert_close(out[:, 3:6], rot @ x[:, 3:6])  # shared: one device, one rotation


def test_rotation_per_group_and_angle_limit() -> None:
    x = torch.randn(32, 6, 10, generator=make_generator(6))
    op = Rotation3D(groups=[[0, 1, 2], [3, 4, 5]], max_angle=10.0, shared=False)
    out, params = op.augment(x, generator=make_generator(7))
    rot = params["rotation"]
    assert rot.shape == (32, 2, 3, 3)
    torch.testing.assert_close(out[:, 3:6], rot[:, 1] @ x[:, 3:6])
    cos = (rot.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2
    assert bool((cos >= torch.cos(torch.deg2rad(torch.tensor(10.0))) - 1e-6).all())


def test_rotation_keeps_padding(padded: SeriesBatch) -> None:
    x = SeriesBatch(padded.values + 5.0, padded.lengths, padded.labels)  # non-zero padding
    out = Rotation3D()(x, generator=make_generator(8))
    for b, n in enumerate(x.lengths.tolist()):
        assert torch.equal(out.values[b, :, n:], x.values[b, :, n:])
