"""One seed, one set of real files, every engine: the same pixels for every item and copy.

`omniaug apply` (batch sizes 16 and 1, 2 worker processes), Hugging Face
``datasets`` (``map`` with ``num_proc`` 1 and 2) and Dask (4 and 8 partitions) are
each compared with one reference run, so every pair agrees; Ray Data (1 and 2
workers) is compared with the same reference in ``test_integrations_ray.py``.
Items are keyed by their relative path and copies by their index, as ``apply`` does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from omniaug.cli import apply_folder, build_transform

from .scaleout_files import write_images

SEED, COPIES = 3, 2


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pairs_images")
    write_images(folder)
    return folder


def _rels(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.png"))


def decoded(src: Path, out: Path) -> dict[tuple[str, int], bytes]:
    """Pixels of every output of an `apply` run, by (input path, copy)."""
    result = {}
    for rel in _rels(src):
        r = Path(rel)
        for k in range(COPIES):
            with Image.open(out / r.with_name(f"{r.stem}.aug{k}{r.suffix}")) as im:
                result[(rel, k)] = np.asarray(im.convert("RGB")).tobytes()
    return result


@pytest.fixture(scope="module")
def reference(images, tmp_path_factory):
    out = tmp_path_factory.mktemp("pairs_ref") / "out"
    apply_folder(build_transform("image.default"), images, out, copies=COPIES, seed=SEED, batch_size=16, progress=False)
    return decoded(images, out)


@pytest.mark.parametrize("run", [{"batch_size": 1}, {"batch_size": 5, "workers": 2}])
def test_apply_runs(images, reference, tmp_path, run):
    apply_folder(
        build_transform("image.default"), images, tmp_path / "out", copies=COPIES, seed=SEED, progress=False, **run
    )
    assert decoded(images, tmp_path / "out") == reference


def test_hugging_face_map_with_num_proc_1_and_2(images, reference, tmp_path):
    datasets = pytest.importorskip("datasets")
    from omniaug.integrations import hf

    rels = _rels(images)
    ds = datasets.Dataset.from_dict({"image": [Image.open(images / r).convert("RGB") for r in rels], "path": rels})
    for num_proc in (None, 2):
        got = {}
        for k in range(COPIES):
            t = hf.transform("image.default", column="image", key="path", seed=SEED, epoch=k, output_column="aug")
            out = hf.map(
                ds, t, num_proc=num_proc, batch_size=7, cache_file_name=str(tmp_path / f"np{num_proc}_{k}.arrow")
            )
            got.update({(r, k): np.asarray(im.convert("RGB")).tobytes() for r, im in zip(rels, out["aug"])})
        assert got == reference, num_proc


def test_dask_with_4_and_8_partitions(images, reference):
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    from omniaug.integrations import dask as oa_dask

    rels = _rels(images)
    frame = pd.DataFrame({"image": [np.asarray(Image.open(images / r).convert("RGB")) for r in rels], "path": rels})
    for n in (4, 8):
        got = {}
        with dask.config.set({"dataframe.convert-string": False}):
            ddf = dd.from_pandas(frame, npartitions=n)
            for k in range(COPIES):
                out = oa_dask.map_partitions(
                    ddf, "image.default", column="image", key="path", seed=SEED, copy=k, output_column="aug"
                )
                got.update(
                    {(r, k): np.asarray(a).tobytes() for r, a in zip(out["path"].compute(), out["aug"].compute())}
                )
        assert got == reference, n
