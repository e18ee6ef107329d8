"""Hugging Face `datasets`: same bytes for any num_proc / batch size, on-the-fly per-epoch seeds, a stable cache fingerprint."""

from __future__ import annotations

import numpy as np
import pytest

from omniaug.integrations import hf

from .scaleout_files import write_images, write_texts

datasets = pytest.importorskip("datasets")


@pytest.fixture(scope="module")
def image_ds(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("hf_images")
    paths = write_images(folder, count=12)
    return datasets.Dataset.from_dict(
        {"image": [Image.open(p).convert("RGB") for p in paths], "path": [p.name for p in paths]}
    )


def _arrays(ds, column):
    return [np.asarray(v).tobytes() for v in ds[column]]


def test_map_gives_the_same_bytes_for_num_proc_1_and_2_and_any_batch_size(image_ds, tmp_path):
    t = hf.transform("image.default", column="image", output_column="aug", seed=5)
    one = hf.map(image_ds, t, num_proc=None, batch_size=5, cache_file_name=str(tmp_path / "a.arrow"))
    two = hf.map(image_ds, t, num_proc=2, batch_size=3, cache_file_name=str(tmp_path / "b.arrow"))
    a, b = _arrays(one, "aug"), _arrays(two, "aug")
    assert a == b
    assert a != _arrays(image_ds, "image")  # it did augment
    assert len(set(a)) == len(a)


def test_key_column_and_index_keys_and_text_columns(tmp_path):
    texts = [p.read_text() for p in write_texts(tmp_path, count=10)]
    ds = datasets.Dataset.from_dict({"text": texts, "id": [f"doc{i}" for i in range(10)]})
    t = hf.transform("text.noise", column="text", key="id", seed=1)
    whole = ds.map(t, batched=True, batch_size=10)["text"]
    halves = ds.map(t, batched=True, batch_size=3)["text"]
    assert whole == halves and whole != texts
    # the same rows reordered keep their augmentations (keys follow the rows)
    rev = ds.select(range(9, -1, -1)).map(t, batched=True, batch_size=4)["text"]
    assert rev == whole[::-1]


def test_audio_columns(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(8000) / 16000
    clips = [
        {
            "array": (0.3 * np.sin(2 * np.pi * (150 + 20 * i) * t) + 0.01 * rng.standard_normal(8000)).astype(
                np.float32
            ),
            "sampling_rate": 16000,
        }
        for i in range(6)
    ]
    ds = datasets.Dataset.from_dict({"audio": clips})
    tr = hf.transform("audio.gain", column="audio", seed=2)
    a = ds.map(tr, batched=True, batch_size=6, with_indices=True)["audio"]
    b = ds.map(tr, batched=True, batch_size=1, with_indices=True)["audio"]
    for x, y, c in zip(a, b, clips):
        assert np.array_equal(np.asarray(x["array"]), np.asarray(y["array"])) and x["sampling_rate"] == 16000
        ratio = np.asarray(x["array"]) / c["array"]
        assert np.allclose(ratio, ratio[0], rtol=1e-4)  # a gain: one factor per clip


def test_with_transform_seeds_by_key_and_epoch(image_ds):
    live = hf.transform("image.default", column="image", key="path", seed=5)
    ds = image_ds.with_transform(live)
    first = np.asarray(ds[3]["image"]).tobytes()
    assert np.asarray(ds[2:5]["image"][1]).tobytes() == first  # same item, other batch
    live.set_epoch(1)
    assert np.asarray(ds[3]["image"]).tobytes() != first  # a new epoch, a new draw
    live.set_epoch(0)
    assert np.asarray(ds[3]["image"]).tobytes() == first
    keyed = hf.add_keys(image_ds)
    assert keyed["omniaug_key"] == list(range(len(image_ds)))


def test_the_cache_fingerprint_is_stable_and_follows_the_config():
    from datasets.fingerprint import Hasher

    a = hf.transform("image.default", column="image", seed=5)
    b = hf.transform("image.default", column="image", seed=5)
    c = hf.transform("image.default", column="image", seed=6)
    assert Hasher.hash(a) == Hasher.hash(b) != Hasher.hash(c)
    assert a.fingerprint("x") == b.fingerprint("x") != c.fingerprint("x")


def test_a_second_map_reuses_the_cache(image_ds, tmp_path):
    t = hf.transform("image.default", column="image", output_column="aug", seed=5)
    first = hf.map(image_ds, t, cache_file_name=str(tmp_path / "c.arrow"))
    again = hf.map(
        image_ds,
        hf.transform("image.default", column="image", output_column="aug", seed=5),
        cache_file_name=str(tmp_path / "c.arrow"),
    )
    assert again._fingerprint == first._fingerprint
    assert again.cache_files == first.cache_files
