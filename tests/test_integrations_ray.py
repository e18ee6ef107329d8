"""Ray Data: the same bytes as `omniaug apply` on 1 and 2 workers, a killed worker changes nothing, tables by key.

One local Ray instance (2 CPUs, no network) serves the whole module: starting Ray
takes seconds, each run's actors a few more.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from omniaug.cli import REPORT_NAME, apply_folder, build_transform, main
from omniaug.files import is_partial
from omniaug.integrations import augment_rows

from .scaleout_files import tree_bytes, write_images, write_texts

ray = pytest.importorskip("ray")
oa_ray = pytest.importorskip("omniaug.integrations.ray")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    started = oa_ray.init(num_cpus=2)
    yield
    if started:
        ray.shutdown()


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ray_images")
    write_images(folder)
    return folder


@pytest.fixture(scope="module")
def reference(images, tmp_path_factory):
    out = tmp_path_factory.mktemp("ray_ref") / "out"
    apply_folder(build_transform("image.default"), images, out, copies=2, seed=3, progress=False)
    return tree_bytes(out)


def test_one_and_two_workers_write_the_bytes_of_a_local_run(cluster, images, reference, tmp_path):
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        stats = oa_ray.apply_folder(
            "image.default", images, out, copies=2, seed=3, workers=workers, progress=False, files_per_task=5
        )
        assert stats["written"] == 48 and stats["failed"] == 0
        assert tree_bytes(out) == reference, workers
        report = [json.loads(line) for line in (out / REPORT_NAME).read_text().splitlines()]
        assert sorted((e["input"], e["copy"]) for e in report) == sorted(
            (p.relative_to(images).as_posix(), k) for p in images.rglob("*.png") for k in range(2)
        )
    again = oa_ray.apply_folder("image.default", images, tmp_path / "w2", copies=2, seed=3, workers=2, progress=False)
    assert again["written"] == 0 and again["skipped"] == 48  # resume: finished items are skipped


def test_cli_engine_ray(cluster, images, reference, tmp_path):
    code = main(
        [
            "apply",
            "image.default",
            str(images),
            str(tmp_path / "cli"),
            "-n",
            "2",
            "--seed",
            "3",
            "--engine",
            "ray",
            "--workers",
            "2",
            "-q",
        ]
    )
    assert code == 0
    assert tree_bytes(tmp_path / "cli") == reference


def test_bad_files_are_reported_not_fatal(cluster, tmp_path):
    src = tmp_path / "in"
    write_texts(src, count=6)
    (src / "broken.txt").write_bytes(b"\xff\xfe\xfa not utf-8 \xff")
    stats = oa_ray.apply_folder("text.noise", src, tmp_path / "out", seed=1, workers=2, progress=False)
    assert stats["failed"] == 1 and stats["failures"][0][0] == "broken.txt"
    assert stats["written"] == 6
    report = [json.loads(line) for line in (tmp_path / "out" / REPORT_NAME).read_text().splitlines()]
    assert any(e["input"] == "broken.txt" and "error" in e for e in report)


def _actor_pids() -> list[int]:
    """Processes of the folder actors (Ray titles them ``ray::MapWorker(MapBatches(FolderAugmenter))``)."""
    pids = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if b"MapBatches(FolderAugmenter)" in (p / "cmdline").read_bytes():
                    pids.append(int(p.name))
            except OSError:
                pass
    return pids


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds Ray's worker processes through /proc")
def test_a_worker_killed_mid_run_leaves_complete_identical_outputs(cluster, tmp_path):
    src = tmp_path / "in"
    write_images(src, count=120, size=64)
    inputs = tree_bytes(src)
    ref = tmp_path / "ref"
    apply_folder(build_transform("image.default"), src, ref, copies=2, seed=5, progress=False)
    out = tmp_path / "out"
    killed: dict[str, int] = {}

    def killer() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and "at" not in killed:
            done = sum(1 for _ in out.rglob("*.png")) if out.exists() else 0
            pids = _actor_pids() if done >= 12 else []
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                killed["at"] = done
            time.sleep(0.005)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    stats = oa_ray.apply_folder(
        "image.default", src, out, copies=2, seed=5, workers=2, progress=False, files_per_task=4
    )
    thread.join(timeout=1)
    assert "at" in killed and killed["at"] < 240, "the worker was not killed during the run"
    assert stats["failed"] == 0 and stats["written"] + stats["skipped"] == 240
    assert tree_bytes(out) == tree_bytes(ref)  # complete and identical
    assert not [p for p in out.rglob("*") if is_partial(p)]  # no partial file left
    assert tree_bytes(src) == inputs  # inputs untouched
    report = [json.loads(line) for line in (out / REPORT_NAME).read_text().splitlines()]
    assert len({(e["input"], e["copy"]) for e in report}) == 240  # every output reported once


def test_map_batches_seeds_by_key_column_for_any_blocks_batch_size_and_workers(cluster, tmp_path):
    from PIL import Image

    paths = write_images(tmp_path, count=16)
    rows = [{"image": np.asarray(Image.open(p).convert("RGB")), "path": p.name} for p in paths]
    transform = build_transform("image.default")
    want = augment_rows(transform, [r["image"] for r in rows], [r["path"] for r in rows], seed=4, image_arrays=True)
    results = []
    for blocks, batch, workers in ((1, 16, 1), (5, 3, 2)):
        ds = ray.data.from_items(rows, override_num_blocks=blocks)
        out = oa_ray.map_batches(
            ds,
            "image.default",
            column="image",
            key="path",
            seed=4,
            output_column="aug",
            batch_size=batch,
            workers=workers,
        )
        got = {r["path"]: np.asarray(r["aug"]) for r in out.take_all()}
        results.append(got)
        for r, w in zip(rows, want):
            assert got[r["path"]].dtype == np.uint8 and np.array_equal(got[r["path"]], w), (blocks, batch, r["path"])
    assert any(not np.array_equal(np.asarray(r["image"]), results[0][r["path"]]) for r in rows)  # it did augment


def test_map_batches_needs_a_key_column(cluster):
    ds = ray.data.from_items([{"text": "a b c"}])
    with pytest.raises(Exception, match="key"):
        oa_ray.map_batches(ds, "text.noise", column="text", key="")
