"""Level 6: real corpora — real modules and programs keep passing their own checks after every op.

See ``real_corpus.py`` for the projects (CPython's own tests for stdlib modules; zlib,
expat and xz programs; googletest samples and numpy's C++ generator; the JDK's
``java.util`` sources; npm packages; Go standard-library packages with their own
tests). Each test runs a bounded subset (a handful of projects × every op and the
preset, one seed per project — seeds 0 and 1 in turn —, checks in parallel subprocesses,
the JDK classes of every variant compiled by one JVM);
``scripts/real_corpus_report.py`` runs the full corpus and prints the table of
``docs/modalities/code.md``. A project whose toolchain is missing is skipped with
the reason (`make test` installs them).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import omniaug
from omniaug_code import (
    CodeBatch,
    ExchangeLoops,
    InsertDeadCode,
    RemoveComments,
    RenameVariables,
    SwapBlocks,
    SwapOperands,
)
from omniaug_code.syntax import masked_macros, parse

from . import real_corpus as rc

pytestmark = pytest.mark.slow


def _evaluate_all(projects: list[rc.Project], seeds: tuple[int, ...], tmp_path: Path,
                  explained: Callable[[rc.Outcome, rc.Check], str] | None = None) -> list[rc.Outcome]:  # fmt: skip
    """Every op on every project with one seed per project, ``seeds`` in turn (several seeds at the cost of one)."""
    outcomes: list[rc.Outcome] = []
    skipped = []
    for k, p in enumerate(projects):
        try:
            outcomes += rc.evaluate(
                p, (seeds[k % len(seeds)],), tmp_path / p.name.replace("/", "_"), explained=explained
            )
        except rc.Unavailable as exc:
            skipped.append(str(exc))
    if not outcomes:
        pytest.skip("; ".join(skipped))
    return outcomes


def _assert_no_breaks(outcomes: list[rc.Outcome]) -> None:
    broken = [f"{o.project} {o.op} seed {o.seed}: {o.detail[-800:]}" for o in outcomes if o.broke]
    assert not broken, "\n".join(broken)
    failed = [f"{o.project} {o.op} seed {o.seed}: {o.failed}" for o in outcomes if o.failed]
    assert not failed, "\n".join(failed)  # an op's own check rejected its output: a bug to fix, not a skip
    ran = sum(o.ran for o in outcomes)
    assert ran >= len({(o.project, o.op) for o in outcomes}) // 2, f"only {ran} variants were checked"


def test_python_modules_pass_their_own_cpython_tests(tmp_path: Path) -> None:
    outcomes = _evaluate_all(rc.python_projects(rc.PYTHON_MODULES_QUICK), (0, 1), tmp_path, rc.python_explained)
    _assert_no_breaks(outcomes)
    assert {o.project for o in outcomes if o.ran} == set(rc.PYTHON_MODULES_QUICK)


def test_c_programs_behave_the_same(tmp_path: Path) -> None:
    _assert_no_breaks(_evaluate_all(rc.c_projects(quick=True), (0, 1), tmp_path))


def test_cpp_programs_behave_the_same(tmp_path: Path) -> None:
    _assert_no_breaks(_evaluate_all(rc.cpp_projects(quick=True), (0, 1), tmp_path))


def test_java_jdk_classes_behave_the_same(tmp_path: Path) -> None:
    _assert_no_breaks(_evaluate_all(rc.java_projects(quick=True), (0,), tmp_path))


def test_javascript_packages_behave_the_same(tmp_path: Path) -> None:
    _assert_no_breaks(_evaluate_all(rc.javascript_projects(), (0, 1), tmp_path))


def test_go_packages_pass_their_own_tests(tmp_path: Path) -> None:
    _assert_no_breaks(_evaluate_all(rc.go_projects(quick=True), (0, 1), tmp_path))


# -- §3: real C and C++ with macros tree-sitter cannot parse ---------------------------------------------

C_OPS = (RenameVariables, InsertDeadCode, ExchangeLoops, SwapOperands, SwapBlocks, RemoveComments)


def _real_c_family_files() -> dict[str, list[str]]:
    files = {
        "c": [p.read_text(encoding="utf-8") for p in sorted((rc.CORPUS / "c").rglob("*.c"))],
        "cpp": [p.read_text(encoding="utf-8") for p in sorted((rc.CORPUS / "cpp").rglob("*.cpp"))],
    }
    gtest = Path("/usr/src/googletest")
    if gtest.is_dir():  # googletest's own sources: macro-heavy real C++ (GTEST_API_, TEST, …); the
        # largest files (gtest.cc, 200 kB) only cost time here: the report script takes them all
        paths = sorted(gtest.glob("*/src/*.cc")) + sorted(gtest.glob("*/samples/*.cc"))
        files["cpp"] += [p.read_text(encoding="utf-8") for p in paths if p.stat().st_size < 60_000]
    return files


def test_applied_share_on_real_c_and_cpp_is_at_least_half() -> None:
    """Every C-family op applies to at least half the real files where its construct occurs
    (files tree-sitter parses only partly included), and never fails."""
    for language, sources in _real_c_family_files().items():
        assert sources
        partial = sum(parse(s, language).root_node.has_error or bool(masked_macros(s, language)) for s in sources)
        assert partial >= 5, f"{language}: the corpus should hold files with macros tree-sitter cannot parse"
        for op_cls in C_OPS:
            with_construct = [s for s in sources if op_cls.name in rc.constructs(s, language)]
            out = op_cls(max_sites=4)(CodeBatch(with_construct, language), generator=omniaug.rng.make_generator(0))
            statuses = [out.last_status(i) for i in range(len(with_construct))]
            assert not [s for s in statuses if s is not None and s.outcome == "failed"], (language, op_cls.name)
            share = sum(s is not None and s.outcome == "applied" for s in statuses) / max(1, len(with_construct))
            assert share >= 0.5, f"{language} {op_cls.name}: applied to {share:.0%} of {len(with_construct)} files"


MACRO_HEADER = """#include <inttypes.h>
#include <stdio.h>
#define local static
#define z_const const
#define XMLCALL
#define UNUSED __attribute__((unused))
#define API_EXPORT
#define CAST (long)
#define NORETURN __attribute__((noreturn))
"""

MACRO_PROGRAM = """#include "macros.h"

