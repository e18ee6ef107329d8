"""Modality, files, preview, presets, plugin hooks and the cross-cutting properties."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

import omniaug
from omniaug import InputError, RandAugment, TrivialAugment, registry
from omniaug.rng import make_generator
from omniaug.testing import plugin_ops
from omniaug_timeseries import Crop, Jitter, SeriesBatch, TimeWarp, load_dataset
from omniaug_timeseries.files import load, save
from omniaug_timeseries.modality import bad_examples, validate
from omniaug_timeseries.series import view_of

ALL_OPS = plugin_ops("timeseries")


@pytest.mark.parametrize("bad", bad_examples(), ids=lambda b: type(b).__name__)
def test_validate_rejects_with_clear_message(bad: object) -> None:
    with pytest.raises(InputError, match="must be"):
        validate(bad)


def test_error_message_names_argument_expectation_and_input() -> None:
    with pytest.raises(InputError) as info:
        Jitter()(torch.zeros(4, 100))
    msg = str(info.value)
    assert "`x` must be a float tensor (B, C, T)" in msg and "shape=(4, 100)" in msg


@pytest.mark.parametrize(
    ("name", "kwargs", "expected"),
    [
        ("timeseries.crop", {"size": 0.0}, "`size` must be a number (a fixed value) or a (low, high) pair"),
        ("timeseries.crop", {"size": [0.9, 0.5]}, "inside (0, 1]"),
        ("timeseries.crop", {"fill": "0"}, "`fill` must be a finite number"),
        ("timeseries.rotation_3d", {"max_angle": 200}, "`max_angle` must be a finite number in [0, 180]"),
        ("timeseries.time_dropout", {"rate": 1.5}, "`rate` must be a fraction in [0, 1]"),
        ("timeseries.jitter", {"sigma": -1}, "`sigma` must be a finite number >= 0"),
        ("timeseries.segment_permutation", {"segments": 0}, "`segments` must be an integer in [1, 256]"),
        ("timeseries.time_warp", {"construction": "spline"}, "`construction` must be one of 'log_speed'"),
        ("timeseries.window_warp", {"scales": [0.5, 0.0]}, "`scales` must be a finite number > 0"),
    ],
)
def test_arguments_checked_by_omniaug_args(name: str, kwargs: dict, expected: str) -> None:
    """Every argument error has the one shape of omniaug.args: the op, the argument, what was expected, what came."""
    with pytest.raises(InputError) as info:
        registry().augmentation(name)(**kwargs)
    assert str(info.value).startswith(f"{name}: ") and expected in str(info.value), str(info.value)


@pytest.mark.parametrize("cls", ALL_OPS, ids=lambda c: c.name)
def test_padding_untouched_and_lengths_kept(cls: type, padded: SeriesBatch) -> None:
    x = SeriesBatch(padded.values + 3.0, padded.lengths, padded.labels)  # padding 3.0, labels -1
    op = cls()
    out = op(x, generator=make_generator(0))
    assert torch.equal(out.lengths, x.lengths)
    for b, n in enumerate(x.lengths.tolist()):
        assert torch.equal(out.values[b, :, n:], x.values[b, :, n:]), f"{op.name} touched padding"
        assert torch.equal(out.labels[b, n:], x.labels[b, n:])
        assert set(out.labels[b, :n].tolist()) <= set(x.labels[b, :n].tolist()), "labels are never interpolated"


@pytest.mark.parametrize("cls", ALL_OPS, ids=lambda c: c.name)
def test_each_sample_gets_its_own_draw(cls: type) -> None:
    one = torch.randn(1, 3, 80, generator=make_generator(1))
    x = one.expand(6, 3, 80).contiguous()
    op = cls()
    out = op(x, generator=make_generator(2))
    if op.name == "timeseries.reverse":  # no random parameter besides p
        return
    assert any(not torch.allclose(out[0], out[i]) for i in range(1, 6)), f"{op.name}: identical outputs"
    same = cls(same_on_batch=True)(x, generator=make_generator(2))
    for i in range(1, 6):
        torch.testing.assert_close(same[i], same[0], atol=1e-4, rtol=1e-4)  # GEMM rows may round differently


def test_seeded_runs_reproduce_across_processes() -> None:
    code = (
        "import torch, omniaug_timeseries as ts\n"
        "from omniaug.rng import make_generator\n"
        "x = torch.linspace(0, 1, 3*200).view(1, 3, 200).repeat(4, 1, 1)\n"
        "op = ts.wearable(p=1.0)\n"
        "g = make_generator(123)\n"
        "a = op(x, generator=g); b = op(x, generator=g)\n"
        "print(repr(a.double().sum().item()), repr(b.double().sum().item()))\n"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    namespace: dict[str, object] = {}
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(code, namespace)  # the same script in this process
    assert buf.getvalue() == other, "a fresh process with the same seed must give the same output"
    first, second = other.split()
    assert first != second, "successive calls on one generator must differ"


def test_files_round_trip_npy_and_csv(tmp_path: Path, padded: SeriesBatch) -> None:
    paths = [tmp_path / f"s{i}.{'npy' if i % 2 else 'csv'}" for i in range(8)]
    save(padded, paths)
    back = load(paths)
    assert isinstance(back, SeriesBatch)
    assert torch.equal(back.lengths, padded.lengths)
    for b, n in enumerate(padded.lengths.tolist()):
        torch.testing.assert_close(back.values[b, :, :n], padded.values[b, :, :n], atol=1e-6, rtol=1e-6)
    same = load(paths[:1] * 3)
    assert isinstance(same, torch.Tensor) and same.shape == (3, 3, padded.lengths[0].item())
    with pytest.raises(InputError):
        load([tmp_path / "x.wav"])


def test_render_writes_png(tmp_path: Path, padded: SeriesBatch) -> None:
    views = [TimeWarp(sigma=0.5)(padded, generator=make_generator(i)) for i in range(2)]
    path = omniaug.registry().modality("timeseries").render(padded, views, tmp_path / "preview.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_example_data_is_real_basicmotions() -> None:
    data = registry().example_data("timeseries")
    assert isinstance(data, torch.Tensor) and data.shape == (8, 6, 100)
    validate(data)
    ds = load_dataset("basicmotions")
    assert ds.x_train.shape == (40, 6, 100) and ds.classes == ["Standing", "Running", "Walking", "Badminton"]
    gp = load_dataset("gunpoint")
    assert gp.x_train.shape == (50, 1, 150) and gp.x_test.shape == (150, 1, 150)
    assert set(gp.y_train.tolist()) == {0, 1}


@pytest.mark.parametrize("name", ["timeseries.default", "timeseries.um2017"])
def test_presets_run_and_round_trip(name: str) -> None:
    preset = registry().preset(name)
    pipe = preset.build()
    x = registry().example_data("timeseries")
    out = pipe(x, generator=make_generator(0))
    assert out.shape == x.shape and torch.isfinite(out).all()
    rebuilt = omniaug.from_config(omniaug.to_config(pipe))
    torch.testing.assert_close(rebuilt(x, generator=make_generator(5)), pipe(x, generator=make_generator(5)))


def test_default_preset_handles_univariate_series() -> None:
    x = load_dataset("gunpoint").x_train[:8]
    out = registry().preset("timeseries.default").build(channel_swap=False)(x, generator=make_generator(0))
    assert out.shape == x.shape


@pytest.mark.parametrize("payload", ["tensor", "series"])
def test_policies_run_on_the_plugin_ops(payload: str, padded: SeriesBatch) -> None:
    x = padded.values if payload == "tensor" else padded
    for policy in (RandAugment("timeseries", n=2, m=0.5), TrivialAugment("timeseries")):
        out = policy(x, generator=make_generator(3))
        v = view_of(out)
        assert v.values.shape == padded.values.shape and torch.isfinite(v.values).all()


def test_crop_magnitude_weakest_is_identity(series: torch.Tensor) -> None:
    torch.testing.assert_close(Crop.at_magnitude(0.0)(series, generator=make_generator(0)), series)


@pytest.mark.parametrize("cls", [c for c in ALL_OPS if c.magnitude is not None], ids=lambda c: c.name)
def test_magnitude_zero_is_weakest(cls: type, padded: SeriesBatch) -> None:
    """A policy's magnitude 0 leaves series (nearly) unchanged; magnitude 1 changes them."""
    weak = cls.at_magnitude(0.0)(padded, generator=make_generator(0))
    span = float(padded.values.max() - padded.values.min())
    atol = span / 500 if cls.name == "timeseries.quantize" else 1e-4  # 256+ levels: within half a step
    torch.testing.assert_close(weak.values, padded.values, atol=atol, rtol=0)
    assert torch.equal(weak.labels, padded.labels)
    strong = cls.at_magnitude(1.0)(padded, generator=make_generator(0))
    assert not torch.allclose(strong.values, padded.values, atol=1e-3)
