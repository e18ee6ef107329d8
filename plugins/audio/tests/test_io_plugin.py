"""WAV I/O, preview rendering, bundled data, presets and core policies on the audio modality."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

import omniaug
from omniaug import InputError
from omniaug.rng import make_generator
from omniaug_audio import AUDIO, SPECTROGRAM, AudioBatch, SpectrogramBatch
from omniaug_audio.bundled import data_dir
from omniaug_audio.functional import resample_batch
from omniaug_audio.io import load_wavs, save_wavs


def test_wav_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.uniform(-0.5, 0.5, 1000), rng.uniform(-0.5, 0.5, (600, 2))
    sf.write(tmp_path / "a.wav", a, 16000, subtype="FLOAT")
    sf.write(tmp_path / "b.wav", b, 16000, subtype="FLOAT")
    batch = AUDIO.load([tmp_path / "a.wav", tmp_path / "b.wav"])  # type: ignore[misc]
    assert batch.waveform.shape == (2, 2, 1000) and batch.lengths.tolist() == [1000, 600]
    assert np.allclose(batch.waveform[0, 1].numpy(), a, atol=1e-7)  # mono repeated to stereo
    assert np.allclose(batch.waveform[1, :, :600].numpy().T, b, atol=1e-7)
    AUDIO.save(batch, [tmp_path / "out" / "a.wav", tmp_path / "out" / "b.wav"])  # type: ignore[misc]
    back, sr = sf.read(tmp_path / "out" / "b.wav")
    assert sr == 16000 and back.shape == (600, 2) and np.allclose(back, b, atol=1e-7)
    with pytest.raises(InputError, match="paths"):
        save_wavs(batch, [tmp_path / "only_one.wav"])
    with pytest.raises(InputError, match="paths"):
        load_wavs([tmp_path / "nope.wav"])


def test_resample_batch_scales_lengths() -> None:
    x = AudioBatch(torch.zeros(2, 1, 1600), 16000, torch.tensor([1600, 800]))
    y = resample_batch(x, 8000)
    assert y.sample_rate == 8000 and y.waveform.shape[-1] == 800 and y.lengths.tolist() == [800, 400]


def test_bundled_data_and_example_hook() -> None:
    total = sum(f.stat().st_size for f in data_dir().glob("*.wav"))
    assert total < 400 * 1024
    clips = omniaug.registry().example_data("audio")
    assert isinstance(clips, AudioBatch) and clips.waveform.shape[:2] == (6, 1) and clips.sample_rate == 16000
    assert bool((clips.lengths > 4000).all())
    spec = omniaug.registry().example_data("spectrogram")
    assert isinstance(spec, SpectrogramBatch) and spec.spec.shape[:3] == (6, 1, 64)


def test_render_writes_pngs(tmp_path: Path) -> None:
    clips = omniaug.registry().example_data("audio")
    pipeline = omniaug.registry().preset("audio.default").build()
    views = [pipeline(clips, generator=make_generator(s)) for s in range(2)]
    path = AUDIO.render(clips, views, tmp_path / "audio.png")  # type: ignore[misc]
    assert path.exists() and path.read_bytes()[:4] == b"\x89PNG"
    spec = omniaug.registry().example_data("spectrogram")
    from omniaug_audio.presets import specaugment_ld

    views = [specaugment_ld()(spec, generator=make_generator(0))]
    path = SPECTROGRAM.render(spec, views, tmp_path / "spec.png")  # type: ignore[misc]
    assert path.exists() and path.stat().st_size > 1000


def test_presets_registered_and_serializable() -> None:
    from omniaug_audio.presets import PRESETS, default_pipeline

    assert {p.name for p in PRESETS} == {"audio.default", "spectrogram.specaugment"}
    pipeline = default_pipeline()
    config = omniaug.to_config(pipeline)
    rebuilt = omniaug.from_config(config)
    x = omniaug.registry().example_data("audio")
    a = pipeline(x, generator=make_generator(4))
    b = rebuilt(x, generator=make_generator(4))
    assert torch.allclose(a.waveform, b.waveform, atol=1e-5) and torch.equal(a.lengths, b.lengths)
    assert bool(torch.isfinite(a.waveform).all())


@pytest.mark.parametrize("policy", ["rand", "trivial"])
def test_core_policies_on_audio(policy: str) -> None:
    x = omniaug.registry().example_data("audio")
    op = omniaug.RandAugment("audio", n=2, m=5) if policy == "rand" else omniaug.TrivialAugment("audio")
    out, params = op.augment(x, generator=make_generator(1))
    assert out.waveform.shape == x.waveform.shape and bool(torch.isfinite(out.waveform).all())
    again = op(x, params=params)
    assert torch.allclose(again.waveform, out.waveform, atol=1e-5)
    spec = omniaug.registry().example_data("spectrogram")
    out = omniaug.TrivialAugment("spectrogram")(spec, generator=make_generator(2))
    assert out.spec.shape == spec.spec.shape
