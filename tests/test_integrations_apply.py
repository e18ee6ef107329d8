"""`omniaug apply` with per-item seeds: the same bytes for any --batch-size and --workers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import omniaug
from omniaug.cli import SEEDING, apply_folder, build_transform, item_generator, item_key, main

from .scaleout_files import tree_bytes, write_images, write_texts, write_wavs


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("images")
    write_images(folder)
    return folder


def _run(src: Path, out: Path, preset: str, **kw: object) -> dict[str, bytes]:
    stats = apply_folder(build_transform(preset), src, out, copies=2, seed=3, progress=False, **kw)
    assert stats["failed"] == 0
    return tree_bytes(out)


def test_image_outputs_are_identical_for_batch_sizes_and_workers(images, tmp_path):
    runs = {
        "batch 16": _run(images, tmp_path / "b16", "image.default", batch_size=16),
        "batch 1": _run(images, tmp_path / "b1", "image.default", batch_size=1),
        "workers 2": _run(images, tmp_path / "w2", "image.default", batch_size=4, workers=2),
    }
    first = runs["batch 16"]
    assert len(first) == 48  # 24 files × 2 copies
    for name, files in runs.items():
        assert files == first, name
    assert first["img001.aug0.png"] != first["img001.aug1.png"]  # copies differ


@pytest.mark.parametrize("preset", ["text.noise", "text.default"])
def test_text_outputs_are_identical_for_batch_sizes(tmp_path, preset):
    write_texts(tmp_path / "in")
    a = _run(tmp_path / "in", tmp_path / "a", preset, batch_size=5)
    b = _run(tmp_path / "in", tmp_path / "b", preset, batch_size=1)
    assert len(a) == 24 and a == b


def test_audio_outputs_are_identical_for_batch_sizes_and_workers(tmp_path):
    """Filters, reverb, noise, pitch and speed compute every clip on its own (no batch- or
    thread-dependent rounding), so not one 16-bit sample differs."""
    write_wavs(tmp_path / "in")
    ref = _run(tmp_path / "in", tmp_path / "a", "audio.default", batch_size=8)
    assert _run(tmp_path / "in", tmp_path / "b", "audio.default", batch_size=1) == ref
    assert _run(tmp_path / "in", tmp_path / "c", "audio.default", batch_size=3, workers=2) == ref


def test_a_resumed_run_with_another_batch_size_completes_the_same_outputs(images, tmp_path):
    full = _run(images, tmp_path / "full", "image.default", batch_size=8)
    out = tmp_path / "resumed"
    _run(images, out, "image.default", batch_size=8)
    for name in list(full)[::3]:
        (out / name).unlink()  # as if the run had been killed
    stats = apply_folder(build_transform("image.default"), images, out, copies=2, seed=3, batch_size=3, progress=False)
    assert stats["written"] == len(list(full)[::3])
    assert tree_bytes(out) == full
    manifest = json.loads((out / "omniaug-apply.json").read_text())
    assert manifest["seeding"] == SEEDING


def test_a_folder_seeded_per_batch_is_not_resumed(images, tmp_path):
    out = tmp_path / "old"
    _run(images, out, "image.default")
    manifest = out / "omniaug-apply.json"
    record = json.loads(manifest.read_text())
    del record["seeding"]  # written by a version that seeded per batch
    manifest.write_text(json.dumps(record))
    with pytest.raises(omniaug.OmniaugError, match="seeding"):
        apply_folder(build_transform("image.default"), images, out, seed=3, progress=False)


def test_item_keys_and_generators():
    assert item_key("a/b.png", 0) == "a/b.png" and item_key("a/b.txt", 2) == "a/b.txt#2"
    g = item_generator(1, ["a.png", "b.png"], 0)
    assert isinstance(g, omniaug.keyed.KeyedGenerator) and g.rows == 2


def test_cli_workers_option(images, tmp_path, capsys):
    ref = _run(images, tmp_path / "ref", "image.default", batch_size=16)
    code = main(
        ["apply", "image.default", str(images), str(tmp_path / "cli"), "-n", "2", "--seed", "3", "--workers", "2", "-q"]
    )
    assert code == 0
    assert tree_bytes(tmp_path / "cli") == ref
    assert main(["apply", "image.default", str(images), str(tmp_path / "x"), "--workers", "0", "-q"]) == 2
    assert main(["apply", "image.default", str(images), str(tmp_path / "y"), "--address", "auto", "-q"]) == 2
    assert "--address needs --engine ray" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("module", "extra", "call"),
    [
        ("ray", "ray", lambda: __import__("omniaug.integrations.ray", fromlist=["init"]).init()),
        ("datasets", "hf", lambda: __import__("omniaug.integrations.hf", fromlist=["add_keys"]).add_keys(None)),
        (
            "dask",
            "dask",
            lambda: __import__("omniaug.integrations.dask", fromlist=["x"]).map_partitions(
                None, "text.noise", column="t"
            ),
        ),
    ],
)
def test_a_missing_engine_names_the_extra_to_install(monkeypatch, module, extra, call):
    import sys

    from omniaug.integrations import MissingExtraError

    monkeypatch.setitem(sys.modules, module, None)  # imports of it fail, as when it is not installed
    with pytest.raises(MissingExtraError, match=rf"pip install 'omniaug\[{extra}\]'"):
        call()


def test_cli_engine_ray_without_ray_says_which_extra(monkeypatch, images, tmp_path, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)
    assert main(["apply", "image.default", str(images), str(tmp_path / "out"), "--engine", "ray", "-q"]) == 2
    assert "omniaug[ray]" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing written


def test_engines_are_optional_dependencies():
    """`pip install omniaug` pulls none of the engines: they are extras of core/pyproject.toml."""
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((Path(__file__).parents[1] / "core" / "pyproject.toml").read_text())["project"]
    assert not [
        d for d in project["dependencies"] if d.split("[")[0].split(">")[0].strip() in {"ray", "datasets", "dask"}
    ]
    extras = project["optional-dependencies"]
    assert any(d.startswith("ray") for d in extras["ray"])
    assert any(d.startswith("datasets") for d in extras["hf"])
    assert any(d.startswith("dask") for d in extras["dask"])


def test_importing_omniaug_imports_no_engine():
    import subprocess
    import sys

    code = (
        "import sys, omniaug, omniaug.integrations, omniaug.integrations.ray, omniaug.integrations.hf, "
        "omniaug.integrations.dask; print(sorted(m for m in ('ray', 'datasets', 'dask') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
