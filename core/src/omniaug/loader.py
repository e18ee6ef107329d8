"""DataLoader integration: augment collated batches on their device.

Augmenting a whole collated batch after ``.to(device)`` is what makes per-sample
params pay off: one vectorized call per batch instead of one per sample inside
worker processes. :class:`AugmentedLoader` wraps any iterable of batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import torch

from . import batching, rng

__all__ = ["AugmentedLoader"]


class AugmentedLoader:
    """Iterate ``loader``, move each batch to ``device`` and augment it.

    Args:
        loader: a ``DataLoader`` or any iterable of batches.
        transform: called as ``transform(batch, generator=g)`` (an op, container,
            ``Keys`` for dict batches, …), or None to only move batches.
        device: where to move batches (None keeps them where they are).
        seed: seeds the loader's own generator: the same seed gives the same
            augmentations epoch after epoch only if ``reseed_each_epoch=False``;
            by default each epoch gets a distinct, reproducible stream mixed from
            ``(seed, rank, epoch)``.
        select: picks the part of each batch to augment (e.g. ``lambda b: b[0]``)
            and ``combine`` puts it back (e.g. ``lambda b, x: (x, *b[1:])``).
        keys: per-item seeding — picks the item keys of each batch (e.g. dataset
            indices from :class:`omniaug.integrations.dataloader.IndexedDataset`:
            ``lambda b: b[0]``). Item ``i`` of epoch ``e`` then draws from ``(seed,
            key_i, e)`` (:class:`omniaug.keyed.KeyedGenerator`), so its augmentation
            does not depend on its batch, ``batch_size``, the workers or the rank —
            a 2-rank ``DistributedSampler`` run augments each item as a 1-rank run
            does. Without ``keys`` (the default) each epoch and rank gets one stream
            for its batches: as reproducible, but an item's augmentation depends on
            which batch it lands in (``docs/scale-out.md``).
    """

    def __init__(
        self,
        loader: Iterable[Any],
        transform: Callable[..., Any] | None,
        *,
        device: torch.device | str | None = None,
        seed: int = 0,
        reseed_each_epoch: bool = True,
        select: Callable[[Any], Any] | None = None,
        combine: Callable[[Any, Any], Any] | None = None,
        keys: Callable[[Any], Any] | None = None,
    ) -> None:
        if (select is None) != (combine is None):
            raise ValueError("AugmentedLoader: give both `select` and `combine`, or neither")
        self.loader = loader
        self.transform = transform
        self.device = torch.device(device) if device is not None else None
        self.seed = seed
        self.reseed_each_epoch = reseed_each_epoch
        self.select = select
        self.combine = combine
        self.keys = keys
        self.epoch = 0

    def __len__(self) -> int:
        return len(self.loader)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        epoch = self.epoch if self.reseed_each_epoch else 0
        self.epoch += 1
        gen_device = self.device if self.device is not None else "cpu"
        generator: Any = rng.stream_generator(self.seed, epoch=epoch, device=gen_device) if self.keys is None else None
        for batch in self.loader:
            if self.device is not None:
                batch = batching.tree_to(batch, self.device)
            if self.transform is None:
                yield batch
                continue
            if self.keys is not None:
                from .keyed import KeyedGenerator

                item_keys = self.keys(batch)
                if isinstance(item_keys, torch.Tensor):
                    item_keys = item_keys.detach().cpu().numpy()
                generator = KeyedGenerator.from_keys(self.seed, item_keys, copy=epoch, device=gen_device)
            if self.select is not None and self.combine is not None:
                yield self.combine(batch, self.transform(self.select(batch), generator=generator))
            else:
                yield self.transform(batch, generator=generator)
