"""Small real data sets shipped with the plugin (see ``data/README.md`` for sources and licences)."""

from __future__ import annotations

from importlib import resources
from typing import NamedTuple

import numpy as np
import torch

from omniaug import args

__all__ = ["Dataset", "DATASETS", "load_dataset"]

DATASETS = ("gunpoint", "basicmotions")


class Dataset(NamedTuple):
    """A train/test split: ``x`` is ``(N, C, T)`` float32, ``y`` class indices."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: list[str]


def load_dataset(name: str) -> Dataset:
    """Load a bundled UCR/UEA data set by name (``"gunpoint"`` or ``"basicmotions"``)."""
    name = args.choice("name", name, DATASETS, where="load_dataset")
    with resources.files("omniaug_timeseries").joinpath("data", f"{name}.npz").open("rb") as fh:
        with np.load(fh, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    return Dataset(
        torch.from_numpy(arrays["x_train"]),
        torch.from_numpy(arrays["y_train"]),
        torch.from_numpy(arrays["x_test"]),
        torch.from_numpy(arrays["y_test"]),
        [str(c) for c in arrays["classes"]],
    )
