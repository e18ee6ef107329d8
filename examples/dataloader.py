"""omniaug with a PyTorch DataLoader: the recommended way, the worker trap, and its fix.

Data: scikit-learn's digits (1,797 grey 8×8 images, shipped with scikit-learn).

1. Recommended: let the DataLoader collate plain samples and augment each whole
   batch with :class:`omniaug.AugmentedLoader` — one vectorized call per batch, on
   the batch's device, with a reproducible stream per epoch.
2. The trap: a ``torch.Generator`` created in ``Dataset.__init__`` is copied into
   every worker process, so with ``num_workers=2`` both workers draw the *same*
   augmentations for their samples.
3. The fix, when you must augment inside the Dataset: create the generator in the
   worker, on first use, with ``omniaug.rng.stream_generator(seed, epoch=…)`` —
   distinct per (rank, worker, epoch) and reproducible.

    python examples/dataloader.py
"""

from __future__ import annotations

import torch
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, Dataset

import omniaug
from omniaug_image import Affine

DIGITS = torch.tensor(load_digits().images[:64], dtype=torch.float32).unsqueeze(1) / 16.0  # (64, 1, 8, 8)
LABELS = torch.tensor(load_digits().target[:64])


class Plain(Dataset):
    """Samples as they are; augmentation happens on the collated batch."""

    def __len__(self) -> int:
        return len(DIGITS)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return DIGITS[i], LABELS[i]


class Trap(Dataset):
    """DON'T: the generator made here is copied, state and all, into every worker."""

    def __init__(self) -> None:
        self.aug = Affine(degrees=30.0)
        self.generator = omniaug.rng.make_generator(0)

    def __len__(self) -> int:
        return len(DIGITS)

    def __getitem__(self, i: int) -> torch.Tensor:
        _, params = self.aug.augment(DIGITS[i : i + 1], generator=self.generator)
        return params["angle"][0]  # the rotation this sample got


class PerWorker(Trap):
    """DO: each worker makes its own generator on first use (and per epoch)."""

    def __init__(self, seed: int = 0, epoch: int = 0) -> None:
        super().__init__()
        self.seed, self.epoch = seed, epoch
        self.generator = None  # not yet: this object is pickled into the workers

    def __getitem__(self, i: int) -> torch.Tensor:
        if self.generator is None:
            self.generator = omniaug.rng.stream_generator(self.seed, epoch=self.epoch)
        return super().__getitem__(i)


def angles(dataset: Dataset) -> list[list[float]]:
    """The rotations drawn, batch by batch (batches alternate between the two workers)."""
    loader = DataLoader(dataset, batch_size=8, num_workers=2, worker_init_fn=omniaug.rng.worker_init_fn)
    return [[round(float(a), 3) for a in batch] for batch in loader]


def main() -> None:
    # 1. recommended: augment collated batches, one call per batch
    loader = DataLoader(Plain(), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0))
    augmented = omniaug.AugmentedLoader(
        loader,
        Affine(degrees=15.0, translate=(0.1, 0.1)),
        seed=7,
        select=lambda b: b[0],
        combine=lambda b, x: (x, b[1]),
    )
    for images, labels in augmented:
        assert images.shape[1:] == (1, 8, 8) and len(images) == len(labels)
    print(f"1. AugmentedLoader: {len(augmented)} batches augmented, one call each")

    # 2. the trap: worker 0 serves batches 0, 2, …, worker 1 batches 1, 3, … — with the same draws
    trap = angles(Trap())
    repeated = sum(a == b for a, b in zip(trap[0::2], trap[1::2]))
    print(f"2. generator made in __init__: {repeated} of {len(trap) // 2} batch pairs repeat each other")
    print(f"   worker 0, first batch: {trap[0][:4]}\n   worker 1, first batch: {trap[1][:4]}")
    assert repeated == len(trap) // 2

    # 3. the fix: a generator per worker, made on first use
    fixed = angles(PerWorker(seed=0))
    repeated = sum(a == b for a, b in zip(fixed[0::2], fixed[1::2]))
    print(f"3. generator made in the worker: {repeated} repeats")
    assert repeated == 0
    assert fixed == angles(PerWorker(seed=0)), "reproducible for the same seed and epoch"
    assert fixed != angles(PerWorker(seed=0, epoch=1)), "a new epoch draws anew"


if __name__ == "__main__":
    main()
