"""The Augmentation interface: sample per-sample params, then apply a pure kernel.

An op is written as three small pieces:

* :meth:`Augmentation.draw` — per-sample random parameters as tensors with a
  leading batch dimension, from the caller's generator;
* :meth:`Augmentation.kernel` — a pure function applying those params to every
  sample it is given (vectorized, no loop over the batch);
* optional :meth:`Augmentation.check` — op-specific input validation.

The base class adds ``p`` (a per-sample apply mask), ``same_on_batch``, input
validation through the op's :class:`~omniaug.Modality`, gather → kernel → scatter
over the applied samples, and recording of constructor arguments for
serialization. Params are returned (``augment``) or passed in (``params=``), never
kept on the object, so they can be replayed on an aligned second input.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, NamedTuple

import torch

from . import batching, rng, validation
from .errors import InputError
from .modality import Modality
from .model import ModelContext, current, using_model
from .params import APPLY, Params

__all__ = ["Augmentation", "Augmented", "Magnitude", "Transform"]


class Augmented(NamedTuple):
    """What :meth:`Augmentation.augment` returns: the output and the params that made it."""

    output: Any
    params: Params


@dataclass(frozen=True)
class Magnitude:
    """How a policy (RandAugment, TrivialAugment) sets an op's strength.

    A magnitude ``m`` in ``[0, 1]`` sets constructor argument ``arg`` to
    ``low + m * (high - low)`` (element-wise for tuples). ``low`` is the identity
    (or weakest) setting, ``high`` the strongest a policy should use. The op keeps
    drawing per-sample values inside the range that argument describes, so a
    policy's magnitude is the upper bound of each sample's strength.
    """

    arg: str
    low: float | tuple[float, ...]
    high: float | tuple[float, ...]
    integer: bool = False

    def value(self, m: float) -> Any:
        if not 0.0 <= m <= 1.0:
            raise InputError("magnitude", "a number in [0, 1]", m, where=f"Magnitude({self.arg})")

        def lerp(lo: float, hi: float) -> float | int:
            v = lo + m * (hi - lo)
            return round(v) if self.integer else float(v)

        if isinstance(self.low, tuple):
            assert isinstance(self.high, tuple)
            return tuple(lerp(lo, hi) for lo, hi in zip(self.low, self.high))
        assert not isinstance(self.high, tuple)
        return lerp(self.low, self.high)


class Transform:
    """Common base of augmentations, containers and policies.

    Subclasses get automatic recording of their constructor arguments (for
    :func:`omniaug.to_config`) and the ``__call__``/``augment`` protocol.
    """

    #: registered name, ``"<modality>.<op>"`` for modality ops (``"compose"`` for containers)
    name: ClassVar[str] = ""
    #: whether the op needs a :class:`~omniaug.ModelContext` (``aug(x, model=ctx)``) to draw its params
    requires_model: ClassVar[bool] = False
    #: whether the output is differentiable in the input (gradients flow through the kernel);
    #: a non-differentiable op refuses an input that requires grad instead of silently detaching
    differentiable: ClassVar[bool] = False
    _init_args: dict[str, Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _recording_init(cls.__dict__["__init__"])  # type: ignore[method-assign]
        for method in _MODEL_ENTRY_POINTS:
            if method in cls.__dict__:
                setattr(cls, method, _model_entry(cls.__dict__[method]))

    # -- protocol -------------------------------------------------------------
    def sample_params(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Params:
        raise NotImplementedError

    def apply(self, x: Any, params: Params) -> Any:
        raise NotImplementedError

    def augment(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        """Sample params for ``x`` and apply them; return ``Augmented(output, params)``."""
        with using_model(model):
            params = self.sample_params(x, generator=generator)
            return Augmented(self.apply(x, params), params)

    def __call__(
        self,
        x: Any,
        *,
        generator: torch.Generator | None = None,
        params: Params | None = None,
        model: ModelContext | None = None,
    ) -> Any:
        """Augment ``x``; with ``params`` given, replay them instead of drawing new ones.

        ``model``: a :class:`~omniaug.ModelContext` for model-aware ops (blind ops ignore
        it); replaying ``params`` never needs it.
        """
        if params is None:
            return self.augment(x, generator=generator, model=model).output
        return self.apply(x, params)

    # -- model-aware protocol ---------------------------------------------------
    def require_model(self) -> ModelContext:
        """The current :class:`~omniaug.ModelContext`; a clear error naming the op when there is none."""
        ctx = current()
        if ctx is None:
            raise InputError(
                "model",
                "a ModelContext for this model-aware op: aug(x, generator=g, model=omniaug.ModelContext(model, "
                "loss_fn, targets)) (replaying params=... needs no model)",
                None,
                where=self.name or type(self).__name__,
            )
        return ctx

    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        """Per-sample losses of the samples these ``params`` augmented (row-aligned); learned ops update here.

        Blind ops ignore it; containers route each child the rows it ran on
        (see :func:`omniaug.feedback`).
        """

    # -- configuration --------------------------------------------------------
    @property
    def init_args(self) -> dict[str, Any]:
        """The constructor arguments this object was built with (defaults filled in)."""
        return dict(getattr(self, "_init_args", {}))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.init_args.items())
        return f"{type(self).__name__}({args})"


#: methods through which a caller may hand in ``model=``; subclasses' overrides are wrapped
_MODEL_ENTRY_POINTS = ("__call__", "augment", "sample_params", "augment_with_labels")


def _accepts_model(fn: Any) -> bool:
    params = inspect.signature(fn).parameters
    return "model" in params or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())


def _model_entry(fn: Any) -> Any:
    """Let ``fn`` take ``model=ctx``: the context is current during the call (passed on if ``fn`` names it).

    Subclasses (including third parties') that override ``augment`` or ``sample_params``
    without a ``model`` argument keep working inside model-aware pipelines.
    """
    if getattr(fn, "_omniaug_model_entry", False):
        return fn
    passes = _accepts_model(fn)

    @functools.wraps(fn)
    def entry(self: Any, *args: Any, **kwargs: Any) -> Any:
        ctx = kwargs.pop("model", None)
        opened = validation.enter_call()  # the outermost call scopes what validation records (omniaug.validation)
        try:
            if ctx is None:
                return fn(self, *args, **kwargs)
            with using_model(ctx):
                return fn(self, *args, model=ctx, **kwargs) if passes else fn(self, *args, **kwargs)
        finally:
            if opened:
                validation.exit_call()

    entry._omniaug_model_entry = True  # type: ignore[attr-defined]
    return entry


def _recording_init(init: Any) -> Any:
    sig = inspect.signature(init)

    @functools.wraps(init)
    def __init__(self: Transform, *args: Any, **kwargs: Any) -> None:
        if "_init_args" not in self.__dict__:
            bound = sig.bind(self, *args, **kwargs)
            bound.apply_defaults()
            recorded: dict[str, Any] = {}
            for name, value in list(bound.arguments.items())[1:]:
                kind = sig.parameters[name].kind
                if kind is inspect.Parameter.VAR_KEYWORD:
                    recorded.update(value)
                elif kind is inspect.Parameter.VAR_POSITIONAL:
                    recorded[name] = list(value)
                else:
                    recorded[name] = value
            _check_finite(recorded, self)
            self.__dict__["_init_args"] = recorded
        init(self, *args, **kwargs)

    return __init__


def _check_finite(args: dict[str, Any], obj: Any) -> None:
    """No constructor argument may be NaN or ±inf (alone or inside a list/tuple): they give NaN outputs.

    An op whose argument may meaningfully be non-finite (a fill value of NaN marks
    "missing") names it in its ``nonfinite_args`` class attribute.
    """
    allowed: frozenset[str] = getattr(type(obj), "nonfinite_args", frozenset())
    for name, value in args.items():
        if name in allowed:
            continue
        items = value if isinstance(value, (list, tuple)) else (value,)
        for v in items:
            if isinstance(v, float) and not math.isfinite(v):
                raise InputError(name, "finite numbers (no NaN or infinity)", value, where=type(obj).__name__)


class Augmentation(Transform):
    """Base class of a single augmentation op on one modality.

    Class attributes a subclass sets:

    * ``name`` — registered name ``"<modality>.<op>"``;
    * ``modality`` — the :class:`Modality` it accepts (a registered name also works);
    * ``magnitude`` — a :class:`Magnitude` if policies may use the op;
    * ``fusion`` — the name of a registered fusion kind if the op can be folded
      by ``Compose(..., fuse=True)`` (then implement :meth:`fusion_transform`).

    Args:
        p: probability, per sample, that the op is applied.
        same_on_batch: draw one set of params and use it for every sample.
    """

    modality: ClassVar[Modality | str] = ""
    magnitude: ClassVar[Magnitude | None] = None
    fusion: ClassVar[str | None] = None
    #: fuse even when alone in a ``Compose(fuse=True)`` run (for ops whose own kernel is a chain)
    fuse_alone: ClassVar[bool] = False
    #: whether RandAugment / TrivialAugment may pick the op (needs ``magnitude``)
    in_policies: ClassVar[bool] = True
    #: draw the params of the samples the apply mask selects only (the others' rows are zeros): for
    #: ops whose params are large per-sample fields (a noise image per sample), which ``p < 1``
    #: would otherwise draw for samples that never use them. Such a ``draw`` must read only
    #: the shape of ``x`` (it gets the whole batch and ``batch_size`` = the number of selected
    #: samples). A keyed generator draws the selected rows from their own keys.
    draw_selected_only: ClassVar[bool] = False
    #: intra-op threads of the op's own work on CPU (its draw and validation, gather, kernel, merge):
    #: ``None`` keeps the caller's setting; ``1`` runs it on the calling thread alone — no OpenMP
    #: regions and no worker pool. For ops made of many cheap passes over a batch: with two or
    #: more threads each pass is an OpenMP region, and on a shared machine every region's barrier
    #: can wait milliseconds for a descheduled partner, while the worker that spun there keeps a
    #: core from whatever runs next (docs/performance.md). The values do not depend on it.
    cpu_threads: ClassVar[int | None] = None

    def __init__(self, *, p: float = 1.0, same_on_batch: bool = False) -> None:
        if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0.0 <= float(p) <= 1.0:
            raise InputError("p", "a probability in [0, 1]", p, where=type(self).__name__)
        self.p = float(p)
        self.same_on_batch = bool(same_on_batch)

    # -- to implement ---------------------------------------------------------
    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        """Per-sample random parameters, each with a leading ``batch_size`` dimension.

        Use :mod:`omniaug.rng` with ``generator`` and ``device``. Ops with no
        randomness besides ``p`` return ``{}`` (the default).
        """
        return {}

    def kernel(self, x: Any, params: Params) -> Any:
        """Apply ``params`` to every sample of ``x`` (pure: never mutate ``x``)."""
        raise NotImplementedError(f"{type(self).__name__}.kernel")

    def check(self, x: Any) -> None:
        """Op-specific validation beyond the modality's; raise :class:`InputError`."""

    def fusion_transform(self, x: Any, params: Params) -> torch.Tensor:
        """Per-sample transform for fusion (e.g. a ``(B, 3, 3)`` matrix) for every sample.

        ``Compose(fuse=True)`` replaces it by the kind's identity where the apply
        mask is False. Draws must not depend on the data (only on its shape), since
        a fused run draws every op's params from the run's input.
        """
        raise NotImplementedError(f"{type(self).__name__} declares no fusion")

    # -- contract suite hooks -------------------------------------------------------
    @classmethod
    def example_instances(cls) -> list[Augmentation]:
        """Instances the contract suite tests (default: one built with defaults)."""
        return [cls()]

    @classmethod
    def example_context(cls, x: Any) -> ModelContext:
        """The model context the contract suite calls a model-aware op with on ``x``.

        Default: :func:`omniaug.model.tiny_context` (a small classifier over flattened
        tensors); override for payloads that are not plain tensors.
        """
        from .model import tiny_context

        return tiny_context(x)

    @classmethod
    def example_input(
        cls, batch_size: int, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
    ) -> Any:
        """A valid input batch for the contract suite (default: the modality's example)."""
        spec = cls.modality_spec()
        if spec.example is None:
            raise NotImplementedError(f"modality {spec.name!r} has no example; override {cls.__name__}.example_input")
        return spec.example(batch_size=batch_size, generator=generator, device=device)

    # -- provided -------------------------------------------------------------
    @classmethod
    def modality_spec(cls) -> Modality:
        """The op's :class:`Modality`, looked up in the registry when given by name."""
        m = cls.modality
        if isinstance(m, Modality):
            return m
        from .registry import registry

        return registry().modality(m)

    @classmethod
    def modality_name(cls) -> str:
        m = cls.modality
        return m.name if isinstance(m, Modality) else m

    @classmethod
    def at_magnitude(cls, m: float, **kwargs: Any) -> Augmentation:
        """Construct the op at policy magnitude ``m`` in ``[0, 1]``."""
        if cls.magnitude is None:
            raise InputError("magnitude", f"an op with a Magnitude spec ({cls.__name__} has none)", m)
        kwargs[cls.magnitude.arg] = cls.magnitude.value(m)
        return cls(**kwargs)

    def validate(self, x: Any) -> None:
        """Check ``x`` against the modality and the op; raise :class:`InputError` with details."""
        if not self.differentiable:
            refuse_grad(x, self)
        self.modality_spec().validate(x)
        self.check(x)

    def sample_params(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Params:
        """Draw the apply mask from ``p`` and the op's per-sample params for batch ``x``.

        A model-aware op (``requires_model``) reads the call's model context in
        :meth:`draw` through :meth:`require_model`.
        """
        spec = self.modality_spec()
        with self._threads(x):
            return self._sample_params(spec, x, generator)

    def _sample_params(self, spec: Modality, x: Any, generator: torch.Generator | None) -> Params:
        self.validate(x)
        n = spec.batch_size(x)
        device = spec.device_of(x)
        if self.p >= 1.0:  # always applied: no draw, and the masked path will not read the mask
            apply = batching.all_selected(n, device)
        else:
            apply = rng.bernoulli(n, self.p, generator=generator, device=device, same_on_batch=self.same_on_batch)
        if self.draw_selected_only and self.p < 1.0 and not (self.same_on_batch and n > 1):
            drawn = self._draw_selected(x, n, apply, generator, device)
        else:
            drawn = self.draw(x, n, generator=generator, device=device)
        if self.same_on_batch and n > 1:
            first = torch.zeros(n, dtype=torch.long, device=device)
            drawn = {k: _repeat_first(v, first) for k, v in drawn.items()}
        params = Params(drawn)
        params[APPLY] = apply
        return params

    def _draw_selected(
        self, x: Any, n: int, apply: torch.Tensor, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        """:meth:`draw` for the selected rows only, spread into the batch with zero rows elsewhere."""
        idx = apply.nonzero().flatten()  # one device sync, as the masked apply makes anyway
        if idx.numel() == n:
            return self.draw(x, n, generator=generator, device=device)
        part = self.draw(x, int(idx.numel()), generator=rng.subset_generator(generator, idx), device=device)
        return {k: batching.scatter_into(v, idx, n) for k, v in part.items()}

    def augment(
        self, x: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        """Sample params for ``x`` and apply them; return ``Augmented(output, params)``."""
        cls = type(self)
        if cls.sample_params is _SAMPLE_PARAMS and cls.apply is _APPLY:
            # the base class's own draw and apply (most ops): one modality lookup and one
            # threads scope for both, and apply skips the checks of params it did not draw
            # (the mask was just made for this batch: (n,)). Same steps, same results.
            spec = self.modality_spec()
            with self._threads(x):
                params = self._sample_params(spec, x, generator)
                return Augmented(self._apply_mask(spec, x, params, params[APPLY]), params)
        params = self.sample_params(x, generator=generator)
        # at p = 1 the mask is batching.all_selected: the masked path passes the whole batch to
        # the kernel without reading it, whatever apply() the op overrides
        return Augmented(self.apply(x, params), params)

    def apply(self, x: Any, params: Params) -> Any:
        """Apply ``params`` to ``x``: the kernel runs once, on the samples whose apply mask is set."""
        spec = self.modality_spec()
        n = spec.batch_size(x)
        mask = params.get(APPLY)
        if not isinstance(mask, torch.Tensor) or mask.shape != (n,):
            raise InputError(
                "params", f"Params for a batch of {n} with an '{APPLY}' mask of shape ({n},)", params, where=self.name
            )
        with self._threads(x):
            return self._apply_mask(spec, x, params, mask)

    def _apply_mask(self, spec: Modality, x: Any, params: Params, mask: torch.Tensor) -> Any:
        """:meth:`apply` after its checks: ``mask`` is ``params``' ``(n,)`` apply mask for batch ``x``."""
        n = mask.shape[0]
        if n and batching.is_all_selected(mask):  # p = 1: the whole batch, as apply_on_subset passes it
            return self.kernel(x, params)

        def run(xs: Any, idx: torch.Tensor) -> Any:
            return self.kernel(xs, params if idx.numel() == n else params.subset(idx))

        return batching.apply_on_subset(x, mask, run, subset_fn=spec.subset, merge_fn=spec.merge)

    def _threads(self, x: Any) -> contextlib.AbstractContextManager[None]:
        """:attr:`cpu_threads` for a call on ``x``: one intra-op thread on CPU when the op asks for it."""
        if self.cpu_threads != 1:
            return contextlib.nullcontext()
        try:
            device = self.modality_spec().device_of(x)
        except Exception:  # an invalid payload: validation reports it with its own message
            return contextlib.nullcontext()
        if device.type != "cpu":
            return contextlib.nullcontext()
        from .parallel import single_thread

        return single_thread()

    def __call__(
        self,
        x: Any,
        *,
        generator: torch.Generator | None = None,
        params: Params | None = None,
        model: ModelContext | None = None,
    ) -> Any:
        if params is not None:
            self.validate(x)
        return super().__call__(x, generator=generator, params=params, model=model)


#: the base class's (wrapped) draw and apply: :meth:`Augmentation.augment` takes its direct path
#: for the ops that keep both
_SAMPLE_PARAMS = Augmentation.sample_params
_APPLY = Augmentation.apply


def refuse_grad(x: Any, op: Any) -> None:
    """Raise a clear error when ``x`` requires grad and ``op`` is not differentiable in its input."""
    if batching.any_requires_grad(x):
        raise InputError(
            "x",
            "an input that does not require grad: this op is not differentiable in its input "
            "(detach the input, or use a differentiable op; `omniaug list` shows which are)",
            x,
            where=getattr(op, "name", "") or type(op).__name__,
        )


def _repeat_first(v: Any, first: torch.Tensor) -> Any:
    if isinstance(v, torch.Tensor) and v.dim() > 0:
        return v[first.to(v.device)]
    if isinstance(v, list):
        return [v[0]] * first.numel()
    if isinstance(v, Mapping):
        return type(v)({k: _repeat_first(w, first) for k, w in v.items()})  # type: ignore[call-arg]
    return v
