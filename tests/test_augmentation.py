"""The Augmentation base: p, same_on_batch, params as data, replay, validation, config args."""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug import InputError, Params

from .toy_plugin import CALLS, Negate, Scale, Shift


def test_params_are_returned_not_stored(toy_registry, g):
    op = Scale()
    before = dict(vars(op))
    out, params = op.augment(torch.rand(6, 5), generator=g)
    assert dict(vars(op)) == before
    assert isinstance(params, Params) and params["factor"].shape == (6,) and params["apply"].dtype == torch.bool


def test_replay_on_an_aligned_second_input(toy_registry, g):
    x = torch.rand(6, 5)
    out, params = Scale().augment(x, generator=g)
    second = Scale()(x * 2, params=params)
    assert torch.allclose(second, out * 2)


def test_p_sets_the_fraction_of_applied_samples(toy_registry, g):
    params = Scale(p=0.3).sample_params(torch.rand(20000, 5), generator=g)
    assert abs(params["apply"].float().mean().item() - 0.3) < 0.02


def test_kernel_runs_once_on_the_applied_subset(toy_registry, g):
    x = torch.rand(64, 5)
    out, params = Scale(p=0.5).augment(x, generator=g)
    applied = int(params["apply"].sum())
    assert CALLS == [("vec.scale", applied)]
    assert torch.equal(out[~params["apply"]], x[~params["apply"]])


def test_same_on_batch_uses_one_draw_for_all(toy_registry, g):
    out, params = Scale(same_on_batch=True).augment(torch.ones(8, 5), generator=g)
    assert torch.equal(params["factor"], params["factor"][:1].expand(8))
    assert bool(params["apply"].all())


def test_invalid_p_is_a_clear_error():
    with pytest.raises(InputError, match="`p` must be a probability in \\[0, 1\\]; got float 1.5"):
        Scale(p=1.5)


def test_wrong_input_is_a_clear_error_naming_shape_and_dtype(toy_registry):
    with pytest.raises(InputError) as exc:
        Scale()(torch.zeros(2, 3, dtype=torch.long))
    msg = str(exc.value)
    assert "`x` must be a float tensor (B, F)" in msg and "shape=(2, 3)" in msg and "torch.int64" in msg


def test_params_of_the_wrong_batch_size_are_rejected(toy_registry, g):
    params = Scale().sample_params(torch.rand(4, 5), generator=g)
    with pytest.raises(InputError, match="Params for a batch of 3"):
        Scale()(torch.rand(3, 5), params=params)


def test_constructor_arguments_are_recorded_with_defaults(toy_registry):
    assert Scale(0.2, p=0.5).init_args == {"amount": 0.2, "p": 0.5, "same_on_batch": False}
    assert Negate().init_args == {"p": 1.0, "same_on_batch": False}
    assert "Scale(amount=0.2" in repr(Scale(0.2))


def test_magnitude_maps_policy_strength_to_the_argument(toy_registry):
    assert Scale.at_magnitude(0.0).amount == 0.0
    assert Scale.at_magnitude(1.0).amount == pytest.approx(0.9)
    assert omniaug.Magnitude("k", (0, 1), (4, 9), integer=True).value(0.5) == (2, 5)
    with pytest.raises(InputError):
        Negate.at_magnitude(0.5)
    with pytest.raises(InputError):
        Scale.at_magnitude(1.5)


def test_apply_mask_all_false_returns_input_unchanged(toy_registry, g):
    x = torch.rand(4, 5)
    params = Shift().sample_params(x, generator=g).with_apply(torch.zeros(4, dtype=torch.bool))
    assert torch.equal(Shift()(x, params=params), x)


class _PlainScale(Scale):
    """Scale through the plain path: an overridden sample_params makes augment call sample_params and apply."""

    def sample_params(self, x, *, generator=None, model=None):
        return super().sample_params(x, generator=generator)


@pytest.mark.parametrize("p", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("same_on_batch", [False, True])
def test_the_direct_augment_path_equals_sample_params_then_apply(toy_registry, p, same_on_batch):
    # Augmentation.augment runs the base draw and apply directly for ops that keep both (one modality
    # lookup, no re-check of the mask it just drew); an op overriding either takes the plain path
    x = torch.rand(12, 5)
    direct, plain = Scale(p=p, same_on_batch=same_on_batch), _PlainScale(p=p, same_on_batch=same_on_batch)
    out, params = direct.augment(x, generator=omniaug.rng.make_generator(5))
    ref, ref_params = plain.augment(x, generator=omniaug.rng.make_generator(5))
    assert torch.equal(out, ref) and params.keys() == ref_params.keys()
    assert all(torch.equal(params[k], ref_params[k]) for k in params)
    assert omniaug.batching.is_all_selected(params["apply"]) == (p == 1.0)


def test_the_direct_augment_path_still_validates_and_hands_the_whole_batch_at_p_1(toy_registry, g):
    CALLS.clear()
    x = torch.rand(6, 5)
    before = omniaug.batching.mask_scans()
    Scale().augment(x, generator=g)
    assert CALLS == [("vec.scale", 6)] and omniaug.batching.mask_scans() == before  # the mask is not read
    with pytest.raises(InputError, match="`x` must be"):
        Scale().augment(torch.rand(5), generator=g)
