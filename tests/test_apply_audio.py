"""`omniaug apply` on a ragged folder of real speech: rates, channels, lengths and PCM formats kept,
nothing cut by slowing down, a documented clipping policy, byte-identical runs, umask permissions."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("omniaug_audio")
sf = pytest.importorskip("soundfile")
AF = pytest.importorskip("torchaudio.functional")

from omniaug import Compose, cli  # noqa: E402
from omniaug.cli import apply_folder  # noqa: E402
from omniaug_audio import AudioBatch  # noqa: E402
from omniaug_audio.bundled import word_paths  # noqa: E402
from omniaug_audio.ops.basic import Gain  # noqa: E402
from omniaug_audio.ops.pitch import Speed  # noqa: E402

# (name, sample rate, channels, subtype, words): real speech from the audio plugin's bundled words
LAYOUT = [
    ("phone/yes_no", 8000, 1, "PCM_16", ["yes", "no"]),
    ("phone/up", 8000, 1, "PCM_16", ["up"]),
    ("wide/left_right_down", 16000, 1, "PCM_16", ["left", "right", "down"]),
    ("wide/down", 16000, 1, "PCM_24", ["down"]),
    ("wide/stereo_up_yes", 16000, 2, "PCM_16", ["up", "yes"]),
    ("cd/no", 44100, 2, "PCM_16", ["no"]),
    ("cd/right", 44100, 1, "FLOAT", ["right"]),
    ("radio/yes", 22050, 1, "PCM_16", ["yes"]),
]


def _words() -> dict[str, torch.Tensor]:
    out = {}
    for p in word_paths():
        data, sr = sf.read(str(p), dtype="float32")
        assert sr == 16000
        out[Path(p).stem.removeprefix("word_")] = torch.from_numpy(data)
    return out


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("speech")
    words = _words()
    for name, rate, channels, subtype, seq in LAYOUT:
        wave = torch.cat([words[w] for w in seq])
        if rate != 16000:
            wave = AF.resample(wave, 16000, rate)
        frames = wave.unsqueeze(1).repeat(1, channels)
        if channels == 2:
            frames[:, 1] *= 0.5  # a real stereo difference between the channels
        path = root / f"{name}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(path), (frames * 0.9 / frames.abs().max()).numpy(), rate, subtype=subtype)
    return root


def _pairs(src: Path, dst: Path):
    for name, *_ in LAYOUT:
        yield name, src / f"{name}.wav", dst / f"{name}.aug0.wav"


def test_rates_channels_lengths_and_formats_are_kept(speech, tmp_path):
    out = tmp_path / "out"
    stats = apply_folder(Gain(gain_db=(-3.0, -3.0)), speech, out, batch_size=16, progress=False)
    assert stats["failed"] == 0 and stats["written"] == len(LAYOUT)
    factor = 10 ** (-3 / 20)
    for name, a, b in _pairs(speech, out):
        ia, ib = sf.info(str(a)), sf.info(str(b))
        assert (ib.samplerate, ib.channels, ib.frames, ib.subtype) == (
            ia.samplerate,
            ia.channels,
            ia.frames,
            ia.subtype,
        ), name
        xa, _ = sf.read(str(a), dtype="float64")
        xb, _ = sf.read(str(b), dtype="float64")
        lsb = 2.0 ** (1 - {"PCM_16": 16, "PCM_24": 24, "FLOAT": 24}[ia.subtype])
        assert np.abs(xb - xa * factor).max() <= 1.01 * lsb, name  # the gain, to one quantisation step


def test_slowing_down_never_cuts_the_longest_clip(speech, tmp_path):
    out = tmp_path / "slow"
    stats = apply_folder(Speed(factor=(0.8, 0.8)), speech, out, batch_size=4, progress=False)
    assert stats["failed"] == 0
    for name, a, b in _pairs(speech, out):
        xa, sr = sf.read(str(a), dtype="float32", always_2d=True)
        xb, _ = sf.read(str(b), dtype="float32", always_2d=True)
        assert xb.shape[0] == math.ceil(xa.shape[0] / 0.8), name  # every clip grows, the longest too
        # oracle: the same op on this clip alone, with plenty of room after it
        wave = torch.from_numpy(xa.T.copy())
        room = torch.nn.functional.pad(wave, (0, wave.shape[-1]))[None]
        alone = Speed(factor=(0.8, 0.8))(AudioBatch(room, sr, torch.tensor([wave.shape[-1]])))
        expected = alone.waveform[0, :, : int(alone.lengths[0])].numpy().T
        assert np.abs(xb - np.clip(expected, -1, 1)).max() < 2e-4, name
        tail = int(0.25 * sr)
        assert np.abs(xb[-tail - int(0.3 * sr) :]).max() > 0  # the last words are still there


def test_clipping_policy_clip_normalize_float(speech, tmp_path):
    loud = Gain(gain_db=(9.0, 9.0))
    for policy in ("clip", "normalize", "float"):
        apply_folder(loud, speech, tmp_path / policy, progress=False, options={"audio_clipping": policy})
    for name, a, _ in _pairs(speech, tmp_path / "clip"):
        src = sf.info(str(a))
        clip, _ = sf.read(str(tmp_path / "clip" / f"{name}.aug0.wav"), dtype="float64")
        norm, _ = sf.read(str(tmp_path / "normalize" / f"{name}.aug0.wav"), dtype="float64")
        flt, _ = sf.read(str(tmp_path / "float" / f"{name}.aug0.wav"), dtype="float64")
        assert sf.info(str(tmp_path / "float" / f"{name}.aug0.wav")).subtype == "FLOAT"
        assert np.abs(flt).max() > 1.5  # 0.9 × 9 dB: float keeps the overs
        if src.subtype == "FLOAT":
            assert np.abs(clip).max() > 1.5  # float inputs are never clipped
            continue
        assert sf.info(str(tmp_path / "clip" / f"{name}.aug0.wav")).subtype == src.subtype
        assert np.abs(clip).max() <= 1.0 and (np.abs(clip) >= 0.9999).sum() > 10  # clipped at full scale
        assert abs(np.abs(norm).max() - 1.0) < 1e-3  # scaled so the peak is full scale
        shape = flt / np.abs(flt).max()
        assert np.abs(norm - shape).max() < 2e-4  # the same waveform, only quieter


def test_identical_runs_write_identical_bytes_with_umask_permissions(speech, tmp_path):
    old = os.umask(0o022)
    try:
        for run in ("a", "b"):
            assert cli.main(["apply", "audio.default", str(speech), str(tmp_path / run), "-q", "--seed", "5"]) == 0
    finally:
        os.umask(old)
    for name, _, a in _pairs(speech, tmp_path / "a"):
        b = tmp_path / "b" / f"{name}.aug0.wav"
        assert a.read_bytes() == b.read_bytes(), name
        assert a.stat().st_mode & 0o777 == 0o644
    assert b"PEAK" not in (tmp_path / "a" / "cd" / "right.aug0.wav").read_bytes()


def test_a_pipeline_of_several_ops_runs_on_the_ragged_folder(speech, tmp_path):
    pipe = Compose([Gain(gain_db=(-6.0, 0.0)), Speed(factor=(0.8, 1.2))])
    stats = apply_folder(pipe, speech, tmp_path / "out", copies=2, batch_size=3, progress=False)
    assert stats == {**stats, "failed": 0, "written": 2 * len(LAYOUT)}
