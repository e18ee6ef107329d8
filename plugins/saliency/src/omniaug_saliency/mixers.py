"""SaliencyMix and Puzzle Mix for images, time series and waveforms (per-sample λ, soft labels from actual shares).

Both mixers need a saliency map of every sample. By default it is the model's
input gradient (:func:`~omniaug_saliency.gradient_saliency`, one backward pass for
the batch), so they are model-aware: ``mixer(x, y, generator=g,
model=omniaug.ModelContext(model, loss_fn, y))``. A caller who has a saliency map
(a detector, an annotation, a spectral-residual map…) passes it instead and needs
no model: ``mixer(x, y, generator=g, saliency=s)`` with ``s`` ``(B, H, W)`` for
images or ``(B, T)`` for 1-D data.

Everything decided (the box or window; Puzzle Mix's block labels and both
transports) is in the params, so ``mixer(x, y, params=params)`` replays the mix
without the model, and each sample's mix depends only on its own row of the
params and its partner. The reported weight is the share of the sample's pixels
(valid steps) that actually come from it after transport, so label rows equal the
measured shares and sum to 1.

References:
    Uddin et al. 2021, "SaliencyMix: A Saliency Guided Data Augmentation Strategy for Better Regularization".
    Kim, Choo, Song 2020, "Puzzle Mix: Exploiting Saliency and Local Statistics for Optimal Mixup".
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from omniaug import InputError, Mixer, ModelContext, Params, args
from omniaug.mixing import Mixed
from omniaug.model import tiny_context

from . import puzzle
from .saliency import (
    REDUCTIONS,
    View,
    block_pool,
    check_saliency,
    gradient_saliency,
    grid_shape,
    normalize,
    valid_steps,
    view_of,
)

__all__ = [
    "ImageSaliencyMix",
    "ImagePuzzleMix",
    "TimeSeriesSaliencyMix",
    "TimeSeriesPuzzleMix",
    "AudioSaliencyMix",
    "AudioPuzzleMix",
    "MIXERS",
    "move_blocks",
    "move_segments",
]


# -- block / segment moves ---------------------------------------------------------------------
def move_blocks(img: torch.Tensor, perm: torch.Tensor, block: tuple[int, int]) -> torch.Tensor:
    """``(B, C, H, W)`` with output block ``j`` taken from block ``perm[:, j]`` of the same image."""
    b, c, h, w = img.shape
    bh, bw = block
    gh, gw = grid_shape((h, w), (bh, bw))
    padded = F.pad(img, (0, gw * bw - w, 0, gh * bh - h)) if (gh * bh, gw * bw) != (h, w) else img
    blocks = padded.reshape(b, c, gh, bh, gw, bw).permute(0, 1, 2, 4, 3, 5).reshape(b, c, gh * gw, bh, bw)
    idx = perm.to(img.device).view(b, 1, gh * gw, 1, 1).expand(b, c, gh * gw, bh, bw)
    moved = (
        blocks.gather(2, idx).reshape(b, c, gh, gw, bh, bw).permute(0, 1, 2, 4, 3, 5).reshape(b, c, gh * bh, gw * bw)
    )
    return moved[:, :, :h, :w]


def move_segments(v: torch.Tensor, perm: torch.Tensor, seg: int) -> torch.Tensor:
    """``(B, C, T)`` (or ``(B, T)``) with output segment ``j`` taken from segment ``perm[:, j]``."""
    squeeze = v.dim() == 2
    if squeeze:
        v = v.unsqueeze(1)
    b, c, t = v.shape
    (s,) = grid_shape((t,), (seg,))
    padded = F.pad(v, (0, s * seg - t)) if s * seg != t else v
    idx = perm.to(v.device).view(b, 1, s, 1).expand(b, c, s, seg)
    out = padded.reshape(b, c, s, seg).gather(2, idx).reshape(b, c, s * seg)[..., :t]
    return out[:, 0] if squeeze else out


def _blend(own: torch.Tensor, other: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """``w·own + (1 − w)·other``, exact selection where ``w`` is 0 or 1 (uint8 rounded)."""
    if own.is_floating_point():
        mixed = other + w.to(own.dtype) * (own - other)
        return torch.where(w >= 1, own, torch.where(w <= 0, other, mixed))
    mixed = (
        (other.to(torch.float32) + w * (own.to(torch.float32) - other.to(torch.float32)))
        .round()
        .clamp(0, 255)
        .to(own.dtype)
    )
    return torch.where(w >= 1, own, torch.where(w <= 0, other, mixed))


# -- the shared model-aware plumbing ---------------------------------------------------------------
class _SaliencyMixer(Mixer):
    """Saliency (model or caller's map) → decision in the params → a replayable, row-wise mix."""

    requires_model = True
    differentiable = True
    kind = "image"

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        block_size: int = 1,
        saliency_reduce: str = "l2",
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(alpha, p=p, num_classes=num_classes, label_smoothing=label_smoothing)
        self.block_size = args.integer("block_size", block_size, low=1, where=self.name)
        self.saliency_reduce = args.choice("saliency_reduce", saliency_reduce, REDUCTIONS, where=self.name)

    # payload handling
    def view(self, x: Any) -> View:
        return view_of(x, kind=self.kind, where=self.name)

    def validate(self, x: Any) -> None:
        super().validate(x)
        v = self.view(x)
        if self.kind == "image" and v.field is not None:
            for f in ("boxes", "mask"):
                if getattr(x, f, None) is not None:
                    raise InputError(
                        "x",
                        f"images without {f} ({self.name} moves blocks; it carries the image only)",
                        x,
                        where=self.name,
                    )

    def saliency_of(self, x: Any, saliency: Any) -> torch.Tensor:
        """The caller's map (checked) or the model's gradient saliency."""
        v = self.view(x).values
        shape = (v.shape[0], *v.shape[2:])
        if saliency is not None:
            return check_saliency(saliency, shape, v.device, where=self.name)
        ctx = self.require_model()
        return gradient_saliency(ctx, x, kind=self.kind, reduce=self.saliency_reduce, where=self.name)

    def decide(self, x: Any, sal: torch.Tensor, params: Params) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    # entry points: the core's, plus ``saliency=``
    def sample_params(  # type: ignore[override]
        self,
        x: Any,
        *,
        generator: torch.Generator | None = None,
        labels: torch.Tensor | None = None,
        saliency: Any = None,
    ) -> Params:
        self.validate(x)
        sal = self.saliency_of(x, saliency)
        params = super().sample_params(x, generator=generator, labels=labels)
        params.update(self.decide(x, sal, params))
        return params

    def augment_with_labels(  # type: ignore[override]
        self,
        x: Any,
        labels: torch.Tensor,
        *,
        generator: torch.Generator | None = None,
        params: Params | None = None,
        saliency: Any = None,
    ) -> Mixed:
        self.validate(x)
        n = self.modality_spec().batch_size(x)
        if not isinstance(labels, torch.Tensor) or labels.shape[0] != n:
            raise InputError("labels", f"a tensor with {n} rows (one per sample)", labels, where=self.name)
        if params is None:
            params = self.sample_params(x, generator=generator, labels=labels, saliency=saliency)
        out, weights = self.mix_batch(x, params)
        return Mixed(out, self.soft_labels(labels, params, weights), params)

    def __call__(  # type: ignore[override]
        self,
        x: Any,
        labels: torch.Tensor | None = None,
        *,
        generator: torch.Generator | None = None,
        params: Params | None = None,
        saliency: Any = None,
    ) -> Any:
        """``mixer(x, labels)`` → ``(mixed, soft_labels)``; ``mixer(x)`` → mixed only."""
        if labels is None:
            if params is None:
                params = self.sample_params(x, generator=generator, saliency=saliency)
            else:
                self.validate(x)
            return self.mix_batch(x, params)[0]
        mixed = self.augment_with_labels(x, labels, generator=generator, params=params, saliency=saliency)
        return mixed.output, mixed.labels

    @classmethod
    def example_context(cls, x: Any) -> ModelContext:
        """A tiny classifier over the payload's flattened tensor (other fields ignored)."""
        view = view_of(x, kind=cls.kind, where=cls.name)
        values = view.values.to(torch.float32) / 255.0 if view.values.dtype == torch.uint8 else view.values
        base = tiny_context(values.detach())
        field = view.field

        def forward(model: torch.nn.Module, payload: Any) -> torch.Tensor:
            t = payload if field is None else getattr(payload, field)
            return model(t.to(next(model.parameters()).dtype))  # type: ignore[no-any-return]

        return ModelContext(base.model, base.loss_fn, base.targets, forward=forward)


def _partner(t: torch.Tensor, params: Params) -> torch.Tensor:
    return t[params["partners"][:, 0].to(t.device)]


def _central_peak(pooled: torch.Tensor) -> torch.Tensor:
    """Flat index ``(B,)`` of the maximum of ``pooled`` ``(B, gh, gw)``; ties go to the tied cell nearest their centroid.

    A flat map (e.g. a caller's 0/1 object mask) has many tied maxima; a plain
    ``argmax`` would take the first one, the object's top-left edge, not its middle.
    """
    b, gh, gw = pooled.shape
    flat = pooled.reshape(b, -1)
    top = flat.amax(1, keepdim=True)
    tied = flat >= top - 1e-6 * top.abs()
    cell = torch.arange(gh * gw, device=pooled.device)
    r, c = (cell // gw).to(pooled.dtype), (cell % gw).to(pooled.dtype)
    count = tied.sum(1, keepdim=True).to(pooled.dtype)
    mr, mc = (tied * r).sum(1, keepdim=True) / count, (tied * c).sum(1, keepdim=True) / count
    dist = (r - mr) ** 2 + (c - mc) ** 2
    return torch.where(tied, dist, torch.full_like(dist, float("inf"))).argmin(1)


# -- SaliencyMix ------------------------------------------------------------------------------------
class ImageSaliencyMix(_SaliencyMixer):
    """SaliencyMix: a box of area ``(1 − λ)·HW`` around the partner's most salient location, pasted at the same place.

    The peak is taken on the saliency pooled to ``block_size`` blocks (1 = per pixel,
    as in the paper; tied maxima, as in a flat object mask, resolve to the tied block
    nearest their centroid); the box is clipped at the border and the weight is the share
    of pixels left (``1 − pasted / HW``). Params: ``box`` ``(B, 4)`` = top, left, bottom, right.
    """

    name = "image.saliencymix"
    modality = "image"
    kind = "image"

    def decide(self, x: Any, sal: torch.Tensor, params: Params) -> dict[str, torch.Tensor]:
        b, h, w = sal.shape
        bs = self.block_size
        pooled = block_pool(_partner(sal, params), bs)
        gh, gw = pooled.shape[1:]
        peak = _central_peak(pooled)
        cy = ((peak // gw) * bs + bs // 2).clamp(max=h - 1)
        cx = ((peak % gw) * bs + bs // 2).clamp(max=w - 1)
        cut = (1.0 - params["lam"].to(torch.float64).cpu()).clamp(0, 1).sqrt().to(sal.device)
        ch, cw = (cut * h).round().long(), (cut * w).round().long()
        top, left = (cy - ch // 2).clamp(0, h), (cx - cw // 2).clamp(0, w)
        bottom, right = (cy - ch // 2 + ch).clamp(0, h), (cx - cw // 2 + cw).clamp(0, w)
        return {"box": torch.stack([top, left, bottom, right], 1)}

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        own, other = self.view(x), self.view(partners[0])
        img = own.values
        b, _, h, w = img.shape
        box = params["box"].to(img.device)
        ys, xs = torch.arange(h, device=img.device), torch.arange(w, device=img.device)
        rows = (ys.view(1, h) >= box[:, 0:1]) & (ys.view(1, h) < box[:, 2:3])
        cols = (xs.view(1, w) >= box[:, 1:2]) & (xs.view(1, w) < box[:, 3:4])
        inside = rows.view(b, 1, h, 1) & cols.view(b, 1, 1, w)
        out = torch.where(inside, other.values, img)
        pasted = ((box[:, 2] - box[:, 0]) * (box[:, 3] - box[:, 1])).to(torch.float32)
        return own.rebuild(out), 1.0 - pasted / float(h * w)


class _SeriesSaliencyMix(_SaliencyMixer):
    """SaliencyMix over time: a window of ``round((1 − λ)·L)`` steps centred on the partner's salient peak."""

    kind = "1d"

    def decide(self, x: Any, sal: torch.Tensor, params: Params) -> dict[str, torch.Tensor]:
        b, t = sal.shape
        bs = self.block_size
        v = self.view(x)
        lengths = v.lengths.to(sal.device) if v.lengths is not None else torch.full((b,), t, device=sal.device)
        pooled = block_pool(_partner(sal, params), bs)
        peak = _central_peak(pooled)
        centre = (peak * bs + bs // 2).clamp(max=t - 1)
        width = ((1.0 - params["lam"].to(torch.float64).cpu()).clamp(0, 1).to(sal.device) * lengths).round().long()
        start = (centre - width // 2).clamp(min=0)
        stop = torch.minimum(centre - width // 2 + width, lengths).clamp(min=0)
        return {"window": torch.stack([torch.minimum(start, stop), stop], 1)}

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        own, other = self.view(x), self.view(partners[0])
        v = own.values
        b, _, t = v.shape
        win = params["window"].to(v.device)
        steps = torch.arange(t, device=v.device).view(1, t)
        own_len = own.lengths.to(v.device) if own.lengths is not None else torch.full((b,), t, device=v.device)
        pasted = (steps >= win[:, 0:1]) & (steps < win[:, 1:2])
        pasted = pasted & valid_steps(other.lengths, b, t, v.device) & valid_steps(own.lengths, b, t, v.device)
        out = torch.where(pasted.unsqueeze(1), other.values, v)
        share = 1.0 - pasted.sum(1).to(torch.float32) / own_len.to(torch.float32).clamp_min(1)
        extra = _step_labels(own, other, pasted)
        return own.rebuild(out, **extra), share


def _step_labels(own: View, other: View, from_other: torch.Tensor) -> dict[str, Any]:
    """Per-step labels of a time series (``labels`` ``(B, T)``) follow the source of each step."""
    a, b = getattr(own.payload, "labels", None), getattr(other.payload, "labels", None)
    if own.field != "values" or not isinstance(a, torch.Tensor) or not isinstance(b, torch.Tensor) or a.dim() != 2:
        return {}
    return {"labels": torch.where(from_other, b, a)}


class TimeSeriesSaliencyMix(_SeriesSaliencyMix):
    __doc__ = _SeriesSaliencyMix.__doc__
    name = "timeseries.saliencymix"
    modality = "timeseries"

    @classmethod
    def example_instances(cls) -> list[Mixer]:
        return [cls(), cls(block_size=4, saliency_reduce="abs_max")]


class AudioSaliencyMix(_SeriesSaliencyMix):
    __doc__ = _SeriesSaliencyMix.__doc__
    name = "audio.saliencymix"
    modality = "audio"

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        block_size: int = 160,
        saliency_reduce: str = "l2",
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            alpha, block_size=block_size, saliency_reduce=saliency_reduce, p=p, num_classes=num_classes,
            label_smoothing=label_smoothing,
        )  # fmt: skip


# -- Puzzle Mix ---------------------------------------------------------------------------------------
class _PuzzleMixer(_SaliencyMixer):
    """Shared arguments of Puzzle Mix (the objective and the solver are in :mod:`omniaug_saliency.puzzle`)."""

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        block_size: int = 8,
        n_labels: int = 2,
        beta: float = 1.2,
        eta: float = 0.2,
        xi: float = 0.8,
        transport: bool = True,
        rounds: int = 1,
        saliency_reduce: str = "l2",
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            alpha, block_size=block_size, saliency_reduce=saliency_reduce, p=p, num_classes=num_classes,
            label_smoothing=label_smoothing,
        )  # fmt: skip
        where = self.name
        self.n_labels = args.integer("n_labels", n_labels, low=2, high=5, where=where)
        self.beta = args.non_negative("beta", beta, where=where)
        self.eta = args.non_negative("eta", eta, where=where)
        self.xi = args.non_negative("xi", xi, where=where)
        self.transport = bool(transport)
        self.rounds = args.integer("rounds", rounds, low=1, high=10, where=where)

    @property
    def weights(self) -> puzzle.PuzzleWeights:
        return puzzle.PuzzleWeights(beta=self.beta, eta=self.eta, xi=self.xi, n_labels=self.n_labels)

    def solve(
        self, s0: torch.Tensor, s1: torch.Tensor, params: Params, mov0: torch.Tensor, mov1: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        lam = params["lam"].to(device=s0.device, dtype=s0.dtype)
        sol = puzzle.solve(
            s0, s1, lam, self.weights, transport_blocks=self.transport, rounds=self.rounds, movable0=mov0, movable1=mov1
        )
        values = puzzle.label_values(self.n_labels, device=s0.device)
        return {"z": values[sol.z], "perm_own": sol.perm0, "perm_partner": sol.perm1}


class ImagePuzzleMix(_PuzzleMixer):
    """Puzzle Mix on images: block labels + transport of each source's blocks, solved batched (see :mod:`~omniaug_saliency.puzzle`).

    ``block_size`` pixels per block side (a partial last block is kept and never
    moved). Params: ``z`` ``(B, gh, gw)`` (share of the sample at each block),
    ``perm_own`` / ``perm_partner`` ``(B, gh·gw)`` (output block ``j`` shows block
    ``perm[j]`` of that source). The weight is the mean of ``z`` over the pixels.
    """

    name = "image.puzzlemix"
    modality = "image"
    kind = "image"

    @classmethod
    def example_instances(cls) -> list[Mixer]:
        return [cls(), cls(block_size=16, n_labels=3, rounds=2), cls(block_size=12, transport=False)]

    def decide(self, x: Any, sal: torch.Tensor, params: Params) -> dict[str, torch.Tensor]:
        b, h, w = sal.shape
        bs = self.block_size
        pooled = normalize(block_pool(sal, bs))
        gh, gw = pooled.shape[1:]
        full_r = (torch.arange(gh, device=sal.device) + 1) * bs <= h
        full_c = (torch.arange(gw, device=sal.device) + 1) * bs <= w
        movable = (full_r.view(-1, 1) & full_c.view(1, -1)).expand(b, gh, gw)
        return self.solve(pooled, _partner(pooled, params), params, movable, movable)

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        own, other = self.view(x), self.view(partners[0])
        img = own.values
        _, _, h, w = img.shape
        bs = (self.block_size, self.block_size)
        a = move_blocks(img, params["perm_own"], bs)
        o = move_blocks(other.values, params["perm_partner"], bs)
        z = params["z"].to(device=img.device, dtype=torch.float32)
        zpix = z.repeat_interleave(bs[0], 1).repeat_interleave(bs[1], 2)[:, :h, :w].unsqueeze(1)
        return own.rebuild(_blend(a, o, zpix)), zpix.mean((1, 2, 3))


class _SeriesPuzzleMix(_PuzzleMixer):
    """1-D Puzzle Mix: segments of ``block_size`` steps instead of blocks (a 1 × S grid).

    Only segments entirely inside a source's valid length move; at steps where the
    (transported) partner has no data, or past the sample's own length, the sample
    keeps its own values. The weight is the sample's share over its valid steps;
    per-step labels of a time series follow the dominant source of each step.
    """

    kind = "1d"

    def decide(self, x: Any, sal: torch.Tensor, params: Params) -> dict[str, torch.Tensor]:
        b, t = sal.shape
        bs = self.block_size
        v = self.view(x)
        pooled = normalize(block_pool(sal, bs))
        s = pooled.shape[-1]
        lengths = v.lengths.to(sal.device) if v.lengths is not None else torch.full((b,), t, device=sal.device)
        ends = (torch.arange(s, device=sal.device) + 1) * bs
        mov0 = (ends.view(1, s) <= lengths.view(-1, 1)).view(b, 1, s)
        mov1 = _partner(mov0, params)
        return self.solve(pooled, _partner(pooled, params), params, mov0, mov1)

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        own, other = self.view(x), self.view(partners[0])
        v = own.values
        b, _, t = v.shape
        bs = self.block_size
        a = move_segments(v, params["perm_own"], bs)
        o = move_segments(other.values, params["perm_partner"], bs)
        own_valid = valid_steps(own.lengths, b, t, v.device)
        other_valid = move_segments(valid_steps(other.lengths, b, t, v.device), params["perm_partner"], bs)
        z = params["z"].to(device=v.device, dtype=torch.float32).reshape(b, -1)
        zt = z.repeat_interleave(bs, 1)[:, :t]
        w = torch.where(own_valid & other_valid, zt, torch.ones_like(zt))
        out = torch.where(own_valid.unsqueeze(1), _blend(a, o, w.unsqueeze(1)), v)
        own_len = own_valid.sum(1).to(torch.float32)
        share = torch.where(own_len > 0, (w * own_valid).sum(1) / own_len.clamp_min(1), torch.ones_like(own_len))
        extra = {}
        la, lb = getattr(own.payload, "labels", None), getattr(other.payload, "labels", None)
        if own.field == "values" and isinstance(la, torch.Tensor) and isinstance(lb, torch.Tensor) and la.dim() == 2:
            ma = move_segments(la, params["perm_own"], bs)
            mb = move_segments(lb, params["perm_partner"], bs)
            extra["labels"] = torch.where(own_valid, torch.where(w < 0.5, mb, ma), la)
        return own.rebuild(out, **extra), share


class TimeSeriesPuzzleMix(_SeriesPuzzleMix):
    __doc__ = _SeriesPuzzleMix.__doc__
    name = "timeseries.puzzlemix"
    modality = "timeseries"

    @classmethod
    def example_instances(cls) -> list[Mixer]:
        return [cls(), cls(block_size=16, n_labels=3)]


class AudioPuzzleMix(_SeriesPuzzleMix):
    __doc__ = _SeriesPuzzleMix.__doc__
    name = "audio.puzzlemix"
    modality = "audio"

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        block_size: int = 800,
        n_labels: int = 2,
        beta: float = 1.2,
        eta: float = 0.2,
        xi: float = 0.8,
        transport: bool = True,
        rounds: int = 1,
        saliency_reduce: str = "l2",
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(
            alpha, block_size=block_size, n_labels=n_labels, beta=beta, eta=eta, xi=xi, transport=transport,
            rounds=rounds, saliency_reduce=saliency_reduce, p=p, num_classes=num_classes, label_smoothing=label_smoothing,
        )  # fmt: skip


MIXERS: list[type[Mixer]] = [
    ImageSaliencyMix,
    ImagePuzzleMix,
    TimeSeriesSaliencyMix,
    TimeSeriesPuzzleMix,
    AudioSaliencyMix,
    AudioPuzzleMix,
]
