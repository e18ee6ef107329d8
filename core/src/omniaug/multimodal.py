"""Multimodal batches: one pipeline over a dict of payloads, mixers sharing partners.

``Keys({"image": img_aug, "text": txt_aug})`` augments each key of a batch dict
with its own transform and passes the other keys (labels, ids) through.
``MixKeys({"image": CutMix(), "text": TokenCutMix()}, label_key="label")`` draws the
partners, λ and apply mask **once** and hands them to every key's mixer, so sample
*i* is mixed with the same partner in every modality; labels are weighted by the
effective shares reported by the ``weights_from`` key's mixer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from . import rng
from .augmentation import Augmented, Transform
from .errors import InputError
from .mixing import Mixer, mix_labels, to_soft_labels
from .model import ModelContext
from .params import APPLY, Params

__all__ = ["Keys", "MixKeys"]


def _check_batch(batch: Any, keys: list[str], where: str) -> None:
    if not isinstance(batch, Mapping):
        raise InputError("batch", f"a dict with keys {keys}", batch, where=where)
    missing = [k for k in keys if k not in batch]
    if missing:
        raise InputError("batch", f"a dict with keys {keys} (missing {missing})", sorted(batch), where=where)


class Keys(Transform):
    """Apply ``transforms[key]`` to ``batch[key]`` for each key; other keys pass through."""

    name = "keys"

    def __init__(self, transforms: Mapping[str, Transform]) -> None:
        if not transforms:
            raise InputError("transforms", "a non-empty mapping key -> transform", transforms, where="Keys")
        self.transforms = dict(transforms)

    def augment(
        self, batch: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        _check_batch(batch, list(self.transforms), "Keys")
        out = dict(batch)
        params = Params()
        for key, t in self.transforms.items():
            out[key], params[key] = t.augment(batch[key], generator=generator)
        return Augmented(out, params)

    def sample_params(
        self, batch: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Params:
        return self.augment(batch, generator=generator).params

    def feedback(self, params: Params, losses: torch.Tensor) -> None:
        for key, t in self.transforms.items():
            if isinstance(params.get(key), Params):
                t.feedback(params[key], losses)

    def apply(self, batch: Any, params: Params) -> Any:
        _check_batch(batch, list(self.transforms), "Keys")
        out = dict(batch)
        for key, t in self.transforms.items():
            out[key] = t.apply(batch[key], params[key])
        return out


class MixKeys(Transform):
    """Mix every key of a batch dict with the same partners; mix ``label_key`` to match.

    Args:
        mixers: key → mixer for that key's modality.
        label_key: the key holding labels (class indices or probabilities).
        weights_from: the key whose effective shares weight the labels (default:
            the first mixer's key).
        alpha, p, num_classes, label_smoothing: as for :class:`~omniaug.Mixer`; they
            override the mixers' own values so every key shares one draw.
    """

    name = "mix_keys"

    def __init__(
        self,
        mixers: Mapping[str, Mixer],
        *,
        label_key: str = "label",
        weights_from: str | None = None,
        alpha: float = 1.0,
        p: float = 1.0,
        num_classes: int | None = None,
        label_smoothing: float = 0.0,
    ) -> None:
        if not mixers:
            raise InputError("mixers", "a non-empty mapping key -> mixer", mixers, where="MixKeys")
        partners = {m.num_partners for m in mixers.values()}
        if len(partners) != 1:
            raise InputError("mixers", "mixers using the same number of partners", sorted(partners), where="MixKeys")
        self.mixers = dict(mixers)
        self.label_key = label_key
        self.weights_from = weights_from or next(iter(self.mixers))
        if self.weights_from not in self.mixers:
            raise InputError("weights_from", f"one of {list(self.mixers)}", self.weights_from, where="MixKeys")
        self.alpha, self.p = float(alpha), float(p)
        self.num_classes, self.label_smoothing = num_classes, float(label_smoothing)

    def sample_params(
        self, batch: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Params:
        _check_batch(batch, [*self.mixers, self.label_key], "MixKeys")
        first_key = next(iter(self.mixers))
        first = self.mixers[first_key]
        spec = first.modality_spec()
        n = spec.batch_size(batch[first_key])
        device = spec.device_of(batch[first_key])
        k = first.num_partners
        shared = Params(
            partners=torch.stack([rng.derangement(n, generator=generator, device=device) for _ in range(k)], dim=1),
            lam=rng.beta(n, self.alpha, generator=generator, device=device),
        )
        shared[APPLY] = rng.bernoulli(n, self.p, generator=generator, device=device)
        params = Params(shared=shared)
        for key, mixer in self.mixers.items():
            x = batch[key]
            m_spec = mixer.modality_spec()
            m_spec.validate(x)
            if m_spec.batch_size(x) != n:
                raise InputError(f"batch[{key!r}]", f"{n} samples like batch[{first_key!r}]", x, where="MixKeys")
            own = Params(mixer.draw(x, n, generator=generator, device=m_spec.device_of(x)))
            own.update(shared)
            params[key] = own
        return params

    def augment(
        self, batch: Any, *, generator: torch.Generator | None = None, model: ModelContext | None = None
    ) -> Augmented:
        params = self.sample_params(batch, generator=generator)
        return Augmented(self.apply(batch, params), params)

    def apply(self, batch: Any, params: Params) -> Any:
        _check_batch(batch, [*self.mixers, self.label_key], "MixKeys")
        out = dict(batch)
        weights: torch.Tensor | None = None
        for key, mixer in self.mixers.items():
            out[key], w = mixer.mix_batch(batch[key], params[key])
            if key == self.weights_from:
                weights = w
        assert weights is not None
        soft = to_soft_labels(batch[self.label_key], self.num_classes, smoothing=self.label_smoothing, where="MixKeys")
        shared: Params = params["shared"]
        n = soft.shape[0]
        sources = torch.cat([torch.arange(n, device=soft.device).unsqueeze(1), shared["partners"].to(soft.device)], 1)
        out[self.label_key] = mix_labels(soft, sources, weights.to(soft.device))
        return out
