"""Differentiable magnitudes: per-op magnitudes (and op weights) learned by a one-step-unrolled validation gradient.

The practical form of DADA / IF-DA: where an op's output is a differentiable
function of its magnitude, the magnitude itself is a parameter. One random draw
of an op's params at two magnitudes (the same seed) gives each float param as an
affine function of the magnitude ``m`` — e.g. a brightness factor
``1 + m·b·(2u − 1)``, a gain of ``m·g·(2u − 1)`` dB, a noise tensor ``m·σ·z``, a
rotation angle ``m·θ·(2u − 1)``, and for a mixer the share each sample keeps,
``λ(m) = 1 − m·(1 − λ)`` (``m = 0`` no mixing, ``m = 1`` the mixer's own Beta draw).
The kernel then runs on those params with autograd, so ``∂output/∂m`` is exact.

The search step relaxes the per-sample choice of op into its expectation,
``L_train = Σ_k softmax(α)_k · L(f_w(T_k(x; m_k)), y_k)`` (each op once on the whole
batch; the identity is a branch too) and follows the gradient of the validation
loss after one unrolled training step (DARTS, Liu et al. 2019):

    w' = w − ξ ∇_w L_train(w; α, m),   (α, m) ← (α, m) − η ∇_(α, m) L_val(w')

Which ops qualify is decided per registered op by :func:`magnitude_support`, by
running it, not by a hand-written list: its magnitude must be continuous, its
example payload must carry a float tensor, its params drawn at magnitudes 0.25,
0.5 and 1 from one seed must differ only in float params that are affine in the
magnitude, replaying those params at 0.25 must reproduce the op's own output at
0.25, and the kernel's autograd derivative in ``m`` must be finite, non-zero and
match central finite differences. :func:`magnitude_table` prints the verdict and
the reason for every registered op with a magnitude and every mixer. Ops that fail
(integer magnitudes, masks, crops, thresholds, log-uniform samplers, discrete
payloads) are excluded; :class:`DifferentiableMagnitudes` refuses them by name with
that reason.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import torch
from torch.func import functional_call

from omniaug import Augmented, Identity, Params, SkipInapplicable, Transform, args, rng
from omniaug.errors import InputError
from omniaug.mixing import Mixer, to_soft_labels
from omniaug.modality import Modality
from omniaug.model import float_field, get_field, with_field

from .common import IDENTITY, ChosenOneOf
from .learned import LearnedPolicy

__all__ = [
    "DifferentiableMagnitudes",
    "MagnitudePath",
    "MagnitudeSupport",
    "MixingPath",
    "ScaledMixer",
    "differentiable_magnitude_ops",
    "magnitude_support",
    "magnitude_table",
    "unrolled_step",
]

#: magnitudes at which the params are drawn to build and to check the affine path
ANCHORS = (0.5, 1.0)
PROBE = 0.25


# -- payload helpers ----------------------------------------------------------------------
def _grad_input(x: Any, name: str) -> Any:
    """``x`` with its float tensor replaced by a clone that requires grad.

    Kernels with fast paths (buffers written in place, worker threads, NumPy) check
    whether their *input* requires grad and then take their plain autograd path;
    this makes sure they do when only the params carry gradients.
    """
    t = get_field(x, name)
    return x if t.requires_grad else with_field(x, name, t.detach().clone().requires_grad_(True))


def _flat(params: Params, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for k, v in params.items():
        if isinstance(v, dict):
            out.update(_flat(Params(v), (*prefix, k)))
        else:
            out[(*prefix, k)] = v
    return out


def _replace(params: Params, path: tuple[str, ...], value: Any) -> Params:
    out = Params(params)
    if len(path) == 1:
        out[path[0]] = value
    else:
        out[path[0]] = _replace(Params(params[path[0]]), path[1:], value)
    return out


def _seed(generator: Any) -> int:
    return int(rng.randint(1, 0, 2**62, generator=generator)[0])


# -- the affine magnitude paths -------------------------------------------------------------
class MagnitudePath:
    """An op's params for one batch as an affine function of its magnitude ``m`` (one random draw).

    The params are drawn at magnitudes 0.5 and 1 from generators seeded with
    ``seed``; every float param that differs between the two moves along the line
    through them, everything else (masks, indices, constant floats) is kept.
    :meth:`apply` runs the kernel on ``params(m)`` with autograd, ``m`` a tensor.
    """

    def __init__(self, cls: Any, x: Any, seed: int) -> None:
        self.cls = cls
        self.op = cls.at_magnitude(ANCHORS[0], p=1.0)
        lo = self.op.sample_params(x, generator=rng.make_generator(seed))
        hi = cls.at_magnitude(ANCHORS[1], p=1.0).sample_params(x, generator=rng.make_generator(seed))
        self.base = lo
        flat_lo, flat_hi = _flat(lo), _flat(hi)
        self._dtypes = {k: v.dtype for k, v in flat_lo.items() if isinstance(v, torch.Tensor)}
        if set(flat_lo) != set(flat_hi):
            raise InputError("magnitude", "params with the same keys at every magnitude", cls.name, where=cls.name)
        self.moving: dict[tuple[str, ...], tuple[torch.Tensor, torch.Tensor]] = {}
        self.changed: list[str] = []
        for key, a in flat_lo.items():
            b = flat_hi[key]
            if isinstance(a, torch.Tensor) and a.is_floating_point():
                if a.shape != b.shape:
                    self.changed.append(f"{'/'.join(key)} (shape)")
                elif not torch.equal(a, b):
                    a64, b64 = a.double(), b.double()
                    slope = (b64 - a64) / (ANCHORS[1] - ANCHORS[0])
                    self.moving[key] = (a64 - ANCHORS[0] * slope, slope)  # value at m = 0, slope
            elif not _same(a, b):
                self.changed.append("/".join(key))

    def params(self, m: torch.Tensor | float, dtype: torch.dtype | None = None) -> Params:
        """The params at magnitude ``m`` (moving params in ``dtype``, default their own)."""
        out = self.base
        for key, (at0, slope) in self.moving.items():
            out = _replace(out, key, (at0 + m * slope).to(dtype or self._dtypes[key]))
        return out

    def apply(self, x: Any, m: torch.Tensor | float) -> Any:
        name = float_field(x)
        dtype = None if name is None else get_field(x, name).dtype
        if name is not None and isinstance(m, torch.Tensor) and m.requires_grad:
            x = _grad_input(x, name)
        return self.op.apply(x, self.params(m, dtype))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.shape == b.shape and a.dtype == b.dtype and bool(torch.equal(a, b))
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return False
    try:
        return bool(a == b)
    except Exception:  # pragma: no cover - exotic params
        return False


class MixingPath:
    """A mixer's params for one batch with the share each sample keeps scaled: ``λ(m) = 1 − m·(1 − λ)``."""

    def __init__(self, mixer: Mixer, x: Any, seed: int, labels: torch.Tensor | None = None) -> None:
        self.mixer = mixer
        self.base = mixer.sample_params(x, generator=rng.make_generator(seed), labels=labels)
        if "lam" not in self.base:
            raise InputError("mixer", "a mixer that draws λ ('lam')", mixer.name, where="MixingPath")

    def params(self, m: torch.Tensor | float, dtype: torch.dtype | None = None) -> Params:
        lam = self.base["lam"]
        out = Params(self.base)
        out["lam"] = (1.0 - m * (1.0 - lam.to(dtype or lam.dtype))).to(dtype or lam.dtype)
        return out

    def apply(self, x: Any, m: torch.Tensor | float) -> tuple[Any, torch.Tensor, Params]:
        """``(mixed, weights (B, 1 + K), params)`` at strength ``m``."""
        name = float_field(x)
        dtype = None if name is None else get_field(x, name).dtype
        if name is not None and isinstance(m, torch.Tensor) and m.requires_grad:
            x = _grad_input(x, name)
        params = self.params(m, dtype)
        out, weights = self.mixer.mix_batch(x, params)
        return out, weights, params


