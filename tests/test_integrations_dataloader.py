"""PyTorch DataLoader: per-item seeds make a 2-rank DistributedSampler run (gloo, CPU) augment each item as 1 rank does."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

import omniaug
from omniaug.integrations.dataloader import IndexedDataset, KeyedAugment

EPOCH = 2


def _photos(count: int = 15) -> list[torch.Tensor]:
    """Crops of the photos scikit-learn ships, 3×40×40 in [0, 1]."""
    from sklearn.datasets import load_sample_images

    photos = [torch.from_numpy(np.array(im)).permute(2, 0, 1).float() / 255.0 for im in load_sample_images().images]
    return [photos[i % 2][:, 30 + 17 * i : 70 + 17 * i, 50 + 23 * i : 90 + 23 * i].contiguous() for i in range(count)]


def _run(rank: int, world: int, batch_size: int, out: str, store: str | None) -> dict[int, bytes]:
    """One rank: DistributedSampler + DataLoader + KeyedAugment for epoch EPOCH; outputs by dataset index."""
    from torch.utils.data import DataLoader, DistributedSampler

    aug = KeyedAugment(omniaug.registry().preset("image.default").build(), seed=11)
    ds = IndexedDataset(_photos())
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=0)
    sampler.set_epoch(EPOCH)
    results: dict[int, bytes] = {}
    for index, x in DataLoader(ds, batch_size=batch_size, sampler=sampler):
        y = aug(x, keys=index, epoch=EPOCH)
        for i, row in zip(index.tolist(), y):
            results[i] = row.numpy().tobytes()
    if store is not None:  # gather every rank's outputs on rank 0 through the process group
        import torch.distributed as dist

        gathered: list[dict[int, bytes] | None] = [None] * world
        dist.all_gather_object(gathered, results)
        results = {k: v for part in gathered if part for k, v in part.items()}
    Path(out).write_bytes(pickle.dumps(results))
    return results


def _rank_main(rank: int, world: int, store: str, out_dir: str) -> None:
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=world)
    try:
        _run(rank, world, batch_size=4, out=f"{out_dir}/rank{rank}.pkl", store=store)
        dist.barrier()
    finally:
        dist.destroy_process_group()


@pytest.mark.slow
def test_two_gloo_ranks_augment_each_item_as_one_rank_does(tmp_path):
    import torch.distributed as dist
    import torch.multiprocessing as mp

    if not dist.is_available() or not dist.is_gloo_available():
        pytest.skip("torch.distributed with gloo is not available")
    one = _run(0, 1, batch_size=5, out=str(tmp_path / "one.pkl"), store=None)
    assert len(one) == 15
    mp.spawn(_rank_main, args=(2, str(tmp_path / "store"), str(tmp_path)), nprocs=2, join=True)
    two = pickle.loads((tmp_path / "rank0.pkl").read_bytes())
    assert two == one  # every item, bitwise, whatever its rank and batch
    assert len(set(one.values())) == 15


def test_keyed_augment_is_independent_of_batch_size_and_order():
    aug = KeyedAugment(omniaug.registry().preset("image.default").build(), seed=3)
    x = torch.stack(_photos(8))
    idx = torch.arange(8)
    whole = aug(x, keys=idx, epoch=1)
    perm = torch.tensor([5, 2, 7, 0, 1, 6, 3, 4])
    shuffled = aug(x[perm], keys=idx[perm], epoch=1)
    assert torch.equal(shuffled, whole[perm])
    pairs = torch.cat([aug(x[i : i + 2], keys=idx[i : i + 2], epoch=1) for i in range(0, 8, 2)])
    assert torch.equal(pairs, whole)
    assert not torch.equal(aug(x, keys=idx, epoch=2), whole)  # a new epoch, new draws


def test_augmented_loader_with_keys_seeds_per_item_and_epoch():
    from torch.utils.data import DataLoader

    aug = omniaug.registry().preset("image.default").build()
    ds = IndexedDataset(_photos(8))

    def epochs(batch_size: int) -> list[dict[int, bytes]]:
        loader = omniaug.AugmentedLoader(
            DataLoader(ds, batch_size=batch_size, shuffle=True, generator=torch.Generator().manual_seed(batch_size)),
            aug,
            seed=4,
            keys=lambda b: b[0],
            select=lambda b: b[1],
            combine=lambda b, x: (b[0], x),
        )
        return [{i: row.numpy().tobytes() for idx, y in loader for i, row in zip(idx.tolist(), y)} for _ in range(2)]

    a, b = epochs(3), epochs(8)
    assert a == b  # any batch size and order
    assert a[0] != a[1]  # each epoch its own draws
