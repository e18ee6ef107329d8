"""The Mixer interface: pair samples inside a batch, mix them, and mix labels to match.

A mixer draws, per sample, partner(s) from the same batch (a derangement, so no
sample is paired with itself unless the batch has one sample), λ ~ Beta(α, α) and
an apply mask from ``p``. The modality kernel :meth:`Mixer.mix` mixes each sample
with its partners and reports the **effective** share of every source it actually
used (CutMix reports the clipped box's pixel fraction, not the drawn λ); those
shares, not λ, weight the labels. Labels come in as class indices, one-hot or
soft rows and leave as probabilities whose rows sum to 1.
"""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple

import torch

from . import args, rng
from .augmentation import Transform
from .errors import InputError
from .modality import Modality
from .model import ModelContext
from .params import APPLY, Params

__all__ = ["Mixer", "Mixed", "to_soft_labels", "mix_labels"]


class Mixed(NamedTuple):
    """What :meth:`Mixer.augment` returns."""

    output: Any
    labels: torch.Tensor
    params: Params


def to_soft_labels(
    labels: torch.Tensor,
    num_classes: int | None,
    *,
    smoothing: float = 0.0,
    dtype: torch.dtype = torch.float32,
    where: str = "Mixer",
) -> torch.Tensor:
    """Class indices ``(B,)``, one-hot or soft ``(B, K)`` → probabilities ``(B, K)``, optionally smoothed."""
    if not isinstance(labels, torch.Tensor):
        raise InputError("labels", "a tensor of class indices (B,) or probabilities (B, K)", labels, where=where)
    if labels.dim() == 1:
        if labels.dtype.is_floating_point or labels.dtype == torch.bool:
            raise InputError("labels", "integer class indices when 1-D", labels, where=where)
        if num_classes is None:
            raise InputError("num_classes", "set when labels are class indices", None, where=where)
        if labels.numel() and (bool((labels < 0).any()) or bool((labels >= num_classes).any())):
            raise InputError("labels", f"class indices in [0, {num_classes})", labels, where=where)
        soft = torch.nn.functional.one_hot(labels.long(), num_classes).to(dtype)
    elif labels.dim() == 2:
        soft = labels.to(dtype)
        if num_classes is not None and soft.shape[1] != num_classes:
            raise InputError("labels", f"(B, {num_classes}) rows", labels, where=where)
        if soft.numel() and (
            bool((soft < 0).any()) or not torch.allclose(soft.sum(1), torch.ones_like(soft[:, 0]), atol=1e-3)
        ):
            raise InputError("labels", "rows of non-negative probabilities summing to 1", labels, where=where)
    else:
        raise InputError("labels", "shape (B,) or (B, K)", labels, where=where)
    if smoothing:
        if not 0.0 <= smoothing < 1.0:
            raise InputError("label_smoothing", "a number in [0, 1)", smoothing, where=where)
        soft = soft * (1.0 - smoothing) + smoothing / soft.shape[1]
    return soft


