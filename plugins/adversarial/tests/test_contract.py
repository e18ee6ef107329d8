"""Every op of the plugin through the shared contract suite (incl. the model-aware and differentiability checks)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from omniaug import rng
from omniaug.testing import AugmentationContract, plugin_ops


def test_plugin_registers_its_ops() -> None:
    names = {c.name for c in plugin_ops("adversarial")}
    assert {"image.fgsm", "image.pgd", "audio.pgd", "timeseries.pgd", "tabular.pgd"} <= names


class TestAdversarialOps(AugmentationContract):
    omniaug_ops = plugin_ops("adversarial")


MODEL_AWARE = [c for c in plugin_ops("adversarial") if getattr(c, "requires_model", False)]


def test_every_continuous_modality_has_model_aware_ops_under_the_contract() -> None:
    assert {c.modality_name() for c in MODEL_AWARE} == {
        "image", "audio", "timeseries", "tabular", "token_embeddings", "graph"
    }  # fmt: skip


@pytest.mark.parametrize("cls", MODEL_AWARE, ids=lambda c: c.name)
def test_the_contracts_tiny_model_has_batchnorm_and_dropout_and_classifies_the_payload(cls) -> None:
    """The model-aware checks bite only if the model has state an op could change: BatchNorm statistics,
    dropout (mode) and parameters; the example model reads the op's own payload."""
    x = cls.example_input(4, generator=rng.make_generator(0))
    ctx = cls.example_context(x)
    kinds = {type(m) for m in ctx.model.modules()}
    assert nn.BatchNorm1d in kinds and nn.Dropout in kinds
    with torch.no_grad():
        out = ctx.forward(ctx.model.eval(), x)
    assert out.shape == (cls.modality_spec().batch_size(x), 3) and ctx.targets.shape == out.shape[:1]
