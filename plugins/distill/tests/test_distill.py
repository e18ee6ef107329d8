"""Dataset distillation: Siamese replay, gradient flow, oracles for DM and DC, reproducibility, files."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import omniaug
from omniaug import InputError, rng
from omniaug_distill import (
    DistillNet,
    DistillSettings,
    SyntheticSet,
    check_differentiable,
    distill,
    draw_group_params,
    make_network,
    replay_groups,
)
from omniaug_distill.methods import ClassSampler, distribution_loss, match_gradients

REG = omniaug.registry()


def _differentiable(modality: str) -> list[type]:
    return [c for n, c in sorted(REG.augmentations.items()) if c.modality_name() == modality and c.differentiable]


def _image_pipeline() -> omniaug.Transform:
    ops = {c.name: c for c in _differentiable("image")}
    assert "image.affine" in ops and "image.brightness" in ops, "image.affine/brightness must be differentiable"
    return omniaug.Compose([ops["image.affine"](degrees=15, translate=(0.1, 0.1)), ops["image.brightness"](0.2)])


def _blobs(n_per: int = 40, k: int = 3, f: int = 4, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(k, f, generator=g) * 3
    y = torch.arange(k).repeat_interleave(n_per)
    return centres[y] + torch.randn(k * n_per, f, generator=g), y


def _tiny_images(n_per: int = 10, k: int = 3, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Class-dependent 1×4×4 images in [0, 1]."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(k).repeat_interleave(n_per)
    base = torch.rand(k, 1, 4, 4, generator=g)
    return (0.7 * base[y] + 0.3 * torch.rand(k * n_per, 1, 4, 4, generator=g)).clamp(0, 1), y


def test_siamese_replay_is_the_same_transform_on_real_and_synthetic_rows():
    """One params row per class; a batch of real and synthetic rows together equals each set alone."""
    pipe = _image_pipeline()
    g = rng.make_generator(0)
    real = torch.rand(12, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    syn = torch.rand(6, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    real_cls = torch.arange(3).repeat_interleave(4)
    syn_cls = torch.arange(3).repeat_interleave(2)
    params = draw_group_params(pipe, real[[0, 4, 8]], generator=g)
    a = replay_groups(pipe, real, params, real_cls)
    b = replay_groups(pipe, syn, params, syn_cls)
    both = replay_groups(pipe, torch.cat([real, syn]), params, torch.cat([real_cls, syn_cls]))
    assert torch.equal(both, torch.cat([a, b]))
    # the same sample placed in the real and the synthetic batch of a class gets the same output
    syn2 = syn.clone()
    syn2[0] = real[1]
    assert torch.equal(replay_groups(pipe, syn2, params, syn_cls)[0], a[1])
    # and differently-classed rows get different transforms
    assert not torch.equal(a[0], replay_groups(pipe, real[:1], params, torch.tensor([1])))


def test_gradients_reach_synthetic_samples_through_a_composed_pipeline():
    pipe = _image_pipeline()
    params = draw_group_params(pipe, torch.rand(2, 1, 6, 6, dtype=torch.float64), generator=rng.make_generator(3))
    groups = torch.tensor([0, 1, 1])
    x = torch.rand(3, 1, 6, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(4)).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda t: replay_groups(pipe, t, params, groups), (x,), fast_mode=True)


def test_pipeline_with_a_non_differentiable_op_is_refused_by_name():
    refused = [c for n, c in sorted(REG.augmentations.items()) if c.modality_name() == "image" and not c.differentiable]
    assert "image.equalize" in {c.name for c in refused}, "equalize cannot pass gradients"
    bad = REG.augmentation("image.equalize")()
    with pytest.raises(InputError, match=bad.name.replace(".", r"\.")):
        check_differentiable(omniaug.Compose([_image_pipeline(), bad]))
    x, y = _tiny_images()
    with pytest.raises(InputError, match="pipeline"):
        distill(x, y, pipeline=bad, settings=DistillSettings(iterations=1))


def test_class_sampler_draws_distinct_samples_of_each_class():
    y = torch.tensor([2, 0, 1, 0, 2, 2, 1, 0, 0])
    idx = ClassSampler(y, 3).draw(2, torch.Generator().manual_seed(0))
    assert idx.shape == (3, 2)
    assert torch.equal(y[idx], torch.tensor([[0, 0], [1, 1], [2, 2]]))
    assert all(len(set(row.tolist())) == 2 for row in idx)
    with pytest.raises(InputError, match="every class"):
        ClassSampler(torch.tensor([0, 2]), 3)


def _linear_embedding(example: torch.Tensor, k: int, *, width: int, generator: torch.Generator) -> DistillNet:
    lin = nn.Linear(example.shape[1], width, bias=False)
    with torch.no_grad():
        lin.weight.copy_(torch.randn(lin.weight.shape, generator=generator))
    head = DistillNet(lin, width, k)
    return head


def test_dm_with_linear_embeddings_recovers_the_class_means():
    """Oracle: with random *linear* embeddings and one sample per class, DM's optimum is the class mean."""
    x, y = _blobs()
    means = torch.stack([x[y == c].mean(0) for c in range(3)])
    s = DistillSettings(iterations=60, lr=0.02, batch_real=40, width=16)
    out = distill(
        x,
        y,
        method="dm",
        ipc=1,
        init="noise",
        settings=s,
        generator=torch.Generator().manual_seed(0),
        network=_linear_embedding,
    )
    start = distill(
        x, y, ipc=1, init="noise", settings=DistillSettings(iterations=0), generator=torch.Generator().manual_seed(0)
    )
    assert torch.allclose(out.x, means, atol=0.05), (out.x, means)
    assert (start.x - means).norm() > 10 * (out.x - means).norm()


