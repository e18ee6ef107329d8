"""The core's file checks every plugin's load/save calls: one error shape (argument, expected, got) for all."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from omniaug import InputError, registry
from omniaug.files import check_paths, file_error, read_text_file, require_paths


def test_check_paths_wants_one_path_per_sample() -> None:
    assert check_paths(["a.png", Path("b.png")], 2, where="x.save") == [Path("a.png"), Path("b.png")]
    with pytest.raises(InputError, match=r"^x\.save: `paths` must be 3 paths, one per sample; got list") as info:
        check_paths(["a", "b"], 3, where="x.save")
    assert info.value.argument == "paths" and info.value.got == ["a", "b"]
    with pytest.raises(InputError, match="must be 1 path, one per sample; got 'a.png'"):
        check_paths("a.png", 1, where="x.save")  # a single string is not a list of one path


def test_require_paths_wants_at_least_one() -> None:
    assert require_paths(("a.wav",), "audio file", where="a.load") == [Path("a.wav")]
    with pytest.raises(InputError, match=r"^a\.load: `paths` must be at least one audio file \(a list of paths\)"):
        require_paths([], "audio file", where="a.load")


def test_file_error_names_the_file_and_the_reason_on_one_line() -> None:
    err = file_error(Path("/deep/dir/x.npy"), "a .npy file", ValueError("bad\n   header"), where="t.load")
    assert str(err) == "t.load: `paths` must be a .npy file; got 'x.npy (ValueError: bad header)'"
    assert str(file_error("y.csv", "a CSV file", None, where="t.load")).endswith("got 'y.csv'")
    assert len(file_error("z", "e", "r" * 500, where="w").got) == len("z (") + 160 + 1


def test_read_text_file_names_the_file_when_it_does_not_decode(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("café\r\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"^t\.load: `paths` must be text in utf-8 .*; got \"latin\.txt: bytes"):
        read_text_file(path, where="t.load")
    text, layout = read_text_file(path, "latin-1", where="t.load")
    assert text == "café" and layout.newline == "\r\n" and layout.final_newline
    with pytest.raises(
        InputError, match=r"`paths` must be a readable text file; got 'missing\.txt \(FileNotFoundError"
    ):
        read_text_file(tmp_path / "missing.txt", where="t.load")


SAVES = {  # modality: a payload of two samples (the plugin's own example data)
    "image": 2,
    "audio": 2,
    "timeseries": 2,
    "text": 2,
    "code": 2,
    "graph": 2,
}


@pytest.mark.parametrize("name", sorted(SAVES))
def test_every_plugin_save_refuses_a_path_count_that_is_not_one_per_sample(name: str, tmp_path: Path) -> None:
    reg = registry()
    if name not in reg.modalities:
        pytest.skip(f"the {name} plugin is not installed")
    spec = reg.modality(name)
    x = spec.subset(reg.example_data(name), torch.arange(2))
    with pytest.raises(InputError, match=rf"^{name}\.save: `paths` must be 2 paths, one per sample; got list"):
        spec.save(x, [tmp_path / "only-one"])


@pytest.mark.parametrize("name", sorted(SAVES))
def test_every_plugin_load_refuses_no_paths(name: str) -> None:
    reg = registry()
    if name not in reg.modalities:
        pytest.skip(f"the {name} plugin is not installed")
    with pytest.raises(InputError, match=rf"^{name}\.load: `paths` must be at least one .* file \(a list of paths\)"):
        reg.modality(name).load([])
