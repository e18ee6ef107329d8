"""Distribution matching (DM) and gradient matching (DC) with Siamese augmentation.

Both learn ``ipc`` synthetic samples per class. Each iteration draws one set of
augmentation params **per class**, replays it on that class's real batch and on
its synthetic samples (:mod:`omniaug_distill.siamese`), and moves the synthetic
samples to reduce a matching loss:

* **DM** (Zhao & Bilen, WACV 2023): a freshly initialised network embeds both
  batches; the loss is ``Σ_c ‖mean embed(real_c) − mean embed(syn_c)‖²``. No
  network is trained, which makes it cheap enough for a CPU. All classes go
  through the pipeline and the network in one batch; class means come from one
  ``index_add``.
* **DC** (Zhao, Mopuri & Bilen, ICLR 2021) with DSA: for a network trained
  alongside, match per class the gradient of the loss on real and on synthetic
  samples (``Σ_layers Σ_rows 1 − cos``, the papers' layer-wise distance); then
  train the network a few steps on the synthetic set. Per-class gradients need
  one backward pass per class — a loop over classes, never over samples.

Every random choice (real batches, params, network initialisations, noise
initialisation) comes from the caller's generator.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from omniaug import InputError, Transform, args, to_config

from .networks import DistillNet, init_from_generator, make_network
from .siamese import check_differentiable, draw_group_params, replay_groups
from .synthetic import SyntheticSet

__all__ = ["distill", "DistillSettings", "ClassSampler", "match_gradients", "distribution_loss"]

METHODS = ("dm", "dc")
INITS = ("real", "noise")


@dataclass(frozen=True)
class DistillSettings:
    """Hyper-parameters; the defaults follow the papers scaled to a CPU.

    ``iterations``: outer iterations; ``lr``: step size of the synthetic samples
    (SGD, momentum 0.5 as in both papers); ``batch_real``: real samples per class
    per iteration; ``outer_loop`` / ``inner_loop`` / ``net_lr``: DC's synthetic
    updates per network and network steps per synthetic update (the papers use
    (1, 1) for IPC 1 and (10, 50) for IPC 10 — ``None`` picks those).
    """

    iterations: int = 500
    lr: float = 1.0
    batch_real: int = 64
    width: int = 64
    outer_loop: int | None = None
    inner_loop: int | None = None
    net_lr: float = 0.01
    #: keep synthetic samples inside the real data's value range (``[min, max]`` of ``x``) after
    #: every step, so they stay valid inputs of the modality's ops (images in [0, 1], say)
    clamp_to_data: bool = True


class ClassSampler:
    """Draws ``n`` real samples of every class without replacement, all classes at once."""

    def __init__(self, labels: torch.Tensor, num_classes: int) -> None:
        counts = torch.bincount(labels, minlength=num_classes)
        if bool((counts == 0).any()):
            missing = (counts == 0).nonzero().flatten().tolist()
            raise InputError("y", f"at least one sample of every class (missing {missing})", labels, where="distill")
        order = torch.argsort(labels, stable=True)
        starts = torch.cumsum(counts, 0) - counts
        width = int(counts.max())
        slots = torch.arange(width, device=labels.device)
        self.valid = slots.unsqueeze(0) < counts.unsqueeze(1)  # (C, width)
        self.table = order[(starts.unsqueeze(1) + slots.clamp_max(width - 1)).clamp_max(labels.numel() - 1)]
        self.counts = counts
        self.num_classes = num_classes

    def draw(self, n: int, generator: torch.Generator | None) -> torch.Tensor:
        """``(C, n)`` indices into the data set; ``n`` is capped at the smallest class."""
        n = min(n, int(self.counts.min()))
        device = generator.device if generator is not None else self.table.device
        scores = torch.rand(self.valid.shape, generator=generator, device=device).to(self.table.device)
        scores = scores.masked_fill(~self.valid, 2.0)  # padding sorts last
        pick = torch.argsort(scores, dim=1)[:, :n]
        return self.table.gather(1, pick)


def distribution_loss(
    net: DistillNet, real: torch.Tensor, real_cls: torch.Tensor, syn: torch.Tensor, syn_cls: torch.Tensor, k: int
) -> torch.Tensor:
    """``Σ_c ‖mean embed(real_c) − mean embed(syn_c)‖²`` in one forward pass per set."""
    e_real, e_syn = net.embed(real), net.embed(syn)
    d = e_real.shape[1]
    mean_r = torch.zeros(k, d, dtype=e_real.dtype, device=e_real.device).index_add(0, real_cls, e_real)
    mean_s = torch.zeros(k, d, dtype=e_syn.dtype, device=e_syn.device).index_add(0, syn_cls, e_syn)
    mean_r = mean_r / torch.bincount(real_cls, minlength=k).clamp_min(1).unsqueeze(1)
    mean_s = mean_s / torch.bincount(syn_cls, minlength=k).clamp_min(1).unsqueeze(1)
    return ((mean_r - mean_s) ** 2).sum()


def _layer_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """DC's distance for one parameter: Σ over output units of 1 − cos; biases contribute nothing."""
    if a.dim() == 1:
        return a.new_zeros(())
    a2, b2 = a.reshape(a.shape[0], -1), b.reshape(b.shape[0], -1)
    cos = (a2 * b2).sum(1) / (a2.norm(dim=1) * b2.norm(dim=1) + 1e-6)
    return (1.0 - cos).sum()


