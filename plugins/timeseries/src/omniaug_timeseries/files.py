"""Read and write series files for ``omniaug apply``: ``.npy`` and ``.csv``.

A file holds one series, ``(C, T)`` or ``(T,)`` in ``.npy``; a ``.csv`` holds one
column per channel and one row per time step (a header line is skipped). Series of
different lengths are padded into a :class:`SeriesBatch` with ``lengths``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from omniaug import InputError
from omniaug.batching import pad_sequences
from omniaug.files import check_paths, file_error, require_paths

from .series import SeriesBatch, view_of

__all__ = ["load", "save", "read_series", "write_series", "FILES"]


def read_series(path: Path) -> torch.Tensor:
    """One series file → a ``(C, T)`` float32 tensor."""
    path = Path(path)
    if path.suffix == ".npy":
        arr = np.load(path, allow_pickle=False)
    elif path.suffix == ".csv":
        try:
            arr = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float32)
        except ValueError:
            arr = np.loadtxt(path, delimiter=",", ndmin=2, dtype=np.float32, skiprows=1)
        arr = arr.T
    else:
        raise file_error(path, "files ending in .npy or .csv", None, where="timeseries.load")
    arr = np.asarray(arr, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise file_error(
            path, "series of shape (C, T) or (T,) with T >= 2", f"shape {arr.shape}", where="timeseries.load"
        )
    return torch.from_numpy(arr.copy())


def load(paths: Sequence[Path]) -> torch.Tensor | SeriesBatch:
    """Files → a ``(B, C, T)`` tensor, or a padded ``SeriesBatch`` when lengths differ."""
    series = [read_series(p) for p in require_paths(paths, "series file", where="timeseries.load")]
    channels = {s.shape[0] for s in series}
    if len(channels) != 1:
        raise InputError("paths", "series with the same number of channels", sorted(channels), where="timeseries.load")
    if len({s.shape[1] for s in series}) == 1:
        return torch.stack(series)
    values, lengths = pad_sequences(series, value=0.0, dim=-1)
    return SeriesBatch(values, lengths)


def write_series(series: torch.Tensor, path: Path) -> None:
    """Write one ``(C, T)`` series as ``.npy`` (as is) or ``.csv`` (one column per channel)."""
    arr = series.detach().cpu().numpy()
    path = Path(path)
    if path.suffix == ".csv":
        np.savetxt(path, arr.T, delimiter=",", fmt="%.8g")
    else:
        np.save(path, arr)


def save(payload: torch.Tensor | SeriesBatch, paths: Sequence[Path]) -> None:
    """Write each sample (trimmed to its valid length) to the matching path."""
    view = view_of(payload)
    paths = check_paths(paths, view.values.shape[0], where="timeseries.save")
    for i, (path, n) in enumerate(zip(paths, view.lengths.tolist())):  # file I/O, one file per sample
        write_series(view.values[i, :, :n], path)


# ----------------------------------------------------------------------------- omniaug apply
# Files are read one by one and batched only with series of the same shape (C, T),
# so no series is padded; each output keeps its file's layout:
#   .npy — shape ((T,) or (C, T)) and dtype (integers rounded and clipped to the dtype's range);
#   .csv — delimiter, line ending, header line, an index/time column (kept verbatim, not augmented),
#          and a final newline; values written with 8 significant digits.

_INDEX_NAMES = {"", "index", "time", "timestamp", "date", "datetime", "t", "unnamed: 0"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _newline_of(raw: bytes) -> str:
    crlf = raw.count(b"\r\n")
    lf = raw.count(b"\n") - crlf
    return "\r\n" if crlf > lf else "\n"


def _read_csv(path: Path) -> tuple[np.ndarray, dict[str, Any]]:
    import csv
    import io

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_error(path, "a UTF-8 CSV file", None, where="timeseries.load") from None
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = max(",;\t", key=first.count) if first else ","
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
    if not rows:
        raise file_error(path, "a CSV file with rows of numbers", "empty", where="timeseries.load")
    header = None
    if not all(_is_number(c) for c in rows[0]):
        header, rows = rows[0], rows[1:]
    width = {len(r) for r in rows}
    if len(width) != 1 or not rows:
        raise file_error(path, "a CSV file whose rows all have the same number of cells", None, where="timeseries.load")
    first_col = [r[0] for r in rows]
    has_index = (header is not None and header[0].strip().lower() in _INDEX_NAMES) or not all(
        _is_number(c) for c in first_col
    )
    start = 1 if has_index else 0
    try:
        values = np.array([[float(c) for c in r[start:]] for r in rows], dtype=np.float64)
    except ValueError:
        raise file_error(
            path, "numeric data columns (an index/time column may come first)", None, where="timeseries.load"
        ) from None
    meta = {
        "kind": "csv",
        "delimiter": delimiter,
        "newline": _newline_of(raw),
        "header": header,
        "index": first_col if has_index else None,
        "final_newline": raw.endswith((b"\n", b"\r")),
        "bom": raw.startswith(b"\xef\xbb\xbf"),
    }
    return values.T, meta  # (C, T)


def _read_file(path: Path) -> tuple[torch.Tensor, dict[str, Any]]:
    if path.suffix.lower() == ".npy":
        try:
            arr = np.load(path, allow_pickle=False)
        except (ValueError, OSError, EOFError) as exc:
            raise file_error(path, "a .npy file of numbers (no pickles)", exc, where="timeseries.load") from None
        if arr.ndim not in (1, 2) or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
            raise file_error(
                path, "a numeric series (T,) or (C, T)", f"{arr.dtype} {arr.shape}", where="timeseries.load"
            )
        meta = {"kind": "npy", "dtype": arr.dtype.str, "ndim": arr.ndim}
        values = np.atleast_2d(arr).astype(np.float64)
    else:
        values, meta = _read_csv(path)
    if values.shape[1] < 2:
        raise file_error(path, "series with at least 2 time steps", f"shape {values.shape}", where="timeseries.load")
    return torch.from_numpy(values.astype(np.float32)), meta


def _probe(path: Path, options: Any) -> tuple[Any, int]:
    if path.suffix.lower() == ".npy":
        try:
            with path.open("rb") as fh:
                version = np.lib.format.read_magic(fh)
                reader = (
                    np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                )
                shape, _, dtype = reader(fh)  # the header only
        except (ValueError, OSError, EOFError) as exc:
            raise file_error(path, "a .npy file", exc, where="timeseries.load") from None
        if dtype.hasobject:
            raise file_error(path, "a .npy file of numbers (no pickles)", f"dtype {dtype}", where="timeseries.load")
        shape = (1, *shape) if len(shape) == 1 else shape
        return ("series", tuple(shape)), 1
    series, _ = _read_file(path)
    return ("series", tuple(series.shape)), 1


def _read(path: Path, options: Any) -> tuple[list[Any], dict[str, Any]]:
    series, meta = _read_file(path)
    return [series], meta


def _collate(samples: list[Any]) -> torch.Tensor:
    return torch.stack(samples)


def _encode(samples: list[Any], meta: dict[str, Any], target: Path, options: Any) -> bytes:
    import csv
    import io

    (sample,) = samples
    view = view_of(sample)
    values = view.values[0, :, : int(view.lengths[0])].detach().cpu().double().numpy()
    if meta["kind"] == "npy":
        dtype = np.dtype(meta["dtype"])
        if np.issubdtype(dtype, np.integer) or dtype == np.bool_:
            info = np.iinfo(dtype) if dtype != np.bool_ else None
            values = np.rint(values)
            values = np.clip(values, info.min, info.max) if info is not None else values != 0
        arr = values.astype(dtype)
        arr = arr[0] if meta["ndim"] == 1 else arr
        buf = io.BytesIO()
        np.save(buf, arr, allow_pickle=False)
        return buf.getvalue()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=meta["delimiter"], lineterminator=meta["newline"])
    if meta["header"] is not None:
        writer.writerow(meta["header"])
    index = meta["index"]
    for t, row in enumerate(values.T):
        cells = [f"{v:.8g}" for v in row]
        if index is not None:
            cells = [index[t] if t < len(index) else "", *cells]
        writer.writerow(cells)
    text = out.getvalue()
    if not meta["final_newline"]:
        text = text[: -len(meta["newline"])]
    return (("\ufeff" if meta["bom"] else "") + text).encode("utf-8")


def _series_files() -> Any:
    from omniaug.files import FileCodec

    return FileCodec(
        patterns=("*.npy", "*.csv"),
        probe=_probe,
        read=_read,
        collate=_collate,
        encode=_encode,
        preserves=(
            ".npy: shape ((T,) or (C, T)) and dtype (integer series rounded and clipped to their dtype). "
            ".csv: delimiter, line ending, header line, a leading index/time column (kept as is, not "
            "augmented), byte-order mark and final newline; values with 8 significant digits. Series are "
            "batched only with series of the same shape, so nothing is padded."
        ),
    )


FILES = _series_files()
