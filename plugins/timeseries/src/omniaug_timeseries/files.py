"""Read and write series files for ``omniaug apply``: ``.npy`` and ``.csv``.

A file holds one series, ``(C, T)`` or ``(T,)`` in ``.npy``; a ``.csv`` holds one
column per channel and one row per time step (a header line is skipped). Series of
different lengths are padded into a :class:`SeriesBatch` with ``lengths``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from omniaug import InputError
from omniaug.batching import pad_sequences

from .series import SeriesBatch, view_of

__all__ = ["load", "save", "read_series", "write_series"]


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
        raise InputError("paths", "files ending in .npy or .csv", str(path), where="timeseries.load")
    arr = np.asarray(arr, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise InputError("paths", "series of shape (C, T) or (T,) with T >= 2", arr, where=f"timeseries.load({path.name})")
    return torch.from_numpy(arr.copy())


def load(paths: Sequence[Path]) -> torch.Tensor | SeriesBatch:
    """Files → a ``(B, C, T)`` tensor, or a padded ``SeriesBatch`` when lengths differ."""
    series = [read_series(Path(p)) for p in paths]
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
    if len(paths) != view.values.shape[0]:
        raise InputError("paths", f"{view.values.shape[0]} paths (one per sample)", list(paths), where="timeseries.save")
    for i, (path, n) in enumerate(zip(paths, view.lengths.tolist())):  # file I/O, one file per sample
        write_series(view.values[i, :, :n], Path(path))
