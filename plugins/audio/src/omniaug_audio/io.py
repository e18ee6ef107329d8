"""Audio files in and out (through soundfile), for ``omniaug apply`` and the bundled data.

``omniaug apply`` goes through :data:`FILES`: each file keeps its sample rate,
channel count, container (WAV, WAVEX, FLAC) and sample format (``PCM_16`` in,
``PCM_16`` out). Files are batched only with files of the same rate and channel
count; clips of different lengths share a padded batch whose ``lengths`` the ops
respect, with room for ops that lengthen a clip (nothing is cut: see
:class:`omniaug.files.FileCodec`).

Clipping policy for integer formats (``--option audio_clipping=…``):

* ``clip`` (default): samples beyond full scale are clipped to ±1 — what any
  integer format must do; the clip is otherwise untouched.
* ``normalize``: a clip whose peak exceeds full scale is scaled down so its peak
  is exactly full scale (no distortion, the clip gets quieter).
* ``float``: the output is written as 32-bit float (``FLOAT``), keeping values
  beyond ±1, whatever the input's format.

Float inputs stay float and are never clipped. Outputs carry no timestamp (the
WAV ``PEAK`` chunk libsndfile adds to float files is turned off), so identical
runs write identical bytes.
"""

from __future__ import annotations

import io
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF

from omniaug import InputError, batching
from omniaug.files import FileCodec, check_paths, file_error, require_paths

from .payload import AudioBatch, unpack_audio

__all__ = ["load_wavs", "save_wavs", "read_wav", "encode_audio", "FILES", "CLIPPING"]

CLIPPING = ("clip", "normalize", "float")
_SFC_SET_ADD_PEAK_CHUNK = 0x1050  # libsndfile command: no PEAK chunk (it holds a timestamp)
_FLOAT_SUBTYPES = {"FLOAT", "DOUBLE"}


def read_wav(path: str | Path, sample_rate: int | None = None) -> tuple[torch.Tensor, int]:
    """One file as a ``(C, T)`` float32 tensor and its rate (resampled to ``sample_rate`` if given)."""
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError) as exc:  # type: ignore[attr-defined]
        raise file_error(path, "a readable audio file", exc, where="audio.load") from None
    wave = torch.from_numpy(np.ascontiguousarray(data.T))
    if sample_rate is not None and sr != sample_rate:
        wave = AF.resample(wave, sr, sample_rate)
        sr = sample_rate
    return wave, int(sr)


def load_wavs(paths: Sequence[str | Path], sample_rate: int | None = None) -> AudioBatch:
    """Read WAV files into one padded :class:`AudioBatch`.

    Every file is resampled to ``sample_rate`` (default: the first file's rate); mono
    files are repeated to the largest channel count so mixed mono/stereo folders load.
    """
    paths = require_paths(paths, "audio file", where="audio.load")
    waves: list[torch.Tensor] = []
    rate = sample_rate
    for p in paths:
        w, sr = read_wav(p, rate)
        rate = sr
        waves.append(w)
    channels = max(w.shape[0] for w in waves)
    fixed = []
    for p, w in zip(paths, waves):
        if w.shape[0] != channels:
            if w.shape[0] != 1:
                raise file_error(
                    p, f"files with 1 or {channels} channels", f"{w.shape[0]} channels", where="audio.load"
                )
            w = w.expand(channels, -1)
        fixed.append(w)
    batch, lengths = batching.pad_sequences(fixed)
    assert rate is not None
    return AudioBatch(batch.contiguous(), rate, lengths)


def save_wavs(payload: Any, paths: Sequence[str | Path], sample_rate: int = 16000) -> None:
    """Write each example of an audio payload to its path (trimmed to its length, 32-bit float WAV)."""
    wave, sr, lengths = unpack_audio(payload, sample_rate)
    paths = check_paths(paths, wave.shape[0], where="audio.save")
    clips = batching.unpad(wave, lengths, dim=-1) if lengths is not None else list(wave)
    for clip, path in zip(clips, paths):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(encode_audio(clip.detach().cpu().numpy().T, sr, "WAV", "FLOAT"))


