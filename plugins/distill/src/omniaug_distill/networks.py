"""Small networks for distillation, built from a caller's generator (never the global RNG).

Distribution matching embeds real and synthetic samples with *randomly
initialised* networks, a fresh one every iteration; gradient matching trains
them. The shape of the input picks the network: ``(B, F)`` → an MLP, ``(B, C, T)``
(series, waveforms) → a 1-D ConvNet, ``(B, C, H, W)`` (images, spectrograms) → a
2-D ConvNet, as in the DC/DM papers (conv → instance norm → ReLU → average pool
blocks, then one linear layer).

``torch.nn`` layers draw their initial weights from the global RNG; here every
layer is created on the ``meta`` device (no draw) and filled from the caller's
generator, so building a network never changes global random state.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from omniaug import InputError, rng

__all__ = ["DistillNet", "make_network", "init_from_generator"]


class DistillNet(nn.Module):
    """``features`` (the embedding distribution matching compares) followed by a linear ``classifier``."""

    def __init__(self, features: nn.Module, feature_dim: int, num_classes: int) -> None:
        super().__init__()
        self.features = features
        self.classifier = nn.Linear(feature_dim, num_classes)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x).flatten(1)  # type: ignore[no-any-return]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.embed(x))  # type: ignore[no-any-return]


def _depth(sizes: Sequence[int], max_depth: int) -> int:
    """Pooling blocks that keep every spatial size ≥ 2."""
    return max(1, min(max_depth, int(math.log2(max(2, min(sizes)))) - 1))


def _conv_features(dim: int, channels: int, sizes: Sequence[int], width: int, depth: int) -> tuple[nn.Module, int]:
    conv = nn.Conv2d if dim == 2 else nn.Conv1d
    pool = nn.AvgPool2d if dim == 2 else nn.AvgPool1d
    layers: list[nn.Module] = []
    c = channels
    out = list(sizes)
    for _ in range(depth):
        layers += [conv(c, width, 3, padding=1), nn.GroupNorm(width, width), nn.ReLU(), pool(2)]
        c = width
        out = [s // 2 for s in out]
    return nn.Sequential(*layers), width * math.prod(out)


def make_network(
    example: torch.Tensor,
    num_classes: int,
    *,
    width: int = 64,
    max_depth: int = 3,
    generator: torch.Generator | None = None,
) -> DistillNet:
    """A network for batches shaped like ``example``, initialised from ``generator``.

    ``(B, F)`` → MLP (one hidden layer of ``width``); ``(B, C, T)`` → 1-D ConvNet;
    ``(B, C, H, W)`` → 2-D ConvNet; ConvNet depth is the number of 2× poolings that
    keep every spatial size ≥ 2, at most ``max_depth``.
    """
    if not isinstance(example, torch.Tensor) or example.dim() not in (2, 3, 4) or not example.is_floating_point():
        raise InputError(
            "x", "a float tensor (B, F), (B, C, T) or (B, C, H, W)", example, where="omniaug_distill.make_network"
        )
    with torch.device("meta"):
        if example.dim() == 2:
            features: nn.Module = nn.Sequential(nn.Linear(example.shape[1], width), nn.ReLU())
            net = DistillNet(features, width, num_classes)
        else:
            sizes = list(example.shape[2:])
            depth = _depth(sizes, max_depth)
            features, dim = _conv_features(example.dim() - 2, example.shape[1], sizes, width, depth)
            net = DistillNet(features, dim, num_classes)
    net = net.to_empty(device=example.device).to(example.dtype)
    init_from_generator(net, generator)
    return net


def init_from_generator(module: nn.Module, generator: torch.Generator | None) -> nn.Module:
    """(Re-)initialise every layer of ``module`` in place: He-normal weights, zero biases, unit norms.

    Draws only from ``generator`` (made on the module's device when ``None`` would
    otherwise read the global RNG: a fixed seed 0 is used instead).
    """
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            w = m.weight
            fan_in = w[0].numel()
            g = generator if generator is not None else rng.make_generator(0, w.device)
            noise = torch.randn(w.shape, generator=g, device=g.device, dtype=torch.float32)
            with torch.no_grad():
                w.copy_(noise.to(w.device, w.dtype) * math.sqrt(2.0 / fan_in))
                if m.bias is not None:
                    m.bias.zero_()
        elif isinstance(m, (nn.GroupNorm, nn.BatchNorm1d, nn.BatchNorm2d, nn.LayerNorm)):
            with torch.no_grad():
                if getattr(m, "weight", None) is not None:
                    m.weight.fill_(1.0)
                if getattr(m, "bias", None) is not None:
                    m.bias.zero_()
            if hasattr(m, "reset_running_stats"):
                m.reset_running_stats()
    return module
