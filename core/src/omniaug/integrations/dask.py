"""Dask: ``map_partitions`` with per-row seeds — the same bytes for any ``npartitions``.

Needs ``pip install 'omniaug[dask]'``. Works on a ``dask.dataframe`` (keys: a key
column or the frame's index, which ``from_pandas`` keeps whatever the partitioning)
and on a ``dask.bag`` of dict records (keys: a key field).

```python
from omniaug.integrations import dask as oa_dask

out = oa_dask.map_partitions(df, "pipeline.yaml", column="text", seed=0)
```

Cells holding arrays (images as ``uint8`` ``(H, W, C)``, clips, series) need
``dask.config.set({"dataframe.convert-string": False})`` around ``from_pandas``:
otherwise Dask turns object columns into strings. The transform is tokenized by
its config (``KeyedTransform.fingerprint``), so Dask's graph keys are stable.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from . import require
from ._rows import KeyedTransform

__all__ = ["map_partitions", "augment_frame", "augment_records"]


def augment_frame(frame: Any, t: KeyedTransform) -> Any:
    """One pandas partition with ``t.output_column`` set (keys: ``t.key`` column or the index)."""
    keys = list(frame[t.key]) if t.key is not None else [int(i) if not isinstance(i, str) else i for i in frame.index]
    out = frame.copy()
    values = t.augment(list(frame[t.column]), keys) if len(frame) else []
    import pandas as pd

    out[t.output_column] = pd.Series(values, index=frame.index, dtype=object)
    return out


def augment_records(records: Any, t: KeyedTransform) -> list[dict[str, Any]]:
    """One bag partition of dict records with ``t.output_column`` set (keys: ``t.key`` field)."""
    records = list(records)
    if t.key is None:
        raise InputError("key", "a key field of the records (bags have no stable row index)", None, where="dask bag")
    values = t.augment([r[t.column] for r in records], [r[t.key] for r in records]) if records else []
    return [{**r, t.output_column: v} for r, v in zip(records, values)]


def map_partitions(
    collection: Any,
    pipeline: Any,
    *,
    column: str,
    key: str | None = None,
    seed: int = 0,
    copy: int = 0,
    output_column: str | None = None,
) -> Any:
    """Augment ``column`` of a Dask dataframe or bag, partition by partition, seeded per row."""
    require("dask", "dask")
    t = (
        pipeline
        if isinstance(pipeline, KeyedTransform)
        else KeyedTransform(pipeline, column=column, key=key, seed=seed, copy=copy, output_column=output_column)
    )
    if hasattr(collection, "map_partitions") and hasattr(collection, "columns"):  # a dataframe
        meta = collection._meta.copy()
        import pandas as pd

        meta[t.output_column] = pd.Series([], dtype=object)
        return collection.map_partitions(augment_frame, t, meta=meta)
    if hasattr(collection, "map_partitions"):  # a bag
        return collection.map_partitions(augment_records, t)
    raise InputError("collection", "a dask.dataframe or dask.bag collection", collection, where="map_partitions")