# -- qualification: which ops have a differentiable magnitude ---------------------------------
@dataclass(frozen=True)
class MagnitudeSupport:
    """Whether a registered op (or mixer) has a differentiable magnitude, which params carry it, and why (not)."""

    name: str
    modality: str
    kind: str  # "op" or "mixer"
    qualifies: bool
    params: tuple[str, ...]
    reason: str


def _weighted_sum(t: torch.Tensor) -> torch.Tensor:
    w = torch.linspace(0.5, 1.5, t.numel(), dtype=t.dtype, device=t.device).reshape(t.shape)
    return (t * w).sum()


def _check_derivative(scalar: Callable[[torch.Tensor], torch.Tensor], dtype: torch.dtype) -> str:
    """``""`` when ``d scalar / dm`` by autograd is finite, non-zero and matches central differences at 0.3 and 0.7.

    A central difference is tried at three step sizes and one agreeing suffices: an
    interpolating kernel (a time warp, a resample) is piecewise linear in the magnitude
    with kinks wherever a sample position crosses a grid point, and a difference whose
    step straddles a cluster of kinks is off by their jumps (time_warp at 0.3: 0.88 at a
    step of 1e-4, 0.83 at 3e-4, autograd 0.84). A wrong derivative disagrees at every step.
    """
    steps = (1e-4, 3e-4, 1e-3) if dtype == torch.float64 else (1e-2, 3e-3, 3e-2)
    for m0 in (0.3, 0.7):
        m = torch.tensor(m0, dtype=torch.float64, requires_grad=True)
        try:
            s = scalar(m)
        except (RuntimeError, TypeError, ValueError) as exc:
            return f"the kernel cannot run on params that require grad ({type(exc).__name__}: {str(exc)[:80]})"
        if not s.requires_grad:
            return "the output is detached from the magnitude params (used as sizes, positions or thresholds)"
        try:
            (g,) = torch.autograd.grad(s, m, allow_unused=True)
        except RuntimeError as exc:
            return f"the kernel's backward pass fails ({str(exc).split('.')[0][:90]})"
        if g is None or float(g) == 0.0:
            return "zero gradient: the output is piecewise constant in the magnitude (masks, boxes, thresholds)"
        if not math.isfinite(float(g)):
            return "non-finite gradient"
        first = None
        for eps in steps:
            with torch.no_grad():
                fd = (
                    scalar(torch.tensor(m0 + eps, dtype=torch.float64))
                    - scalar(torch.tensor(m0 - eps, dtype=torch.float64))
                ) / (2 * eps)
            first = fd if first is None else first
            if abs(float(g) - float(fd)) <= 0.05 * max(abs(float(fd)), abs(float(g))) + 1e-6:
                break
        else:
            return f"the autograd derivative ({float(g):.4g}) disagrees with finite differences ({float(first):.4g})"
    return ""


