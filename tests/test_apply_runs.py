"""A run of `omniaug apply` is recorded and guarded: the manifest holds pipeline, seed and versions;
another pipeline or seed into the same folder is refused unless --overwrite; interrupted writes are
cleaned and never read as inputs; errors are one line each, on their own line; nothing is created
when nothing can be written."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from omniaug import cli
from omniaug.files import PARTIAL_SUFFIX


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def inputs(tmp_path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(6):
        (folder / f"s{i}.vec").write_text(" ".join(str(float(i * j % 7)) for j in range(5)))
    return folder


def test_the_manifest_records_pipeline_seed_and_versions(toy_registry, capsys, inputs, tmp_path):
    out = tmp_path / "out"
    assert run(capsys, "apply", "vec.default", str(inputs), str(out), "-q", "--seed", "4")[0] == 0
    manifest = json.loads((out / cli.MANIFEST_NAME).read_text())
    assert manifest["seed"] == 4 and manifest["batch_size"] == 16 and manifest["copies"] == 1
    assert yaml.safe_load(manifest["pipeline"])["pipeline"]["op"] == "compose"
    assert manifest["versions"]["omniaug"] and "toy" in manifest["versions"]["plugins"]
    assert "torch" in manifest["versions"] and "python" in manifest["versions"]


def test_another_seed_or_pipeline_is_refused_unless_overwrite(toy_registry, capsys, inputs, tmp_path):
    out = tmp_path / "out"
    run(capsys, "apply", "vec.default", str(inputs), str(out), "-q", "--copies", "3")
    before = sorted(p.name for p in out.glob("*.vec"))
    code, _, err = run(capsys, "apply", "vec.default", str(inputs), str(out), "-q", "--seed", "9")
    assert code == 2 and "seed" in err and "--overwrite" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "apply", "vec.scale", str(inputs), str(out), "-q")
    assert code == 2 and "pipeline" in err
    assert sorted(p.name for p in out.glob("*.vec")) == before  # nothing touched
    first = (out / "s1.aug0.vec").read_text()
    code, _, _ = run(capsys, "apply", "vec.default", str(inputs), str(out), "-q", "--seed", "9", "--overwrite")
    assert code == 0
    assert sorted(p.name for p in out.glob("*.vec")) == sorted(f"s{i}.aug0.vec" for i in range(6))  # old copies gone
    assert (out / "s1.aug0.vec").read_text() != first
    assert json.loads((out / cli.MANIFEST_NAME).read_text())["seed"] == 9
    # the same settings again: a resume, not a refusal
    code, stdout, _ = run(capsys, "apply", "vec.default", str(inputs), str(out), "-q", "--seed", "9", "--copies", "2")
    assert code == 0 and "6 outputs written, 6 already present" in stdout


def test_a_foreign_non_empty_folder_is_refused(toy_registry, capsys, inputs, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, _, err = run(capsys, "apply", "vec.default", str(inputs), str(out), "-q")
    assert code == 2 and "not empty" in err and (out / "notes.txt").read_text() == "mine"


def test_partial_files_are_cleaned_on_resume_and_never_read_as_inputs(toy_registry, capsys, inputs, tmp_path):
    out = tmp_path / "out"
    run(capsys, "apply", "vec.default", str(inputs), str(out), "-q")
    (out / "s2.aug0.vec").unlink()
    leftovers = [out / f".s2.aug0.vec{PARTIAL_SUFFIX}", out / ".tmp-k3j2.vec"]  # ours, and an older version's
    for p in leftovers:
        p.write_text("1.0 2.0")
    assert not any(p.match("*.vec") for p in leftovers[:1])  # a partial name matches no input pattern
    code, stdout, _ = run(capsys, "apply", "vec.default", str(inputs), str(out), "-q")
    assert code == 0 and "1 outputs written" in stdout and not any(p.exists() for p in leftovers)
    leftovers[1].write_text("1.0 2.0")
    code, stdout, _ = run(capsys, "apply", "vec.scale", str(out), str(tmp_path / "again"), "-q")
    assert code == 0 and stdout.startswith("6 files")  # the folder as input: hidden partials are not inputs


def test_kill_minus_9_then_resume_matches_an_uninterrupted_run(tmp_path):
    pytest.importorskip("omniaug_image")
    from PIL import Image
    from sklearn.datasets import load_sample_image

    src = tmp_path / "photos"
    src.mkdir()
    for name in ("china.jpg", "flower.jpg"):
        for i, (top, left) in enumerate(((0, 0), (200, 300), (100, 400))):
            crop = load_sample_image(name)[top : top + 160, left : left + 200]
            Image.fromarray(crop).save(src / f"{name[:-4]}{i}.png")
    cmd = [sys.executable, "-m", "omniaug", "apply", "image.default", str(src)]
    stats = cli.apply_folder(cli.build_transform("image.default"), src, tmp_path / "ref", copies=6, progress=False)
    assert stats["written"] == 36
    out = tmp_path / "out"
    proc = subprocess.Popen([*cmd, str(out), "-q", "-n", "6"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and len(list(out.glob("*.png"))) < 6:
        time.sleep(0.05)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    (out / f".china0.aug5.png{PARTIAL_SUFFIX}").write_bytes(b"\x89PNG half a file")  # as a kill mid-write leaves
    res = subprocess.run([*cmd, str(out), "-q", "-n", "6"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "ref").iterdir())  # no leftovers
    for p in (tmp_path / "ref").glob("*.png"):
        assert (out / p.name).read_bytes() == p.read_bytes(), p.name


def test_errors_are_on_their_own_line_beside_the_progress_bar(toy_registry, capsys, inputs, tmp_path):
    (inputs / "broken.vec").write_text("1.0 two 3.0")
    code, _, err = run(capsys, "apply", "vec.default", str(inputs), str(tmp_path / "out"))  # progress bar on
    assert code == 1
    lines = [seg.split("\r")[-1] for seg in err.split("\n")]
    assert any(line.startswith("omniaug apply: skipped broken.vec: ") for line in lines)
    assert any(line.startswith("omniaug apply: error: 1 of 7 files") for line in lines)


def test_nothing_is_created_when_nothing_can_be_written(toy_registry, capsys, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.vec").write_text("x y")
    (src / "b.vec").write_text("1.0 two")
    code, _, err = run(capsys, "apply", "vec.default", str(src), str(tmp_path / "out"), "-q")
    assert code == 1 and not (tmp_path / "out").exists() and "a.vec" in err and "b.vec" in err
    code, _, err = run(capsys, "apply", "vec.default", str(tmp_path / "missing"), str(tmp_path / "out2"))
    assert code == 2 and not (tmp_path / "out2").exists()


def test_a_yaml_syntax_error_is_one_line_and_creates_nothing(toy_registry, capsys, inputs, tmp_path):
    cfg = tmp_path / "pipe.yaml"
    cfg.write_text("pipeline:\n  op: compose\n  transforms: [{op: vec.scale}\n")
    code, _, err = run(capsys, "apply", str(cfg), str(inputs), str(tmp_path / "out"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "pipe.yaml" in err and "line" in err
    assert not (tmp_path / "out").exists()


def test_a_read_only_output_folder_is_one_line(toy_registry, capsys, inputs, tmp_path):
    if os.geteuid() == 0:  # root writes anywhere but where the kernel says no
        target = Path("/sys/omniaug-apply-test")
        if not Path("/sys").is_dir():
            pytest.skip("no read-only place for root")
    else:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o555)
        target = ro / "out"
    code, _, err = run(capsys, "apply", "vec.default", str(inputs), str(target), "-q")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "cannot write" in err
    assert not target.exists()
