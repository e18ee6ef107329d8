"""Small sets of real files for the scale-out tests: photo crops, speech-like audio and prose."""

from __future__ import annotations

import inspect
import wave
from pathlib import Path

import numpy as np


def write_images(folder: Path, count: int = 24, size: int = 48) -> list[Path]:
    """PNG crops (two sizes, so apply forms two groups) of the two photos scikit-learn ships.

    Any ``count``: crop positions walk the photos (about 40,000 distinct crops of 48 px).
    """
    from PIL import Image
    from sklearn.datasets import load_sample_images

    photos = [np.asarray(im) for im in load_sample_images().images]
    paths = []
    for i in range(count):
        s = size if i % 3 else size + 8
        photo = photos[i % 2]
        top = (10 + 13 * (i // 6)) % (photo.shape[0] - s)
        left = (10 + 29 * (i % 6) + 7 * (i // 600)) % (photo.shape[1] - s)
        crop = photo[top : top + s, left : left + s]
        p = folder / f"{'sub/' if i % 4 == 0 else ''}img{i:03d}.png"
        p.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.ascontiguousarray(crop)).save(p)
        paths.append(p)
    return paths


def write_texts(folder: Path, count: int = 12) -> list[Path]:
    """Plain-text files of prose: docstrings of the standard library's modules."""
    import argparse
    import collections
    import json
    import pathlib as pl
    import textwrap

    docs = [inspect.getdoc(obj) or "" for obj in (argparse, collections, json, pl, textwrap, inspect, wave, np)]
    sentences = [s.strip() + "." for d in docs for s in d.replace("\n", " ").split(". ") if 40 < len(s) < 200]
    paths = []
    for i in range(count):
        p = folder / f"doc{i:02d}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(" ".join(sentences[3 * i : 3 * i + 3]) + "\n", encoding="utf-8")
        paths.append(p)
    return paths


def write_wavs(folder: Path, count: int = 8, rate: int = 16000) -> list[Path]:
    """16-bit mono WAVs of vowel-like harmonic tones with formants and envelopes, one length per file."""
    rng = np.random.default_rng(0)
    paths = []
    for i in range(count):
        n = rate // 2
        t = np.arange(n) / rate
        f0 = 110 + 15 * i
        voice = sum(
            np.sin(2 * np.pi * f0 * h * t) / h * np.exp(-((f0 * h - 700 - 80 * i) ** 2) / 2e5) for h in range(1, 30)
        )
        env = np.minimum(1, t / 0.05) * np.exp(-t * 2)
        x = 0.5 * voice * env / np.abs(voice).max() + 0.003 * rng.standard_normal(n)
        p = folder / f"utt{i:02d}.wav"
        p.parent.mkdir(parents=True, exist_ok=True)
        with wave.open(str(p), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(rate)
            w.writeframes((np.clip(x, -1, 1) * 32767).astype("<i2").tobytes())
        paths.append(p)
    return paths


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every output file's bytes by relative path (the run's record and report left out)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith("omniaug-apply")
    }
