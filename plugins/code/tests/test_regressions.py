"""Regression tests: bugs found by running the ops on real code, each on a minimal example.

The compile-and-run checks need the language's toolchain (`make test` installs gcc,
g++, a JDK and node); a test whose toolchain is truly absent is skipped and says so.
"""

from __future__ import annotations

import shutil
import subprocess
import symtable
from pathlib import Path

import pytest

import omniaug
from omniaug_code import (
    OPS,
    CodeBatch,
    ExchangeLoops,
    InsertDeadCode,
    RemoveComments,
    RemoveDocstrings,
    RenameFunctions,
    RenameVariables,
    Status,
)
from omniaug_code.base import CodeAugmentation, Result

SEEDS = 8


def _apply(op: CodeAugmentation, source: str, language: str, seeds: int = SEEDS) -> CodeBatch:
    return op(CodeBatch([source] * seeds, language), generator=omniaug.rng.make_generator(0))


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (`make test` installs it with apt)")
    return path


def _run(cmd: list[str], cwd: Path, stdin: str | None = None) -> str:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120, input=stdin)
    assert res.returncode == 0, f"{' '.join(cmd)} failed:\n{res.stderr[-2000:]}"
    return res.stdout


# -- Python: rename_functions and names rebound by `from … import *` or bound twice ------------------

STAR = """def join(a, b):
    return "pure python"


def _helper(x):
    return x + 1


from os.path import *  # rebinds join, as `from _bisect import *` rebinds bisect_right

alias = join
twice = _helper
"""


def test_rename_functions_keeps_names_a_star_import_may_rebind() -> None:
    for op in (RenameFunctions(max_sites=4), RenameFunctions(max_sites=4, rename_public_api=True)):
        out = _apply(op, STAR, "python")
        for src, log in zip(out.sources, out.status or []):
            assert log[-1].outcome == "not_applicable", log[-1]
            ns: dict[str, object] = {}
            exec(compile(src, "<t>", "exec"), ns)
            assert ns["alias"]("a", "b") == "a/b"  # os.path.join, not the pure-Python stand-in


def test_rename_functions_keeps_a_name_bound_twice() -> None:
    src = "def _f(x):\n    return 1\n\n\ndef _g():\n    return _f(0)\n\n\n_f = len\n"
    out = _apply(RenameFunctions(max_sites=3), src, "python")
    for after, log in zip(out.sources, out.status or []):
        assert "_f = len" in after and "_f(0)" in after, after  # `_f` means two things: never renamed
        assert "_g" not in dict(log[-1].renames) or log[-1].outcome == "applied"


def test_rename_functions_renames_private_functions_and_their_aliases() -> None:
    src = "def _area(w, h):\n    return w * h\n\n\nsurface = _area\n\n\ndef total(xs):\n    return sum(_area(*x) for x in xs)\n"
    out = _apply(RenameFunctions(max_sites=2), src, "python")
    for after, log in zip(out.sources, out.status or []):
        assert log[-1].outcome == "applied" and "def total(xs)" in after  # public: kept
        new = dict(log[-1].renames)["_area"]
        assert f"surface = {new}" in after
        ns: dict[str, object] = {}
        exec(compile(after, "<t>", "exec"), ns)
        assert ns["total"]([(2, 3), (1, 1)]) == 7 and ns["surface"](2, 2) == 4


def test_rename_functions_keeps_private_functions_private() -> None:
    """``_helper`` → ``_value``: a public-looking name would join the module's API (CPython's
    test_calendar checks ``__all__`` against every public name the module defines)."""
    src = "def _nextmonth(y, m):\n    return y + m // 12, m % 12 + 1\n\n\ndef _unused():\n    return _nextmonth(1, 2)\n"
    out = _apply(RenameFunctions(max_sites=2), src, "python")
    for log in out.status or []:
        assert log[-1].outcome == "applied"
        assert all(new.startswith("_") and not new.startswith("__") for _, new in log[-1].renames), log[-1].renames