def test_distribution_loss_is_the_squared_distance_of_class_means():
    net = make_network(torch.zeros(1, 3), 2, width=5, generator=torch.Generator().manual_seed(0))
    real, syn = torch.randn(6, 3), torch.randn(4, 3)
    rc, sc = torch.tensor([0, 0, 0, 1, 1, 1]), torch.tensor([0, 0, 1, 1])
    e_r, e_s = net.embed(real), net.embed(syn)
    want = sum(((e_r[rc == c].mean(0) - e_s[sc == c].mean(0)) ** 2).sum() for c in range(2))
    assert torch.allclose(distribution_loss(net, real, rc, syn, sc, 2), want)


def test_gradient_distance_is_zero_for_equal_and_positive_for_different_gradients():
    a = [torch.randn(4, 3), torch.randn(4)]
    assert float(match_gradients(a, [t.clone() for t in a])) == pytest.approx(0.0, abs=1e-5)
    b = [-a[0], torch.randn(4)]  # opposite rows: 1 - cos = 2 per row; the bias does not count
    assert float(match_gradients(a, b)) == pytest.approx(8.0, abs=1e-4)


def test_dc_reduces_gradient_mismatch_on_blobs():
    x, y = _blobs()
    g = torch.Generator().manual_seed(0)
    losses: list[float] = []
    distill(
        x,
        y,
        method="dc",
        ipc=2,
        settings=DistillSettings(iterations=15, lr=0.1, batch_real=32, width=16, outer_loop=2, inner_loop=2),
        generator=g,
        progress=lambda it, loss: losses.append(loss),
    )
    assert sum(losses[-3:]) / 3 < sum(losses[:3]) / 3


def test_reproducible_from_the_generator_and_global_rng_untouched():
    x, y = _tiny_images()
    pipe = omniaug.Compose([_image_pipeline()])
    state = torch.get_rng_state()
    runs = [
        distill(
            x,
            y,
            ipc=2,
            pipeline=pipe,
            settings=DistillSettings(iterations=5, width=8, batch_real=8),
            generator=torch.Generator().manual_seed(7),
        )
        for _ in range(2)
    ]
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(runs[0].x, runs[1].x)
    other = distill(
        x,
        y,
        ipc=2,
        pipeline=pipe,
        settings=DistillSettings(iterations=5, width=8, batch_real=8),
        generator=torch.Generator().manual_seed(8),
    )
    assert not torch.equal(runs[0].x, other.x)


def test_saved_set_loads_back_with_its_pipeline(tmp_path):
    x, y = _tiny_images()
    pipe = _image_pipeline()
    s = distill(
        x,
        y,
        ipc=3,
        pipeline=pipe,
        settings=DistillSettings(iterations=2, width=8),
        generator=torch.Generator().manual_seed(0),
    )
    path = s.save(tmp_path / "syn.pt")
    assert (tmp_path / "syn.pipeline.yaml").exists()
    back = SyntheticSet.load(path)
    assert torch.equal(back.x, s.x) and torch.equal(back.y, s.y) and back.ipc == 3 and back.method == "dm"
    assert omniaug.to_config(back.build_pipeline()) == omniaug.to_config(pipe)
    assert back.class_rows().shape == (3, 3, 1, 4, 4)
    (tmp_path / "evil.pt").write_bytes(b"not a tensor file")
    with pytest.raises(InputError, match="distilled set"):
        SyntheticSet.load(tmp_path / "evil.pt")


def test_bad_arguments_are_clear_errors():
    x, y = _blobs()
    with pytest.raises(InputError, match="`method`"):
        distill(x, y, method="kip")
    with pytest.raises(InputError, match="`ipc`"):
        distill(x, y, ipc=0)
    with pytest.raises(InputError, match="`y`"):
        distill(x, y[:-1])
    bad = x.clone()
    bad[0, 0] = float("nan")
    with pytest.raises(InputError, match="finite"):
        distill(bad, y)


