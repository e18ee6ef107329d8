"""`omniaug preview --input PATH` renders the user's own files (a file or a folder)."""

from __future__ import annotations

import pytest

from omniaug import cli


def test_preview_input_folder_with_the_toy_plugin(toy_registry, capsys, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"s{i}.vec").write_text(" ".join(str(float(10 * i + j)) for j in range(5)))
    out = tmp_path / "p.txt"
    code = cli.main(["preview", "vec.default", "--input", str(src), "--out", str(out), "--views", "2"])
    assert code == 0
    first = out.read_text().splitlines()[0]
    assert first.startswith("original") and "20.0" in first and len(eval(first.split(": ", 1)[1])) == 3


def test_preview_input_on_real_photos_of_mixed_sizes(capsys, tmp_path):
    pytest.importorskip("omniaug_image")
    from PIL import Image
    from sklearn.datasets import load_sample_image

    src = tmp_path / "photos"
    src.mkdir()
    Image.fromarray(load_sample_image("china.jpg")[:200, :300]).save(src / "a.jpg")
    Image.fromarray(load_sample_image("flower.jpg")[:120, :160]).save(src / "b.png")  # another size
    Image.fromarray(load_sample_image("flower.jpg")[100:300, 200:500]).save(src / "c.png")
    out = tmp_path / "mine.png"
    code = cli.main(["preview", "image.default", "--input", str(src), "--out", str(out)])
    assert code == 0 and out.exists()
    with Image.open(out) as im:
        assert im.size[0] > 300  # a grid of the 200 × 300 photos (a.jpg and c.png batch together)
    code = cli.main(["preview", "image.default", "--input", str(src / "b.png"), "--out", str(tmp_path / "one.png")])
    assert code == 0 and (tmp_path / "one.png").exists()
    code = cli.main(["preview", "image.default", "--input", str(tmp_path / "nope"), "--out", str(out)])
    assert code == 2 and "does not exist" in capsys.readouterr().err
