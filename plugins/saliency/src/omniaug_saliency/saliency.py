"""Saliency maps: the model's input gradient (one backward pass for the batch) or a map the caller hands in.

Gradient saliency (Simonyan et al. 2014, as used by Puzzle Mix) is
``‖∂ loss_i / ∂ x_i‖`` over channels at every pixel (or time step). It is
computed through the core model-aware protocol (:class:`omniaug.ModelContext`,
:func:`omniaug.model_guard`): the model runs in the context's mode with frozen
parameters, so neither its weights, ``.grad`` nor BatchNorm statistics change,
and the batch's gradient comes from a single backward pass of the summed
per-sample losses (samples do not interact in eval mode).

Payloads are recognised by their fields, so no modality plugin is imported:
images are ``(B, C, H, W)`` tensors or dataclasses with an ``image`` field;
1-D data are ``(B, C, T)`` tensors or dataclasses with ``values`` (time series)
or ``waveform`` (audio) and optional ``lengths``. uint8 images are seen by the
model as float in ``[0, 1]``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from omniaug import InputError, ModelContext, args, model_guard

__all__ = [
    "REDUCTIONS",
    "View",
    "view_of",
    "gradient_saliency",
    "check_saliency",
    "block_pool",
    "normalize",
    "grid_shape",
]

#: how the gradient is reduced over channels: ``"l2"`` (root mean square, the Puzzle Mix code), ``"abs_max"``, ``"abs_mean"``
REDUCTIONS = ("l2", "abs_max", "abs_mean")


@dataclasses.dataclass(frozen=True)
class View:
    """The tensor a saliency mixer works on and how to put a new one back into the payload."""

    values: torch.Tensor  # (B, C, H, W) or (B, C, T)
    field: str | None  # payload field name, None for a plain tensor
    lengths: torch.Tensor | None  # valid steps (1-D only)
    payload: Any

    def rebuild(self, values: torch.Tensor, **extra: Any) -> Any:
        if self.field is None:
            return values
        return dataclasses.replace(self.payload, **{self.field: values}, **extra)


def view_of(x: Any, *, kind: str, where: str) -> View:
    """The tensor of an image (``kind="image"``) or 1-D (``kind="1d"``) payload."""
    fields = ("image",) if kind == "image" else ("values", "waveform")
    ndim = 4 if kind == "image" else 3
    if isinstance(x, torch.Tensor):
        t, field, lengths = x, None, None
    elif dataclasses.is_dataclass(x) and not isinstance(x, type):
        field = next((f for f in fields if isinstance(getattr(x, f, None), torch.Tensor)), None)
        if field is None:
            raise InputError("x", f"a tensor or a payload with a {' / '.join(fields)} tensor", x, where=where)
        t = getattr(x, field)
        lengths = getattr(x, "lengths", None) if kind == "1d" else None
    else:
        raise InputError(
            "x", f"a batched tensor of {ndim} dims or a payload with a {' / '.join(fields)} field", x, where=where
        )
    if t.dim() != ndim:
        shape = "(B, C, H, W)" if kind == "image" else "(B, C, T)"
        raise InputError("x", f"a batch {shape} (saliency mixers pair samples of a batch)", t, where=where)
    return View(t, field, lengths, x)


def valid_steps(lengths: torch.Tensor | None, b: int, t: int, device: torch.device) -> torch.Tensor:
    """``(B, T)`` True at valid time steps."""
    if lengths is None:
        return torch.ones(b, t, dtype=torch.bool, device=device)
    return torch.arange(t, device=device).unsqueeze(0) < lengths.to(device).view(-1, 1)


def _reduce(grad: torch.Tensor, reduce: str) -> torch.Tensor:
    if reduce == "l2":
        return grad.pow(2).mean(1).sqrt()
    if reduce == "abs_max":
        return grad.abs().amax(1)
    return grad.abs().mean(1)


def gradient_saliency(
    ctx: ModelContext, x: Any, *, kind: str = "image", reduce: str = "l2", where: str = "gradient_saliency"
) -> torch.Tensor:
    """Per-sample gradient saliency, ``(B, H, W)`` for images or ``(B, T)`` for 1-D data (padding 0), float32, detached.

    One forward and one backward pass for the whole batch, through ``ctx`` (its
    forward, loss and targets, its mode; the model is left exactly as it was).
    """
    args.choice("saliency_reduce", reduce, REDUCTIONS, where=where)
    view = view_of(x, kind=kind, where=where)
    v = view.values
    work = v.to(torch.float32) / 255.0 if v.dtype == torch.uint8 else v
    if not work.is_floating_point():
        work = work.to(torch.float32)
    with model_guard(ctx.model, ctx.mode), torch.enable_grad():
        leaf = work.detach().requires_grad_(True)
        losses = ctx.loss(view.rebuild(leaf), where=where)
        (grad,) = torch.autograd.grad(losses.sum(), leaf)
    sal = _reduce(grad.detach(), reduce).to(torch.float32)
    if kind == "1d":
        sal = sal * valid_steps(view.lengths, sal.shape[0], sal.shape[1], sal.device)
    return sal


def check_saliency(saliency: Any, shape: tuple[int, ...], device: torch.device, *, where: str) -> torch.Tensor:
    """A caller's saliency map → float32 ``shape`` (``(B, H, W)`` or ``(B, T)``; a singleton channel is accepted)."""
    if not isinstance(saliency, torch.Tensor) or not saliency.is_floating_point():
        raise InputError(
            "saliency", f"a float tensor of shape {tuple(shape)} (or with a channel of 1)", saliency, where=where
        )
    s = saliency
    if s.dim() == len(shape) + 1 and s.shape[1] == 1:
        s = s[:, 0]
    if tuple(s.shape) != tuple(shape):
        raise InputError(
            "saliency", f"a float tensor of shape {tuple(shape)} (or with a channel of 1)", saliency, where=where
        )
    if not bool(torch.isfinite(s).all()) or bool((s < 0).any()):
        raise InputError("saliency", "finite, non-negative values", saliency, where=where)
    return s.detach().to(device=device, dtype=torch.float32)


