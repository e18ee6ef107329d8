"""PyTorch ``DataLoader`` / ``DistributedSampler``: per-item seeds from (seed, index, epoch).

:class:`omniaug.AugmentedLoader` augments collated batches with one stream per
epoch and rank: fast, reproducible, but an item's augmentation depends on which
batch and rank it lands in. When it must not — a 2-rank ``DistributedSampler`` run
that augments each item exactly as a 1-rank run would, or results independent of
``batch_size`` and ``num_workers`` — key the draws by item:

``omniaug.AugmentedLoader(loader, aug, seed=0, keys=lambda b: b[0], ...)`` does
this for you, the epoch counted by the loader; by hand:

```python
ds = IndexedDataset(base)                       # items become (index, sample)
sampler = DistributedSampler(ds, shuffle=True, seed=0)
aug = KeyedAugment(pipeline, seed=0)
for epoch in range(E):
    sampler.set_epoch(epoch)
    for index, x in DataLoader(ds, batch_size=64, sampler=sampler):
        x = aug(x, keys=index, epoch=epoch)     # one vectorized call per batch
```
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from ..keyed import KeyedGenerator

__all__ = ["IndexedDataset", "KeyedAugment"]


class IndexedDataset(torch.utils.data.Dataset):
    """Wrap a map-style dataset so that item ``i`` is ``(i, dataset[i])``: the index is the item key."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> tuple[int, Any]:
        return index, self.dataset[index]


class KeyedAugment:
    """Call a pipeline on a batch with per-item seeds: ``aug(x, keys=indices, epoch=e)``.

    Item ``i`` of epoch ``e`` gets the draws of ``(seed, key_i, e)`` whatever its
    batch, rank or worker. ``keys``: a tensor or sequence of ints / strings.
    """

    def __init__(self, transform: Any, *, seed: int = 0) -> None:
        self.transform = transform
        self.seed = int(seed)

    def generator(self, keys: Sequence[Any] | torch.Tensor, epoch: int = 0, device: Any = "cpu") -> KeyedGenerator:
        """The keyed generator for a batch of items ``keys`` in ``epoch``."""
        host_keys = keys.detach().cpu().numpy() if isinstance(keys, torch.Tensor) else keys
        return KeyedGenerator.from_keys(self.seed, host_keys, copy=epoch, device=device)

    def __call__(self, x: Any, *, keys: Sequence[Any] | torch.Tensor, epoch: int = 0) -> Any:
        return self.transform(x, generator=self.generator(keys, epoch))
