"""The ``token_embeddings`` modality: token ids with a perturbation of their embeddings (FreeLB, Zhu et al. 2020).

Text is discrete: the attack perturbs the output of the model's embedding
module, ``embedding(ids) + δ``, never the ids. The payload is an
:class:`EmbeddingBatch` — ids, attention mask and the perturbation ``delta``
``(B, L, D)`` — and the caller names the embedding module once, in
:func:`embedding_forward`, which runs the model with ``delta`` added to that
module's output (a forward hook, removed afterwards)::

    forward = embedding_forward("embed")                  # model(ids, mask), embed's output + delta
    batch = embedding_batch(model, "embed", ids, mask)     # delta = 0, D read from the module
    ctx = omniaug.ModelContext(model, loss_fn, y, forward=forward)
    adv = EmbeddingPGD(eps=1.0, norm="l2")(batch, generator=g, model=ctx)
    loss = loss_fn(forward(model, adv), y)                 # train on the perturbed embeddings

Padding positions (mask 0) are never perturbed. FreeLB's "free" accumulation of
parameter gradients over the ascent steps is a training-loop choice, not part
of the op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from omniaug import InputError, Modality, rng

__all__ = ["EmbeddingBatch", "embedding_batch", "embedding_forward", "TOKEN_EMBEDDINGS"]


@dataclass(frozen=True)
class EmbeddingBatch:
    """Token ids ``(B, L)``, their attention mask ``(B, L)`` and a perturbation ``delta`` ``(B, L, D)`` of their embeddings."""

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    delta: torch.Tensor


def embedding_batch(
    model: torch.nn.Module, embedding: str, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None
) -> EmbeddingBatch:
    """An unperturbed :class:`EmbeddingBatch` (``delta = 0``; ``D`` from the output of ``model.<embedding>``)."""
    module = _module(model, embedding)
    mask = torch.ones_like(input_ids, dtype=torch.bool) if attention_mask is None else attention_mask
    with torch.no_grad():
        e = module(input_ids)
    return EmbeddingBatch(input_ids, mask, torch.zeros_like(e))


def _module(model: torch.nn.Module, embedding: str) -> torch.nn.Module:
    try:
        return model.get_submodule(embedding)
    except AttributeError as exc:
        names = [n for n, _ in model.named_modules() if n][:12]
        raise InputError("embedding", f"the name of a submodule of the model (e.g. one of {names})", embedding) from exc


def embedding_forward(
    embedding: str, call: Callable[[torch.nn.Module, torch.Tensor, torch.Tensor], Any] | None = None
) -> Callable[[torch.nn.Module, EmbeddingBatch], Any]:
    """``forward(model, batch)`` for a :class:`~omniaug.ModelContext`: the model on the batch's ids with
    ``delta`` (masked) added to the output of the submodule named ``embedding``.

    ``call(model, input_ids, attention_mask)`` runs the model (default ``model(input_ids, attention_mask)``).
    """

    def forward(model: torch.nn.Module, batch: EmbeddingBatch) -> Any:
        module = _module(model, embedding)
        delta = batch.delta * batch.attention_mask.unsqueeze(-1).to(batch.delta.dtype)

        def add(_m: torch.nn.Module, _inp: Any, out: torch.Tensor) -> torch.Tensor:
            if out.shape != delta.shape:
                raise InputError(f"output of {embedding!r}", f"embeddings of shape {tuple(delta.shape)}", out)
            return out + delta.to(out.dtype)

        handle = module.register_forward_hook(add)
        try:
            if call is None:
                return model(batch.input_ids, batch.attention_mask)
            return call(model, batch.input_ids, batch.attention_mask)
        finally:
            handle.remove()

    return forward


def _validate(x: Any) -> None:
    if not isinstance(x, EmbeddingBatch):
        raise InputError("x", "an omniaug_adversarial.EmbeddingBatch(input_ids, attention_mask, delta)", x)
    ids, mask, delta = x.input_ids, x.attention_mask, x.delta
    if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.is_floating_point():
        raise InputError("x.input_ids", "integer token ids (B, L)", ids)
    if not isinstance(mask, torch.Tensor) or mask.shape != ids.shape:
        raise InputError("x.attention_mask", f"a mask of shape {tuple(ids.shape)}", mask)
    if not isinstance(delta, torch.Tensor) or delta.dim() != 3 or delta.shape[:2] != ids.shape:
        raise InputError("x.delta", f"float embeddings perturbation of shape {tuple(ids.shape)} + (D,)", delta)
    if not delta.is_floating_point():
        raise InputError("x.delta", "a floating-point tensor", delta)


def _example(batch_size: int = 4, generator: torch.Generator | None = None, device: Any = "cpu") -> EmbeddingBatch:
    """Random ids (vocabulary 50, L = 12) with per-sample lengths in [4, 12] and ``delta = 0`` (D = 8)."""
    ids = rng.randint(batch_size, 1, 50, shape=(12,), generator=generator, device=device)
    lengths = rng.randint(batch_size, 4, 13, generator=generator, device=device)
    mask = torch.arange(12, device=device).view(1, -1) < lengths.view(-1, 1)
    return EmbeddingBatch(ids * mask, mask, torch.zeros(batch_size, 12, 8, device=device))


def _bad() -> list[Any]:
    ids = torch.ones(2, 5, dtype=torch.long)
    return [
        torch.zeros(2, 5, 8),
        EmbeddingBatch(ids.float(), ids.bool(), torch.zeros(2, 5, 8)),
        EmbeddingBatch(ids, torch.ones(2, 4, dtype=torch.bool), torch.zeros(2, 5, 8)),
        EmbeddingBatch(ids, ids.bool(), torch.zeros(2, 5)),
    ]


TOKEN_EMBEDDINGS = Modality(
    name="token_embeddings",
    payload="omniaug_adversarial.EmbeddingBatch: input_ids (B, L), attention_mask (B, L), delta (B, L, D) float",
    validate=_validate,
    example=_example,
    bad_examples=_bad,
    description="Token ids with a perturbation of their embeddings (adversarial text training, FreeLB).",
)
