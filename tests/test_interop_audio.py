"""audiomentations and torch-audiomentations → omniaug on real speech (the audio plugin's espeak-ng words):
replayed params give the peer's output, a realistic pipeline converts and runs batched, files convert."""

from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest
import torch

import omniaug
from omniaug.interop import convert
from omniaug.params import Params

am = pytest.importorskip("audiomentations")
pytest.importorskip("omniaug_audio")
from omniaug_audio import AudioBatch  # noqa: E402
from omniaug_audio.bundled import example_clips  # noqa: E402

SR = 16000


def speech() -> AudioBatch:
    """Six spoken words (espeak-ng, 16 kHz mono), padded, with lengths."""
    return example_clips()


def word(i: int) -> np.ndarray:
    clips = speech()
    return clips.waveform[i, 0, : int(clips.lengths[i])].numpy().copy()


def native(t: object, peer: str = "audiomentations") -> omniaug.Augmentation:
    pipeline, report = convert(t, peer)
    assert report.entries[0].status == "native", report
    (op,) = pipeline.transforms
    return op


def replay(op: omniaug.Augmentation, samples: np.ndarray, params: dict) -> np.ndarray:
    full = Params({k: torch.as_tensor(v) for k, v in params.items()})
    full["apply"] = torch.ones(1, dtype=torch.bool)
    return op(torch.from_numpy(samples).reshape(1, 1, -1), params=full)[0, 0].numpy()


def peer_run(t: object, samples: np.ndarray, seed: int) -> tuple[np.ndarray, dict]:
    random.seed(seed)  # audiomentations draws from the global RNGs (test code only)
    np.random.seed(seed)
    out = t(samples=samples.copy(), sample_rate=SR)
    return out, dict(t.parameters)


REPLAYS = [
    (
        lambda: am.Gain(min_gain_db=-9, max_gain_db=9, p=1.0),
        lambda p, n: {"gain_db": torch.tensor([20 * math.log10(p["amplitude_ratio"])])},
        1e-6,
    ),
    (lambda: am.PolarityInversion(p=1.0), lambda p, n: {}, 0.0),
    (lambda: am.Reverse(p=1.0), lambda p, n: {}, 0.0),
    (lambda: am.Normalize(p=1.0), lambda p, n: {"target_db": torch.zeros(1)}, 1e-6),
    (
        lambda: am.Shift(min_shift=-0.3, max_shift=0.3, fade_duration=0.0, p=1.0),
        lambda p, n: {"shift": torch.tensor([p["shift_amount"]], dtype=torch.float64)},
        0.0,
    ),
    (
        lambda: am.Shift(min_shift=-0.3, max_shift=0.3, rollover=False, fade_duration=0.0, p=1.0),
        lambda p, n: {"shift": torch.tensor([p["shift_amount"]], dtype=torch.float64)},
        0.0,
    ),
    (
        lambda: am.TimeMask(min_band_part=0.05, max_band_part=0.3, fade_duration=0.0, p=1.0),
        lambda p, n: {
            "width": torch.tensor([p["t"] / n], dtype=torch.float64),
            "offset": torch.tensor([(p["t0"] + 0.5) / (n - p["t"] + 1)], dtype=torch.float64),
        },
        0.0,
    ),
]


@pytest.mark.parametrize(
    "case", range(len(REPLAYS)), ids=[type(REPLAYS[i][0]()).__name__ + f"-{i}" for i in range(len(REPLAYS))]
)
def test_replayed_params_match_audiomentations(case: int) -> None:
    make, to_params, tol = REPLAYS[case]
    t = make()
    op = native(make())
    for i in range(3):
        x = word(i)
        ref, params = peer_run(t, x, seed=i)
        ours = replay(op, x, to_params(params, len(x)))
        assert ours.shape == ref.shape
        assert np.abs(ours - ref).max() <= tol + 1e-7, (type(t).__name__, np.abs(ours - ref).max())


def _snr(clean: np.ndarray, noisy: np.ndarray) -> float:
    return 10 * math.log10(np.mean(clean**2) / np.mean((noisy - clean) ** 2))


