"""Oracles for token-embedding (FreeLB-style) and graph node-feature (FLAG) perturbations."""

from __future__ import annotations

import torch
from torch import nn

from omniaug import ModelContext, rng
from omniaug_adversarial import (
    EmbeddingBatch,
    EmbeddingFGSM,
    EmbeddingPGD,
    GraphFLAG,
    GraphPGD,
    embedding_batch,
    embedding_forward,
)

CE = nn.CrossEntropyLoss(reduction="none")


class BagOfEmbeddings(nn.Module):
    """Masked mean of token embeddings → linear classifier."""

    def __init__(self, vocab: int = 30, dim: int = 6, classes: int = 3, seed: int = 0) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        self.embed = nn.utils.skip_init(nn.Embedding, vocab, dim)
        self.head = nn.utils.skip_init(nn.Linear, dim, classes)
        with torch.no_grad():
            self.embed.weight.copy_(torch.randn(vocab, dim, generator=g))
            self.head.weight.copy_(torch.randn(classes, dim, generator=g))
            self.head.bias.zero_()

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask.unsqueeze(-1).float()
        return self.head((self.embed(ids) * m).sum(1) / m.sum(1))


def _tokens(n: int = 8, length: int = 10, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = rng.make_generator(seed)
    ids = rng.randint(n, 1, 30, shape=(length,), generator=g)
    lengths = rng.randint(n, 3, length + 1, generator=g)
    mask = torch.arange(length).view(1, -1) < lengths.view(-1, 1)
    return ids * mask, mask


def test_embedding_forward_adds_delta_to_the_named_modules_output_under_the_mask() -> None:
    model = BagOfEmbeddings()
    ids, mask = _tokens()
    batch = embedding_batch(model, "embed", ids, mask)
    assert batch.delta.shape == (8, 10, 6) and not bool(batch.delta.any())
    delta = rng.normal(8, shape=(10, 6), generator=rng.make_generator(1))
    out = embedding_forward("embed")(model, EmbeddingBatch(ids, mask, delta))
    m = mask.unsqueeze(-1).float()
    expected = model.head(((model.embed(ids) + delta * m) * m).sum(1) / m.sum(1))
    torch.testing.assert_close(out, expected)
    assert not model.embed._forward_hooks  # the hook is removed


def test_fgsm_on_embeddings_is_eps_sign_of_the_analytic_gradient_on_real_tokens_only() -> None:
    model = BagOfEmbeddings().double()
    ids, mask = _tokens(seed=2)
    y = torch.arange(8) % 3
    batch = embedding_batch(model, "embed", ids, mask)
    ctx = ModelContext(model, CE, y, forward=embedding_forward("embed"))
    out = EmbeddingFGSM(eps=0.1)(batch, generator=rng.make_generator(0), model=ctx)
    # analytic: d CE / d e_t = mask_t / n · Wᵀ (softmax(logits) − onehot(y)) for each real token t
    m = mask.unsqueeze(-1).double()
    with torch.no_grad():
        p = torch.softmax(model(ids, mask), dim=1)
    g_pool = (p - nn.functional.one_hot(y, 3).double()) @ model.head.weight  # (B, D)
    grad = g_pool.unsqueeze(1) * m / m.sum(1, keepdim=True)
    assert torch.equal(out.delta, 0.1 * grad.sign())
    assert not bool(out.delta[~mask].any())  # padding never perturbed
    assert torch.equal(out.input_ids, ids)


def test_embedding_pgd_l2_ball_per_sample_and_loss_increases() -> None:
    model = BagOfEmbeddings(seed=3)
    ids, mask = _tokens(16, seed=4)
    y = torch.arange(16) % 3
    fwd = embedding_forward("embed")
    ctx = ModelContext(model, CE, y, forward=fwd)
    batch = embedding_batch(model, "embed", ids, mask)
    out, params = EmbeddingPGD(eps=(0.5, 2.0), steps=5, keep_best=True).augment(
        batch, generator=rng.make_generator(0), model=ctx
    )
    norms = out.delta.flatten(1).norm(dim=1)
    assert bool((norms <= params["eps"] + 1e-5).all())
    with torch.no_grad():
        assert bool((CE(fwd(model, out), y) >= CE(fwd(model, batch), y)).all())
    assert not bool(out.delta[~mask].any())


# -- graphs ---------------------------------------------------------------------------------
def _graphs(n: int = 6, seed: int = 0):
    from torch_geometric.data import Batch, Data

    g = rng.make_generator(seed)
    sizes = rng.randint(n, 3, 9, generator=g).tolist()
    data = []
    for i, k in enumerate(sizes):
        x = rng.normal(k, shape=(4,), generator=g)
        ring = torch.arange(k)
        edges = torch.stack([torch.cat([ring, (ring + 1) % k]), torch.cat([(ring + 1) % k, ring])])
        data.append(Data(x=x, edge_index=edges, y=torch.tensor([i % 2]), train_mask=torch.arange(k) % 2 == 0))
    return Batch.from_data_list(data)


def _pool_model(seed: int = 0) -> nn.Module:
    class Pool(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            gen = torch.Generator().manual_seed(seed)
            self.lin = nn.utils.skip_init(nn.Linear, 4, 2)
            with torch.no_grad():
                self.lin.weight.copy_(torch.randn(2, 4, generator=gen))
                self.lin.bias.zero_()

        def forward(self, batch) -> torch.Tensor:
            from torch_geometric.nn import global_mean_pool

            return global_mean_pool(self.lin(batch.x), batch.batch)

    return Pool()


def test_flag_per_graph_eps_ball_node_mask_and_structure_kept() -> None:
    batch = _graphs()
    model = _pool_model()
    ctx = ModelContext(model, CE, batch.y)
    op = GraphFLAG(eps=(0.01, 0.1), steps=3, node_mask="train_mask")
    out, params = op.augment(batch, generator=rng.make_generator(0), model=ctx)
    d = out.x - batch.x
    eps_per_node = params["eps"][batch.batch].unsqueeze(1)
    assert bool((d.abs() <= eps_per_node + 1e-7).all())
    assert not bool(d[~batch.train_mask].any()) and bool(d[batch.train_mask].abs().gt(0).any())
    assert torch.equal(out.edge_index, batch.edge_index) and torch.equal(out.batch, batch.batch)
    assert out.to_data_list()[2].x.shape == batch.to_data_list()[2].x.shape  # still a valid Batch


def test_graph_pgd_raises_each_graphs_loss_and_replays_per_graph() -> None:
    batch = _graphs(8, seed=1)
    model = _pool_model(1)
    ctx = ModelContext(model, CE, batch.y)
    op = GraphPGD(eps=0.2, steps=5)
    out, params = op.augment(batch, generator=rng.make_generator(0), model=ctx)
    with torch.no_grad():
        assert bool((CE(model(out), batch.y) >= CE(model(batch), batch.y)).all())
    assert torch.equal(op(batch, params=params).x, out.x)
    from omniaug_graph.modality import graph_subset

    for i in range(8):
        idx = torch.tensor([i])
        alone = op(graph_subset(batch, idx), params=params.subset(idx))
        assert torch.equal(alone.x, graph_subset(out, idx).x)