def match_gradients(real_grads: list[torch.Tensor], syn_grads: list[torch.Tensor]) -> torch.Tensor:
    """Sum of the layer-wise distances between two lists of gradients."""
    return torch.stack([_layer_distance(r, s) for r, s in zip(real_grads, syn_grads)]).sum()


def _augment(pipeline: Transform | None, x: torch.Tensor, params: Any, groups: torch.Tensor) -> torch.Tensor:
    return x if pipeline is None else replay_groups(pipeline, x, params, groups)


def distill(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    method: str = "dm",
    ipc: int = 10,
    pipeline: Transform | None = None,
    num_classes: int | None = None,
    init: str = "real",
    settings: DistillSettings | None = None,
    generator: torch.Generator | None = None,
    network: Callable[..., nn.Module] = make_network,
    progress: Callable[[int, float], None] | None = None,
) -> SyntheticSet:
    """Learn ``ipc`` synthetic samples per class from ``(x, y)``.

    Args:
        x: real samples, a float tensor ``(N, ...)`` of one tensor modality.
        y: class indices ``(N,)``.
        method: ``"dm"`` (distribution matching) or ``"dc"`` (gradient matching with DSA).
        ipc: synthetic samples per class.
        pipeline: augmentation applied with the same params to real and synthetic
            samples of a class (Siamese); every op must be differentiable in its input.
        init: ``"real"`` (random real samples of each class) or ``"noise"`` (Gaussian
            with the data's per-feature mean and std).
        settings: hyper-parameters (:class:`DistillSettings`).
        generator: the source of every random choice.
        network: ``network(example, num_classes, width=..., generator=...)`` → a module
            with ``embed`` (DM) and ``forward``; default :func:`make_network`.
        progress: called as ``progress(iteration, loss)`` after every iteration.
    """
    where = "omniaug_distill.distill"
    s = settings or DistillSettings()
    method = args.choice("method", method, METHODS, where=where)
    init = args.choice("init", init, INITS, where=where)
    ipc = args.integer("ipc", ipc, low=1, where=where)
    args.integer("iterations", s.iterations, low=0, where=where)
    args.positive("lr", s.lr, where=where)
    if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.dim() < 2:
        raise InputError("x", "a float tensor (N, ...) of samples", x, where=where)
    if not bool(torch.isfinite(x).all()):
        raise InputError("x", "finite values (no NaN or inf)", x, where=where)
    if not isinstance(y, torch.Tensor) or y.dim() != 1 or y.shape[0] != x.shape[0] or y.dtype.is_floating_point:
        raise InputError("y", f"integer class indices of shape ({x.shape[0]},)", y, where=where)
    check_differentiable(pipeline, where=where)
    y = y.to(x.device, torch.long)
    k = int(y.max()) + 1 if num_classes is None else args.integer("num_classes", num_classes, low=1, where=where)
    if bool((y < 0).any()) or bool((y >= k).any()):
        raise InputError("y", f"class indices in [0, {k})", y, where=where)

    sampler = ClassSampler(y, k)
    syn_y = torch.arange(k, device=x.device).repeat_interleave(ipc)
    if init == "real":
        syn = x[_init_indices(sampler, ipc, generator)].detach().clone()
    else:
        mean, std = x.mean(0), x.std(0)
        noise = torch.randn((k * ipc, *x.shape[1:]), generator=generator, device=_dev(generator, x))
        syn = mean + std * noise.to(x.device, x.dtype)
    syn.requires_grad_(True)
    opt = torch.optim.SGD([syn], lr=s.lr, momentum=0.5)
    step = _dm_step if method == "dm" else _dc_step
    state: dict[str, Any] = {"bounds": (x.min(), x.max()) if s.clamp_to_data else None}
    _project(syn, state)
    for it in range(s.iterations):
        loss = step(x, sampler, syn, syn_y, k, ipc, pipeline, s, opt, generator, network, state)
        if progress is not None:
            progress(it, loss)
    config = None if pipeline is None else to_config(pipeline)
    return SyntheticSet(
        x=syn.detach().clone(),
        y=syn_y.clone(),
        num_classes=k,
        method=method,
        ipc=ipc,
        pipeline=config,
        meta={"iterations": s.iterations, "lr": s.lr, "batch_real": s.batch_real, "init": init},
    )


def _project(syn: torch.Tensor, state: dict[str, Any]) -> None:
    """Clamp the synthetic samples into the data's range (in place, outside autograd)."""
    if state.get("bounds") is not None:
        lo, hi = state["bounds"]
        with torch.no_grad():
            syn.clamp_(lo, hi)


def _dev(generator: torch.Generator | None, x: torch.Tensor) -> torch.device:
    return generator.device if generator is not None else x.device


