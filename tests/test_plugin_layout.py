"""Every first-party plugin, and the ``omniaug new-plugin`` template, follows one layout.

The layout (docs/plugins/authoring.md, "Plugin layout"): hooks in ``plugin.py``, which
exports the registered op classes as ``OPS``; modalities in ``modality.py``; ops in
``ops.py``, or an ``ops/`` package when they span several modules; mixers in
``mixers.py``; presets in ``presets.py``; one name, ``inner_kernel``, for the kernel a
plugin base class calls on the unwrapped payload.
"""

from __future__ import annotations

import importlib
import inspect
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import omniaug
from omniaug.template import render_plugin

ROOT = Path(__file__).resolve().parents[1]
#: the first-party plugins and the worked example docs/plugins/authoring.md points to
PLUGIN_DIRS = [
    *sorted(p for p in (ROOT / "plugins").iterdir() if (p / "src").is_dir()),
    ROOT / "examples" / "omniaug-example-plugin",
]
#: names the plugins used for their inner kernels before they agreed on ``inner_kernel``
OLD_KERNEL_NAMES = ("image_kernel", "graph_kernel", "transform", "_edit", "_edit_string")


def _package_dir(plugin_dir: Path) -> Path:
    (pkg,) = [
        p for p in (plugin_dir / "src").iterdir() if (p / "__init__.py").is_file() and p.name.startswith("omniaug_")
    ]
    return pkg


def _hook(plugin: ModuleType, name: str) -> list[Any] | None:
    fn = getattr(plugin, name, None)
    return None if fn is None else list(fn())


def _in_module(obj: Any, module: str) -> bool:
    return obj.__module__ == module or obj.__module__.startswith(module + ".")


def check_layout(pkg_dir: Path) -> None:
    """Assert that the package at ``pkg_dir`` (already importable) follows the layout."""
    name = pkg_dir.name
    assert (pkg_dir / "plugin.py").is_file(), f"{name}: hook implementations belong in plugin.py"
    assert not (pkg_dir / "modalities.py").exists(), f"{name}: modalities go in modality.py, not modalities.py"
    plugin = importlib.import_module(f"{name}.plugin")

    ops = _hook(plugin, "omniaug_register_augmentations")
    has_module, has_package = (pkg_dir / "ops.py").is_file(), (pkg_dir / "ops" / "__init__.py").is_file()
    if ops is None:
        assert not hasattr(plugin, "OPS"), f"{name}: OPS without an omniaug_register_augmentations hook"
    else:
        assert isinstance(getattr(plugin, "OPS", None), list), (
            f"{name}: plugin.py must export OPS, a list of op classes"
        )
        assert ops == plugin.OPS, f"{name}: omniaug_register_augmentations must return plugin.OPS"
        assert has_module != has_package, f"{name}: ops live in ops.py or in an ops/ package (exactly one)"
        homes = {cls.__module__ for cls in ops}
        stray = sorted(f"{cls.__name__} ({cls.__module__})" for cls in ops if not _in_module(cls, f"{name}.ops"))
        assert not stray, f"{name}: ops outside {name}.ops: {stray}"
        if has_package:
            assert len(homes) > 1, f"{name}: an ops/ package for ops of one module; use ops.py"
        for cls in ops:
            assert issubclass(cls, omniaug.Augmentation), cls
            assert cls.kernel is not omniaug.Augmentation.kernel, f"{cls.__name__} implements no kernel"
            for klass in inspect.getmro(cls):
                if klass is omniaug.Augmentation:
                    break
                old = sorted(set(OLD_KERNEL_NAMES) & set(vars(klass)))
                assert not old, f"{klass.__qualname__} ({klass.__module__}) defines {old}; the name is inner_kernel"

    modalities = _hook(plugin, "omniaug_register_modalities")
    if modalities:
        assert (pkg_dir / "modality.py").is_file(), f"{name}: its modalities belong in modality.py"
        module = importlib.import_module(f"{name}.modality")
        defined = [m for m in modalities if any(v is m for v in vars(module).values())]
        assert defined == modalities, f"{name}: modality.py must define every registered modality"

    mixers = _hook(plugin, "omniaug_register_mixers")
    if mixers:
        stray = sorted(cls.__name__ for cls in mixers if not _in_module(cls, f"{name}.mixers"))
        assert not stray, f"{name}: mixers outside {name}.mixers: {stray}"

    presets = _hook(plugin, "omniaug_register_presets")
    if presets:
        assert (pkg_dir / "presets.py").is_file(), f"{name}: presets belong in presets.py"
        module = importlib.import_module(f"{name}.presets")
        assert getattr(module, "PRESETS", None) == presets, f"{name}: the presets hook returns presets.PRESETS"


@pytest.mark.parametrize("plugin_dir", PLUGIN_DIRS, ids=lambda p: p.name)
def test_first_party_plugin_layout(plugin_dir: Path) -> None:
    check_layout(_package_dir(plugin_dir))


def test_template_layout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = render_plugin("layout-probe", tmp_path)
    monkeypatch.syspath_prepend(str(root / "src"))
    try:
        check_layout(root / "src" / "omniaug_layout_probe")
    finally:
        for mod in [m for m in sys.modules if m == "omniaug_layout_probe" or m.startswith("omniaug_layout_probe.")]:
            del sys.modules[mod]


def test_template_passes_its_shipped_tests(tmp_path: Path) -> None:
    """``omniaug new-plugin`` output, found through its entry point, passes the tests it ships."""
    root = render_plugin("layout-probe", tmp_path)
    site = tmp_path / "site"
    info = site / "omniaug_layout_probe-0.0.0.dist-info"  # entry-point metadata, as pip would write it
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: omniaug-layout-probe\nVersion: 0.0.0\n")
    (info / "entry_points.txt").write_text("[omniaug]\nlayout-probe = omniaug_layout_probe.plugin\n")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(root / "src"), os.environ.get("PYTHONPATH", "")]),
        "OMNIAUG_PLUGINS": "layout-probe",  # only the new plugin: its tests must not depend on the others
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root / "tests")],
        cwd=root, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout, done.stdout[-2000:]


def test_layout_check_catches_drift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plugin with the old names (ALL_OPS, a ``transform`` kernel) fails the check."""
    root = render_plugin("drift-probe", tmp_path)
    pkg = root / "src" / "omniaug_drift_probe"
    plugin = (pkg / "plugin.py").read_text()
    (pkg / "plugin.py").write_text(plugin.replace("OPS", "ALL_OPS"))
    monkeypatch.syspath_prepend(str(root / "src"))
    try:
        with pytest.raises(AssertionError, match="OPS"):
            check_layout(pkg)
        (pkg / "plugin.py").write_text(plugin)
        ops = (pkg / "ops.py").read_text()
        (pkg / "ops.py").write_text(ops + "\n\nclass Old(Scale):\n    def transform(self, x):\n        return x\n")
        drifted = plugin.replace("= [Scale]", "= [Scale, Old]").replace(
            "from .ops import Scale", "from .ops import Old, Scale"
        )
        assert drifted.count("Old") == 2, "the template's plugin.py changed: update this test"
        (pkg / "plugin.py").write_text(drifted)
        for mod in [m for m in sys.modules if m.startswith("omniaug_drift_probe")]:
            del sys.modules[mod]
        with pytest.raises(AssertionError, match="inner_kernel"):
            check_layout(pkg)
    finally:
        for mod in [m for m in sys.modules if m.startswith("omniaug_drift_probe")]:
            del sys.modules[mod]