# -- Python: public API kept by default ----------------------------------------------------------------

API = '''__all__ = ["bisect_left", "Box"]


def bisect_left(a, x, lo=0, hi=None, *, key=None):
    """Leftmost insertion point.

    >>> bisect_left([1, 2, 3], 2)
    1
    """
    if hi is None:
        hi = len(a)
    while lo < hi:
        mid = (lo + hi) // 2
        if (a[mid] if key is None else key(a[mid])) < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def helper(values, scale=2):
    return [v * scale for v in values]


def _private(values, offset):
    total = 0
    for v in values:
        total += v + offset
    return total


class Box:
    def __init__(self, width, height=1):
        self.width, self.height = width, height

    def scaled(self, factor):
        return Box(self.width * factor, self.height * factor)

    def _grow(self, amount):
        return self.width + amount
'''


def test_public_api_is_kept_by_default() -> None:
    out = _apply(RenameVariables(max_sites=8), API, "python", seeds=12)
    renamed_private = False
    for after, log in zip(out.sources, out.status or []):
        assert log[-1].outcome == "applied"
        for kept in ("def bisect_left(a, x, lo=0, hi=None, *, key=None)", "def helper(values, scale=2)",
                     "def __init__(self, width, height=1)", "def scaled(self, factor)"):  # fmt: skip
            assert kept in after, (kept, after)
        renamed_private |= "def _private(values, offset)" not in after or "def _grow(self, amount)" not in after
        ns: dict[str, object] = {}
        exec(compile(after, "<t>", "exec"), ns)
        assert ns["bisect_left"]([1, 2, 3], 3, lo=1, hi=3) == 2  # keyword calls keep working
        assert ns["helper"](values=[1], scale=3) == [3]
    assert renamed_private  # private functions and methods still get their parameters renamed


def test_renaming_public_api_is_an_explicit_opt_in() -> None:
    out = _apply(RenameVariables(max_sites=8, rename_public_api=True), API, "python", seeds=12)
    assert any("def bisect_left(a, x, lo=0, hi=None" not in s for s in out.sources)
    out = _apply(RenameFunctions(max_sites=3, rename_public_api=True), API, "python")
    renames = {old for log in out.status or [] for old, _ in log[-1].renames}
    assert "helper" in renames and "bisect_left" not in renames  # names in __all__ are never renamed


def test_doctests_are_kept_by_default() -> None:
    out = _apply(RemoveDocstrings(max_sites=5), API, "python")
    assert all(">>> bisect_left" in s for s in out.sources)
    assert all(log[-1].outcome == "not_applicable" for log in out.status or [])
    out = _apply(RemoveDocstrings(max_sites=5, keep_doctests=False), API, "python")
    assert all(">>>" not in s for s in out.sources)


# -- Java: exchange_loops with several initialisers and updates ---------------------------------------

JAVA_LOOP = """public class Main {
    public static void main(String[] args) {
        int a, b, n = 0;
        for (a = 0, b = 10; a < b; a++, b--) {
            n += 2;
        }
        System.out.println(n);
    }
}
"""


