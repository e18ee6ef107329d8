"""Real-corpus report of omniaug-code: per language and op, applied share and breaks on real code.

Runs every op (and the ``code.default`` preset) over the real corpora of
``tests/real_corpus.py`` with several seeds, checks every variant that changed
(CPython's own test files for stdlib modules; build and run for C, C++, Java and
JavaScript programs; ``go test`` for Go packages) and prints two Markdown tables:

1. *checked corpus*: files where the op's construct occurs, the share of them the op
   changed, variants built and checked, and breaks (must be 0; "explained" counts
   breaks that are documented behaviour, e.g. a module's own test calling a private
   helper that ``rename_functions`` renamed);
2. *wide corpus* (parse-checked only, larger): applied share where the construct
   occurs — C: every ``*.c`` example under ``/usr/share/doc`` plus the vendored ones;
   C++: googletest's sources; Java: ``java.util`` of the JDK's ``src.zip``;
   JavaScript: the packages bundled with npm; Go: the standard library; Python: the
   standard library's modules.

This is a report, not a timed test (the test suite runs a bounded subset:
``tests/test_real_corpus.py``). A language whose toolchain is missing is listed
with the reason. Run from the repository root::

    .venv/bin/python plugins/code/scripts/real_corpus_report.py [--seeds 2] [--languages python c cpp java javascript go]
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

import real_corpus as rc  # noqa: E402

import omniaug  # noqa: E402
from omniaug_code import OPS, CodeBatch, default_pipeline  # noqa: E402

LANGUAGES = ("python", "c", "cpp", "java", "javascript", "go")
PROJECTS = {
    "python": lambda quick: rc.python_projects(rc.PYTHON_MODULES_QUICK if quick else rc.PYTHON_MODULES),
    "c": rc.c_projects,
    "cpp": rc.cpp_projects,
    "java": rc.java_projects,
    "javascript": rc.javascript_projects,
    "go": rc.go_projects,
}
CORPUS_NAMES = {
    "python": "CPython {v} standard-library modules, each with its own `Lib/test/test_<module>.py`",
    "c": "zlib 1.2.13, expat 2.5.0 and xz 5.4.1 example programs (Debian doc packages, vendored), built with gcc and run",
    "cpp": "googletest 1.12.1 samples with their unit tests (Debian `googletest`/`libgtest-dev`); numpy 2.4 `generate_umath_validation_data.cpp`",
    "java": "`java.util` classes from the JDK's `src.zip`, patched into `java.base` and run by a driver",
    "javascript": "npm packages semver, ms, just-diff(-apply), brace-expansion + balanced-match, abbrev, ini, cssesc, fastest-levenshtein (vendored), run by drivers",
    "go": "Go standard-library packages copied into a module and run with their own `go test` files",
}


def _op_label(name: str) -> str:
    return name.replace("code.", "")


def checked(
    languages: Iterable[str], seeds: list[int], quick: bool, workers: int, root: Path
) -> tuple[list[str], list[str]]:
    rows, notes = [], []
    for lang in languages:
        outcomes: list[rc.Outcome] = []
        unavailable = []
        t0 = time.perf_counter()
        for project in PROJECTS[lang](quick):
            try:
                outcomes += rc.evaluate(project, seeds, root / lang / project.name.replace("/", "_"), workers=workers,
                                        explained=rc.python_explained if lang == "python" else None)  # fmt: skip
            except rc.Unavailable as exc:
                unavailable.append(str(exc))
        projects = sorted({o.project for o in outcomes})
        notes.append(f"- **{lang}** ({len(projects)} projects, {time.perf_counter() - t0:.0f} s): "
                     + CORPUS_NAMES[lang].format(v=sys.version.split()[0])
                     + (f"; unavailable: {'; '.join(unavailable)}" if unavailable else ""))  # fmt: skip
        by_op: dict[str, list[rc.Outcome]] = collections.defaultdict(list)
        for o in outcomes:
            by_op[o.op].append(o)
        for op in rc.op_names(lang):
            os_ = by_op.get(op, [])
            if not os_:
                continue
            construct = sum(o.construct for o in os_)
            applied = sum(o.applied_with_construct for o in os_)
            share = f"{applied / construct:.2f}" if construct else "–"
            ran = sum(o.ran for o in os_)
            broke = sum(o.broke for o in os_)
            explained = sum(bool(o.explained) for o in os_)
            failed = sum(len(o.failed) for o in os_)
            rows.append(
                f"| {lang} | {_op_label(op)} | {construct // len(seeds)} | {share} | {ran} | {broke} | {explained} | {failed} |"
            )
            for o in os_:
                if o.broke:
                    notes.append(f"  - BREAK {o.project} {o.op} seed {o.seed}: {o.detail[-600:]!r}")
                elif o.explained:
                    notes.append(f"  - explained: {o.project} {o.op} seed {o.seed}: {o.explained}")
    return rows, notes


# -- wide corpora (parse-checked) -------------------------------------------------------------------------


def _read(paths: Iterable[Path], limit: int) -> list[str]:
    out = []
    for p in sorted(paths)[:limit]:
        try:
            out.append(p.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, OSError):
            continue
    return out


def wide_corpus(lang: str, limit: int) -> tuple[str, list[str]]:
    if lang == "python":
        import sysconfig

        std = Path(sysconfig.get_paths()["stdlib"])
        return "the standard library's top-level modules", _read(std.glob("*.py"), limit)
    if lang == "c":
        files = list(Path("/usr/share/doc").glob("*/examples/**/*.c")) + list((rc.CORPUS / "c").rglob("*.c"))
        return "`/usr/share/doc/*/examples/**/*.c` and the vendored programs", _read(files, limit)
    if lang == "cpp":
        files = list(Path("/usr/src/googletest").rglob("*.cc")) + list((rc.CORPUS / "cpp").rglob("*.cpp"))
        return "googletest's sources and tests (`/usr/src/googletest`), numpy's generator", _read(files, limit)
    if lang == "java":
        jdk = rc.jdk_with_sources()
        if jdk is None:
            return "no JDK src.zip", []
        with zipfile.ZipFile(jdk[1]) as z:
            names = sorted(
                n
                for n in z.namelist()
                if n.startswith("java.base/java/util/") and n.count("/") == 3 and n.endswith(".java")
            )
            return f"`java.base/java/util/*.java` of {jdk[1]}", [z.read(n).decode("utf-8") for n in names[:limit]]
    if lang == "javascript":
        base = Path("/usr/lib/node_modules/npm/node_modules")
        files = (
            [p for p in base.rglob("*.js") if "/esm/" not in str(p) and "/test" not in str(p)] if base.is_dir() else []
        )
        files += list((rc.CORPUS / "javascript").rglob("*.js"))
        return "the packages bundled with npm (`/usr/lib/node_modules/npm/node_modules`) and the vendored ones", _read(
            files, limit
        )
    if lang == "go":
        import shutil
        import subprocess

        if shutil.which("go") is None:
            return "go is not installed", []
        root = Path(subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True).stdout.strip()) / "src"
        files = [p for p in root.glob("*/*.go") if not p.name.endswith("_test.go")]
        return f"`{root}/*/*.go` (standard library, tests excluded)", _read(files, limit)
    raise KeyError(lang)


def wide(languages: Iterable[str], limit: int, seeds: list[int]) -> tuple[list[str], list[str], list[str]]:
    ops = [op.name for op in OPS] + [rc.PRESET]
    header = "| language | files | " + " | ".join(_op_label(o) for o in ops) + " |"
    sep = "|---|---:|" + "---:|" * len(ops)
    rows, notes = [], []
    for lang in languages:
        what, sources = wide_corpus(lang, limit)
        notes.append(f"- **{lang}**: {what} ({len(sources)} files)")
        if not sources:
            continue
        has = [rc.constructs(s, lang) for s in sources]
        cells = []
        for name in ops:
            if name != rc.PRESET and lang not in next(o for o in OPS if o.name == name).languages:
                cells.append("n/a")
                continue
            idx = [i for i, h in enumerate(has) if name in h]
            if not idx:
                cells.append("–")
                continue
            applied = failed = 0
            for seed in seeds:
                op = default_pipeline() if name == rc.PRESET else rc._make_op(name)
                out = op(CodeBatch([sources[i] for i in idx], lang), generator=omniaug.rng.make_generator(seed))
                applied += sum(out.sources[k] != sources[i] for k, i in enumerate(idx))
                failed += sum(s.outcome == "failed" for log in out.status or [] for s in log)
            cells.append(f"{applied / (len(idx) * len(seeds)):.2f}" + (f" ({failed} failed)" if failed else ""))
        rows.append(f"| {lang} | {len(sources)} | " + " | ".join(cells) + " |")
    return [header, sep, *rows], notes, ops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    parser.add_argument("--seeds", type=int, default=2, help="seeds 0 … N-1 per op")
    parser.add_argument("--quick", action="store_true", help="only the subset the test suite runs")
    parser.add_argument("--workers", type=int, default=max(1, min(4, os.cpu_count() or 1)))
    parser.add_argument("--wide-limit", type=int, default=400, help="files per language in the wide corpus")
    parser.add_argument("--skip-checked", action="store_true", help="only the wide (parse-checked) table")
    parser.add_argument("--skip-wide", action="store_true", help="only the checked table")
    args = parser.parse_args()
    seeds = list(range(args.seeds))
    t0 = time.perf_counter()
    print(f"# omniaug-code on real corpora (seeds {seeds}, {os.cpu_count()} cores)\n")
    if not args.skip_checked:
        with tempfile.TemporaryDirectory(prefix="omniaug-real-") as tmp:
            rows, notes = checked(args.languages, seeds, args.quick, args.workers, Path(tmp))
        print("## Checked corpus: every variant built and run / tested\n")
        print(
            "| language | op | files with the construct | applied share | variants checked | breaks | explained | op failures |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|")
        print("\n".join(rows))
        print()
        print("\n".join(notes))
        print(flush=True)
    if args.skip_wide:
        print(f"(total {time.perf_counter() - t0:.0f} s)")
        return
    table, notes, _ = wide(args.languages, args.wide_limit, seeds)
    print("## Wide corpus: applied share where the op's construct occurs (outputs parse-checked)\n")
    print("\n".join(table))
    print()
    print("\n".join(notes))
    print(f"\n(total {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