def _example(cls: Any, batch: int = 4) -> tuple[Any, str | None]:
    x = cls.example_input(batch, generator=rng.make_generator(0))
    name = float_field(x)
    if name is None:
        return x, None
    x64 = with_field(x, name, get_field(x, name).detach().to(torch.float64))
    try:
        (cls.at_magnitude(ANCHORS[0], p=1.0) if not issubclass(cls, Mixer) else cls.example_instances()[0]).validate(
            x64
        )
        return x64, name
    except InputError:
        return x, name


def _no_float(x: Any) -> str:
    return f"the payload ({type(x).__name__}) is not a float tensor or a dataclass holding one (nothing to differentiate through)"


def _support_op(cls: Any) -> MagnitudeSupport:
    modality = cls.modality_name()

    def no(reason: str, params: tuple[str, ...] = ()) -> MagnitudeSupport:
        return MagnitudeSupport(cls.name, modality, "op", False, params, reason)

    if getattr(cls, "requires_model", False):
        return no("model-aware op (its params come from the model, not from a random draw)")
    if cls.magnitude.integer:
        return no(f"integer magnitude (`{cls.magnitude.arg}` is a count or a size)")
    x, name = _example(cls)
    if name is None:
        return no(_no_float(x))
    seed = 7
    try:
        path = MagnitudePath(cls, x, seed)
    except InputError as exc:
        return no(str(exc))
    if path.changed:
        return no(f"draws other than float values change with the magnitude ({', '.join(path.changed)})")
    moving = tuple("/".join(k) for k in path.moving)
    if not moving:
        return no("no float param moves with the magnitude (it sets integer or boolean draws)")
    probe = cls.at_magnitude(PROBE, p=1.0).sample_params(x, generator=rng.make_generator(seed))
    flat_probe = _flat(probe)
    for key, (at0, slope) in path.moving.items():
        want = flat_probe[key]
        if not torch.allclose((at0 + PROBE * slope).to(want.dtype), want, rtol=1e-4, atol=1e-6):
            return no(
                f"`{'/'.join(key)}` is not affine in the magnitude (a log-uniform or other non-linear draw)", moving
            )
    spec = cls.modality_spec()
    own = cls.at_magnitude(PROBE, p=1.0).augment(x, generator=rng.make_generator(seed)).output
    if not spec.allclose(path.apply(x, PROBE), own, rtol=1e-4, atol=1e-5):
        return no("the kernel reads its strength from the constructor, not only from the params", moving)

    def scalar(m: torch.Tensor) -> torch.Tensor:
        return _weighted_sum(get_field(path.apply(x, m), name))

    bad = _check_derivative(scalar, get_field(x, name).dtype)
    if bad:
        return no(bad, moving)
    return MagnitudeSupport(cls.name, modality, "op", True, moving, "affine in m: " + ", ".join(moving))


