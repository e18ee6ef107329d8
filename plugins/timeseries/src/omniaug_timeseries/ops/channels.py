"""Channel ops: permutation, swap and 3-D rotation of xyz channel groups.

References:
    Um et al. 2017 (rotation of accelerometer axes, to model sensor placement).
    Abbaspourazad et al. 2024 (channel swap of wearable signals).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from omniaug import InputError, Magnitude, Params, args, rng

from ..series import SeriesView, view_of
from .base import SeriesAugmentation, check_groups

__all__ = ["ChannelPermutation", "ChannelSwap", "Rotation3D", "rotation_matrices"]


def _check_group_channels(op: SeriesAugmentation, groups: list[list[int]] | None, x: Any, minimum: int) -> None:
    c = view_of(x).values.shape[1]
    if groups is None:
        if c < minimum:
            raise InputError(
                "x", f"a series with at least {minimum} channels for {op.name}", view_of(x).values, where=op.name
            )
        return
    top = max(max(g) for g in groups)
    if top >= c:
        raise InputError(
            "x", f"at least {top + 1} channels (groups name channel {top})", view_of(x).values, where=op.name
        )


def _groups_or_all(groups: list[list[int]] | None, c: int) -> list[list[int]]:
    return groups if groups is not None else [list(range(c))]


class ChannelPermutation(SeriesAugmentation):
    """Shuffle channels per sample, optionally only within declared channel groups.

    Args:
        groups: lists of channel indices that may trade places (e.g. ``[[0, 1, 2], [3, 4, 5]]``
            for two sensors); channels in no group stay. ``None``: all channels.
    """

    name = "timeseries.channel_permutation"
    differentiable = True

    @classmethod
    def example_instances(cls) -> list[Any]:
        return [cls(), cls(groups=[[0, 2]])]

    def __init__(self, groups: list[list[int]] | None = None, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.groups = check_groups("groups", groups, None, self.name)

    def check(self, x: Any) -> None:
        _check_group_channels(self, self.groups, x, 2)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        c = view_of(x).values.shape[1]
        keys = rng.uniform(batch_size, 0.0, 1.0, shape=(c,), generator=generator, device=device)
        perm = torch.arange(c, device=device).repeat(batch_size, 1)
        for group in _groups_or_all(self.groups, c):  # loop over channel groups, not samples
            idx = torch.tensor(group, device=device)
            order = keys[:, idx].argsort(-1)
            perm[:, idx] = idx[order]
        return {"perm": perm}

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        b, c, t = view.values.shape
        return view.values.gather(1, params["perm"].to(view.values.device).unsqueeze(-1).expand(b, c, t))


class ChannelSwap(ChannelPermutation):
    """Swap one random pair of channels per sample (within a group when groups are given).

    The pair is uniform over all pairs the groups allow (Abbaspourazad et al. 2024's
    channel swap of multi-channel wearable signals).
    """

    name = "timeseries.channel_swap"
    differentiable = True

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        c = view_of(x).values.shape[1]
        pairs = [
            (g[i], g[j]) for g in _groups_or_all(self.groups, c) for i in range(len(g)) for j in range(i + 1, len(g))
        ]
        if not pairs:
            raise InputError("groups", "at least one group of two or more channels", self.groups, where=self.name)
        table = torch.tensor(pairs, device=device)
        pick = table[rng.randint(batch_size, 0, len(pairs), generator=generator, device=device)]  # (B, 2)
        perm = torch.arange(c, device=device).repeat(batch_size, 1)
        perm = perm.scatter(1, pick, pick.flip(1))
        return {"perm": perm}


def rotation_matrices(axis: torch.Tensor, angle: torch.Tensor) -> torch.Tensor:
    """Rodrigues' formula: unit ``axis (..., 3)`` and ``angle (...)`` in radians → ``(..., 3, 3)``."""
    x, y, z = axis.unbind(-1)
    zero = torch.zeros_like(x)
    k = torch.stack([zero, -z, y, z, zero, -x, -y, x, zero], dim=-1).reshape(*axis.shape[:-1], 3, 3)
    eye = torch.eye(3, dtype=axis.dtype, device=axis.device).expand_as(k)
    s, c = torch.sin(angle)[..., None, None], torch.cos(angle)[..., None, None]
    return eye + s * k + (1 - c) * (k @ k)


class Rotation3D(SeriesAugmentation):
    """Rotate xyz channel triples (accelerometer, gyroscope) by a random 3-D rotation per sample.

    The axis is uniform on the sphere and the angle uniform in ``[-max_angle, max_angle]``
    degrees (Um et al. 2017's rotation, modelling a different sensor placement). One
    rotation moves every group by default — sensors of one device turn together —
    or each group gets its own with ``shared=False``. Rotations preserve the norm of
    every (x, y, z) vector at every step.

    Args:
        groups: channel triples to rotate (default ``[[0, 1, 2]]``).
        max_angle: largest rotation angle in degrees (180 = any orientation).
        shared: one rotation for all groups (default) or one per group.
    """

    name = "timeseries.rotation_3d"
    differentiable = True
    magnitude = Magnitude("max_angle", 0.0, 180.0)

    @classmethod
    def example_instances(cls) -> list[Any]:
        return [cls(), cls(max_angle=30.0, shared=False)]

    def __init__(
        self,
        groups: list[list[int]] | None = None,
        max_angle: float = 180.0,
        *,
        shared: bool = True,
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        self.groups = check_groups("groups", [[0, 1, 2]] if groups is None else groups, 3, self.name)
        self.max_angle = args.finite("max_angle", max_angle, low=0.0, high=180.0, where=self.name)
        self.shared = bool(shared)

    def check(self, x: Any) -> None:
        _check_group_channels(self, self.groups, x, 3)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        assert self.groups is not None
        g = 1 if self.shared else len(self.groups)
        axis = rng.normal(batch_size, 0.0, 1.0, shape=(g, 3), generator=generator, device=device)
        axis = axis / axis.norm(dim=-1, keepdim=True).clamp_min(1e-12)
        limit = math.radians(self.max_angle)
        angle = rng.uniform(batch_size, -limit, limit, shape=(g,), generator=generator, device=device)
        return {"rotation": rotation_matrices(axis, angle)}

    def inner_kernel(self, view: SeriesView, params: Params) -> torch.Tensor:
        assert self.groups is not None
        rot = params["rotation"].to(device=view.values.device, dtype=view.values.dtype)
        out = view.values.clone()
        for i, group in enumerate(self.groups):  # loop over channel groups, not samples
            idx = torch.tensor(group, device=view.values.device)
            r = rot[:, 0 if self.shared else i]
            out[:, idx] = r @ view.values[:, idx]
        return out
