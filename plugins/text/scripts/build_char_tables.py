"""Build ``omniaug_text/data/char_tables.json.gz`` from nlpaug's shipped resource files.

Run at development time with nlpaug installed (it is not a run-time dependency)::

    python plugins/text/scripts/build_char_tables.py

nlpaug (MIT licence, notice copied to ``data/NLPAUG_LICENSE.txt``) ships keyboard
neighbour maps for 11 layouts, an English OCR confusion map and a misspelling list.
We copy them into one compact table so the plugin needs neither nlpaug nor its
dependencies (pandas, requests, gdown) at run time, and we never call nlpaug's
augmenters (they draw from Python's global ``random``).

Normalization: keyboard values that are a bare string become one-element lists and
entries that are not one visible character are dropped;
the OCR map is made symmetric (nlpaug applies it in both directions too) and a
few common confusions are added; the spelling list becomes
``{correct word: [misspellings]}``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
from pathlib import Path

import nlpaug

OUT_DIR = Path(__file__).resolve().parents[1] / "src" / "omniaug_text" / "data"
# classic single-character OCR confusions missing from nlpaug's small English map
EXTRA_OCR = {"l": ["1", "I"], "I": ["l", "1"], "S": ["5"], "B": ["8"], "Z": ["2"], "g": ["9"], "e": ["c"], "c": ["e"]}


def _as_list(v: object) -> list[str]:
    return [v] if isinstance(v, str) else [str(c) for c in v]  # type: ignore[union-attr]


def build(res: Path) -> dict[str, object]:
    keyboards = {}
    for path in sorted((res / "char" / "keyboard").glob("*.json")):
        table = json.loads(path.read_text(encoding="utf-8"))
        # single visible characters only (nlpaug's en.json lists " t" as a neighbour of "u")
        keyboards[path.stem] = {
            k: [c for c in _as_list(v) if c != k and len(c) == 1 and not c.isspace()] for k, v in table.items()
        }
    ocr: dict[str, list[str]] = {}
    raw = json.loads((res / "char" / "ocr" / "en.json").read_text(encoding="utf-8"))
    for src, targets in [*raw.items(), *EXTRA_OCR.items()]:
        for t in _as_list(targets):
            for a, b in ((src, t), (t, src)):
                if a != b and b not in ocr.setdefault(a, []):
                    ocr[a].append(b)
    spelling: dict[str, list[str]] = {}
    for line in (res / "word" / "spelling" / "spelling_en.txt").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) >= 2:
            lst = spelling.setdefault(words[0], [])
            lst.extend(w for w in words[1:] if w != words[0] and w not in lst)
    return {
        "source": f"nlpaug {nlpaug.__version__} resources (MIT)",
        "keyboards": keyboards,
        "ocr": {"en": ocr},
        "spelling": {"en": spelling},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    pkg = Path(nlpaug.__file__).parent
    tables = build(pkg / "res")
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / "char_tables.json.gz"
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=9) as fh:
        json.dump(tables, fh, separators=(",", ":"), ensure_ascii=False)
    dist_info = next(pkg.parent.glob(f"nlpaug-{nlpaug.__version__}.dist-info"))
    shutil.copyfile(dist_info / "LICENSE", args.out / "NLPAUG_LICENSE.txt")
    print(f"wrote {target} ({target.stat().st_size / 1e3:.0f} kB): layouts {sorted(tables['keyboards'])}")  # type: ignore[call-overload]


if __name__ == "__main__":
    main()