def _support_mixer(cls: Any) -> MagnitudeSupport:
    modality = cls.modality_name()

    def no(reason: str) -> MagnitudeSupport:
        return MagnitudeSupport(cls.name, modality, "mixer", False, (), reason)

    if getattr(cls, "requires_model", False):
        return no("model-aware mixer (its mix is not set by λ alone)")
    x, name = _example(cls)
    if name is None:
        return no(_no_float(x))
    mixer = cls.example_instances()[0]
    try:
        path = MixingPath(mixer, x, 7)
    except InputError as exc:
        return no(str(exc))

    def scalar(m: torch.Tensor) -> torch.Tensor:
        out, weights, _ = path.apply(x, m)
        return _weighted_sum(get_field(out, name)) + _weighted_sum(weights.to(torch.float64))

    bad = _check_derivative(scalar, get_field(x, name).dtype)
    if bad:
        return no(bad.replace("magnitude", "mixing strength"))
    return MagnitudeSupport(cls.name, modality, "mixer", True, ("lam",), "λ(m) = 1 − m·(1 − λ)")


@functools.cache
def magnitude_support(name: str) -> MagnitudeSupport:
    """The verdict for one registered op with a magnitude, or one mixer (computed once per process)."""
    from omniaug.registry import registry

    reg = registry()
    if name in reg.mixers:
        return _support_mixer(reg.mixer(name))
    cls = reg.augmentation(name)
    if cls.magnitude is None:
        return MagnitudeSupport(name, cls.modality_name(), "op", False, (), "no magnitude")
    return _support_op(cls)


def differentiable_magnitude_ops(
    modality: str | None = None, *, mixers: bool = False, qualified_only: bool = True
) -> list[MagnitudeSupport]:
    """The policy ops of ``modality`` (default: every modality), and its mixers with ``mixers=True``, with verdicts.

    Policy ops are ``registry().ops_for(modality, policy=True)``: the ops with a
    magnitude that policies draw from. ``qualified_only=False`` keeps the excluded
    ones, each with its reason.
    """
    from omniaug.registry import registry

    reg = registry()
    modalities = sorted(reg.modalities) if modality is None else [modality]
    names = [c.name for m in modalities for c in reg.ops_for(m, policy=True)]
    if mixers:
        names += [n for n, c in reg.mixers.items() if c.modality_name() in modalities]
    out = [magnitude_support(n) for n in sorted(names)]
    return [s for s in out if s.qualifies or not qualified_only]


def magnitude_table() -> str:
    """The markdown table of ``docs/modalities/policy.md``: every op with a magnitude and every mixer, by modality."""
    rows = differentiable_magnitude_ops(mixers=True, qualified_only=False)
    lines = [
        "| modality | op | differentiable magnitude | params / reason |",
        "| --- | --- | --- | --- |",
    ]
    for s in sorted(rows, key=lambda s: (s.modality, s.kind, s.name)):
        op = s.name if s.kind == "op" else f"{s.name} (mixer)"
        verdict = "yes" if s.qualifies else "no"
        lines.append(f"| {s.modality} | `{op}` | {verdict} | {s.reason.replace('|', '/')} |")
    qualified = sum(s.qualifies for s in rows)
    lines.append("")
    lines.append(f"{qualified} of {len(rows)} qualify.")
    return "\n".join(lines)