def test_java_exchange_loops_keeps_every_initialiser(tmp_path: Path) -> None:
    out = _apply(ExchangeLoops(max_sites=1), JAVA_LOOP, "java", seeds=1)
    after = out.sources[0]
    assert out.last_status(0).outcome == "applied"  # type: ignore[union-attr]
    assert "a = 0; b = 10;" in after and "a++; b--;" in after, after
    javac, java = _need("javac"), _need("java")
    for name, src in (("orig", JAVA_LOOP), ("new", after)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Main.java").write_text(src)
        _run([javac, "-d", ".", "Main.java"], tmp_path / name)
        assert _run([java, "-cp", ".", "Main"], tmp_path / name).strip() == "10"


# -- C++: direct-initialised declarations `T v(n);` --------------------------------------------------

CPP_DIRECT = """#include <cstdio>
#include <vector>

int main() {
    int n = 3;
    int first = 7;
    std::vector<int> v(n, first);
    v[0] = n;
    std::printf("%d %d\\n", (int)v.size(), v[0] + v[1]);
    return 0;
}
"""


def test_cpp_renames_direct_initialised_declarations(tmp_path: Path) -> None:
    out = _apply(RenameVariables(max_sites=3), CPP_DIRECT, "cpp")
    assert any("v" in log[-1].detail.split("->")[0] or "v->" in log[-1].detail for log in out.status or [])
    gxx = _need("g++")
    (tmp_path / "o.cpp").write_text(CPP_DIRECT)
    _run([gxx, "-o", "o", "o.cpp"], tmp_path)
    want = _run([str(tmp_path / "o")], tmp_path)
    for k, (src, log) in enumerate(zip(out.sources, out.status or [])):
        assert log[-1].outcome == "applied", log[-1]
        (tmp_path / f"v{k}.cpp").write_text(src)
        _run([gxx, "-o", f"v{k}", f"v{k}.cpp"], tmp_path)
        assert _run([str(tmp_path / f"v{k}")], tmp_path) == want, src


# -- JavaScript: shorthand properties and destructuring; 'use strict' ---------------------------------

JS_SHORTHAND = """'use strict';
function diff(obj, { depth = 1, path } = {}) {
    const x = obj.x, y = 2;
    const { a, b: c = 3, ...rest } = obj;
    const [p, , q = 4] = [x, y];
    return { x, y, a, c, rest, p, q, depth, path };
}
console.log(JSON.stringify(diff({ x: 1, a: 2, b: 5, z: 9 }, { path: "/" })));
"""

JS_STRICT = """function sloppy(values) {
    'use strict';
    "another directive";
    let total = 0;
    for (const v of values) {
        total += v;
    }
    return total;
}
"""


def test_javascript_renaming_rewrites_shorthand_and_destructuring(tmp_path: Path) -> None:
    out = _apply(RenameVariables(max_sites=6), JS_SHORTHAND, "javascript")
    node = _need("node")
    (tmp_path / "o.js").write_text(JS_SHORTHAND)
    want = _run([node, "o.js"], tmp_path)
    for k, (src, log) in enumerate(zip(out.sources, out.status or [])):
        assert log[-1].outcome == "applied", log[-1]
        (tmp_path / f"v{k}.js").write_text(src)
        assert _run([node, f"v{k}.js"], tmp_path) == want, src


def test_javascript_dead_code_never_goes_above_use_strict() -> None:
    out = _apply(InsertDeadCode(max_sites=4), JS_STRICT, "javascript", seeds=20)
    for src, log in zip(out.sources, out.status or []):
        assert log[-1].outcome == "applied"
        lines = [line.strip() for line in src.splitlines()]
        assert lines[1:3] == ["'use strict';", '"another directive";'], src


# -- C: a block-local shadowing a global ----------------------------------------------------------

C_SHADOW = """#include <stdio.h>

int count = 5;

int f(int k) {
    if (k > 0) {
        int count = k * 2;
        k += count;
    }
    return k + count;
}

int main(void) {
    printf("%d\\n", f(3));
    return 0;
}
"""


def test_c_renaming_leaves_a_global_shadowed_elsewhere_alone(tmp_path: Path) -> None:
    out = _apply(RenameVariables(max_sites=4), C_SHADOW, "c")
    for src, log in zip(out.sources, out.status or []):
        assert "count" not in log[-1].detail  # `count` means the global in `return k + count`
        assert "int count = 5;" in src
    gcc = _need("gcc")
    (tmp_path / "o.c").write_text(C_SHADOW)
    _run([gcc, "-o", "o", "o.c"], tmp_path)
    want = _run([str(tmp_path / "o")], tmp_path)
    for k, src in enumerate(out.sources):
        (tmp_path / f"v{k}.c").write_text(src)
        _run([gcc, "-o", f"v{k}", f"v{k}.c"], tmp_path)
        assert _run([str(tmp_path / f"v{k}")], tmp_path) == want


# -- never raise, never hang ------------------------------------------------------------------------

DEEP = {
    "python": "def f(x):\n    y = x" + " + x" * 30000 + "\n    return y\n",
    "java": "class A { int f(int x) { return " + "(" * 3000 + "x" + ")" * 3000 + "; } }\n",
    "javascript": "function f(x) { return " + "[" * 3000 + "x" + "]" * 3000 + "; }\n",
    "c": "int f(int x) { int y = "
    + "(" * 5000
    + "x"
    + ")" * 5000
    + ";\n  if (y < 1) {\n    y = 2;\n  } else {\n    y = 3;\n  }\n  return y; }\n",
    "cpp": "int f(int x) { return " + "-" * 4000 + "x; }\n",
    "go": "package p\nfunc f(x int) int { return " + "(" * 3000 + "x" + ")" * 3000 + " }\n",
}


@pytest.mark.parametrize("op_cls", OPS, ids=lambda c: c.name)
def test_deeply_nested_sources_never_raise(op_cls: type) -> None:
    for language, src in DEEP.items():
        if language not in op_cls.languages:
            continue
        out = op_cls()(CodeBatch([src], language), generator=omniaug.rng.make_generator(0))
        status = out.last_status(0)
        assert status is not None and status.outcome != "failed", f"{language}: {status}"
        if status.outcome == "not_applicable" and "deep" in status.detail:
            assert status.detail.startswith("too deep")


def test_time_budget_reports_too_large() -> None:
    big = "def f(a):\n    b = a + 1\n    return b\n\n\n" * 4000
    out = RenameVariables(time_budget=0.001)(CodeBatch([big]), generator=omniaug.rng.make_generator(0))
    status = out.last_status(0)
    assert status is not None and status.outcome == "not_applicable" and status.detail.startswith("too large"), status
    assert out.sources == [big]


@pytest.mark.slow
def test_symbol_lookups_do_not_rescan_every_child_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scope analysis cost is linear in file size: CPython's ``SymbolTable.lookup`` scans every
    child table per name (quadratic on a module of thousands of functions), so the scope model
    must not call it; the timing itself is in ``benchmarks/bench_code.py``."""
    from omniaug_code.python.scopes import ScopeModel

    calls = 0
    original = symtable.SymbolTable.lookup

    def counting(self: symtable.SymbolTable, name: str) -> symtable.Symbol:
        nonlocal calls
        calls += 1
        return original(self, name)

    monkeypatch.setattr(symtable.SymbolTable, "lookup", counting)
    unit = "def f{i}(a, b):\n    c = a + b\n    if c > 0:\n        c -= 1\n    return c\n\n\n"
    src = "".join(unit.format(i=i) for i in range(300))
    out = RenameVariables()(CodeBatch([src]), generator=omniaug.rng.make_generator(0))
    assert out.last_status(0).outcome == "applied"  # type: ignore[union-attr]
    assert calls == 0
    model = ScopeModel(src)
    sym = model.module.symbol("f7")
    assert sym is not None and sym.is_namespace() and sym.is_assigned()
    assert model.module.symbol("no_such_name") is None


# -- status: verified vs parse-checked only --------------------------------------------------------


def test_status_says_how_the_output_was_checked() -> None:
    py = RenameVariables()(CodeBatch(["def _f(a):\n    return a\n"]), generator=omniaug.rng.make_generator(0))
    assert py.last_status(0).check == "compiled" and "compiled" in str(py.last_status(0))  # type: ignore[union-attr]
    parsed = RenameVariables()(CodeBatch([C_SHADOW], "c"), generator=omniaug.rng.make_generator(0))
    assert parsed.last_status(0).check == "parsed"  # type: ignore[union-attr]
    assert "parse-checked only" in str(parsed.last_status(0))
    _need("gcc")
    compiled = RenameVariables(verify="compile")(CodeBatch([C_SHADOW], "c"), generator=omniaug.rng.make_generator(0))
    status = compiled.last_status(0)
    assert status is not None and status.outcome == "applied" and status.check == "compiled" and status.verified


def test_output_that_parses_but_does_not_compile_is_never_applied() -> None:
    _need("gcc")

    class Breaker(CodeAugmentation):
        name = "code.test_undeclared"
        languages = ("c",)

        def inner_kernel(self, source: str, language: str, keys: object, sites: int) -> Result:
            return Result(source.replace("return k + count;", "return k + undeclared_name;"), 1)

    out = Breaker(verify="compile")(CodeBatch([C_SHADOW], "c"), generator=omniaug.rng.make_generator(0))
    status = out.last_status(0)
    assert isinstance(status, Status) and status.outcome == "failed" and "does not compile" in status.detail
    assert out.sources == [C_SHADOW]


# -- found on the real corpora (tests/test_real_corpus.py) ----------------------------------------

GO_COMPOSITE = """package main

import "fmt"

type Point struct{ X, Y int }

func (p Point) In(n int) bool { return p.X < n && p.Y < n }

func main() {
	x, y := 1, 2
	if !(Point{x, y}.In(3)) {
		fmt.Println("out")
	} else {
		fmt.Println("in")
	}
}
"""


def test_go_block_swap_keeps_composite_literal_conditions_parenthesised(tmp_path: Path) -> None:
    """``if !(Point{x, y}.In(3))`` must not become ``if Point{x, y}.In(3) {`` (a Go syntax error)."""
    from omniaug_code import SwapBlocks

    out = _apply(SwapBlocks(max_sites=1), GO_COMPOSITE, "go", seeds=1)
    after = out.sources[0]
    assert out.last_status(0).outcome == "applied", out.last_status(0)  # type: ignore[union-attr]
    assert "if (Point{x, y}.In(3)) {" in after, after
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not installed (`make toolchains` installs golang-go)")
    env = {"GOCACHE": str(tmp_path / "cache"), "GO111MODULE": "off", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for name, src in (("orig.go", GO_COMPOSITE), ("new.go", after)):
        (tmp_path / name).write_text(src)
        res = subprocess.run([go, "run", name], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
        assert res.returncode == 0 and res.stdout == "in\n", res.stderr


C_MACRO_COMMENTS = """#include <stdio.h>

/* a comment outside any macro */
#define TWICE(x) \\
    /* doubled */ \\
    ((x) * 2)

int main(void) {
    int v = TWICE(3);  // six
    printf("%d\\n", v);
    return 0;
}
"""


def test_comments_inside_multiline_macros_are_left_alone() -> None:
    """tree-sitter reads a ``\\``-continued ``#define`` body loosely: removing a comment there changed its
    reading (reported ``failed``); such comments are kept, the others removed."""
    out = _apply(RemoveComments(max_sites=8), C_MACRO_COMMENTS, "c", seeds=3)
    for src, log in zip(out.sources, out.status or []):
        assert log[-1].outcome == "applied", log[-1]
        assert "/* doubled */ \\" in src
        assert "outside any macro" not in src or "// six" not in src


# -- C: a local read by a multi-line macro (zlib's gun.c: `NEXT()` assigns `last` on its second line) ---

C_MACRO_LOCAL = """#include <stdio.h>

#define NEXT() (have ? 0 : (have = 4)), \\
                last = have ? (have--, (int)(*next++)) : -1

int sum(const char *next) {
    int have = 0;
    int last = 0;
    int total = 0;
    for (int k = 0; k < 6; k++) {
        NEXT();
        total += last;
    }
    return total;
}

int main(void) {
    printf("%d\\n", sum("abcdefgh"));
    return 0;
}
"""


def test_c_renaming_keeps_locals_a_multiline_macro_reads(tmp_path: Path) -> None:
    """The words of every ``\\``-continued line of a ``#define`` count as macro names: renaming ``last``
    (read on the macro's second line) left the macro naming a variable that no longer exists."""
    out = _apply(RenameVariables(max_sites=4), C_MACRO_LOCAL, "c")
    for src, log in zip(out.sources, out.status or []):
        assert not [n for n in ("last", "have", "next") if f"{n}->" in log[-1].detail], (log[-1], src)
    gcc = _need("gcc")
    (tmp_path / "o.c").write_text(C_MACRO_LOCAL)
    _run([gcc, "-o", "o", "o.c"], tmp_path)
    want = _run([str(tmp_path / "o")], tmp_path)
    for k, src in enumerate(out.sources):
        (tmp_path / f"v{k}.c").write_text(src)
        _run([gcc, "-o", f"v{k}", f"v{k}.c"], tmp_path)
        assert _run([str(tmp_path / f"v{k}")], tmp_path) == want, src


# -- Python: constructor parameters passed by keyword through an alias of the class (plistlib) ----------

PY_CTOR_ALIAS = """class _Parser:
    def __init__(self, dict_type, strict=False):
        self.dict_type = dict_type
        self.strict = strict

    def parse(self, items):
        result = self.dict_type()
        for key, value in items:
            result[key] = value
        return result


_FORMATS = {"xml": {"parser": _Parser}}


def _load(items, fmt="xml", dict_type=dict):
    chosen = _FORMATS[fmt]["parser"]
    parser = chosen(dict_type=dict_type, strict=True)
    return parser.parse(items), parser.strict
"""


def test_constructor_parameters_are_kept() -> None:
    """``P = _FORMATS[fmt]['parser']; P(dict_type=…)`` calls ``_Parser.__init__`` by keyword through
    an alias: the preset renamed ``dict_type`` and every test of CPython's ``test_plistlib`` failed."""
    out = _apply(RenameVariables(max_sites=8), PY_CTOR_ALIAS, "python", seeds=12)
    want: dict = {}
    exec(PY_CTOR_ALIAS, want)
    changed = 0
    for src, log in zip(out.sources, out.status or []):
        assert "def __init__(self, dict_type, strict=False):" in src, src
        ns: dict = {}
        exec(src, ns)
        assert ns["_load"]([("a", 1)]) == want["_load"]([("a", 1)]) == ({"a": 1}, True)
        changed += src != PY_CTOR_ALIAS and log[-1].outcome == "applied"
    assert changed, "nothing else was renamed: the test would not see a renaming bug"


# -- Python: a public method of a private base class (ipaddress `_BaseNetwork.subnets(new_prefix=…)`) ---

PY_PRIVATE_BASE = """class _Base:
    def widen(self, step=1, new_size=None):
        total = self.size
        if new_size is not None:
            step = new_size - total
        return total + step


class Network(_Base):
    size = 8
"""


def test_public_methods_of_private_base_classes_keep_their_parameters() -> None:
    """``IPv4Network`` inherits ``subnets(new_prefix=…)`` from the private ``_BaseNetwork``: the preset
    renamed ``new_prefix`` and CPython's ``test_ipaddress`` failed."""
    out = _apply(RenameVariables(max_sites=8), PY_PRIVATE_BASE, "python", seeds=12)
    changed = 0
    for src, log in zip(out.sources, out.status or []):
        assert "def widen(self, step=1, new_size=None):" in src, src
        ns: dict = {}
        exec(src, ns)
        assert ns["Network"]().widen(new_size=20) == 20 and ns["Network"]().widen(step=2) == 10
        changed += src != PY_PRIVATE_BASE and log[-1].outcome == "applied"
    assert changed, "nothing else was renamed: the test would not see a renaming bug"
