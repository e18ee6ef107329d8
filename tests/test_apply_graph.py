"""Graph files: reading an input never runs code (weights_only), a malicious .pt is refused and the
run goes on; outputs are plain tensors, byte-identical across identical runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from omniaug import InputError, cli

pytest.importorskip("torch_geometric")
nx = pytest.importorskip("networkx")

from torch_geometric.data import Data  # noqa: E402
from torch_geometric.utils import from_networkx  # noqa: E402

from omniaug_graph.files import read_graph  # noqa: E402


class _Touch:
    """Unpickling this object creates a file: stands for any code an attacker could run."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def _real_graphs() -> dict[str, Data]:
    out = {}
    for name, g in {
        "karate": nx.karate_club_graph(),
        "florentine": nx.florentine_families_graph(),
        "lesmis": nx.les_miserables_graph(),
        "davis": nx.davis_southern_women_graph(),
    }.items():
        g = nx.convert_node_labels_to_integers(nx.Graph(g))
        data = from_networkx(g, group_node_attrs=None, group_edge_attrs=None)
        n = g.number_of_nodes()
        deg = torch.tensor([d for _, d in sorted(g.degree())], dtype=torch.float32)
        out[name] = Data(x=torch.stack([deg, deg.log1p()], 1), edge_index=data.edge_index, y=torch.tensor([n % 2]))
    return out


def _evil_file(path: Path, marker: Path) -> None:
    torch.save({"x": _Touch(marker)}, path)  # what torch.load(weights_only=False) would happily run


def test_a_malicious_pt_is_refused_without_running_code(tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.pt"
    _evil_file(evil, marker)
    with pytest.raises(InputError, match="weights_only=True"):
        read_graph(evil)
    assert not marker.exists()
    torch.load(evil, weights_only=False)  # the oracle: the unsafe load does run it
    assert marker.exists()


def test_apply_skips_the_malicious_file_reports_it_and_writes_the_rest(tmp_path, capsys):
    src, marker = tmp_path / "graphs", tmp_path / "pwned"
    src.mkdir()
    graphs = _real_graphs()
    for name, g in graphs.items():
        torch.save(g, src / f"{name}.pt")  # the plain torch.save(Data) layout users have
    _evil_file(src / "evil.pt", marker)
    runs = []
    for out in ("out1", "out2"):
        code = cli.main(["apply", "graph.default", str(src), str(tmp_path / out), "-q", "--seed", "7"])
        runs.append(code)
    captured = capsys.readouterr()
    assert runs == [1, 1] and not marker.exists()
    assert "evil.pt" in captured.err and "weights_only" in captured.err
    report = [json.loads(line) for line in (tmp_path / "out1" / "omniaug-apply-report.jsonl").read_text().splitlines()]
    assert [r["input"] for r in report if "error" in r] == ["evil.pt"]
    for name, g in graphs.items():
        a, b = tmp_path / "out1" / f"{name}.aug0.pt", tmp_path / "out2" / f"{name}.aug0.pt"
        assert a.read_bytes() == b.read_bytes()  # identical runs, identical bytes
        raw = torch.load(a, weights_only=True)  # plain tensors: loadable by anyone, safely
        assert raw["format"] == "omniaug-graph/1"
        back = read_graph(a)
        assert back.x.dtype == g.x.dtype and back.edge_index.dtype == torch.long and torch.equal(back.y, g.y)
        assert back.x.shape[1] == g.x.shape[1]
