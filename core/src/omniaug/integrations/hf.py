"""Hugging Face ``datasets``: on-the-fly (``with_transform``) and offline (``map``) augmentation.

Needs ``pip install 'omniaug[hf]'``. Both paths seed every row from ``(seed, key,
epoch or copy)``, where the key is a key column or the row index:

```python
from omniaug.integrations import hf

aug = hf.transform("pipeline.yaml", column="image", seed=0)      # keys: row indices
out = hf.map(ds, aug, num_proc=2, batch_size=64)                 # offline, same bytes for any num_proc

live = hf.transform("pipeline.yaml", column="image", key="id")   # on the fly: keys from a column
ds.set_transform(live)          # each access augments; live.set_epoch(e) before each epoch
```

The transform pickles as its config (:class:`~omniaug.integrations.KeyedTransform`),
so ``datasets`` fingerprints a ``map`` with it deterministically and its cache is
reused; :func:`map` also passes that fingerprint explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import require
from ._rows import KeyedTransform

__all__ = ["HFTransform", "transform", "map", "add_keys"]


class HFTransform(KeyedTransform):
    """A :class:`KeyedTransform` callable the way ``datasets`` calls functions.

    ``ds.map(t, batched=True, with_indices=True)`` calls ``t(batch, indices)``;
    ``ds.with_transform(t)`` / ``set_transform(t)`` call ``t(batch)`` (then give a
    ``key`` column, e.g. from :func:`add_keys`).
    """

    def __call__(self, batch: dict[str, Any], indices: Sequence[int] | None = None) -> dict[str, Any]:
        return self.augment_batch(batch, indices)


def transform(
    pipeline: Any,
    *,
    column: str,
    key: str | None = None,
    seed: int = 0,
    epoch: int = 0,
    output_column: str | None = None,
) -> HFTransform:
    """An :class:`HFTransform` of ``pipeline`` (transform, YAML text or file, preset name) over ``column``."""
    return HFTransform(pipeline, column=column, key=key, seed=seed, copy=epoch, output_column=output_column)


def map(dataset: Any, t: HFTransform, *, num_proc: int | None = None, batch_size: int = 64, **kwargs: Any) -> Any:
    """``dataset.map`` with ``t`` (batched, with row indices unless ``t`` has a key column).

    The same bytes for any ``num_proc`` and ``batch_size``. The cache fingerprint
    is ``t.fingerprint`` of the dataset's own, so a re-run with the same pipeline and
    seed reuses the cache and any change misses it.
    """
    require("datasets", "hf")
    fingerprint = getattr(dataset, "_fingerprint", "")
    return dataset.map(
        t,
        batched=True,
        batch_size=batch_size,
        with_indices=t.key is None,
        num_proc=num_proc,
        new_fingerprint=kwargs.pop("new_fingerprint", t.fingerprint(fingerprint)),
        **kwargs,
    )


def add_keys(dataset: Any, name: str = "omniaug_key") -> Any:
    """``dataset`` with a column ``name`` of row indices, a key column for ``with_transform``."""
    require("datasets", "hf")
    return dataset.add_column(name, list(range(len(dataset))))
