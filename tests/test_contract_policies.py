"""Every policy and preset of every modality runs on every valid example shape the modality declares.

Univariate and multivariate series, mono and stereo audio, grey and colour images,
single-node graphs, one-word sentences…: an op that cannot apply to an input is
skipped (reason in the params), never raised (issue #20 §3).
"""

from __future__ import annotations

import warnings

import pytest
import torch

import omniaug
from omniaug.rng import make_generator
from omniaug.testing import check_policies_and_presets, example_variants


def _modalities() -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sorted(omniaug.registry().modalities)


@pytest.mark.parametrize("modality", _modalities())
def test_policies_and_presets_run_on_every_example_shape(modality: str) -> None:
    check_policies_and_presets(modality, seeds=range(2), batch_size=3)


def test_univariate_gunpoint_policies_and_presets_never_raise() -> None:
    """The issue's case: RandAugment / TrivialAugment / both presets on GunPoint (univariate UCR) for 20 seeds."""
    from omniaug_timeseries.datasets import load_dataset

    x = load_dataset("gunpoint").x_train[:8]
    reg = omniaug.registry()
    transforms = [omniaug.RandAugment("timeseries"), omniaug.TrivialAugment("timeseries")]
    transforms += [reg.preset(n).build() for n in ("timeseries.default", "timeseries.um2017")]
    reasons = set()
    for t in transforms:
        for seed in range(20):
            out, params = t.augment(x, generator=make_generator(seed))
            assert out.shape == x.shape and bool(torch.isfinite(out).all())
            reasons |= _reasons(params)
    assert any("channels" in r for r in reasons), reasons


def _reasons(params: omniaug.Params) -> set[str]:
    found = set()
    for k, v in params.items():
        if k == "reason" and v:
            found.add(v)
        elif isinstance(v, omniaug.Params):
            found |= _reasons(v)
    return found


def test_skipped_op_leaves_samples_unchanged_and_replays() -> None:
    from omniaug_timeseries import Rotation3D

    x = example_variants("timeseries")["univariate"]
    wrapped = omniaug.SkipInapplicable(Rotation3D())
    out, params = wrapped.augment(x, generator=make_generator(0))
    assert torch.equal(out, x) and bool(params["skipped"].all())
    assert "3 channels" in params["reason"]
    assert torch.equal(wrapped(x, params=params), x)
    with pytest.raises(omniaug.InputError, match="3 channels"):
        Rotation3D()(x, generator=make_generator(0))  # the op alone still says why
    rebuilt = omniaug.from_config(omniaug.to_config(wrapped))
    assert isinstance(rebuilt, omniaug.SkipInapplicable)
