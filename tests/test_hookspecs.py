"""Every hook is documented in its docstring, in docs/plugins/hookspecs.md, and exercised by a test."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from omniaug import hookspecs

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("hook", hookspecs.HOOK_NAMES)
def test_hook_has_a_full_docstring(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert len(doc.split()) >= 15 and "Return" in doc, f"{hook} needs a docstring saying what it returns"


@pytest.mark.parametrize("hook", hookspecs.HOOK_NAMES)
def test_hook_is_documented_for_plugin_authors(hook):
    text = (ROOT / "docs" / "plugins" / "hookspecs.md").read_text()
    assert f"## `{hook}" in text, f"docs/plugins/hookspecs.md has no section for {hook}"


@pytest.mark.parametrize("hook", hookspecs.HOOK_NAMES)
def test_hook_is_exercised_by_a_core_test(hook):
    sources = "".join(p.read_text() for p in (ROOT / "tests").glob("*.py") if p.name != Path(__file__).name)
    assert f"def {hook}" in sources, f"no core test plugin implements {hook}"


def test_every_hookspec_is_listed():
    specs = {n for n, f in vars(hookspecs).items() if n.startswith("omniaug_") and callable(f)}
    assert specs == set(hookspecs.HOOK_NAMES)


def test_hook_implementation_may_take_fewer_arguments_than_its_spec():
    """As with pluggy: an omniaug_example_data that ignores `modality` is still called, not skipped."""
    import torch

    from omniaug import Modality, Registry, hookimpl

    vec = Modality(name="vec_subset", payload="Tensor (B, F)", validate=lambda x: None)

    class Plugin:
        @hookimpl
        def omniaug_register_modalities(self):
            return [vec]

        @hookimpl
        def omniaug_example_data(self):  # takes no `modality`
            return torch.ones(2, 3)

    reg = Registry(load_entry_points=False)
    info = reg.register_plugin(Plugin(), "subset")
    assert info.status == "ok", info.error
    assert torch.equal(reg.example_data("vec_subset"), torch.ones(2, 3))


def test_hook_implementation_naming_an_argument_the_spec_lacks_is_refused():
    """The deliberately broken plugin: a hook asking for an argument no spec passes is skipped, naming it."""
    import warnings

    import pytest
    import torch

    from omniaug import Modality, Registry, hookimpl
    from omniaug.errors import UnknownNameError

    vec = Modality(name="vec_extra_arg", payload="Tensor (B, F)", validate=lambda x: None)

    class Broken:
        @hookimpl
        def omniaug_register_modalities(self):
            return [vec]

        @hookimpl
        def omniaug_example_data(self, modality, size):  # `size` is in no spec
            return torch.ones(2, size)

    reg = Registry(load_entry_points=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        info = reg.register_plugin(Broken(), "broken")
    assert info.status == "failed"
    assert "omniaug_example_data" in info.error and "size" in info.error
    with pytest.raises(UnknownNameError, match="vec_extra_arg"):
        reg.example_data("vec_extra_arg")
