"""Dask: map_partitions seeds per row — the same bytes for 4 and 8 partitions (dataframes and bags)."""

from __future__ import annotations

import numpy as np
import pytest

from omniaug.integrations import augment_rows
from omniaug.integrations import dask as oa_dask

from .scaleout_files import write_images, write_texts

dd = pytest.importorskip("dask.dataframe")
db = pytest.importorskip("dask.bag")
pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def frame(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("dask")
    images = [np.asarray(Image.open(p).convert("RGB")) for p in write_images(folder / "img", count=16)]
    texts = [p.read_text() for p in write_texts(folder / "txt", count=16)]
    return pd.DataFrame({"image": images, "text": texts, "id": [f"item{i:02d}" for i in range(16)]})


def _bytes(values):
    return [np.asarray(v).tobytes() if not isinstance(v, str) else v for v in values]


@pytest.mark.parametrize(("column", "preset"), [("image", "image.default"), ("text", "text.default")])
def test_the_same_bytes_for_4_and_8_partitions(frame, column, preset):
    import dask

    runs = []
    for n in (4, 8):
        with dask.config.set({"dataframe.convert-string": False}):  # keep array cells as arrays
            ddf = dd.from_pandas(frame, npartitions=n)
            out = oa_dask.map_partitions(ddf, preset, column=column, key="id", seed=9, output_column="aug")
            runs.append(_bytes(out.compute(scheduler="threads")["aug"]))
    assert runs[0] == runs[1]
    assert runs[0] != _bytes(frame[column])  # it did augment
    # and they are the rows' own augmentations (what augment_rows gives them alone)
    from omniaug.integrations import KeyedTransform

    t = KeyedTransform(preset, column=column, seed=9)
    alone = augment_rows(t.transform, [frame[column][3]], ["item03"], seed=9, image_arrays=column == "image")
    assert runs[0][3] == _bytes(alone)[0]


def test_index_keys_survive_repartitioning(frame):
    ddf = dd.from_pandas(frame[["text"]], npartitions=4)
    a = oa_dask.map_partitions(ddf, "text.noise", column="text", seed=2).compute(scheduler="synchronous")
    b = oa_dask.map_partitions(ddf.repartition(npartitions=8), "text.noise", column="text", seed=2).compute(
        scheduler="synchronous"
    )
    assert list(a["text"]) == list(b["text"])


def test_bags_of_records(frame):
    records = [{"text": t, "id": i} for t, i in zip(frame["text"], frame["id"])]
    outs = [
        oa_dask.map_partitions(
            db.from_sequence(records, npartitions=n), "text.default", column="text", key="id", seed=1
        ).compute(scheduler="synchronous")
        for n in (4, 8)
    ]
    assert [r["text"] for r in outs[0]] == [r["text"] for r in outs[1]]
    with pytest.raises(Exception, match="key"):
        oa_dask.map_partitions(db.from_sequence(records, npartitions=2), "text.noise", column="text").compute(
            scheduler="synchronous"
        )
