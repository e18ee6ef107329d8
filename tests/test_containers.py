"""Containers: per-sample choices, each branch once on its subset, exact replay."""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug import Compose, Identity, InputError, OneOf, RandomApply, SomeOf

from . import toy_plugin
from .toy_plugin import CALLS, Negate, Scale, Shift


def _per_sample_equal(t, x, out, params):
    for i in range(x.shape[0]):
        idx = torch.tensor([i])
        assert torch.allclose(t(x[i : i + 1], params=params.subset(idx)), out[i : i + 1]), i


def test_one_of_runs_each_branch_once_on_the_samples_that_chose_it(toy_registry, g):
    x = torch.rand(100, 5)
    t = OneOf([Scale(), Shift(), Negate()])
    out, params = t.augment(x, generator=g)
    counts = torch.bincount(params["choice"], minlength=3).tolist()
    assert sorted(CALLS) == sorted(zip(["vec.scale", "vec.shift", "vec.negate"], counts))
    neg = params["choice"] == 2
    assert torch.equal(out[neg], -x[neg])


def test_one_of_weights_are_respected(toy_registry, g):
    t = OneOf([Scale(), Shift()], weights=[0.9, 0.1])
    params = t.sample_params(torch.rand(5000, 5), generator=g)
    assert abs((params["choice"] == 0).float().mean().item() - 0.9) < 0.02


def test_some_of_applies_exactly_n_per_sample(toy_registry, g):
    t = SomeOf([Scale(), Shift(), Negate()], n=2)
    params = t.sample_params(torch.rand(50, 5), generator=g)
    assert bool((params["chosen"].sum(1) == 2).all())
    assert len(CALLS) == 3 and sum(c for _, c in CALLS) == 100


def test_random_apply_frequency_and_untouched_rest(toy_registry, g):
    x = torch.rand(4000, 5)
    out, params = RandomApply(Negate(), p=0.25).augment(x, generator=g)
    assert abs(params["apply"].float().mean().item() - 0.25) < 0.03
    assert torch.equal(out[~params["apply"]], x[~params["apply"]])


def test_nested_pipeline_batch_equals_per_sample_with_sliced_params(toy_registry, g):
    x = torch.rand(12, 5)
    t = Compose(
        [
            OneOf([Scale(), Compose([Shift(), Negate()])]),
            SomeOf([Scale(0.1), Shift(0.2), Identity()], n=2),
            RandomApply([Shift(), Scale()], p=0.5),
        ]
    )
    out, params = t.augment(x, generator=g)
    assert torch.allclose(t(x, params=params), out)
    _per_sample_equal(t, x, out, params)


def test_containers_reject_mixed_modalities_and_bad_arguments(toy_registry):
    with pytest.raises(InputError, match="weights"):
        OneOf([Scale(), Shift()], weights=[1.0])
    with pytest.raises(InputError, match="`n` must be"):
        SomeOf([Scale()], n=2)
    with pytest.raises(InputError, match="omniaug transforms"):
        Compose([lambda x: x])  # type: ignore[list-item]


def test_fused_compose_equals_unfused_and_calls_one_kernel(toy_registry, g):
    x = torch.rand(32, 5)
    plain = Compose([Scale(p=0.7), Scale(0.2, p=0.5), Shift()])
    fused = Compose([Scale(p=0.7), Scale(0.2, p=0.5), Shift()], fuse=True)
    out, params = fused.augment(x, generator=g)
    assert [c for c, _ in CALLS] == ["fused", "vec.shift"]
    assert torch.allclose(plain(x, params=params), out, atol=1e-6)
    assert torch.allclose(fused(x, params=params), out)


def test_policies_pick_one_op_per_sample_per_layer(toy_registry, g):
    x = torch.rand(40, 5)
    ra = omniaug.RandAugment("vec", n=2, m=5)
    out, params = ra.augment(x, generator=g)
    # each op is wrapped in SkipInapplicable (skipped where it cannot apply); the identity is not
    names = {type(getattr(t, "transform", t)).__name__ for layer in ra.pipeline.transforms for t in layer.transforms}
    assert names == {"Scale", "Shift", "Identity"}  # Negate has no magnitude
    assert torch.allclose(ra(x, params=params), out)
    layer0 = ra.pipeline.transforms[0]
    assert layer0.transforms[0].transform.amount == pytest.approx(0.45)  # m / 10 of 0.9 (RandAugment's scale [0, 10])
    _per_sample_equal(ra, x, out, params)
    ta = omniaug.TrivialAugment("vec", exclude=["vec.shift"])
    assert {type(getattr(t, "transform", t)).__name__ for t in ta.pipeline.transforms} == {"Scale", "Identity"}


def test_policy_errors(toy_registry):
    with pytest.raises(InputError, match="names of policy ops"):
        omniaug.RandAugment("vec", include=["vec.nope"])
    with pytest.raises(InputError, match="magnitude in"):
        omniaug.RandAugment("vec", m=11)


class _Bias(omniaug.Augmentation):
    """Add a per-sample offset; fuses through the test-only ``vec.offset`` kind."""

    name = "vec.bias_for_fusion_test"
    modality = toy_plugin.VEC
    fusion = "vec.offset"

    def draw(self, x, batch_size, *, generator, device):
        return {"offset": omniaug.rng.uniform(batch_size, -1.0, 1.0, generator=generator, device=device)}

    def kernel(self, x, params):
        return x + params["offset"].unsqueeze(1)

    def fusion_transform(self, x, params):
        return params["offset"]


