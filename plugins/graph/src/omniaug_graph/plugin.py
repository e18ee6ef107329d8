"""omniaug hook implementations of the graph plugin (entry point ``graph``)."""

from __future__ import annotations

from typing import Any

import omniaug

from .mixers import MIXERS
from .modality import GRAPH
from .ops import (
    AddEdge,
    Diffusion,
    DropEdge,
    DropNode,
    FeatureNoise,
    MaskFeature,
    PerturbEdgeWeight,
    ShuffleFeature,
    Subgraph,
)
from .presets import PRESETS

#: every op class the plugin registers
OPS: list[type[omniaug.Augmentation]] = [
    DropEdge,
    AddEdge,
    PerturbEdgeWeight,
    DropNode,
    Subgraph,
    MaskFeature,
    FeatureNoise,
    ShuffleFeature,
    Diffusion,
]


@omniaug.hookimpl
def omniaug_register_modalities() -> list[omniaug.Modality]:
    return [GRAPH]


@omniaug.hookimpl
def omniaug_register_augmentations() -> list[type[omniaug.Augmentation]]:
    return list(OPS)


@omniaug.hookimpl
def omniaug_register_mixers() -> list[type[omniaug.Mixer]]:
    return list(MIXERS)


@omniaug.hookimpl
def omniaug_register_presets() -> list[omniaug.Preset]:
    return list(PRESETS)


@omniaug.hookimpl
def omniaug_example_data(modality: str) -> Any:
    """Eight graphs for preview/demo: Zachary's karate club (networkx) and seven random graphs."""
    if modality != "graph":
        return None
    import torch
    from torch_geometric.data import Batch

    from .examples_data import example_batch, karate_club

    karate = karate_club()
    randoms = example_batch(7, generator=omniaug.rng.make_generator(0)).to_data_list()
    feats = randoms[0].x.shape[1]
    # one-hot of the member id modulo the random graphs' feature width, so the graphs collate
    karate.x = torch.eye(feats)[torch.arange(karate.num_nodes) % feats]
    karate.edge_attr = karate.edge_weight.new_zeros(karate.edge_index.shape[1], randoms[0].edge_attr.shape[1])
    karate.train_mask = karate.y.bool()
    karate.y = karate.y.new_zeros(1)
    return Batch.from_data_list([karate, *randoms])