def test_gaussian_snr_replay_realizes_the_same_snr() -> None:
    t = am.AddGaussianSNR(min_snr_db=5, max_snr_db=25, p=1.0)
    op = native(am.AddGaussianSNR(min_snr_db=5, max_snr_db=25, p=1.0))
    for i in range(3):
        x = word(i)
        ref, p = peer_run(t, x, seed=i)
        target = 20 * math.log10(math.sqrt(np.mean(x**2)) / p["noise_std"])
        g = omniaug.rng.make_generator(i)
        params = op.sample_params(torch.from_numpy(x).reshape(1, 1, -1), generator=g)
        params["snr_db"] = torch.tensor([target])
        ours = op(torch.from_numpy(x).reshape(1, 1, -1), params=params)[0, 0].numpy()
        assert abs(_snr(x, ours) - target) < 0.05  # omniaug scales its noise to the exact SNR
        assert abs(_snr(x, ref) - target) < 0.5  # audiomentations' noise power varies around it


def test_low_pass_attenuates_3db_at_the_replayed_cutoff() -> None:
    op = native(am.LowPassFilter(min_cutoff_freq=500, max_cutoff_freq=4000, min_rolloff=12, max_rolloff=12, p=1.0))
    n = 16000
    t = torch.arange(n) / SR
    for cutoff in (800.0, 2500.0):
        tone = torch.sin(2 * math.pi * cutoff * t).reshape(1, 1, -1)
        params = Params(
            {"freq_hz": torch.tensor([cutoff]), "q": torch.tensor([0.7071]), "apply": torch.ones(1, dtype=torch.bool)}
        )
        out = op(tone, params=params)
        gain_db = 20 * math.log10(float(out[..., 2000:-2000].std() / tone[..., 2000:-2000].std()))
        assert abs(gain_db + 3.0) < 0.3, gain_db


def test_pitch_shift_moves_the_fundamental_by_the_same_ratio() -> None:
    op = native(am.PitchShift(min_semitones=-4, max_semitones=4, p=1.0))
    n = 16000
    t = torch.arange(n) / SR
    tone = torch.sin(2 * math.pi * 300.0 * t).reshape(1, 1, -1)
    params = Params({"semitones": torch.tensor([3.0]), "apply": torch.ones(1, dtype=torch.bool)})
    out = op(tone, params=params)[0, 0].numpy()
    ref = am.PitchShift(min_semitones=3, max_semitones=3, p=1.0)(samples=tone[0, 0].numpy().copy(), sample_rate=SR)

    def peak(y: np.ndarray) -> float:
        spec = np.abs(np.fft.rfft(y[2000:-2000] * np.hanning(len(y) - 4000)))
        return float(np.argmax(spec)) * SR / (len(y) - 4000)

    assert abs(peak(out) - peak(ref)) < 5.0 and abs(peak(out) - 300 * 2 ** (3 / 12)) < 5.0


def realistic() -> object:
    """A speech-recognition augmentation pipeline in the style of audiomentations' README."""
    return am.Compose(
        [
            am.AddGaussianSNR(min_snr_db=10.0, max_snr_db=30.0, p=0.5),
            am.Gain(min_gain_db=-6.0, max_gain_db=6.0, p=0.5),
            am.TimeStretch(min_rate=0.9, max_rate=1.1, p=0.3),
            am.PitchShift(min_semitones=-2, max_semitones=2, p=0.3),
            am.Shift(min_shift=-0.1, max_shift=0.1, p=0.5),
            am.OneOf(
                [am.LowPassFilter(min_rolloff=12, max_rolloff=12), am.HighPassFilter(min_rolloff=24, max_rolloff=24)],
                p=0.3,
            ),
            am.ClippingDistortion(max_percentile_threshold=10, p=0.2),
            am.TimeMask(min_band_part=0.0, max_band_part=0.1, p=0.3),
            am.Normalize(p=1.0),
        ]
    )


