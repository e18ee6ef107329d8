"""`omniaug apply` on real text (the Zen of Python, the Python licence) and real code (standard-library
modules): encodings, line endings and final newlines kept, a one-sample-per-line mode, and files that
cannot be decoded or parsed are skipped and reported while the rest is written."""

from __future__ import annotations

import codecs
import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("omniaug_text")
pytest.importorskip("omniaug_code")

from omniaug import cli
from omniaug.cli import apply_folder


def _zen() -> list[str]:
    import this  # noqa: F401 - prints the Zen once; its text is rot13 in this.s

    return codecs.decode(sys.modules["this"].s, "rot13").splitlines()[2:]


@pytest.fixture(scope="module")
def texts(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("texts")
    zen = _zen()
    (root / "zen_lf.txt").write_bytes(("\n".join(zen) + "\n").encode())
    (root / "zen_crlf.txt").write_bytes(("\r\n".join(zen[:10]) + "\r\n").encode())
    (root / "zen_bom_nofinal.txt").write_bytes(b"\xef\xbb\xbf" + "\n".join(zen[5:12]).encode())
    licence = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "LICENSE.txt"
    if licence.exists():
        paragraphs = licence.read_text().split("\n\n")[1:4]
        (root / "licence.txt").write_bytes(("\n\n".join(paragraphs) + "\n").encode())
    (root / "latin1.txt").write_bytes("Le café est prêt.\nÀ bientôt, señor.\n".encode("latin-1"))
    return root


def _lines(raw: bytes, newline: bytes) -> list[bytes]:
    return raw.split(newline)


def test_text_files_keep_line_endings_bom_and_final_newline(texts, tmp_path, capsys):
    code = cli.main(["apply", "text.default", str(texts), str(tmp_path / "out"), "-q", "--seed", "3"])
    err = capsys.readouterr().err
    assert code == 1 and "latin1.txt" in err and "utf-8" in err  # not UTF-8: skipped, named, reported
    out = tmp_path / "out"
    crlf = (out / "zen_crlf.aug0.txt").read_bytes()
    assert crlf.endswith(b"\r\n") and b"\n" not in crlf.replace(b"\r\n", b"")
    lf = (out / "zen_lf.aug0.txt").read_bytes()
    assert lf.endswith(b"\n") and b"\r" not in lf
    bom = (out / "zen_bom_nofinal.aug0.txt").read_bytes()
    assert bom.startswith(b"\xef\xbb\xbf") and not bom.endswith(b"\n")
    assert (texts / "zen_lf.txt").read_bytes() != lf


def test_an_encoding_option_reads_and_writes_latin1(texts, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "latin1.txt").write_bytes((texts / "latin1.txt").read_bytes())
    stats = apply_folder(
        cli.build_transform("text.default"), src, tmp_path / "out", progress=False, options={"encoding": "latin-1"}
    )
    assert stats["failed"] == 0
    (tmp_path / "out" / "latin1.aug0.txt").read_bytes().decode("latin-1")  # written back in Latin-1


def test_lines_mode_augments_each_line_and_keeps_the_line_count(texts, tmp_path):
    stats = apply_folder(
        cli.build_transform("text.default"),
        texts,
        tmp_path / "out",
        progress=False,
        batch_size=8,
        options={"text_mode": "lines"},
    )
    assert stats["failed"] == 1  # latin1.txt
    for name, newline in (("zen_lf", b"\n"), ("zen_crlf", b"\r\n"), ("licence", b"\n")):
        if not (texts / f"{name}.txt").exists():
            continue
        a = _lines((texts / f"{name}.txt").read_bytes(), newline)
        b = _lines((tmp_path / "out" / f"{name}.aug0.txt").read_bytes(), newline)
        assert len(a) == len(b), name
        assert [x.strip() == b"" for x in a] == [x.strip() == b"" for x in b], name  # blank lines stay put
        assert sum(x != y for x, y in zip(a, b)) >= 1, name


STDLIB = ["colorsys.py", "bisect.py", "textwrap.py", "shlex.py"]


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    import sysconfig

    root = tmp_path_factory.mktemp("code")
    lib = Path(sysconfig.get_paths()["stdlib"])
    for name in STDLIB:
        (root / name).write_bytes((lib / name).read_bytes())
    colorsys = (lib / "colorsys.py").read_text()
    (root / "crlf_colorsys.py").write_bytes(colorsys.replace("\n", "\r\n").encode())
    latin = "# -*- coding: latin-1 -*-\n" + colorsys.replace('"""Conversion', '"""Café conversion', 1)
    (root / "latin1_colorsys.py").write_bytes(latin.encode("latin-1"))
    (root / "bad_bytes.py").write_bytes(b"x = '\xff\xfe not utf-8'\n")  # no coding declaration: undecodable
    (root / "deep.py").write_text("x = " + "(" * 300 + "1" + ")" * 300 + "\n")  # deeper than the parser allows
    return root


def test_code_keeps_encoding_and_line_endings_and_skips_what_it_cannot_read(sources, tmp_path, capsys):
    code = cli.main(["apply", "code.default", str(sources), str(tmp_path / "out"), "-q", "--seed", "1"])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    out = tmp_path / "out"
    report = [json.loads(x) for x in (out / "omniaug-apply-report.jsonl").read_text().splitlines()]
    failed = {x["input"] for x in report if "error" in x}
    assert "bad_bytes.py" in failed and code == 1
    assert failed <= {"bad_bytes.py", "deep.py"}  # the deep file is either transformed or reported, never fatal
    for name in STDLIB:
        compile((out / name.replace(".py", ".aug0.py")).read_text(), name, "exec")  # still valid Python
    crlf = (out / "crlf_colorsys.aug0.py").read_bytes()
    assert b"\r\n" in crlf and b"\n" not in crlf.replace(b"\r\n", b"")
    latin = (out / "latin1_colorsys.aug0.py").read_bytes()
    assert latin.startswith(b"# -*- coding: latin-1 -*-") and "Café".encode("latin-1") in latin
    compile(latin, "latin1_colorsys.py", "exec")
