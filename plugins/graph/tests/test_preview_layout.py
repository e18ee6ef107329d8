"""Graph previews draw every view in the original's layout, so the edges of the views can be compared."""

from __future__ import annotations

import pytest
import torch

from omniaug import cli, rng
from omniaug_graph import DropNode, Subgraph
from omniaug_graph.modality import GRAPH
from omniaug_graph.render import MAX_GRAPHS, TAG, tag_nodes

nx = pytest.importorskip("networkx")


def _spy(monkeypatch) -> list[dict]:  # type: ignore[no-untyped-def]
    """Record the node positions of every cell (the filled nodes, in drawing order)."""
    cells: list[dict] = []
    real = nx.draw_networkx_nodes

    def spy(G, pos, *a, **k):  # type: ignore[no-untyped-def]
        if k.get("node_size") == 60:
            cells.append({int(n): tuple(map(float, pos[n])) for n in G.nodes})
        return real(G, pos, *a, **k)

    monkeypatch.setattr(nx, "draw_networkx_nodes", spy)
    return cells


@pytest.mark.parametrize("op", [DropNode(0.5), Subgraph(walk_length=3)], ids=lambda o: o.name)
def test_surviving_nodes_keep_their_original_position_in_every_view(tmp_path, monkeypatch, helpers, op) -> None:
    cells = _spy(monkeypatch)
    x = tag_nodes(helpers.traceable_batch(MAX_GRAPHS))
    views = [op(x, generator=rng.make_generator(s)) for s in range(3)]
    GRAPH.render(x, views, tmp_path / "p.png")
    assert len(cells) == MAX_GRAPHS * 4
    originals, shown = x.to_data_list(), [v.to_data_list() for v in views]
    lost_any = False
    for r in range(MAX_GRAPHS):
        base = cells[4 * r]
        for c, view in enumerate(shown):
            g, pos = view[r], cells[4 * r + c + 1]
            assert len(pos) == g.num_nodes
            origin = g[TAG].tolist()
            lost_any |= len(origin) < originals[r].num_nodes
            for i, o in enumerate(origin):
                assert pos[i] == base[o]  # drawn exactly where the original node was
                assert float(g.node_id[i]) == o  # and the tag follows the node (the fixture's own id)
    assert lost_any  # the views really removed nodes


def test_omniaug_preview_tags_the_nodes_so_node_dropping_views_keep_the_layout(tmp_path, monkeypatch) -> None:
    cells = _spy(monkeypatch)
    out = cli.preview(DropNode(0.5), tmp_path / "p.png", views=2, seed=3)
    assert out.exists() and len(cells) == MAX_GRAPHS * 3
    for r in range(MAX_GRAPHS):
        base = set(cells[3 * r].values())
        for c in (1, 2):
            assert set(cells[3 * r + c].values()) <= base


def test_views_of_the_same_node_count_without_tags_use_the_original_layout(tmp_path, monkeypatch, helpers) -> None:
    cells = _spy(monkeypatch)
    x = helpers.traceable_batch(2)
    view = x.clone()
    view.edge_index = view.edge_index[:, ::2]  # fewer edges, same nodes
    GRAPH.render(x, [view], tmp_path / "p.png")
    assert cells[0] == cells[1] and cells[2] == cells[3]


def test_tag_nodes_is_a_per_graph_index_that_collates_without_offsets(helpers) -> None:
    x = helpers.traceable_batch(3)
    t = tag_nodes(x)
    GRAPH.validate(t)
    sizes = x.ptr.diff().tolist()
    assert torch.equal(t[TAG], torch.cat([torch.arange(n) for n in sizes]))
    assert [int(g[TAG].max()) + 1 for g in t.to_data_list()] == sizes
