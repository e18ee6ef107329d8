"""Registry, presets, policies, two-view helper, preview rendering, bundled data, counter-based draws."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from scipy import stats
from torch_geometric.data import Batch

from omniaug import Compose, RandAugment, TrivialAugment, from_config, registry, rng, to_config
from omniaug_graph import GRAPH, DropEdge, MaskFeature, TwoViews, graphcl_views
from omniaug_graph.counter_random import (
    KEY_HIGH,
    _as_int32_bits,
    _mix32,
    _mix32_,
    graph_keys,
    hash32,
    hash_pair,
    hashed_normal,
    hashed_uniform,
    pair_keep_small,
    to_uniform,
)
from omniaug_graph.modality import graph_allclose


def test_registry_lists_the_plugin() -> None:
    reg = registry()
    assert reg.modality("graph") is GRAPH
    names = {c.name for c in reg.ops_for("graph")}
    assert {"graph.drop_edge", "graph.add_edge", "graph.drop_node", "graph.mask_feature", "graph.diffusion"} <= names
    assert {"graph.gmixup", "graph.node_mixup"} <= set(reg.mixers)
    assert "graph.default" in reg.presets


def test_default_preset_runs_and_round_trips(helpers) -> None:
    pipe = registry().preset("graph.default").build()
    x = helpers.traceable_batch(8)
    out = pipe(x, generator=rng.make_generator(0))
    helpers.check_consistent(out)
    helpers.check_undirected(out)
    rebuilt = from_config(to_config(pipe))
    assert graph_allclose(rebuilt(x, generator=rng.make_generator(0)), out)


def test_policies_run_on_graph_batches(helpers) -> None:
    x = helpers.traceable_batch(10, seed=1)
    for policy in (RandAugment("graph", n=2, m=5), TrivialAugment("graph")):
        out, params = policy.augment(x, generator=rng.make_generator(2))
        helpers.check_consistent(out)  # (edge_attr of added edges is 0 here, so no FILL-based check)
        assert graph_allclose(policy.apply(x, params), out)


def test_two_views_are_independent_and_aligned(helpers) -> None:
    x = helpers.traceable_batch(8, seed=2)
    views = graphcl_views()
    v = views.augment(x, generator=rng.make_generator(0))
    assert v.first.num_graphs == v.second.num_graphs == 8
    assert not graph_allclose(v.first, v.second), "two draws, two different views"
    assert graph_allclose(views.first.apply(x, v.first_params), v.first)
    assert graph_allclose(views.second.apply(x, v.second_params), v.second)
    assert torch.equal(v.first.y, x.y) and torch.equal(v.second.y, x.y)
    a, b = TwoViews(DropEdge(0.3), MaskFeature(0.3))(x, generator=rng.make_generator(1))
    assert torch.equal(b.edge_index, x.edge_index) and torch.equal(a.x, x.x)


def test_fused_compose_is_not_needed_but_compose_works(helpers) -> None:
    x = helpers.traceable_batch(6)
    pipe = Compose([DropEdge(0.2), MaskFeature(0.2)])
    helpers.check_consistent(pipe(x, generator=rng.make_generator(0)))


def test_render_writes_a_png(tmp_path, helpers) -> None:
    x = helpers.traceable_batch(5)
    views = [DropEdge(0.5)(x, generator=rng.make_generator(i)) for i in range(2)]
    path = GRAPH.render(x, views, tmp_path / "preview.png")
    with Image.open(path) as img:
        assert img.format == "PNG" and img.size[0] > 300 and img.size[1] > 300


def test_example_data_is_valid_and_includes_karate_club() -> None:
    data = registry().example_data("graph")
    assert isinstance(data, Batch) and data.num_graphs == 8
    GRAPH.validate(data)
    karate = data.get_example(0)
    assert karate.num_nodes == 34 and karate.edge_index.shape[1] == 2 * 78


def test_load_and_save_round_trip(tmp_path, helpers) -> None:
    x = helpers.traceable_batch(3)
    paths = [tmp_path / f"g{i}.pt" for i in range(3)]
    GRAPH.save(x, paths)
    assert graph_allclose(GRAPH.load(paths), x)


# -- counter-based randomness ------------------------------------------------------------------


def test_hashed_uniform_is_uniform_and_decorrelated() -> None:
    seed = torch.full((200_000,), 12345)
    i = torch.arange(200_000)
    u = hashed_uniform(seed, 7, i)
    counts = torch.histc(u, bins=20, min=0.0, max=1.0)
    assert stats.chisquare(counts.numpy()).pvalue > 1e-4
    assert 0.0 <= float(u.min()) and float(u.max()) < 1.0
    lag = torch.corrcoef(torch.stack([u[:-1], u[1:]]))[0, 1]
    assert abs(float(lag)) < 0.01, "neighbouring counters must not be correlated"
    other_seed = hashed_uniform(seed + 1, 7, i)
    assert abs(float(torch.corrcoef(torch.stack([u, other_seed]))[0, 1])) < 0.01
    assert len(torch.unique(hash32(torch.arange(100_000), 0))) > 99_990, "distinct seeds, distinct keys"


def test_hashed_normal_is_standard_normal() -> None:
    z = hashed_normal(torch.full((100_000,), 99), 3, torch.arange(100_000))
    assert stats.kstest(z.double().numpy(), "norm").pvalue > 1e-4


def test_int32_pair_hash_is_bit_identical_to_the_int64_form() -> None:
    """The fast DropEdge path (int32, offsets folded into keys) decides exactly as the generic per-edge rule."""
    g = rng.make_generator(11)
    counts = rng.randint(40, 0, 3000, generator=g)
    ptr = torch.cat([torch.zeros(1, dtype=torch.long), counts.cumsum(0)])
    eg = torch.repeat_interleave(torch.arange(40), counts)
    local = torch.stack([rng.randint(eg.numel(), 0, 1 << 20, generator=g) % counts[eg] for _ in range(2)])
    ei = local + ptr[eg]
    seeds = torch.cat([torch.tensor([0, 2**63 - 1]), rng.sample_seeds(38, generator=g)])
    keys = graph_keys(seeds, 0x1D0E)
    rate = rng.uniform(40, 0.0, 1.0, generator=g)
    rate[:3] = torch.tensor([0.0, 1.0, 0.5])
    for undirected in (True, False):
        a, b = (local.min(0).values, local.max(0).values) if undirected else (local[0], local[1])
        want = to_uniform(hash_pair(keys[eg], a, b, small=True)) >= rate[eg]
        got = pair_keep_small(ei, eg, keys, ptr, rate, undirected=undirected)
        assert torch.equal(got, want)
        assert 0.3 < want.float().mean() < 0.7, "the oracle itself is not degenerate"
    x = rng.randint(100_000, 0, KEY_HIGH, generator=g)
    assert torch.equal(
        _mix32_(_as_int32_bits(x), torch.empty(100_000, dtype=torch.int32)).long() & 0xFFFFFFFF, _mix32(x)
    )
    u = x.numpy().astype(np.uint32)  # the same in-place formula on NumPy uint32
    assert np.array_equal(_mix32_(u, np.empty_like(u)).astype(np.int64), _mix32(x).numpy())
    assert np.array_equal(_mix32(x.numpy()), _mix32(x).numpy()), "the generic form on both namespaces"
