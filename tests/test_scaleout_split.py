"""``omniaug.files.split_samples``: one payload per sample, as ``spec.subset`` gives it, on one intra-op thread."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import torch

import omniaug
from omniaug import rng
from omniaug.files import split_samples


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(_equal(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_equal(u, v) for u, v in zip(a, b))
    return a == b


@pytest.mark.parametrize("modality", ["image", "timeseries", "audio", "text"])
def test_each_sample_is_the_subset_of_its_index(modality):
    reg = omniaug.registry()
    if modality not in reg.modalities:
        pytest.skip(f"{modality} not installed")
    spec = reg.modality(modality)
    batch = spec.example(batch_size=5, generator=rng.make_generator(3))
    got = split_samples(spec, batch, 5)
    assert len(got) == 5
    for i, sample in enumerate(got):
        assert _equal(sample, spec.subset(batch, torch.tensor([i]))), i


def test_samples_are_split_on_one_thread_and_the_setting_is_restored():
    """Many tiny copies on several intra-op threads each open an OpenMP region (slow on a busy machine)."""
    seen: list[int] = []

    @dataclasses.dataclass
    class Spec:
        def subset(self, x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
            seen.append(torch.get_num_threads())
            return x[index]

    threads = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        x = torch.arange(12.0).reshape(4, 3)
        got = split_samples(Spec(), x, 4)
        assert seen == [1, 1, 1, 1]
        assert torch.get_num_threads() == 2
        assert all(torch.equal(g, x[i : i + 1]) for i, g in enumerate(got))
    finally:
        torch.set_num_threads(threads)
