"""Regenerate the WAV files bundled in ``omniaug_audio/data`` (needs espeak-ng; run once by hand).

python plugins/audio/tools/make_data.py
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import soundfile as sf
import torch
import torchaudio.functional as AF

from omniaug import rng
from omniaug_audio.bundled import WORDS, data_dir
from omniaug_audio.io import read_wav
from omniaug_audio.ops.reverb import synthetic_rir

RATE = 16000


def speak(word: str, voice: str, speed: int, pitch: int, out: Path) -> torch.Tensor:
    """Synthesize ``word`` with espeak-ng; return a 16 kHz mono waveform trimmed of silence."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "w.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(raw), word], check=True)
        wave, _ = read_wav(raw, RATE)
    wave = wave.mean(0)
    loud = (wave.abs() > 0.02 * wave.abs().max()).nonzero().flatten()
    wave = wave[int(loud[0]) : int(loud[-1]) + 1]
    return 0.5 * wave / wave.abs().max()


def main() -> None:
    if shutil.which("espeak-ng") is None:
        raise SystemExit("espeak-ng is not installed (apt-get install espeak-ng)")
    out = data_dir()
    out.mkdir(exist_ok=True)
    words = []
    for w in WORDS:
        wave = speak(w, "en-us", 150, 50, out)
        sf.write(out / f"word_{w}.wav", wave.numpy(), RATE, subtype="PCM_16")
        words.append(wave)
    g = rng.make_generator(0)
    babble = torch.zeros(int(1.5 * RATE))
    for k in range(12):  # overlapping words at random offsets and levels
        w = words[k % len(words)]
        start = int(rng.randint(1, 0, babble.numel() - w.numel(), generator=g))
        babble[start : start + w.numel()] += w * float(rng.uniform(1, 0.3, 1.0, generator=g))
    babble = AF.lowpass_biquad(babble, RATE, 3000.0)
    sf.write(out / "babble.wav", (0.5 * babble / babble.abs().max()).numpy(), RATE, subtype="PCM_16")
    for name, rt60 in (("small_room", 0.25), ("hall", 0.7)):
        n = int(rt60 * RATE)
        ir = synthetic_rir(rng.normal(1, shape=(n,), generator=g), torch.tensor([rt60]), RATE, torch.tensor([0.0]))[0]
        sf.write(out / f"ir_{name}.wav", (0.9 * ir / ir.abs().max()).numpy(), RATE, subtype="PCM_16")
    total = sum(f.stat().st_size for f in out.glob("*.wav"))
    print(f"wrote {len(list(out.glob('*.wav')))} files, {total / 1024:.0f} KB in {out}")


if __name__ == "__main__":
    main()
