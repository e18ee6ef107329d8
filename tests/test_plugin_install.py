"""Install the example plugin into a fresh virtual environment from its own pyproject.toml.

The fresh environment borrows torch & co. from the project venv (a path file, not
its plugin metadata), gets `omniaug`, the example plugin and a deliberately broken
plugin installed as wheels, and must find the example plugin through its entry
point only, while the broken one is reported and skipped.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*cmd: str | Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, env=env)


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fresh")
    wheels = tmp / "wheels"
    build = _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        wheels,
        ROOT / "core",
        ROOT / "examples" / "omniaug-example-plugin",
        ROOT / "tests" / "data" / "broken_plugin",
    )
    assert build.returncode == 0, build.stderr
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = _run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip()
    # third-party packages (torch, pluggy, …) come from the project venv, appended after the fresh site dir
    (Path(site) / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    inst = _run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        py,
        "install",
        "-q",
        "--no-deps",
        "--no-index",
        *sorted(wheels.glob("*.whl")),
    )
    assert inst.returncode == 0, inst.stderr
    return py


def _env() -> dict:
    import os

    # the borrowed site dir also holds the editable first-party plugins' metadata; load only these two
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMNIAUG_")}
    env["OMNIAUG_PLUGINS"] = "tabular,broken"
    return env


def test_example_plugin_found_through_its_entry_point_and_broken_one_skipped(fresh_env):
    code = """
import json, warnings
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter('always')
    import omniaug, omniaug_tabular, torch
    reg = omniaug.registry()  # lazy: plugins are imported when first needed, inside this block
    info = {n: [i.status, i.error, i.distribution, i.version] for n, i in reg.plugins.items()}
    x = torch.randn(8, 4)
    out = omniaug.RandAugment('tabular', n=2, m=5)(x, generator=omniaug.rng.make_generator(0))
print(json.dumps({'plugins': info, 'warnings': [str(m.message) for m in w],
                  'omniaug_file': omniaug.__file__, 'tabular_file': omniaug_tabular.__file__,
                  'ops': sorted(reg.augmentations), 'shape': list(out.shape)}))
"""
    res = _run(fresh_env, "-c", code, env=_env())
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout.strip().splitlines()[-1])
    fresh_prefix = str(fresh_env.parent.parent)
    assert data["omniaug_file"].startswith(fresh_prefix) and data["tabular_file"].startswith(fresh_prefix)
    assert data["plugins"]["tabular"][:1] == ["ok"] and data["plugins"]["tabular"][2:] == [
        "omniaug-example-plugin",
        "0.1.0",
    ]
    assert data["plugins"]["broken"][0] == "failed" and "a_module_that_does_not_exist" in data["plugins"]["broken"][1]
    assert any("broken" in w and "skipped" in w for w in data["warnings"])
    assert data["ops"] == ["tabular.feature_noise", "tabular.swap_noise"] and data["shape"] == [8, 4]


def test_plugins_command_in_the_fresh_env(fresh_env):
    res = _run(fresh_env, "-m", "omniaug", "plugins", env=_env())
    assert res.returncode == 0, res.stderr
    rows = {line.split()[0]: line for line in res.stdout.splitlines()[2:] if line.strip()}
    assert "omniaug-example-plugin" in rows["tabular"] and " ok " in rows["tabular"]
    assert " failed " in rows["broken"] and "import failed" in rows["broken"]


def test_strict_mode_fails_on_the_broken_plugin(fresh_env):
    env = _env() | {"OMNIAUG_STRICT_PLUGINS": "1"}
    res = _run(fresh_env, "-c", "import omniaug; omniaug.registry().plugins", env=env)
    assert res.returncode != 0 and "PluginError" in res.stderr and "broken" in res.stderr