def _init_indices(sampler: ClassSampler, ipc: int, generator: torch.Generator | None) -> torch.Tensor:
    """``ipc`` distinct real samples per class (repeats only if a class has fewer)."""
    picks = [sampler.draw(ipc, generator)]
    have = picks[0].shape[1]
    while have < ipc:  # a class smaller than ipc: draw again (rare; a loop over rounds, not samples)
        picks.append(sampler.draw(ipc - have, generator))
        have += picks[-1].shape[1]
    return torch.cat(picks, dim=1).flatten()


def _real_batch(
    x: torch.Tensor, sampler: ClassSampler, n: int, generator: torch.Generator | None
) -> tuple[torch.Tensor, torch.Tensor]:
    idx = sampler.draw(n, generator)  # (C, n)
    cls = torch.arange(idx.shape[0], device=x.device).repeat_interleave(idx.shape[1])
    return x[idx.flatten()], cls


def _siamese(
    pipeline: Transform | None,
    real: torch.Tensor,
    real_cls: torch.Tensor,
    syn: torch.Tensor,
    syn_cls: torch.Tensor,
    k: int,
    generator: torch.Generator | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Both batches augmented with one params row per class (the same for real and synthetic)."""
    if pipeline is None:
        return real, syn
    first = torch.searchsorted(real_cls, torch.arange(k, device=real_cls.device))  # one real sample per class
    params = draw_group_params(pipeline, real.index_select(0, first), generator=generator)
    return _augment(pipeline, real, params, real_cls), _augment(pipeline, syn, params, syn_cls)


def _fresh_net(example: torch.Tensor, k: int, s: DistillSettings, generator: Any, network: Callable[..., Any]) -> Any:
    return network(example.detach(), k, width=s.width, generator=generator)


def _dm_step(
    x: torch.Tensor,
    sampler: ClassSampler,
    syn: torch.Tensor,
    syn_y: torch.Tensor,
    k: int,
    ipc: int,
    pipeline: Transform | None,
    s: DistillSettings,
    opt: torch.optim.Optimizer,
    generator: torch.Generator | None,
    network: Callable[..., Any],
    state: dict[str, Any],
) -> float:
    net = _fresh_net(syn[:1], k, s, generator, network)
    for p in net.parameters():
        p.requires_grad_(False)
    real, real_cls = _real_batch(x, sampler, s.batch_real, generator)
    real_aug, syn_aug = _siamese(pipeline, real, real_cls, syn, syn_y, k, generator)
    loss = distribution_loss(net, real_aug, real_cls, syn_aug, syn_y, k)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    _project(syn, state)
    return float(loss.detach())


def _dc_step(
    x: torch.Tensor,
    sampler: ClassSampler,
    syn: torch.Tensor,
    syn_y: torch.Tensor,
    k: int,
    ipc: int,
    pipeline: Transform | None,
    s: DistillSettings,
    opt: torch.optim.Optimizer,
    generator: torch.Generator | None,
    network: Callable[..., Any],
    state: dict[str, Any],
) -> float:
    outer = s.outer_loop if s.outer_loop is not None else (1 if ipc == 1 else 10)
    inner = s.inner_loop if s.inner_loop is not None else (1 if ipc == 1 else 50)
    net = _fresh_net(syn[:1], k, s, generator, network)
    net_opt = torch.optim.SGD(net.parameters(), lr=s.net_lr)
    weights = [p for p in net.parameters()]
    ce = nn.CrossEntropyLoss()
    total = 0.0
    for ol in range(outer):
        real, real_cls = _real_batch(x, sampler, s.batch_real, generator)
        real_aug, syn_aug = _siamese(pipeline, real, real_cls, syn, syn_y, k, generator)
        loss = syn.new_zeros(())
        for c in range(k):  # per-class gradients: one backward per class
            rc, sc = real_cls == c, syn_y == c
            g_real = torch.autograd.grad(ce(net(real_aug[rc]), real_cls[rc]), weights, retain_graph=True)
            g_real = [g.detach() for g in g_real]
            g_syn = torch.autograd.grad(ce(net(syn_aug[sc]), syn_y[sc]), weights, create_graph=True)
            loss = loss + match_gradients(g_real, list(g_syn))
        opt.zero_grad(set_to_none=True)
        loss.backward(inputs=[syn])
        opt.step()
        _project(syn, state)
        total += float(loss.detach())
        if ol == outer - 1:
            break
        syn_train = syn.detach()
        for _ in range(inner):  # train the network on the (augmented) synthetic set
            if pipeline is not None:
                params = draw_group_params(pipeline, syn_train, generator=generator)
                batch = pipeline(syn_train, params=params)
            else:
                batch = syn_train
            net_opt.zero_grad(set_to_none=True)
            ce(net(batch), syn_y).backward()
            net_opt.step()
    return total / outer


def reinitialise(net: nn.Module, generator: torch.Generator | None) -> nn.Module:
    """A network's weights drawn again from ``generator`` (for evaluation over several seeds)."""
    return init_from_generator(net, generator)