def mix_labels(soft: torch.Tensor, sources: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Mix label rows: ``out[i] = Σ_s weights[i, s] · soft[sources[i, s]]``."""
    return (weights.unsqueeze(-1).to(soft.dtype) * soft[sources]).sum(1)


class Mixer(Transform):
    """Base class of a batch mixer (MixUp, CutMix, …) for one modality.

    Subclasses set ``name``, ``modality`` and implement :meth:`mix`; they may add
    draws in :meth:`draw` and use more partners with ``num_partners``.

    Args:
        alpha: Beta(α, α) concentration for λ (the share kept of each sample).
        p: probability, per sample, that it is mixed at all.
        num_classes: needed when labels are class indices.
        label_smoothing: ε of label smoothing applied before mixing (0 = off).
    """

    modality: ClassVar[Modality | str] = ""
    num_partners: ClassVar[int] = 1

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        where = type(self).__name__
        self.alpha = args.positive("alpha", alpha, where=where)
        self.p = args.probability("p", p, where=where)
        self.num_classes = num_classes
        self.label_smoothing = float(label_smoothing)

    # -- to implement ---------------------------------------------------------
    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        """Extra per-sample params (boxes, masks, …) beyond partners and λ."""
        return {}

    def mix(self, x: Any, partners: list[Any], params: Params) -> tuple[Any, torch.Tensor]:
        """Mix each sample of ``x`` with the aligned samples of each ``partners[k]``.

        Returns ``(mixed, weights)`` where ``weights`` is ``(B,)`` — the effective
        share of ``x`` itself, the partner getting the rest — or ``(B, 1 + K)``
        shares of ``x`` and each partner, rows summing to 1.
        """
        raise NotImplementedError(f"{type(self).__name__}.mix")

    # -- provided -------------------------------------------------------------
    @classmethod
    def modality_spec(cls) -> Modality:
        m = cls.modality
        if isinstance(m, Modality):
            return m
        from .registry import registry

        return registry().modality(m)

    @classmethod
    def modality_name(cls) -> str:
        m = cls.modality
        return m.name if isinstance(m, Modality) else m

    def validate(self, x: Any) -> None:
        """Check ``x`` against the modality; a non-differentiable mixer refuses inputs that require grad."""
        if not self.differentiable:
            from .augmentation import refuse_grad

            refuse_grad(x, self)
        self.modality_spec().validate(x)

    def label_rows(self, x: Any) -> int:
        """How many label rows a call on ``x`` takes: one per sample by default.

        Node-level mixers on graph batches, say, override it to return the node count.
        """
        return self.modality_spec().batch_size(x)

    @classmethod
    def example_instances(cls) -> list[Mixer]:
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

    def draw_partners(
        self,
        x: Any,
        batch_size: int,
        *,
        generator: torch.Generator | None,
        device: torch.device,
        labels: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Partner indices ``(B, num_partners)``; default: independent derangements.

        Override to restrict pairing (e.g. within a class, using ``labels`` when the
        caller passed them). A partner equal to the sample itself means "no mix".
        """
        return torch.stack(
            [rng.derangement(batch_size, generator=generator, device=device) for _ in range(self.num_partners)], dim=1
        )

    def sample_params(
        self,
        x: Any,
        *,
        generator: torch.Generator | None = None,
        labels: torch.Tensor | None = None,
        model: ModelContext | None = None,
    ) -> Params:
        """Partners ``(B, K)``, λ ``(B,)``, the apply mask and the subclass's draws."""
        spec = self.modality_spec()
        self.validate(x)
        n = spec.batch_size(x)
        device = spec.device_of(x)
        partners = self.draw_partners(x, n, generator=generator, device=device, labels=labels)
        params = Params(self.draw(x, n, generator=generator, device=device))
        params["partners"] = partners
        params["lam"] = rng.beta(n, self.alpha, generator=generator, device=device)
        params[APPLY] = rng.bernoulli(n, self.p, generator=generator, device=device)
        return params

    def mix_batch(self, x: Any, params: Params) -> tuple[Any, torch.Tensor]:
        """Apply the mix described by ``params``; return ``(mixed, weights (B, 1 + K))``."""
        spec = self.modality_spec()
        n = spec.batch_size(x)
        partners_idx: torch.Tensor = params["partners"]
        if partners_idx.shape != (n, self.num_partners):
            raise InputError("params", f"partners of shape ({n}, {self.num_partners})", partners_idx, where=self.name)
        device = partners_idx.device
        weights = torch.zeros(n, 1 + self.num_partners, device=device)
        weights[:, 0] = 1.0
        mask: torch.Tensor = params[APPLY]
        idx = mask.nonzero().flatten()
        if idx.numel() == 0:
            return x, weights
        # Partners are gathered from the whole batch, then only applied rows are mixed.
        sub_partners = partners_idx.index_select(0, idx)
        sub_x = x if idx.numel() == n else spec.subset(x, idx)
        others = [spec.subset(x, sub_partners[:, k]) for k in range(self.num_partners)]
        sub_params = params if idx.numel() == n else params.subset(idx)
        mixed, w = self.mix(sub_x, others, sub_params)
        w = w.to(device=device, dtype=weights.dtype)
        if w.dim() == 1:
            w = torch.stack([w, 1.0 - w], dim=1)
        weights = weights.index_copy(0, idx, w)
        out = mixed if idx.numel() == n else spec.merge(x, idx, mixed)
        return out, weights

    def soft_labels(self, labels: torch.Tensor, params: Params, weights: torch.Tensor) -> torch.Tensor:
        """Mixed probabilities for ``labels`` given the effective ``weights``."""
        soft = to_soft_labels(
            labels, self.num_classes, smoothing=self.label_smoothing, where=self.name or type(self).__name__
        )
        n = soft.shape[0]
        sources = torch.cat(
            [torch.arange(n, device=soft.device).unsqueeze(1), params["partners"].to(soft.device)], dim=1
        )
        return mix_labels(soft, sources, weights.to(soft.device))

    def augment_with_labels(
        self,
        x: Any,
        labels: torch.Tensor,
        *,
        generator: torch.Generator | None = None,
        params: Params | None = None,
        model: ModelContext | None = None,
    ) -> Mixed:
        """Mix ``x`` and ``labels``; return ``Mixed(output, soft_labels, params)``."""
        spec = self.modality_spec()
        n = spec.batch_size(x)
        if not isinstance(labels, torch.Tensor) or labels.shape[0] != n:
            raise InputError("labels", f"a tensor with {n} rows (one per sample)", labels, where=self.name)
        if params is None:
            params = self.sample_params(x, generator=generator, labels=labels)
        else:
            self.validate(x)
        out, weights = self.mix_batch(x, params)
        return Mixed(out, self.soft_labels(labels, params, weights), params)

    def apply(self, x: Any, params: Params) -> Any:
        return self.mix_batch(x, params)[0]

    def __call__(  # type: ignore[override]
        self,
        x: Any,
        labels: torch.Tensor | None = None,
        *,
        generator: torch.Generator | None = None,
        params: Params | None = None,
        model: ModelContext | None = None,
    ) -> Any:
        """``mixer(x, labels)`` → ``(mixed, soft_labels)``; ``mixer(x)`` → mixed only."""
        if labels is None:
            if params is None:
                params = self.sample_params(x, generator=generator)
            return self.mix_batch(x, params)[0]
        mixed = self.augment_with_labels(x, labels, generator=generator, params=params)
        return mixed.output, mixed.labels
