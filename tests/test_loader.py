"""AugmentedLoader: batches augmented after collation, distinct reproducible streams per epoch."""

from __future__ import annotations

import torch

from omniaug import AugmentedLoader

from .toy_plugin import Scale


def _loader():
    data = torch.utils.data.TensorDataset(torch.ones(12, 5), torch.arange(12))
    return torch.utils.data.DataLoader(data, batch_size=4)


def test_augments_selected_part_of_each_collated_batch(toy_registry):
    loader = AugmentedLoader(_loader(), Scale(), select=lambda b: b[0], combine=lambda b, x: (x, b[1]))
    batches = list(loader)
    assert len(batches) == len(loader) == 3
    x, y = batches[0]
    assert y.tolist() == [0, 1, 2, 3] and not torch.equal(x, torch.ones(4, 5))


def test_epochs_differ_but_runs_reproduce(toy_registry):
    def epochs(seed):
        loader = AugmentedLoader(_loader(), Scale(), seed=seed, select=lambda b: b[0], combine=lambda b, x: x)
        return [torch.cat(list(loader)) for _ in range(2)]

    a, b = epochs(1), epochs(1)
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[0], a[1])
    assert not torch.equal(a[0], epochs(2)[0])
