"""`omniaug apply` on UCR series (GunPoint, BasicMotions) as .npy and pandas-style .csv files:
shapes, dtypes, headers, index columns and line endings kept; the index is never augmented."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("omniaug_timeseries")

from omniaug import cli
from omniaug.cli import apply_folder
from omniaug_timeseries.datasets import load_dataset


@pytest.fixture(scope="module")
def ucr(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ucr")
    gun = load_dataset("gunpoint").x_train[:6]  # (6, 1, 150) univariate
    motion = load_dataset("basicmotions").x_train[:4]  # (4, 6, 100) multivariate
    (root / "gunpoint").mkdir()
    (root / "basicmotions").mkdir()
    for i, s in enumerate(gun):
        np.save(root / "gunpoint" / f"g{i}.npy", s[0].numpy().astype(np.float64))  # 1-D float64
    np.save(root / "gunpoint" / "counts.npy", (gun[0, 0].numpy() * 1000).round().astype(np.int16))
    for i, s in enumerate(motion):
        np.save(root / "basicmotions" / f"m{i}.npy", s.numpy())  # (6, 100) float32
    # a pandas-style CSV: empty index header, a time column, CRLF line endings
    s = motion[0].numpy()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"])
    for t in range(s.shape[1]):
        w.writerow([f"2024-01-01 00:00:{t / 10:04.1f}", *[f"{v:.6f}" for v in s[:, t]]])
    (root / "basicmotions" / "pandas.csv").write_bytes(buf.getvalue().encode())
    # a semicolon CSV with a numeric index column named "index" and LF endings
    lines = ["index;value"] + [f"{t};{v:.6f}" for t, v in enumerate(gun[1, 0].tolist())]
    (root / "gunpoint" / "semicolon.csv").write_text("\n".join(lines) + "\n")
    return root


def test_npy_shape_and_dtype_are_kept(ucr, tmp_path):
    stats = apply_folder(cli.build_transform("timeseries.default"), ucr, tmp_path / "out", progress=False)
    assert stats["failed"] == 0 and stats["written"] == 13
    changed = 0
    for src in ucr.rglob("*.npy"):
        a = np.load(src)
        b = np.load(tmp_path / "out" / src.relative_to(ucr).with_name(f"{src.stem}.aug0.npy"))
        assert (b.shape, b.dtype) == (a.shape, a.dtype), src.name
        changed += not np.array_equal(a, b)
    assert changed >= 6  # the preset's ops apply with p < 1: most, not all, series change
    counts = np.load(tmp_path / "out" / "gunpoint" / "counts.aug0.npy")
    assert counts.dtype == np.int16 and np.abs(counts).max() < np.iinfo(np.int16).max


def test_csv_header_index_and_line_endings_are_kept(ucr, tmp_path):
    apply_folder(cli.build_transform("timeseries.default"), ucr, tmp_path / "out", progress=False)
    changed = 0
    for name, newline, delim in (("basicmotions/pandas", b"\r\n", ","), ("gunpoint/semicolon", b"\n", ";")):
        raw_a = (ucr / f"{name}.csv").read_bytes()
        raw_b = (tmp_path / "out" / f"{name}.aug0.csv").read_bytes()
        assert raw_b.count(newline) == raw_a.count(newline) and raw_b.endswith(newline)
        if newline == b"\n":
            assert b"\r" not in raw_b
        rows_a = list(csv.reader(io.StringIO(raw_a.decode()), delimiter=delim))
        rows_b = list(csv.reader(io.StringIO(raw_b.decode()), delimiter=delim))
        assert rows_b[0] == rows_a[0]  # the header
        assert [r[0] for r in rows_b] == [r[0] for r in rows_a]  # the index column, untouched
        values_a = np.array([[float(c) for c in r[1:]] for r in rows_a[1:]])
        values_b = np.array([[float(c) for c in r[1:]] for r in rows_b[1:]])
        assert values_a.shape == values_b.shape
        changed += not np.allclose(values_a, values_b)
    assert changed >= 1  # the data columns are augmented (the index column never is)


def test_identity_round_trip_is_exact_to_the_written_precision(ucr, tmp_path):
    import omniaug

    never = omniaug.registry().ops_for("timeseries")[0](p=0.0)  # an op that never applies
    apply_folder(never, ucr, tmp_path / "same", progress=False)
    a = np.load(ucr / "basicmotions" / "m1.npy")
    assert np.array_equal(np.load(tmp_path / "same" / "basicmotions" / "m1.aug0.npy"), a)
    src = (ucr / "gunpoint" / "semicolon.csv").read_text().splitlines()
    out = (tmp_path / "same" / "gunpoint" / "semicolon.aug0.csv").read_text().splitlines()
    assert [float(x.split(";")[1]) for x in out[1:]] == pytest.approx(
        [float(x.split(";")[1]) for x in src[1:]], abs=1e-6
    )


def test_a_non_numeric_csv_and_a_pickled_npy_are_skipped(ucr, tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "words.csv").write_text("a,b\nx,y\nz,w\n")
    np.save(bad / "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    np.save(bad / "ok.npy", load_dataset("gunpoint").x_train[0, 0].numpy())
    code = cli.main(["apply", "timeseries.default", str(bad), str(tmp_path / "out"), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "words.csv" in err and "objects.npy" in err and "pickles" in err
    assert (tmp_path / "out" / "ok.aug0.npy").exists()
    assert torch.is_tensor(torch.from_numpy(np.load(tmp_path / "out" / "ok.aug0.npy")))