def encode_audio(frames: np.ndarray, sample_rate: int, fmt: str, subtype: str) -> bytes:
    """The bytes of an audio file holding ``frames`` ``(T, C)`` float (no timestamp inside)."""
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", int(sample_rate), frames.shape[1], subtype, format=fmt) as fh:
        sf._snd.sf_command(fh._file, _SFC_SET_ADD_PEAK_CHUNK, sf._ffi.NULL, 0)
        fh.write(np.ascontiguousarray(frames, dtype=np.float32))
    return buf.getvalue()


def _info(path: Path) -> Any:
    try:
        return sf.info(str(path))
    except (RuntimeError, sf.LibsndfileError) as exc:  # type: ignore[attr-defined]
        raise file_error(path, "a readable audio file", exc, where="audio.load") from None


def _probe(path: Path, options: Mapping[str, Any]) -> tuple[Hashable, int]:
    info = _info(path)
    if info.frames < 1:
        raise file_error(path, "an audio file with at least one frame", "empty", where="audio.load")
    return ("audio", int(info.samplerate), int(info.channels)), 1


def _read(path: Path, options: Mapping[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    info = _info(path)
    wave, sr = read_wav(path)  # as stored: no resampling
    meta = {"format": info.format, "subtype": info.subtype, "sample_rate": sr, "channels": int(info.channels)}
    return [(wave, sr)], meta


def _lengthen(samples: list[Any], room: float) -> AudioBatch:
    waves = [w for w, _ in samples]
    rate = samples[0][1]
    width = int(np.ceil(max(w.shape[-1] for w in waves) * room))
    batch, lengths = batching.pad_sequences(waves)
    padded = torch.nn.functional.pad(batch, (0, width - batch.shape[-1]))
    return AudioBatch(padded.contiguous(), rate, lengths)


def _collate(samples: list[Any]) -> AudioBatch:
    return _lengthen(samples, 1.0)


def _truncated(out: Any) -> bool:
    if not isinstance(out, AudioBatch) or out.lengths is None:
        return False
    return bool((out.lengths >= out.waveform.shape[-1]).any())


def _encode(samples: list[Any], meta: dict[str, Any], target: Path, options: Mapping[str, Any]) -> bytes:
    (sample,) = samples
    wave, sr, lengths = unpack_audio(sample, meta["sample_rate"])
    n = int(lengths[0]) if lengths is not None else wave.shape[-1]
    frames = wave[0, :, :n].detach().cpu().float().numpy().T
    policy = str(options.get("audio_clipping", "clip"))
    if policy not in CLIPPING:
        raise InputError("--option audio_clipping", f"one of {', '.join(CLIPPING)}", policy)
    subtype = meta["subtype"]
    if policy == "float" and meta["format"] in ("WAV", "WAVEX"):
        subtype = "FLOAT"
    elif subtype not in _FLOAT_SUBTYPES:
        peak = float(np.abs(frames).max()) if frames.size else 0.0
        if peak > 1.0:
            frames = frames / peak if policy == "normalize" else np.clip(frames, -1.0, 1.0)
    if int(sr) != meta["sample_rate"]:
        raise InputError("output", f"audio at the input's {meta['sample_rate']} Hz", f"{sr} Hz", where="audio.save")
    return encode_audio(frames, meta["sample_rate"], meta["format"], subtype)


FILES = FileCodec(
    patterns=("*.wav", "*.flac"),
    probe=_probe,
    read=_read,
    collate=_collate,
    encode=_encode,
    lengthen=_lengthen,
    truncated=_truncated,
    options={"audio_clipping": "clip (default), normalize or float: what happens to samples beyond full scale"},
    preserves=(
        "Sample rate, channel count, length (unless an op changes it — then nothing is cut), container "
        "(WAV/WAVEX/FLAC) and sample format (PCM_16 stays PCM_16, FLOAT stays FLOAT); clipping per "
        "audio_clipping; no timestamp, so identical runs write identical bytes."
    ),
)
