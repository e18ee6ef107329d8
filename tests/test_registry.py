"""Plugin discovery: entry points, per-plugin isolation, conflicts, allow/block lists, strict mode."""

from __future__ import annotations

import importlib.metadata as metadata
import sys
import textwrap

import pytest

import omniaug
from omniaug import PluginConflictError, PluginError, PluginWarning, UnknownNameError
from omniaug.registry import Registry

GOOD = """
import omniaug, torch
from omniaug import rng

VEC = omniaug.Modality("vec2", "Tensor (B, F)")

class Flip(omniaug.Augmentation):
    name = "vec2.flip"
    modality = VEC
    def kernel(self, x, params):
        return -x

@omniaug.hookimpl
def omniaug_register_modalities():
    return [VEC]

@omniaug.hookimpl
def omniaug_register_augmentations():
    return [Flip]

@omniaug.hookimpl
def omniaug_example_data(modality):
    return torch.ones(2, 3) if modality == "vec2" else None
"""

IMPORT_FAILS = "raise ImportError('missing dependency: libfoo')\n"

HOOK_RAISES = """
import omniaug

@omniaug.hookimpl
def omniaug_register_augmentations():
    raise RuntimeError('boom in hook')
"""

MALFORMED = """
import omniaug

@omniaug.hookimpl
def omniaug_register_augmentations():
    return ["not a class"]
"""

DUPLICATE = (
    GOOD.replace('vec2", "Tensor', 'vec3", "Tensor')
    .replace("return [VEC]", "return [VEC]")
    .replace('VEC = omniaug.Modality("vec3"', 'VEC = omniaug.Modality("vec3"')
)

BAD_NAME = """
import omniaug

class NoDot(omniaug.Augmentation):
    name = "nodot"

@omniaug.hookimpl
def omniaug_register_augmentations():
    return [NoDot]
"""


@pytest.fixture
def fake_plugins(tmp_path, monkeypatch):
    """Write plugin modules and expose them as entry points of group 'omniaug'."""

    def install(**modules: str) -> None:
        eps = []
        for name, source in modules.items():
            (tmp_path / f"fake_{name}.py").write_text(textwrap.dedent(source))
            eps.append(metadata.EntryPoint(name=name, value=f"fake_{name}", group="omniaug"))
        monkeypatch.syspath_prepend(str(tmp_path))

        def entry_points(group: str):
            return eps if group == "omniaug" else []

        # `omniaug.registry` is also the accessor function, so reach the module via sys.modules
        monkeypatch.setattr(sys.modules["omniaug.registry"].metadata, "entry_points", entry_points)

    monkeypatch.delenv("OMNIAUG_PLUGINS", raising=False)
    monkeypatch.delenv("OMNIAUG_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("OMNIAUG_STRICT_PLUGINS", raising=False)
    return install


def test_broken_plugins_are_reported_and_skipped_while_others_work(fake_plugins):
    fake_plugins(good=GOOD, importfails=IMPORT_FAILS, hookraises=HOOK_RAISES, malformed=MALFORMED, badname=BAD_NAME)
    with pytest.warns(PluginWarning) as record:
        reg = Registry()
    messages = " ".join(str(w.message) for w in record)
    assert "importfails" in messages and "libfoo" in messages and "boom in hook" in messages
    status = {n: (i.status, i.error or "") for n, i in reg.plugins.items()}
    assert status["good"][0] == "ok"
    assert status["importfails"][0] == "failed" and "import failed" in status["importfails"][1]
    assert status["hookraises"][0] == "failed" and "omniaug_register_augmentations" in status["hookraises"][1]
    assert status["malformed"][0] == "failed" and "expected a augmentation" in status["malformed"][1]
    assert status["badname"][0] == "failed" and "<modality>.<name>" in status["badname"][1]
    assert reg.augmentation("vec2.flip").name == "vec2.flip"
    assert reg.example_data("vec2").shape == (2, 3)
    assert reg.plugins["good"].num_ops == 1


def test_strict_mode_turns_a_plugin_failure_into_an_error(fake_plugins, monkeypatch):
    fake_plugins(good=GOOD, importfails=IMPORT_FAILS)
    monkeypatch.setenv("OMNIAUG_STRICT_PLUGINS", "1")
    with pytest.raises(PluginError, match="importfails"):
        Registry()


def test_a_name_registered_twice_is_a_conflict_naming_both(fake_plugins):
    fake_plugins(first=GOOD, second=GOOD)
    with pytest.warns(PluginWarning, match="first.*second"):
        reg = Registry()
    with pytest.raises(PluginConflictError, match="first.*second"):
        reg.augmentation("vec2.flip")
    with pytest.raises(PluginConflictError):
        reg.transform_class("vec2.flip")


def test_conflict_in_strict_mode_raises(fake_plugins):
    fake_plugins(first=GOOD, second=GOOD)
    with pytest.raises(PluginConflictError):
        Registry(strict=True)


def test_allow_list_and_block_list(fake_plugins, monkeypatch):
    fake_plugins(good=GOOD, hookraises=HOOK_RAISES)
    monkeypatch.setenv("OMNIAUG_PLUGINS", "good")
    reg = Registry()
    assert reg.plugins["hookraises"].status == "blocked" and reg.plugins["good"].status == "ok"
    monkeypatch.setenv("OMNIAUG_PLUGINS", "")
    reg = Registry()
    assert {i.status for i in reg.plugins.values()} == {"blocked"}
    monkeypatch.delenv("OMNIAUG_PLUGINS")
    monkeypatch.setenv("OMNIAUG_DISABLE_PLUGINS", "hookraises")
    reg = Registry()
    assert reg.plugins["hookraises"].status == "blocked" and reg.plugins["good"].status == "ok"


def test_unknown_lookups_suggest_names(fake_plugins):
    fake_plugins(good=GOOD)
    reg = Registry()
    with pytest.raises(UnknownNameError, match="did you mean 'vec2.flip'"):
        reg.augmentation("vec2.flp")
    with pytest.raises(UnknownNameError, match="unknown modality"):
        reg.modality("nope")


def test_in_process_registration_and_provided_by(toy_registry):
    assert [c.name for c in toy_registry.provided_by("toy")] == ["vec.negate", "vec.scale", "vec.shift"]
    assert toy_registry.plugins["toy"].source == "manual"
    assert [c.name for c in toy_registry.ops_for("vec", policy=True)] == ["vec.scale", "vec.shift"]
    assert "vec.gain" in toy_registry.fusions and "vec.default" in toy_registry.presets


def test_global_registry_is_built_from_entry_points():
    reg = omniaug.registry()
    assert reg is omniaug.registry()
    assert all(info.status in {"ok", "failed", "blocked"} for info in reg.plugins.values())
