"""Every registered op declared differentiable passes a non-zero gradient to its input.

The contract's ``check_differentiable`` proves the gradient is *correct* (``gradcheck``);
a gradient of zero everywhere is correct for a piecewise-constant op too, which is why
such ops must declare ``differentiable = False`` (docs/differentiable.md). This test
closes that gap: a declared op must move its input's gradient somewhere.
"""

from __future__ import annotations

import warnings

import pytest
import torch

from omniaug.mixing import Mixer
from omniaug.model import float_field, get_field, with_field
from omniaug.rng import make_generator
from omniaug.testing import expand_instances
from omniaug.testing.contract import _call_with_params, _ctx


def _ops() -> list:
    from omniaug.registry import Registry

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reg = Registry()
    classes = [reg.augmentations[n] for n in sorted(reg.augmentations)] + [reg.mixers[n] for n in sorted(reg.mixers)]
    # model-aware ops (attacks) run the model: their plugin's tests cover them
    return [op for op in expand_instances(classes) if getattr(op, "differentiable", False) and not op.requires_model]


OPS = _ops()


def test_each_tensor_modality_has_differentiable_ops() -> None:
    names = {op.name.split(".")[0] for op in OPS}
    assert {"image", "timeseries", "audio", "spectrogram", "tabular", "graph"} <= names


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_declared_differentiable_op_has_a_nonzero_gradient(op) -> None:
    x = type(op).example_input(2, generator=make_generator(0))
    name = float_field(x)
    if name is None:  # e.g. a PyG batch: plugins/graph/tests/test_differentiable.py covers its node features
        pytest.skip("payload without a float tensor field")
    if isinstance(op, Mixer):
        params = op.sample_params(x, generator=make_generator(1), model=_ctx(op, x))
    else:
        args = op.init_args
        args["p"] = 1.0
        params = type(op)(**args).sample_params(x, generator=make_generator(1), model=_ctx(op, x))
    leaf = get_field(x, name).detach().clone().requires_grad_(True)
    out = get_field(_call_with_params(op, with_field(x, name, leaf), params), name)
    (g,) = torch.autograd.grad(out.sum() + (out * out).sum(), leaf)
    assert torch.isfinite(g).all()
    assert g.abs().sum() > 0, f"{op.name}: declared differentiable but its gradient is zero everywhere"