def test_networks_never_touch_the_global_rng():
    state = torch.get_rng_state()
    for shape in ((2, 5), (2, 3, 40), (2, 1, 8, 8)):
        net = make_network(torch.zeros(shape), 4, generator=torch.Generator().manual_seed(0))
        assert net(torch.zeros(shape)).shape == (2, 4)
    assert torch.equal(torch.get_rng_state(), state)


def test_cli_distils_a_file_and_omniaug_preview_draws_the_set(tmp_path):
    """``omniaug distill`` on a .pt data set writes the set and its pipeline; ``omniaug preview SET.pt``
    draws one row per class (the command is found through the plugin hook, like a third party's)."""
    from PIL import Image

    from omniaug import cli

    x, y = _tiny_images(n_per=6)
    torch.save({"x": x, "y": y}, tmp_path / "data.pt")
    (tmp_path / "pipe.yaml").write_text(omniaug.to_yaml(_image_pipeline()))
    out = tmp_path / "syn.pt"
    argv = ["distill", "--data", str(tmp_path / "data.pt"), "--ipc", "2", "--iterations", "3",
            "--pipeline", str(tmp_path / "pipe.yaml"), "-o", str(out), "--quiet"]  # fmt: skip
    assert cli.main(argv) == 0
    syn = SyntheticSet.load(out)
    assert syn.x.shape == (6, 1, 4, 4) and sorted(syn.y.tolist()) == [0, 0, 1, 1, 2, 2]
    assert (tmp_path / "syn.pipeline.yaml").exists()
    assert cli.main(["preview", str(out), "-o", str(tmp_path / "grid.png")]) == 0
    with Image.open(tmp_path / "grid.png") as im:
        assert im.size[1] > im.size[0] * 0.5  # three class rows of two cells: taller than a single strip
    (tmp_path / "junk.pt").write_bytes(b"junk")
    assert cli.main(["preview", str(tmp_path / "junk.pt"), "-o", str(tmp_path / "x.png")]) != 0


@pytest.mark.slow
@pytest.mark.parametrize("example", ["distill_digits.py", "distill_gunpoint.py"])
def test_examples_run_quick(example):
    """The examples' smoke mode prints every row of their table (random, DM, DC+DSA per IPC)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[3] / "examples" / example
    res = subprocess.run([sys.executable, str(script), "--quick", "--threads", "1"], capture_output=True, text=True,
                         timeout=900)  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    rows = [line.split() for line in res.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [r[1] for r in rows] == ["random", "DM", "DC+DSA"] * 2, res.stdout
    assert all(r[2].replace(".", "", 1).isdigit() and 0 <= float(r[2]) <= 100 for r in rows)


_MODALITY_CASES = [
    ("timeseries", (2, 32), "timeseries.scaling", {}),
    ("audio", (1, 400), "audio.gain", {}),
    ("spectrogram", (1, 16, 20), "spectrogram.time_mask", {}),
    ("tabular", (6,), "tabular.feature_noise", {}),
]


@pytest.mark.parametrize(
    ("modality", "shape", "op_name", "kwargs"), _MODALITY_CASES, ids=[c[0] for c in _MODALITY_CASES]
)
def test_distils_every_tensor_modality_with_its_differentiable_ops(modality, shape, op_name, kwargs):
    """DM and DC run on plain tensors of each modality with one of its differentiable ops; the
    synthetic samples move from their initialisation and stay in the data's range."""
    op_cls = REG.augmentation(op_name)
    assert op_cls.differentiable, f"{op_name} must be declared differentiable"
    g = torch.Generator().manual_seed(0)
    y = torch.arange(2).repeat_interleave(12)
    centre = torch.rand(2, *shape, generator=g) * 0.6 - 0.3
    x = (centre[y] + 0.2 * torch.rand(24, *shape, generator=g) - 0.1).clamp(-1, 1)
    pipe = omniaug.Compose([op_cls(**kwargs)])
    for method in ("dm", "dc") if modality == "timeseries" else ("dm",):  # DC's per-class double backward: once
        syn = distill(x, y, method=method, ipc=2, pipeline=pipe, settings=DistillSettings(iterations=2, width=8, batch_real=6),
                      generator=torch.Generator().manual_seed(1))  # fmt: skip
        start = distill(x, y, method=method, ipc=2, pipeline=pipe, settings=DistillSettings(iterations=0, width=8),
                        generator=torch.Generator().manual_seed(1))  # fmt: skip
        assert syn.x.shape == (4, *shape) and syn.y.tolist() == [0, 0, 1, 1]
        assert not torch.equal(syn.x, start.x), f"{modality}/{method}: synthetic samples never moved"
        assert float(syn.x.min()) >= float(x.min()) - 1e-6 and float(syn.x.max()) <= float(x.max()) + 1e-6
