"""The payload, modality, files, preview, presets, parallel workers and the key stream."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

import omniaug
from omniaug import InputError
from omniaug_code import CODE, CodeBatch, InsertDeadCode, RenameVariables, Status, SwapOperands, shutdown_pools
from omniaug_code.corpus import stdlib_functions
from omniaug_code.keys import Keys
from omniaug_code.modality import allclose, merge, subset, validate
from omniaug_code.plugin import omniaug_example_data
from omniaug_code.samples import OTHER_SAMPLES, PYTHON_SAMPLES


def test_validate_names_the_problem() -> None:
    with pytest.raises(InputError, match="x.language.*cobol"):
        validate(CodeBatch(["x"], "cobol"))
    with pytest.raises(InputError, match="x.sources"):
        validate(CodeBatch([1], "python"))  # type: ignore[list-item]
    with pytest.raises(InputError, match="list of 2 names"):
        validate(CodeBatch(["a", "b"], ["python"]))
    with pytest.raises(InputError, match="CodeBatch"):
        RenameVariables()(["def f(): pass"], generator=omniaug.rng.make_generator(0))
    with pytest.raises(InputError, match="max_sites"):
        RenameVariables(max_sites=0)


def test_subset_and_merge_keep_languages_and_status() -> None:
    st = (Status("code.x", "applied", "", 1),)
    batch = CodeBatch(["a = 1", "b = 2", "c = 3"], ["python", "go", "c"], [st, st, st])
    part = subset(batch, torch.tensor([2, 0]))
    assert part.sources == ["c = 3", "a = 1"] and part.language == ["c", "python"] and part.status == [st, st]
    changed = CodeBatch(["C", "A"], ["c", "python"], [(), ()])
    merged = merge(batch, torch.tensor([2, 0]), changed)
    assert merged.sources == ["A", "b = 2", "C"] and merged.languages() == ["python", "go", "c"]
    assert merged.status == [(), st, ()]
    assert batch.sources == ["a = 1", "b = 2", "c = 3"]  # out of place
    assert allclose(CodeBatch(["x"]), CodeBatch(["x"], "python", [()]))
    assert not allclose(CodeBatch(["x"]), CodeBatch(["y"]))


def test_status_log_accumulates_through_a_pipeline() -> None:
    pipe = omniaug.Compose([RenameVariables(), InsertDeadCode(), SwapOperands()])
    out = pipe(CodeBatch(list(PYTHON_SAMPLES)), generator=omniaug.rng.make_generator(0))
    for i in range(len(PYTHON_SAMPLES)):
        assert [s.op for s in out.history(i)] == [
            "code.rename_variables",
            "code.insert_dead_code",
            "code.swap_operands",
        ]
    assert all(line.count(";") == 2 for line in out.report())


def test_params_replay_on_an_aligned_batch() -> None:
    op = RenameVariables()
    x = CodeBatch(list(PYTHON_SAMPLES))
    out, params = op.augment(x, generator=omniaug.rng.make_generator(3))
    assert op(x, params=params) == out
    assert params["seed"].dtype == torch.long and params["sites"].shape == (len(PYTHON_SAMPLES),)


def test_workers_give_the_same_result() -> None:
    sources = [f.source for f in stdlib_functions(80)]
    x = CodeBatch(sources)
    one = RenameVariables(workers=1)(x, generator=omniaug.rng.make_generator(5))
    try:
        two = RenameVariables(workers=2)(x, generator=omniaug.rng.make_generator(5))
    finally:
        shutdown_pools()
    assert one == two


def test_keys_are_deterministic_and_spread() -> None:
    a, b = Keys(123), Keys(123)
    assert [a.uniform("x", i) for i in range(5)] == [b.uniform("x", i) for i in range(5)]
    assert a.order(10, "p") == b.order(10, "p") and sorted(a.order(10, "p")) == list(range(10))
    counts = [0] * 4
    for i in range(4000):
        counts[Keys(i).index(4, "bucket")] += 1
    assert all(900 < c < 1100 for c in counts)  # uniform within ±10 %
    assert Keys(1).sample(list(range(10)), 3, "s") != Keys(2).sample(list(range(10)), 3, "s")


def test_load_save_round_trip(tmp_path: Path) -> None:
    files = {"a.py": PYTHON_SAMPLES[0], "b.java": OTHER_SAMPLES["java"], "sub/c.go": OTHER_SAMPLES["go"]}
    paths = []
    for name, text in files.items():
        p = tmp_path / "in" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        paths.append(p)
    batch = CODE.load(paths)  # type: ignore[misc]
    assert batch.languages() == ["python", "java", "go"]
    out = RenameVariables()(batch, generator=omniaug.rng.make_generator(0))
    targets = [tmp_path / "out" / p.relative_to(tmp_path / "in") for p in paths]
    CODE.save(out, targets)  # type: ignore[misc]
    assert [t.read_text() for t in targets] == out.sources
    assert all(r.startswith("code.rename_variables: applied") for r in out.report())
    with pytest.raises(InputError, match="source file"):
        CODE.load([tmp_path / "x.txt"])  # type: ignore[misc]


def test_render_writes_a_side_by_side_diff(tmp_path: Path) -> None:
    x = omniaug_example_data("code")
    views = [RenameVariables()(x, generator=omniaug.rng.make_generator(s)) for s in range(2)]
    path = CODE.render(x, views, tmp_path / "preview.png")  # type: ignore[misc]
    html = path.read_text()
    assert path.suffix == ".html" and "<table" in html and "<pre>" in html
    assert "<del>" in html and "<ins>" in html  # the renamed variables, marked by the core's word diff
    assert "code.rename_variables: applied" in html


def test_registry_and_preset() -> None:
    reg = omniaug.registry()
    assert "code" in reg.modalities and "code.default" in reg.presets
    pipe = reg.preset("code.default").build()
    x = reg.example_data("code")
    out = pipe(x, generator=omniaug.rng.make_generator(0))
    assert len(out.sources) == len(x.sources) and out != x
    cfg = omniaug.to_config(pipe)
    again = omniaug.from_config(cfg)
    assert again(x, generator=omniaug.rng.make_generator(0)) == out


def test_policies_build_code_ops() -> None:
    policy = omniaug.RandAugment("code", n=2, m=0.5)
    x = CodeBatch(list(PYTHON_SAMPLES) * 2)
    out = policy(x, generator=omniaug.rng.make_generator(0))
    assert sum(a != b for a, b in zip(out.sources, x.sources)) > 0
    assert omniaug.TrivialAugment("code")(x, generator=omniaug.rng.make_generator(1)).sources != x.sources


def test_cli_apply_folder_and_preview(tmp_path: Path) -> None:
    """What `omniaug apply` and `omniaug preview` do with this modality."""
    import json

    from omniaug.cli import apply_folder, preview

    src = tmp_path / "in"
    (src / "pkg").mkdir(parents=True)
    (src / "a.py").write_text(PYTHON_SAMPLES[0])
    (src / "pkg" / "b.go").write_text(OTHER_SAMPLES["go"])
    (src / "c.js").write_text(OTHER_SAMPLES["javascript"])
    pipe = omniaug.registry().preset("code.default").build()
    stats = apply_folder(pipe, src, tmp_path / "out", copies=2, seed=0, progress=False)
    assert stats["written"] == 6
    assert (tmp_path / "out" / "pkg" / "b.aug1.go").is_file()
    lines = [json.loads(s) for s in (tmp_path / "out" / "omniaug-apply-report.jsonl").read_text().splitlines()]
    assert len(lines) == 6 and all(e["status"].startswith("code.") for e in lines)
    assert all("Status(" not in e.get("status", "") for e in lines)
    page = preview(pipe, tmp_path / "preview.html", views=2, seed=0, data=omniaug.registry().example_data("code"))
    assert page.exists() and "<table" in page.read_text()
