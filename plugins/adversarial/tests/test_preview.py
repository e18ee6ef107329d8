"""``omniaug preview`` of an attack draws clean / perturbation (amplified) / adversarial; render_attack per modality."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

from omniaug import cli, rng
from omniaug.testing import plugin_ops
from omniaug_adversarial import ImagePGD, render_attack


def test_preview_of_an_attack_on_the_bundled_photos_draws_three_columns(tmp_path, capsys) -> None:
    out = tmp_path / "pgd.png"
    assert cli.main(["preview", '{"op": "image.pgd", "steps": 2}', "--out", str(out), "--views", "1"]) == 0
    with Image.open(out) as im:
        w, h = im.size
    assert w >= 3 * 150 and h >= 4 * 150  # 3 columns (clean, perturbation, adversarial) × 4 photos


def test_preview_of_a_pipeline_with_an_attack_runs_it_with_the_example_model(tmp_path) -> None:
    cfg = '{"op": "compose", "transforms": [{"op": "image.horizontal_flip"}, {"op": "image.fgsm"}]}'
    out = tmp_path / "pipe.png"
    assert cli.main(["preview", cfg, "--out", str(out), "--views", "2"]) == 0 and out.exists()


def test_perturbation_column_is_the_amplified_difference(tmp_path, monkeypatch) -> None:
    """The middle panel shows 0.5 + k·δ with k = 0.5 / max|δ|: it spans [0, 1] and is grey where δ = 0."""
    import matplotlib.axes

    shown = []
    real = matplotlib.axes.Axes.imshow

    def spy(self, arr, *a, **k):  # type: ignore[no-untyped-def]
        shown.append(torch.as_tensor(arr))
        return real(self, arr, *a, **k)

    monkeypatch.setattr(matplotlib.axes.Axes, "imshow", spy)
    x = 0.2 + 0.6 * rng.uniform(2, 0.0, 1.0, shape=(1, 6, 6), generator=rng.make_generator(0))
    delta = torch.zeros_like(x)
    delta[:, :, 1, 2] = 0.03
    delta[:, :, 4, 4] = -0.015
    render_attack(ImagePGD(eps=0.03), x, x + delta, tmp_path / "a.png")
    middle = shown[1]
    assert float(middle.max()) == pytest.approx(1.0) and float(middle[4, 4]) == pytest.approx(0.25)
    assert float(middle[0, 0]) == pytest.approx(0.5)


@pytest.mark.parametrize(
    "cls", [c for c in plugin_ops("adversarial") if c.name.endswith(".fgsm") or c.name == "graph.flag"],
    ids=lambda c: c.name,
)  # fmt: skip
def test_render_attack_draws_every_modality(cls, tmp_path) -> None:
    x = cls.example_input(3, generator=rng.make_generator(0))
    op = cls()
    adv = op(x, generator=rng.make_generator(1), model=cls.example_context(x))
    path = render_attack(op, x, adv, tmp_path / "r.png")
    with Image.open(path) as im:
        assert im.size[0] > 300 and im.size[1] > 3 * 100