API_EXPORT int scale(int v);
local void stop(const char *why) NORETURN;

local void stop(const char *why) {
    printf("stop: %s\\n", why);
    exit(1);
}

/* how many values lie below the limit */
local int XMLCALL count_below(z_const int *xs, int n, int limit) {
    int count = 0;  // running count
    for (int i = 0; i < n; i++) {
        if (xs[i] < limit) {
            count++;
        } else {
            count += 0;
        }
    }
    return count;
}

API_EXPORT int scale(int v) {
    long wide = CAST v * 3;  /* a cast macro */
    if (CAST v < 10) {
        wide += 1;
    } else {
        wide -= 1;
    }
    return (int)wide;
}

int main(int argc UNUSED, char **argv UNUSED) {
    z_const int data[6] = {5, -2, 9, 0, 3, 3};
    uint64_t big = 1234567890123ULL;
    int total = 0;
    for (int k = 0; k < 6; k++) {
        total += scale(data[k]);
    }
    printf("%d %d %" PRIu64 "\\n", count_below(data, 6, 4), total, big);
    if (total < 0) {
        stop("negative");
    }
    return 0;
}
"""


def test_macro_patterns_parse_around_the_macros() -> None:
    """The header-defined macros are invisible to tree-sitter: the plain parse fails, the masked
    parse is clean, and exactly the macro tokens are left out."""
    from omniaug_code.syntax import _parser

    data = MACRO_PROGRAM.encode()
    assert _parser("c").parse(data).root_node.has_error  # tree-sitter alone cannot parse it
    assert not parse(data, "c").root_node.has_error
    masked = sorted({data[s:e].decode() for s, e in masked_macros(data, "c")})
    assert masked == ["API_EXPORT", "CAST", "NORETURN", "UNUSED", "XMLCALL", "local", "z_const"], masked


def test_macro_patterns_keep_behaviour(tmp_path: Path) -> None:
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed (`make toolchains` installs it)")
    (tmp_path / "macros.h").write_text(MACRO_HEADER)

    def build_and_run(src: str, name: str) -> str:
        (tmp_path / f"{name}.c").write_text(src)
        res = subprocess.run(
            [gcc, "-w", "-o", name, f"{name}.c"], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert res.returncode == 0, f"{name} does not build:\n{res.stderr}\n{src}"
        return subprocess.run([str(tmp_path / name)], capture_output=True, text=True, timeout=60).stdout

    want = build_and_run(MACRO_PROGRAM, "orig")
    masked = {MACRO_PROGRAM.encode()[s:e] for s, e in masked_macros(MACRO_PROGRAM, "c")}
    for op_cls in C_OPS:
        out = op_cls(max_sites=6)(CodeBatch([MACRO_PROGRAM] * 4, "c"), generator=omniaug.rng.make_generator(1))
        for k, (src, log) in enumerate(zip(out.sources, out.status or [])):
            assert log[-1].outcome == "applied", (op_cls.name, log[-1])
            assert {src.encode()[s:e] for s, e in masked_macros(src, "c")} == masked
            assert "CAST 10" not in src  # never `CAST v < 10` → `CAST 10 > v`: the macro binds to the operand after it
            assert build_and_run(src, f"v{k}") == want, (op_cls.name, src)


def test_only_private_helper_lookups_count_as_explained_breaks() -> None:
    """A break of a module's own tests is "explained" only when rename_functions renamed the private
    helpers the failing tests looked up — nothing else (a failed assertion, another op) is excused."""
    err = ("ERROR: test_x (test.test_m.T.test_x)\nTraceback (most recent call last):\n"
           "AttributeError: module 'm' has no attribute '_helper'\n\nFAILED (errors=1)\n")  # fmt: skip
    o = rc.Outcome("python", "m", "code.rename_functions", 0, 1, 1, 1, 1, renamed={"_helper"})
    assert "_helper" in rc.python_explained(o, rc.Check(False, "", err))
    o_other = rc.Outcome("python", "m", "code.rename_variables", 0, 1, 1, 1, 1, renamed={"_helper"})
    assert rc.python_explained(o_other, rc.Check(False, "", err)) == ""
    o_not_renamed = rc.Outcome("python", "m", "code.rename_functions", 0, 1, 1, 1, 1, renamed={"_other"})
    assert rc.python_explained(o_not_renamed, rc.Check(False, "", err)) == ""
    failing = err + "FAIL: test_y (test.test_m.T.test_y)\nAssertionError: 1 != 2\n"
    assert rc.python_explained(o, rc.Check(False, "", failing)) == ""


def test_every_vendored_corpus_project_carries_its_licence() -> None:
    """Every vendored project directory under ``corpus/`` (one level below the language) holds its
    licence file; ``drivers`` and ``java/Driver.java`` are this project's own code."""
    own = {"drivers"}
    projects = [d for lang in sorted(rc.CORPUS.iterdir()) if lang.is_dir() for d in sorted(lang.iterdir())
                if d.is_dir() and d.name not in own]  # fmt: skip
    assert len(projects) >= 14, [p.name for p in projects]
    missing = [str(d.relative_to(rc.CORPUS)) for d in projects
               if not any(f.is_file() and f.name.lower().startswith(("license", "licence", "copying")) for f in d.iterdir())]  # fmt: skip
    assert not missing, f"vendored corpus projects without a LICENSE/COPYING file: {missing}"