# -- the unrolled step ---------------------------------------------------------------------
def unrolled_step(
    model: torch.nn.Module,
    train_loss: Callable[[Callable[[Any], Any]], torch.Tensor],
    loss_fn: Callable[[Any, Any], torch.Tensor],
    x_val: Any,
    y_val: Any,
    hyper: Sequence[torch.Tensor],
    *,
    xi: float,
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """``(L_val(w'), [∂L_val(w')/∂h for h in hyper])`` with ``w' = w − ξ ∇_w train_loss``.

    ``train_loss(forward)`` computes the training loss through ``forward(x)`` (the
    model at its live parameters) from tensors that depend on ``hyper`` (leaves
    that require grad). The model's parameters, their ``.grad`` and its buffers
    (BatchNorm running statistics) are left unchanged.
    """
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    buffers = {n: b.detach().clone() for n, b in model.named_buffers()}  # train-mode BN would update them in place
    with torch.enable_grad():
        live = {n: p.detach().clone().requires_grad_(True) for n, p in model.named_parameters() if n in names}

        def forward(x: Any) -> Any:
            return functional_call(model, {**live, **buffers}, (x,))

        train = train_loss(forward)
        grads = torch.autograd.grad(train, list(live.values()), create_graph=True)
        stepped = {n: p - xi * g for (n, p), g in zip(live.items(), grads)}
        val = loss_fn(functional_call(model, {**stepped, **buffers}, (x_val,)), y_val).mean()
        hyper_grads = torch.autograd.grad(val, list(hyper), allow_unused=True)
    return val.detach(), [torch.zeros_like(h) if g is None else g for h, g in zip(hyper, hyper_grads)]


# -- a mixer at a fixed strength (what a learned mixing strength exports to) --------------------
class ScaledMixer(Transform):
    """``mixer`` with each mixed sample keeping ``1 − strength·(1 − λ)`` of itself (``strength`` 1: the mixer as is).

    Called like a mixer: ``scaled(x, labels)`` → ``(mixed, soft_labels)``; ``scaled(x)`` → mixed.
    """

    name = "policy.scaled_mixer"

    def __init__(self, mixer: Mixer, strength: float = 1.0) -> None:
        if not isinstance(mixer, Mixer):
            raise InputError("mixer", "an omniaug mixer", mixer, where="ScaledMixer")
        self.mixer = mixer
        self.strength = args.fraction("strength", strength, where="ScaledMixer")

    def modality_spec(self) -> Modality:
        return self.mixer.modality_spec()

    def modality_name(self) -> str:
        return self.mixer.modality_name()

    @property  # type: ignore[misc]
    def differentiable(self) -> bool:  # type: ignore[override]
        return bool(self.mixer.differentiable)

    def sample_params(
        self, x: Any, *, generator: torch.Generator | None = None, labels: torch.Tensor | None = None
    ) -> Params:
        params = self.mixer.sample_params(x, generator=generator, labels=labels)
        lam = params["lam"]
        params["lam"] = 1.0 - self.strength * (1.0 - lam)
        return params

    def apply(self, x: Any, params: Params) -> Any:
        return self.mixer.mix_batch(x, params)[0]

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        params = self.sample_params(x, generator=generator)
        return Augmented(self.apply(x, params), params)

    def __call__(  # type: ignore[override]
        self,
        x: Any,
        labels: torch.Tensor | None = None,
        *,
        generator: torch.Generator | None = None,
        params: Params | None = None,
    ) -> Any:
        if params is None:
            params = self.sample_params(x, generator=generator, labels=labels)
        out, weights = self.mixer.mix_batch(x, params)
        if labels is None:
            return out
        return out, self.mixer.soft_labels(labels, params, weights)


# -- the policy ---------------------------------------------------------------------------------
class DifferentiableMagnitudes(Transform):
    """Per-op magnitudes and op weights learned by a one-step-unrolled validation gradient.

    Args:
        modality: the registered modality.
        include / exclude: restrict the ops by registered name (default: every op of
            ``modality`` that :func:`magnitude_support` qualifies; naming one that does
            not qualify is an error that gives its reason).
        identity: add the identity as a branch (its weight is learned too).
        mixer: optionally a registered mixer name whose mixing strength is learned
            (applied after the op, to every sample with probability ``mixer_p``);
            needs ``num_classes`` and class-index or probability labels.
        init: the starting magnitude of every op (and the mixing strength).
        lr: Adam learning rate of the magnitudes; ``lr_weights`` that of the op weights
            (``0`` keeps the weights uniform: magnitudes only).
        xi: the unrolled inner step size ξ (use the model's learning rate).

    As a transform (``policy(x, generator=g)``) each sample draws one branch from
    ``softmax(α)`` and the op runs at its current learned magnitude; params replay
    without the policy's state.
    """

    name = "policy.differentiable_magnitudes"

    def __init__(
        self,
        modality: str,
        *,
        include: Sequence[str] | None = None,
        exclude: Sequence[str] = (),
        identity: bool = True,
        mixer: str | None = None,
        mixer_p: float = 1.0,
        num_classes: int | None = None,
        init: float = 0.5,
        lr: float = 0.05,
        lr_weights: float = 0.05,
        xi: float = 0.1,
    ) -> None:
        from omniaug.registry import registry

        where = "DifferentiableMagnitudes"
        reg = registry()
        reg.modality(modality)  # a clear error for an unknown modality
        allowed = {s.name: s for s in differentiable_magnitude_ops(modality, qualified_only=False)}
        for name in [*(include or []), *exclude]:
            if name not in allowed:
                raise InputError("include/exclude", f"ops of {modality!r} with a magnitude", name, where=where)
            if name in (include or []) and not allowed[name].qualifies:
                raise InputError(
                    "include",
                    f"ops with a differentiable magnitude ({name}: {allowed[name].reason})",
                    name,
                    where=where,
                )
        names = [
            n for n, s in allowed.items() if s.qualifies and n not in exclude and (include is None or n in include)
        ]
        if not names:
            raise InputError(
                "modality",
                "a modality with an op whose magnitude is differentiable (see omniaug_policy.magnitude_table())",
                modality,
                where=where,
            )
        self.ops: list[str] = names
        self.identity = bool(identity)
        self.lr = args.non_negative("lr", lr, where=where)
        self.lr_weights = args.non_negative("lr_weights", lr_weights, where=where)
        self.xi = args.positive("xi", xi, where=where)
        start = args.fraction("init", init, where=where)
        self.mixer_p = args.probability("mixer_p", mixer_p, where=where)
        self.num_classes = num_classes
        self._mixer: Mixer | None = None
        if mixer is not None:
            support = magnitude_support(mixer) if mixer in reg.mixers else None
            if support is None or support.modality != modality:
                raise InputError("mixer", f"a registered mixer of {modality!r}", mixer, where=where)
            if not support.qualifies:
                raise InputError("mixer", f"a mixer whose λ is differentiable ({support.reason})", mixer, where=where)
            if num_classes is None:
                raise InputError("num_classes", "the number of classes (set with a mixer)", None, where=where)
            self._mixer = reg.mixer(mixer)(p=self.mixer_p, num_classes=num_classes)
        self.mixer = mixer
        k = len(self.ops) + int(self.identity)
        self.alpha = torch.zeros(k, requires_grad=True)
        self.m = torch.full((len(self.ops),), start, requires_grad=True)
        self.strength = torch.tensor(start, requires_grad=True)
        groups = [{"params": [self.m, self.strength], "lr": self.lr}]
        if self.lr_weights > 0:
            groups.append({"params": [self.alpha], "lr": self.lr_weights})
        self.optimizer = torch.optim.Adam(groups)
        self.skipped_steps = 0
        self._classes = [reg.augmentation(n) for n in self.ops]
        self._modality: Modality = self._classes[0].modality_spec()

    # -- transform protocol ----------------------------------------------------------
    def modality_spec(self) -> Modality:
        return self._modality

    def modality_name(self) -> str:
        return self._modality.name

    def branches(self) -> list[str]:
        """The branch names, in the order of :meth:`weights`."""
        return [*self.ops, *([IDENTITY] if self.identity else [])]

    def weights(self) -> torch.Tensor:
        """``softmax(α)``: the probability of each branch."""
        return torch.softmax(self.alpha.detach(), 0)

    def magnitudes(self) -> dict[str, float]:
        """The current magnitude of each op (and the mixer's strength, under its name)."""
        out = dict(zip(self.ops, self.m.detach().tolist()))
        if self.mixer is not None:
            out[self.mixer] = float(self.strength.detach())
        return out

    def _choice(self) -> ChosenOneOf:
        built: list[Transform] = [
            SkipInapplicable(c.at_magnitude(float(m), p=1.0)) for c, m in zip(self._classes, self.m.detach().tolist())
        ]
        if self.identity:
            built.append(Identity())
        return ChosenOneOf(built)

    def sample_params(self, x: Any, *, generator: torch.Generator | None = None) -> Params:
        return self.augment(x, generator=generator).params

    def augment(self, x: Any, *, generator: torch.Generator | None = None) -> Augmented:
        spec = self.modality_spec()
        n = spec.batch_size(x)
        probs = self.weights().to(spec.device_of(x)).expand(n, -1)
        return self._choice().augment_with_probs(x, probs, generator)

    def apply(self, x: Any, params: Params) -> Any:
        return self._choice().apply(x, params)

    def augment_with_labels(
        self, x: Any, labels: torch.Tensor, *, generator: torch.Generator | None = None
    ) -> tuple[Any, torch.Tensor, Params]:
        """The per-sample op choice, then the mixer at its learned strength: ``(x, soft labels, params)``."""
        out, params = self.augment(x, generator=generator)
        if self._mixer is None:
            return out, labels, params
        scaled = ScaledMixer(self._mixer, min(1.0, max(0.0, float(self.strength.detach()))))
        mix_params = scaled.sample_params(out, generator=generator, labels=labels)
        mixed, soft = scaled(out, labels, params=mix_params)
        params = Params(params)
        params["mixer"] = mix_params
        return mixed, soft, params

    # -- the search step -------------------------------------------------------------------
    def relaxed_loss(
        self,
        forward: Callable[[Any], Any],
        loss_fn: Callable[[Any, Any], torch.Tensor],
        x: Any,
        y: Any,
        seed: int,
        alpha: torch.Tensor,
        m: torch.Tensor,
        strength: torch.Tensor,
    ) -> torch.Tensor:
        """``Σ_k softmax(α)_k · mean L(forward(T_k(x; m_k)), y_k)``; the draws come from ``seed``."""
        w = torch.softmax(alpha, 0)
        gen = rng.make_generator(seed)
        seeds = [_seed(gen) for _ in range(len(self.ops) + 1)]
        outs: list[Any] = [MagnitudePath(c, x, s).apply(x, m[i]) for i, (c, s) in enumerate(zip(self._classes, seeds))]
        if self.identity:
            outs.append(x)
        targets: list[Any] = [y] * len(outs)
        if self._mixer is not None:
            if not isinstance(y, torch.Tensor):
                raise InputError("y", "class indices or probabilities (with a mixer)", y, where=self.name)
            soft = to_soft_labels(y, self.num_classes, where=self.name)
            mixing = MixingPath(self._mixer, x, seeds[-1], labels=y)  # one draw of partners and λ for every branch
            mixed = [mixing.apply(o, strength) for o in outs]
            outs = [o for o, _, _ in mixed]
            targets = [self._mixer.soft_labels(soft, p, wts) for _, wts, p in mixed]
        total = x.new_zeros(()) if isinstance(x, torch.Tensor) else torch.zeros(())
        for k, (o, t) in enumerate(zip(outs, targets)):
            total = total + w[k] * loss_fn(forward(o), t).mean()
        return total

    def hypergradient(
        self,
        model: torch.nn.Module,
        loss_fn: Callable[[Any, Any], torch.Tensor],
        x: Any,
        y: Any,
        x_val: Any,
        y_val: Any,
        *,
        seed: int,
        alpha: torch.Tensor | None = None,
        m: torch.Tensor | None = None,
        strength: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(L_val(w'), ∂/∂α, ∂/∂m, ∂/∂strength)`` at the given (default: current) weights and magnitudes."""
        a = (self.alpha if alpha is None else alpha).detach().clone().requires_grad_(True)
        mm = (self.m if m is None else m).detach().clone().requires_grad_(True)
        s = (self.strength if strength is None else strength).detach().clone().requires_grad_(True)
        name = float_field(x)
        dtype = torch.float32 if name is None else get_field(x, name).dtype
        a_, m_, s_ = a.to(dtype), mm.to(dtype), s.to(dtype)

        def train(forward: Callable[[Any], Any]) -> torch.Tensor:
            return self.relaxed_loss(forward, loss_fn, x, y, seed, a_, m_, s_)

        val, (ga, gm, gs) = unrolled_step(model, train, loss_fn, x_val, y_val, [a, mm, s], xi=self.xi)
        return val, ga, gm, gs

    def step(
        self,
        model: torch.nn.Module,
        loss_fn: Callable[[Any, Any], torch.Tensor],
        x: Any,
        y: Any,
        x_val: Any,
        y_val: Any,
        *,
        generator: torch.Generator | None = None,
    ) -> float:
        """One update of the weights and magnitudes; returns the unrolled validation loss.

        ``loss_fn`` returns per-sample losses; with a mixer it must accept probability
        targets (``torch.nn.CrossEntropyLoss(reduction="none")`` does). Magnitudes stay in [0, 1].
        """
        if float_field(x) is None:
            raise InputError(
                "x", "a batch with a float tensor (the magnitudes are differentiated through it)", x, where=self.name
            )
        val, ga, gm, gs = self.hypergradient(model, loss_fn, x, y, x_val, y_val, seed=_seed(generator))
        if not all(bool(torch.isfinite(g).all()) for g in (ga, gm, gs)):
            self.skipped_steps += 1  # a non-finite hypergradient (a diverging model): no update
            return float(val)
        self.optimizer.zero_grad(set_to_none=True)
        self.alpha.grad = ga.to(self.alpha.dtype)
        self.m.grad = gm.to(self.m.dtype)
        self.strength.grad = gs.to(self.strength.dtype) if self.mixer is not None else torch.zeros_like(self.strength)
        self.optimizer.step()
        with torch.no_grad():
            self.m.clamp_(0.0, 1.0)
            self.strength.clamp_(0.0, 1.0)
        return float(val)

    # -- results -------------------------------------------------------------------------------
    def export(self, *, min_weight: float = 0.0) -> LearnedPolicy:
        """The learned weights and magnitudes as a fixed, serializable :class:`LearnedPolicy` (ops only)."""
        w = self.weights().tolist()
        subs, weights = [], []
        for name, p in zip(self.branches(), w):
            if p < min_weight:
                continue
            mag = 0.0 if name == IDENTITY else float(self.magnitudes()[name])
            subs.append([[name, 1.0, mag]])
            weights.append(p)
        if not subs:
            raise InputError("min_weight", "a weight some branch reaches", min_weight, where=self.name)
        return LearnedPolicy(self.modality_name(), subs, weights)

    def export_mixer(self) -> ScaledMixer:
        """The mixer at its learned strength (with ``mixer_p``), serializable."""
        if self._mixer is None:
            raise InputError("mixer", "a policy built with a mixer", None, where=self.name)
        return ScaledMixer(self._mixer, min(1.0, max(0.0, float(self.strength.detach()))))

    def state_dict(self) -> dict[str, Any]:
        return {
            "alpha": self.alpha.detach().clone(),
            "m": self.m.detach().clone(),
            "strength": self.strength.detach().clone(),
            "optimizer": self.optimizer.state_dict(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        with torch.no_grad():
            self.alpha.copy_(state["alpha"])
            self.m.copy_(state["m"])
            self.strength.copy_(state["strength"])
        self.optimizer.load_state_dict(state["optimizer"])
