"""WordNet extract: known WordNet 3.0 facts, morphology, and the build script's parser on a tiny database."""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

from omniaug_text.lexicon import STOP_WORDS, keyboard, keyboard_layouts, ocr_map, spelling, wordnet

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def test_known_synonyms_and_antonyms() -> None:
    wn = wordnet()
    assert {"auto", "automobile", "machine", "motorcar"} <= set(wn.synonyms("car"))
    assert {"bad", "evil"} <= set(wn.antonyms("good"))
    assert "unhappy" in wn.antonyms("happy")
    assert "car" not in wn.synonyms("car")
    assert wn.synonyms("the") == ()


def test_morphology_and_multiword_lemmas() -> None:
    wn = wordnet()
    assert "domestic dog" in wn.synonyms("dogs")  # suffix rule -> dog
    assert "mouse" in wn.synonyms("mice")  # exception list
    assert "goose" in wn.lemmas("geese", "n")
    assert "run" in wn.lemmas("running", "v")
    assert {"frank", "wiener"} & set(wn.synonyms("hot dog"))  # multiword lookups with a space
    assert "ice cream" in wn.synonyms("icecream")
    assert "ice cream" in wn


def test_char_tables() -> None:
    assert len(keyboard_layouts()) == 11
    assert "s" in keyboard("en")["a"] and "q" in keyboard("en")["a"]
    assert "z" in keyboard("de")["t"]  # QWERTZ
    assert "0" in ocr_map()["o"] and "o" in ocr_map()["0"]
    assert "acommodate" in spelling()["accommodate"] or spelling()["accommodate"]
    assert "the" in STOP_WORDS and "dog" not in STOP_WORDS


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def test_build_wordnet_parses_the_database_format(tmp_path: Path) -> None:
    """A three-synset database in wndb(5WN) format with CRLF line endings, like the shipped files."""
    header = "  1 This software and database is being provided to you\r\n"
    data = {
        "noun": "00000001 05 n 02 car 0 auto 0 000 | a motor vehicle  \r\n00000002 05 n 01 ice_cream 0 000 | frozen  \r\n",
        "verb": "",
        "adj": (
            "00000010 00 a 02 good 0 full 0 001 ! 00000020 a 0101 | having desirable qualities  \r\n"
            "00000020 00 a 02 bad 0 big(a) 0 001 ! 00000010 a 0101 | not good  \r\n"
        ),
        "adv": "",
    }
    index = {
        "noun": "car n 1 0 1 0 00000001  \r\nauto n 1 0 1 0 00000001  \r\nice_cream n 1 0 1 0 00000002  \r\n",
        "verb": "",
        "adj": "good a 1 1 ! 1 0 00000010  \r\nfull a 1 0 1 0 00000010  \r\nbad a 1 1 ! 1 0 00000020  \r\nbig a 1 0 1 0 00000020  \r\n",
        "adv": "",
    }
    for pos in data:
        (tmp_path / f"data.{pos}").write_bytes((header + data[pos]).encode())
        (tmp_path / f"index.{pos}").write_bytes((header + index[pos]).encode())
        (tmp_path / f"{pos}.exc").write_bytes(b"cars car\r\n" if pos == "noun" else b"")
    (tmp_path / "LICENSE").write_text("WordNet licence")
    module = _load_script("build_wordnet")
    resource = module.build(tmp_path)
    assert resource["synsets"] == [["car", "auto"], ["good", "full"], ["bad", "big"]]
    assert resource["index"]["n"] == {"car": [0], "auto": [0]}  # ice_cream: a one-lemma synset offers no synonym
    assert resource["antonyms"] == {"good": ["bad"], "bad": ["good"]}
    assert resource["exceptions"]["n"] == {"cars": ["car"]}
    # the loader understands it
    from omniaug_text.lexicon import WordNet

    wn = WordNet(json.loads(json.dumps(resource)))
    assert wn.synonyms("cars") == ("car", "auto")  # as nltk: the base form counts, only the word itself is dropped
    assert wn.antonyms("Good") == ("bad",)


def test_shipped_resource_carries_the_licence() -> None:
    data = Path(__file__).resolve().parents[1] / "src" / "omniaug_text" / "data"
    assert "Princeton University" in (data / "WORDNET_LICENSE.txt").read_text()
    assert (
        "MIT" in (data / "NLPAUG_LICENSE.txt").read_text() or "Permission" in (data / "NLPAUG_LICENSE.txt").read_text()
    )
    with gzip.open(data / "wordnet.json.gz", "rt") as fh:
        assert json.load(fh)["source"].startswith("WordNet 3.0")
