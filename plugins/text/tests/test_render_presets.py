"""Preview rendering, presets, policies and the example-data hook."""

from __future__ import annotations

from pathlib import Path

import torch

from omniaug import RandAugment, TrivialAugment, from_config, registry, to_config
from omniaug.render import diff_html, diff_page, diff_plain
from omniaug_text.modality import TEXT, TOKENS, example_tokens


def test_word_diff_marks_only_changes() -> None:
    assert diff_plain("the big dog", "the large dog") == "the [-big-]{+large+} dog"
    assert diff_plain("a b c", "a c") == "a [-b -]c"
    html = diff_html("x < y", "x > y")
    assert "<del>&lt;</del><ins>&gt;</ins>" in html


def test_render_writes_html_and_text(tmp_path: Path) -> None:
    original = ["the big dog", "hello world"]
    views = [["the large dog", "hello world"], ["big the dog", "hello  world"]]
    page = TEXT.render(original, views, tmp_path / "preview.html")
    text = page.read_text()
    assert text.count("<tr>") == 3 and "<ins>large</ins>" in text
    plain = TEXT.render(original, views, tmp_path / "preview.txt").read_text()
    assert "view 1: the [-big-]{+large+} dog" in plain
    assert "<!doctype html>" in diff_page(original, views)
    tok = TOKENS.render(example_tokens(2), [example_tokens(2)], tmp_path / "tokens.html")
    assert tok.exists()


def test_presets_run_and_round_trip() -> None:
    reg = registry()
    g = torch.Generator().manual_seed(0)
    text = TEXT.example(batch_size=8, generator=g)
    for name in ("text.default", "text.eda_faithful", "text.noise"):
        pipeline = reg.preset(name).build()
        out = pipeline(text, generator=g)
        assert isinstance(out, list) and len(out) == 8 and out != text
        rebuilt = from_config(to_config(pipeline))
        assert rebuilt(text, generator=torch.Generator().manual_seed(3)) == pipeline(
            text, generator=torch.Generator().manual_seed(3)
        )


def test_policies_over_text_ops() -> None:
    g = torch.Generator().manual_seed(0)
    text = TEXT.example(batch_size=16, generator=g)
    for policy in (RandAugment("text", n=2, m=5), TrivialAugment("text")):
        out = policy(text, generator=g)
        assert len(out) == 16 and all(isinstance(s, str) for s in out)
    tokens = example_tokens(16)
    out = RandAugment("tokens", n=1, m=5)(tokens, generator=g)
    assert out.ids.shape == tokens.ids.shape


def test_example_data_hook() -> None:
    from omniaug_text import plugin

    assert isinstance(plugin.omniaug_example_data("text"), list)
    assert plugin.omniaug_example_data("image") is None
