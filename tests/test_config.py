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


# ---------------------------------------------------------------- safe parsing
def _alias_bomb(levels: int = 9, fan: int = 9) -> str:
    """The 'billion laughs' shape: each level lists the previous one ``fan`` times."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * fan)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append(f"pipeline: {{op: vec.scale, amount: *a{levels}}}")
    return "\n".join(lines) + "\n"


def test_nested_yaml_aliases_are_refused_before_expansion(toy_registry, tmp_path):
    import time

    bomb = _alias_bomb()
    assert len(bomb.encode()) < 600  # the size of the 538-byte file
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb)
    start = time.perf_counter()
    with pytest.raises(omniaug.ConfigError, match="expands to more than"):
        omniaug.load_config(path)
    with pytest.raises(omniaug.ConfigError, match="expands to more than"):
        omniaug.from_config(bomb)
    assert time.perf_counter() - start < 5.0  # 9**9 values would take minutes to walk


def test_recursive_and_deep_yaml_are_refused(toy_registry):
    with pytest.raises(omniaug.ConfigError, match="refers to itself"):
        omniaug.from_config("pipeline: &p {op: compose, transforms: [*p]}\n")
    deep = "pipeline: " + "[" * 200 + "]" * 200 + "\n"
    with pytest.raises(omniaug.ConfigError, match="deeper than"):
        omniaug.from_config(deep)
    with pytest.raises(omniaug.ConfigError, match="deeper than"):
        omniaug.from_config('{"pipeline": ' + "[" * 5000 + "]" * 5000 + "}")


def test_small_aliases_still_load(toy_registry):
    text = "s: &s {op: vec.scale, amount: 0.2}\npipeline: {op: compose, transforms: [*s, *s]}\n"
    pipe = omniaug.from_config(text)
    assert [t.name for t in pipe.transforms] == ["vec.scale", "vec.scale"]


def test_yaml_tags_cannot_build_objects(toy_registry):
    evil = "pipeline: !!python/object/apply:os.system ['echo pwned']\n"
    with pytest.raises(omniaug.ConfigError, match="not valid YAML"):
        omniaug.from_config(evil)


def test_a_yaml_syntax_error_is_one_line(toy_registry, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("pipeline:\n  op: vec.scale\n   amount: 0.3\n")
    with pytest.raises(omniaug.ConfigError) as info:
        omniaug.load_config(path)
    msg = str(info.value)
    assert "\n" not in msg and "line 3" in msg and "broken.yaml" in msg


def test_save_config_and_load_config_are_the_file_pair(toy_registry, tmp_path):
    pipe = _pipeline()
    for suffix in (".yaml", ".json"):
        path = omniaug.save_config(pipe, tmp_path / f"pipe{suffix}")
        loaded = omniaug.load_config(path)
        assert isinstance(loaded, Compose) and omniaug.to_config(loaded) == omniaug.to_config(pipe)
        assert omniaug.read_config(path) == omniaug.to_config(pipe)
