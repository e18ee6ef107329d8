"""A 2-layer GCN on Zachary's karate club, trained with and without graph augmentation.

Data: PyG's ``KarateClub`` (bundled with torch-geometric, no download): 34 members,
78 friendships, 4 communities; one labelled member per community for training, the
other 30 for testing (the classic semi-supervised setup). Node features are
one-hot ids, so the GCN must learn from the structure alone.

Augmentation: omniaug-graph's ``graph.default`` preset (GraphCL-style: drop 20 %
of the friendships, undirected, and mask 20 % of the feature columns), a fresh draw
every training step from one seeded ``torch.Generator``. Each setting is trained
from the same 8 initialisations; mean ± std test accuracy is printed for both.

    .venv/bin/python examples/graph_karate_gcn.py      # CPU, well under a minute
"""

from __future__ import annotations

import statistics

import torch
import torch.nn.functional as F
from torch_geometric.datasets import KarateClub
from torch_geometric.nn import GCNConv

import omniaug
from omniaug import rng

EPOCHS = 100
SEEDS = range(8)


class GCN(torch.nn.Module):
    def __init__(self, num_features: int, num_classes: int, hidden: int = 16) -> None:
        super().__init__()
        self.conv1 = GCNConv(num_features, hidden)
        self.conv2 = GCNConv(hidden, num_classes)

    def forward(self, x: torch.Tensor, edge_index: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.conv1(x, edge_index))
        h = F.dropout(h, p=0.5, training=self.training)
        return self.conv2(h, edge_index)


def train(data, augment: omniaug.Transform | None, seed: int) -> float:
    torch.manual_seed(seed)  # model initialisation and dropout (example script, not library code)
    model = GCN(data.num_features, int(data.y.max()) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    g = rng.make_generator(1000 + seed)
    for _ in range(EPOCHS):
        model.train()
        view = augment(data, generator=g) if augment is not None else data
        loss = F.cross_entropy(model(view.x, view.edge_index)[data.train_mask], data.y[data.train_mask])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        pred = model(data.x, data.edge_index).argmax(1)
    test = ~data.train_mask
    return float((pred[test] == data.y[test]).float().mean())


def main() -> None:
    torch.set_num_threads(1)  # a 34-node graph: more threads only add scheduling overhead
    data = KarateClub()[0]
    print(
        f"KarateClub: {data.num_nodes} nodes, {data.num_edges // 2} edges, "
        f"{int(data.y.max()) + 1} classes, {int(data.train_mask.sum())} labelled"
    )
    augment = omniaug.registry().preset("graph.default").build()
    print(f"augmentation: {augment!r}")
    for name, aug in (("without augmentation", None), ("with graph.default", augment)):
        accs = [train(data, aug, s) for s in SEEDS]
        print(
            f"{name:24s} test accuracy {statistics.mean(accs):.3f} ± {statistics.stdev(accs):.3f} "
            f"over {len(accs)} seeds"
        )


if __name__ == "__main__":
    main()