def _offset_inplace(x, t, ops):
    CALLS.append(("offset in place", x.data_ptr()))
    return x.add_(t.unsqueeze(1))


class _OffsetPlugin:
    @omniaug.hookimpl
    def omniaug_register_augmentations(self):
        return [_Bias]

    @omniaug.hookimpl
    def omniaug_register_fusions(self):
        return [
            omniaug.FusionKind(
                name="vec.offset",
                identity=lambda x, n: torch.zeros(n),
                compose=lambda first, then: first + then,
                apply=lambda x, t, ops: x + t.unsqueeze(1),
                fresh_output=True,
                apply_inplace=_offset_inplace,
            )
        ]


@pytest.mark.parametrize("fresh", [True, False])
def test_fused_segment_writes_in_place_only_into_an_intermediate_of_the_same_call(toy_registry, g, fresh):
    toy_registry.register_plugin(_OffsetPlugin(), "offset")
    gain = toy_registry.fusion("vec.gain")
    object.__setattr__(gain, "fresh_output", fresh)  # frozen dataclass: the toy kind's promise, per case
    try:
        x = torch.rand(16, 5)
        before = x.clone()
        # offset first: its input is the caller's x, so never in place
        first = Compose([_Bias(), _Bias()], fuse=True)
        out1, _ = first.augment(x, generator=g)
        assert torch.equal(x, before) and not any(c == "offset in place" for c, _ in CALLS)
        # gain (fresh output) then offset: the offset segment may write into the gain output
        chain = Compose([Scale(), Scale(), _Bias(), _Bias()], fuse=True)
        out, params = chain.augment(x, generator=g)
        assert torch.equal(x, before)  # the caller's batch is never written
        in_place = [ptr for c, ptr in CALLS if c == "offset in place"]
        assert len(in_place) == (1 if fresh else 0)
        if fresh:
            assert in_place[0] == out.data_ptr() and in_place[0] != x.data_ptr()
        plain = Compose([Scale(), Scale(), _Bias(), _Bias()])
        assert torch.allclose(plain(x, params=params), out, atol=1e-6)
        assert torch.allclose(chain(x, params=params), out)  # replay takes the same path
        assert torch.equal(x, before)
        # an unfused op in between: its output is not the fused kind's, so no in-place write
        CALLS.clear()
        Compose([Scale(), Scale(), Shift(), _Bias(), _Bias()], fuse=True)(x, generator=g)
        assert not any(c == "offset in place" for c, _ in CALLS)
    finally:
        object.__setattr__(gain, "fresh_output", False)


def _gain_then_offset(x, gain, ops, offset, next_ops):
    CALLS.append(("gain+offset chained", x.shape[0]))
    return x * gain.unsqueeze(1) + offset.unsqueeze(1)


def test_chained_fused_segments_run_as_one_kernel_with_the_same_params(toy_registry):
    toy_registry.register_plugin(_OffsetPlugin(), "offset")
    gain = toy_registry.fusion("vec.gain")
    x = torch.rand(16, 5)
    before = x.clone()
    ops = [Scale(), Scale(), _Bias(), _Bias()]
    unchained, p_unchained = Compose(ops, fuse=True).augment(x, generator=omniaug.rng.make_generator(3))
    object.__setattr__(gain, "chain", {"vec.offset": _gain_then_offset})  # frozen dataclass: test-only chain
    try:
        CALLS.clear()
        chain = Compose(ops, fuse=True)
        out, params = chain.augment(x, generator=omniaug.rng.make_generator(3))
        assert CALLS == [("gain+offset chained", 16)]  # one kernel call for both segments
        # same draws in the same order: the params equal the unchained run's
        assert sorted(params) == sorted(p_unchained)
        for key in params:
            for name in params[key]:
                assert torch.equal(params[key][name], p_unchained[key][name])
        assert torch.allclose(out, unchained, atol=1e-6)
        assert torch.allclose(Compose(ops)(x, params=params), out, atol=1e-6)  # the plain chain agrees
        CALLS.clear()
        assert torch.allclose(chain(x, params=params), out)  # replay chains too
        assert CALLS == [("gain+offset chained", 16)]
        assert torch.equal(x, before)
        # an unfused op in between, or a single (unfused) offset op: no chaining
        CALLS.clear()
        Compose([Scale(), Scale(), Shift(), _Bias(), _Bias()], fuse=True)(x, generator=omniaug.rng.make_generator(0))
        Compose([Scale(), Scale(), _Bias()], fuse=True)(x, generator=omniaug.rng.make_generator(0))
        assert not any(c == "gain+offset chained" for c, _ in CALLS)
    finally:
        object.__setattr__(gain, "chain", {})


def test_fused_p1_ops_skip_masking_only_for_freshly_drawn_params(toy_registry, g):
    x = torch.rand(8, 3) + 1.0
    pipe = Compose([Scale(), Scale(p=0.5), Scale()], fuse=True)
    out, params = pipe.augment(x, generator=g)
    factors = [params[str(i)]["factor"] * params[str(i)]["apply"] + ~params[str(i)]["apply"] for i in range(3)]
    torch.testing.assert_close(out, x * (factors[0] * factors[1] * factors[2]).unsqueeze(1))
    # replayed params may switch a p=1 op off for some samples: the mask is honoured
    params["0"]["apply"] = torch.tensor([True, False] * 4)
    replay = pipe(x, params=params)
    f0 = torch.where(params["0"]["apply"], params["0"]["factor"], torch.ones(8))
    torch.testing.assert_close(replay, x * (f0 * factors[1] * factors[2]).unsqueeze(1))