def test_realistic_pipeline_runs_batched_on_speech() -> None:
    pipeline, report = convert(realistic())
    assert {e.source for e in report.wrapped} == {"ClippingDistortion"}
    assert len(report.native) == 9
    x = speech()
    out, params = pipeline.augment(x, generator=omniaug.rng.make_generator(0))
    assert isinstance(out, AudioBatch) and out.waveform.shape == x.waveform.shape
    assert torch.isfinite(out.waveform).all()
    peaks = out.waveform.abs().amax(dim=(1, 2))
    assert torch.allclose(peaks, torch.ones(6), atol=1e-5)  # Normalize last: every clip peaks at 0 dBFS
    again = pipeline(x, params=params)
    assert torch.allclose(again.waveform, out.waveform)


def test_saved_dict_converts_like_the_object(tmp_path) -> None:
    pipe = am.Compose([am.Gain(p=0.5), am.ClippingDistortion(p=0.2)], p=0.9)
    path = tmp_path / "speech.json"
    path.write_text(json.dumps(pipe.to_dict_private()))
    a = omniaug.to_config(convert(pipe).pipeline)
    b = omniaug.to_config(convert(path, "audiomentations").pipeline)
    assert a == b


def test_wrapped_audiomentations_seeded_and_global_state_untouched() -> None:
    op = omniaug.interop.WrappedAudiomentations(am.ClippingDistortion(max_percentile_threshold=30, p=1.0))
    x = speech()
    np.random.seed(1)
    state = np.random.get_state()[1].copy()
    a = op(x, generator=omniaug.rng.make_generator(2))
    assert np.array_equal(np.random.get_state()[1], state)
    np.random.seed(77)
    b = op(x, generator=omniaug.rng.make_generator(2))
    assert torch.equal(a.waveform, b.waveform)
    assert torch.equal(a.lengths, x.lengths)


# ----------------------------------------------------------------------------- torch-audiomentations
tam = pytest.importorskip("torch_audiomentations")


def _tam_params(t: object, x: torch.Tensor, seed: int) -> tuple[torch.Tensor, dict]:
    torch.manual_seed(seed)  # torch-audiomentations draws from the global RNG (test code only)
    out = t(x, sample_rate=SR)
    return getattr(out, "samples", out), dict(t.transform_parameters)


@pytest.mark.parametrize(
    ("make", "to_params"),
    [
        (
            lambda: tam.Gain(min_gain_in_db=-9, max_gain_in_db=9, p=1.0, output_type="tensor"),
            lambda p: {"gain_db": 20 * torch.log10(p["gain_factors"].reshape(1))},
        ),
        (lambda: tam.PolarityInversion(p=1.0, output_type="tensor"), lambda p: {}),
        (lambda: tam.TimeInversion(p=1.0, output_type="tensor"), lambda p: {}),
        (lambda: tam.PeakNormalization(p=1.0, output_type="tensor"), lambda p: {"target_db": torch.zeros(1)}),
    ],
    ids=["Gain", "PolarityInversion", "TimeInversion", "PeakNormalization"],
)
def test_replayed_params_match_torch_audiomentations(make, to_params) -> None:
    t = make()
    op = native(make(), "torch_audiomentations")
    x = torch.from_numpy(word(1)).reshape(1, 1, -1)
    ref, params = _tam_params(t, x, 0)
    full = Params({k: torch.as_tensor(v) for k, v in to_params(params).items()})
    full["apply"] = torch.ones(1, dtype=torch.bool)
    assert torch.allclose(op(x, params=full), ref, atol=1e-6)


def test_torch_audiomentations_pipeline_converts_and_wraps() -> None:
    pipe = tam.Compose(
        [
            tam.Gain(min_gain_in_db=-6, max_gain_in_db=6, p=0.5, output_type="tensor"),
            tam.PolarityInversion(p=0.5, output_type="tensor"),
            tam.AddColoredNoise(min_snr_in_db=10, max_snr_in_db=30, p=0.5, output_type="tensor"),
            tam.Gain(mode="per_batch", p=0.5, output_type="tensor"),
        ],
        output_type="tensor",
    )
    pipeline, report = convert(pipe)
    assert [e.status for e in report.entries] == ["native", "native", "native", "wrapped"]
    assert "per_batch" in report.entries[3].note
    out = pipeline(speech(), generator=omniaug.rng.make_generator(0))
    assert out.waveform.shape == speech().waveform.shape