def grid_shape(size: tuple[int, ...], block: tuple[int, ...]) -> tuple[int, ...]:
    """Blocks per axis: ``ceil(size / block)`` (a partial last block is kept, and never moved)."""
    return tuple(math.ceil(s / b) for s, b in zip(size, block))


def block_pool(saliency: torch.Tensor, block: int | tuple[int, int]) -> torch.Tensor:
    """Sum-pool a saliency map onto its block grid: ``(B, H, W)`` → ``(B, gh, gw)``, ``(B, T)`` → ``(B, 1, S)``.

    The last block of an axis may be partial (the map is zero-padded).
    """
    if saliency.dim() == 2:
        bt = int(block if isinstance(block, int) else block[-1])
        b, t = saliency.shape
        (s,) = grid_shape((t,), (bt,))
        padded = F.pad(saliency, (0, s * bt - t))
        return padded.view(b, 1, s, bt).sum(-1)
    bh, bw = (block, block) if isinstance(block, int) else block
    b, h, w = saliency.shape
    gh, gw = grid_shape((h, w), (bh, bw))
    padded = F.pad(saliency, (0, gw * bw - w, 0, gh * bh - h))
    return padded.view(b, gh, bh, gw, bw).sum((2, 4))


def normalize(pooled: torch.Tensor) -> torch.Tensor:
    """Each sample's map divided by its sum (a map that is all zero becomes uniform)."""
    flat = pooled.reshape(pooled.shape[0], -1)
    total = flat.sum(1, keepdim=True)
    uniform = torch.full_like(flat, 1.0 / max(flat.shape[1], 1))
    out = torch.where(total > 0, flat / total.clamp_min(1e-30), uniform)
    return out.view_as(pooled)


SaliencyFn = Callable[[Any], torch.Tensor]
