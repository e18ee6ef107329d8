"""Plugins cannot take the program down (sys.exit, BaseException), conflicts show in `omniaug plugins`,
the process registry imports a plugin only when its modality is used, and scripts register ops in one line."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
import torch

import omniaug
from omniaug import cli
from omniaug.registry import Registry, reset_registry

from .test_registry import GOOD, fake_plugins  # noqa: F401 - the fixture is used by name

EXITS_AT_IMPORT = "import sys\nsys.exit(3)\n"

INTERRUPTS_IN_HOOK = """
import omniaug

@omniaug.hookimpl
def omniaug_register_augmentations():
    raise KeyboardInterrupt('plugin pretends Ctrl-C')
"""

CUSTOM_BASE_EXCEPTION = """
import omniaug

class Abort(BaseException):
    pass

@omniaug.hookimpl
def omniaug_register_modalities():
    raise Abort('custom BaseException from a hook')
"""

EXITS_IN_EXAMPLE_DATA = """
import sys
import omniaug

@omniaug.hookimpl
def omniaug_example_data(modality):
    sys.exit('no data for you')
"""


def test_sys_exit_and_base_exceptions_are_isolated_and_reported(fake_plugins):  # noqa: F811
    fake_plugins(
        agood=GOOD,  # asked last for example data (hooks run newest first)
        exits=EXITS_AT_IMPORT,
        interrupts=INTERRUPTS_IN_HOOK,
        aborts=CUSTOM_BASE_EXCEPTION,
        exitsdata=EXITS_IN_EXAMPLE_DATA,
    )
    with pytest.warns(omniaug.PluginWarning):
        reg = Registry()
    status = {n: (i.status, i.error or "") for n, i in reg.plugins.items()}
    assert status["exits"][0] == "failed" and "SystemExit" in status["exits"][1]
    assert status["interrupts"][0] == "failed" and "KeyboardInterrupt" in status["interrupts"][1]
    assert status["aborts"][0] == "failed" and "Abort" in status["aborts"][1]
    assert status["agood"][0] == "ok" and reg.augmentation("vec2.flip").name == "vec2.flip"
    with pytest.warns(omniaug.PluginWarning, match="no data for you"):
        data = reg.example_data("vec2")  # the good plugin's data still comes through
    assert data.shape == (2, 3)


def test_omniaug_plugins_lists_a_plugin_that_exits(fake_plugins, capsys):  # noqa: F811
    fake_plugins(good=GOOD, exits=EXITS_AT_IMPORT)
    old = reset_registry(Registry(lazy=True))
    try:
        code = cli.main(["plugins"])
    finally:
        reset_registry(old)
    out = capsys.readouterr().out
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith("exits "))
    assert "failed" in row and "SystemExit" in row


def test_a_name_collision_is_visible_in_omniaug_plugins(fake_plugins, capsys):  # noqa: F811
    fake_plugins(builtin=GOOD, thirdparty=GOOD)
    with pytest.warns(omniaug.PluginWarning):
        old = reset_registry(Registry())
    try:
        code = cli.main(["plugins"])
    finally:
        reset_registry(old)
    out = capsys.readouterr().out
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[2:] if line.strip()}
    assert "conflict" in rows["builtin"] and "'vec2.flip'" in rows["builtin"] and "thirdparty" in rows["builtin"]
    assert "conflict" in rows["thirdparty"] and "builtin" in rows["thirdparty"]


def test_the_process_registry_imports_only_the_plugin_in_use():
    code = textwrap.dedent(
        """
        import sys, omniaug
        reg = omniaug.registry()
        reg.augmentation("image.horizontal_flip")
        omniaug.RandAugment("image", n=2, m=9)
        omniaug.from_config({"op": "image.default"})
        loaded = sorted(m for m in ("omniaug_graph", "torch_geometric", "omniaug_audio", "omniaug_text") if m in sys.modules)
        print("LOADED", loaded, sorted(reg.loaded_plugins()))
        reg.augmentations  # a listing loads everything
        print("ALL", "omniaug_graph" in sys.modules)
        """
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    lines = dict(line.split(" ", 1) for line in res.stdout.splitlines())
    assert lines["LOADED"] == "[] ['image']"
    assert lines["ALL"] == "True"


def test_an_unknown_name_loads_the_remaining_plugins_before_failing(fake_plugins):  # noqa: F811
    fake_plugins(vec2=GOOD)
    reg = Registry(lazy=True)
    assert reg.loaded_plugins() == {}
    with pytest.raises(omniaug.UnknownNameError, match="omniaug.register"):
        reg.augmentation("other.thing")
    assert "vec2" in reg.loaded_plugins()


class Invert(omniaug.Augmentation):
    """A script-defined op: 1 - x."""

    name = "vec.script_invert"
    modality = "vec"

    def __init__(self, *, p: float = 1.0) -> None:
        super().__init__(p=p)

    def kernel(self, x: torch.Tensor, params: omniaug.Params) -> torch.Tensor:
        return 1.0 - x


def test_one_line_registers_a_script_op_so_its_config_loads_back(toy_registry, tmp_path):
    from .toy_plugin import Scale

    pipe = omniaug.Compose([Scale(0.2), Invert(p=0.5)])
    path = omniaug.save_config(pipe, tmp_path / "pipe.yaml")
    with pytest.raises(omniaug.UnknownNameError, match="omniaug.register"):
        omniaug.load_config(path)
    assert omniaug.register(Invert) is Invert  # the one line (also usable as a decorator)
    omniaug.register(Invert)  # registering again is harmless
    rebuilt = omniaug.load_config(path)
    assert isinstance(rebuilt, omniaug.Compose) and omniaug.to_config(rebuilt) == omniaug.to_config(pipe)
    x = torch.rand(6, 5)
    out, params = pipe.augment(x, generator=omniaug.rng.make_generator(3))
    assert torch.equal(rebuilt(x, params=params), out)
    assert toy_registry.loaded_plugins()["script"].source == "script"


def test_register_rejects_what_is_not_an_op():
    with pytest.raises(TypeError, match="cannot register"):
        omniaug.register(object())
