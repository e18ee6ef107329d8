"""The CLI: plugins, list, describe, preview, apply (resumable, never overwriting), demo, new-plugin."""

from __future__ import annotations

import subprocess
import sys

import torch

from omniaug import cli

from . import toy_plugin


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_plugins_lists_name_version_status_and_op_count(toy_registry, capsys):
    code, out, _ = run(capsys, "plugins")
    assert code == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("toy "))
    assert "ok" in line and " 4 " in f"{line} "  # 3 ops + 1 mixer


def test_list_and_describe(toy_registry, capsys):
    code, out, _ = run(capsys, "list", "--modality", "vec")
    assert code == 0
    assert "vec.scale" in out and "(policy)" in out and "mixer   vec.paste_mix" in out and "preset  vec.default" in out
    code, out, _ = run(capsys, "describe", "vec.scale")
    assert (
        "amount: float = 0.5" in out
        and "policy magnitude: amount from 0.0 (m=0) to 0.9 (m=10" in out
        and "fusable: vec.gain" in out
    )


def test_unknown_name_exits_2_with_a_suggestion(toy_registry, capsys):
    code, _, err = run(capsys, "describe", "vec.scal")
    assert code == 2 and "did you mean 'vec.scale'" in err


def test_preview_writes_the_renderers_file(toy_registry, capsys, tmp_path):
    out = tmp_path / "p.txt"
    code, stdout, _ = run(capsys, "preview", "vec.default", "--out", str(out), "--views", "2")
    assert code == 0 and out.exists()
    lines = out.read_text().splitlines()
    assert lines[0].startswith("original") and len(lines) == 3


def _write_inputs(folder, n=5):
    folder.mkdir()
    for i in range(n):
        (folder / f"s{i}.vec").write_text(" ".join(str(float(i + j)) for j in range(5)))


def test_apply_writes_copies_is_resumable_and_never_touches_inputs(toy_registry, capsys, tmp_path):
    src, dst = tmp_path / "in", tmp_path / "out"
    _write_inputs(src)
    before = {p.name: p.read_text() for p in src.iterdir()}
    code, out, _ = run(capsys, "apply", "vec.default", str(src), str(dst), "--copies", "2", "--batch-size", "2", "-q")
    assert code == 0 and "10 outputs written" in out
    produced = sorted(p.name for p in dst.glob("*.vec"))
    assert produced == sorted(f"s{i}.aug{k}.vec" for i in range(5) for k in range(2))
    first = (dst / "s3.aug1.vec").read_text()
    assert first != before["s3.vec"]
    (dst / "s3.aug1.vec").unlink()
    code, out, _ = run(capsys, "apply", "vec.default", str(src), str(dst), "--copies", "2", "--batch-size", "2", "-q")
    assert "1 outputs written, 9 already present" in out  # only the missing output is rewritten
    assert (dst / "s3.aug1.vec").read_text() == first  # same seed → same result after resuming
    assert {p.name: p.read_text() for p in src.iterdir()} == before
    assert len((dst / "omniaug-apply-report.jsonl").read_text().splitlines()) == 11


def test_apply_refuses_an_output_folder_overlapping_the_input(toy_registry, capsys, tmp_path):
    src = tmp_path / "in"
    _write_inputs(src)
    code, _, err = run(capsys, "apply", "vec.default", str(src), str(src / "out"))
    assert code == 2 and "must not overlap" in err
    assert sorted(p.name for p in src.iterdir()) == [f"s{i}.vec" for i in range(5)]


def test_demo_writes_config_preview_and_augmented_files(toy_registry, capsys, tmp_path):
    code, out, _ = run(capsys, "demo", "--out", str(tmp_path / "demo"), "-q")
    assert code == 0
    folder = tmp_path / "demo" / "vec"
    assert (folder / "pipeline.yaml").exists() and (folder / "preview.png").exists()
    assert len(list((folder / "augmented").glob("*.vec"))) == 8  # 4 samples × 2 copies


def test_new_plugin_renders_an_installable_package(toy_registry, capsys, tmp_path):
    code, out, _ = run(capsys, "new-plugin", "point-cloud", "--dir", str(tmp_path))
    root = tmp_path / "omniaug-point-cloud"
    assert code == 0 and (root / "pyproject.toml").exists()
    text = (root / "pyproject.toml").read_text()
    assert 'point-cloud = "omniaug_point_cloud.plugin"' in text
    assert (root / "src" / "omniaug_point_cloud" / "ops.py").exists()
    compile((root / "src" / "omniaug_point_cloud" / "ops.py").read_text(), "ops.py", "exec")
    code, _, err = run(capsys, "new-plugin", "point-cloud", "--dir", str(tmp_path))
    assert code == 2 and "already exists" in err


def test_python_dash_m_omniaug_runs():
    res = subprocess.run([sys.executable, "-m", "omniaug", "--version"], capture_output=True, text=True, check=True)
    assert res.stdout.startswith("omniaug ")


def test_toy_renderer_is_used(toy_registry):
    assert toy_plugin.VEC.render is not None and torch.is_tensor(toy_registry.example_data("vec"))
