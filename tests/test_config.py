"""Serialization: dict / JSON / YAML / file round trips, version, helpful unknown-name errors."""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug import Compose, OneOf, RandomApply, UnknownNameError

from .toy_plugin import Negate, PasteMix, Scale, Shift


def _pipeline():
    return Compose(
        [
            OneOf([Scale(0.3), Shift(p=0.5)], weights=[2, 1]),
            RandomApply(Negate(), p=0.4),
            omniaug.RandAugment("vec", n=1, m=3),
        ],
        fuse=True,
    )


def test_round_trip_through_dict_json_yaml_and_file(toy_registry, g, tmp_path):
    t = _pipeline()
    x = torch.rand(8, 5)
    out, params = t.augment(x, generator=g)
    cfg = omniaug.to_config(t)
    assert cfg["omniaug_version"] == omniaug.__version__
    for rebuilt in (
        omniaug.from_config(cfg),
        omniaug.from_config(omniaug.to_json(t)),
        omniaug.from_config(omniaug.to_yaml(t)),
        omniaug.from_config(omniaug.save_config(t, tmp_path / "p.yaml")),
        omniaug.from_config(str(omniaug.save_config(t, tmp_path / "p.json"))),
    ):
        assert omniaug.to_config(rebuilt) == cfg
        assert torch.allclose(rebuilt(x, params=params), out)


def test_mixers_presets_and_keys_serialize(toy_registry):
    cfg = omniaug.to_config(omniaug.Keys({"a": Scale(), "b": PasteMix(alpha=0.4)}))
    rebuilt = omniaug.from_config(cfg)
    assert isinstance(rebuilt.transforms["b"], PasteMix) and rebuilt.transforms["b"].alpha == 0.4
    preset = omniaug.from_config({"op": "vec.default"})
    assert isinstance(preset, Compose)


def test_unknown_name_suggests_close_matches(toy_registry):
    with pytest.raises(UnknownNameError, match="did you mean 'vec.scale'"):
        omniaug.from_config({"op": "vec.scael"})
    with pytest.raises(UnknownNameError, match="did you mean 'one_of'"):
        omniaug.from_config({"op": "oneof", "transforms": []})


def test_bad_arguments_name_the_op(toy_registry):
    with pytest.raises(omniaug.ConfigError, match="cannot build 'vec.scale'"):
        omniaug.from_config({"op": "vec.scale", "strength": 3})
