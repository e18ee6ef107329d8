"""Real corpora as the test bed of the code plugin: real modules and programs, checked before and after every op.

A *project* is real code with a check that exercises it:

* Python — a standard-library module and its own CPython test file: the rewritten
  module is imported under its original name (``PYTHONPATH``, ``python -S``) in a
  subprocess that runs ``test.test_<module>``;
* C — example programs of zlib, expat and xz (vendored under ``corpus/c`` with their
  licences), built with ``gcc`` and run on fixed inputs; C++ — googletest's samples
  (Debian's ``googletest`` sources, linked with ``libgtest``) and numpy's validation
  data generator (vendored);
* Java — classes of the JDK's own ``src.zip`` (``java.base``), compiled with
  ``--patch-module`` and exercised by a driver that prints results;
* JavaScript — npm packages (vendored under ``corpus/javascript`` with their
  licences: npm tarballs do not ship their tests, and the suite must run offline)
  exercised by drivers that print results for many inputs;
* Go — packages of the Go standard library copied into a module and run with their
  own ``go test`` files.

Every op (and the ``code.default`` preset) rewrites the project's sources with
several seeds; a variant whose check fails or whose output differs from the
original's is a *break*. :func:`evaluate` returns one :class:`Outcome` per (op,
seed); ``scripts/real_corpus_report.py`` prints the table in
``docs/modalities/code.md``. A project whose toolchain, library or source is
missing raises :class:`Unavailable` with the reason (tests skip on it).
"""

from __future__ import annotations

import ast
import concurrent.futures
import gzip
import hashlib
import io
import lzma
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tokenize
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import omniaug
from omniaug_code import OPS, CodeBatch, default_pipeline
from omniaug_code.syntax import find, parse, text

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
PRESET = "code.default"
TIMEOUT = 900.0

__all__ = [
    "Check",
    "Outcome",
    "Project",
    "Unavailable",
    "constructs",
    "evaluate",
    "op_names",
    "python_projects",
    "c_projects",
    "cpp_projects",
    "java_projects",
    "javascript_projects",
    "go_projects",
    "PRESET",
]


class Unavailable(Exception):
    """A project cannot run here (missing toolchain, library or source); the message says which."""


@dataclass(frozen=True)
class Check:
    """The result of building and exercising one version of a project."""

    ok: bool
    output: str = ""  # what must equal the original's output
    detail: str = ""  # why it failed


@dataclass
class Outcome:
    """One op with one seed on one project."""

    language: str
    project: str
    op: str
    seed: int
    files: int  # files the op was given
    construct: int  # files where the op's construct occurs
    applied: int  # files the op changed
    applied_with_construct: int  # … among those with the construct
    failed: list[str] = field(default_factory=list)  # op statuses "failed" (source kept)
    renamed: set[str] = field(default_factory=set)  # old names in Status.renames
    ran: bool = False  # the variant was built and checked
    broke: bool = False
    explained: str = ""  # why a break is expected (documented behaviour, not a bug)
    detail: str = ""


class Project:
    """Real code of one language with a check that exercises it."""

    language: str = ""
    name: str = ""

    def sources(self) -> dict[str, str]:
        """Relative path → source text of the files the ops rewrite."""
        raise NotImplementedError

    def prepare(self, shared: Path) -> None:
        """One-time set-up shared by every variant (prebuilt objects, drivers); raise :class:`Unavailable`."""

    def check(self, sources: dict[str, str], workdir: Path) -> Check:
        """Build and exercise the project with ``sources`` in ``workdir``."""
        raise NotImplementedError

    def check_many(self, variants: Sequence[tuple[dict[str, str], Path]], workers: int = 2) -> list[Check]:
        """:meth:`check` for every ``(sources, workdir)``, ``workers`` at a time (a project may batch its builds)."""
        with concurrent.futures.ThreadPoolExecutor(max(1, workers)) as pool:
            return list(pool.map(lambda v: self.check(*v), variants))


# -- ops -----------------------------------------------------------------------------------------

_OPS = {op.name: op for op in OPS}


def op_names(language: str) -> list[str]:
    """Every op that handles ``language``, then the preset."""
    return [op.name for op in OPS if language in op.languages] + [PRESET]


def _make_op(name: str) -> Any:
    if name == PRESET:
        return default_pipeline()
    cls = _OPS[name]
    return cls(max_sites=max(cls.default_max_sites, 4))


def augment(name: str, sources: dict[str, str], language: str, seed: int) -> tuple[dict[str, str], list[str], set[str]]:
    """Every file rewritten by op ``name`` (one batch, one generator seeded with ``seed``), the
    failures, and the old names of what renaming ops renamed (``Status.renames``)."""
    paths = sorted(sources)
    out = _make_op(name)(CodeBatch([sources[p] for p in paths], language), generator=omniaug.rng.make_generator(seed))
    failed = [f"{p}: {s}" for p, log in zip(paths, out.status or []) for s in log if s.outcome == "failed"]
    renamed = {old for log in out.status or [] for s in log for old, _ in s.renames}
    return dict(zip(paths, out.sources)), failed, renamed


# -- where each op's construct occurs ---------------------------------------------------------------

_CMP = {"<", ">", "<=", ">=", "==", "!=", "===", "!=="}
_C_FUNCS = {
    "c": ("function_definition",),
    "cpp": ("function_definition", "lambda_expression"),
    "java": ("method_declaration", "constructor_declaration", "lambda_expression"),
    "javascript": ("function_declaration", "function_expression", "arrow_function", "method_definition", "generator_function_declaration"),
    "go": ("function_declaration", "method_declaration", "func_literal"),
}  # fmt: skip
_C_DECLS = {
    "c": ("declaration", "parameter_declaration"),
    "cpp": ("declaration", "parameter_declaration", "optional_parameter_declaration"),
    "java": ("local_variable_declaration", "formal_parameter"),
    "javascript": ("variable_declarator", "formal_parameters"),
    "go": ("short_var_declaration", "parameter_declaration", "var_spec"),
}
_C_BLOCKS = {"compound_statement", "block", "statement_block", "statement_list"}
_ATOMS = {
    "identifier", "number_literal", "decimal_integer_literal", "decimal_floating_point_literal", "number", "int_literal",
    "float_literal", "null", "null_literal", "nullptr", "this", "field_identifier", "property_identifier", "char_literal",
    "character_literal", "true", "false",
}  # fmt: skip
_CHAINS = {"field_access", "member_expression", "field_expression", "selector_expression"}


def _atom(n: Any) -> bool:
    if n.type in _ATOMS:
        return True
    if n.type in _CHAINS:
        return all(_atom(c) for c in n.named_children)
    return n.type == "parenthesized_expression" and n.named_child_count == 1 and _atom(n.named_children[0])


def _c_family_constructs(source: str, language: str) -> set[str]:
    root = parse(source, language).root_node
    out = {PRESET}
    for f in find(root, language, *_C_FUNCS[language]):
        if find(f, language, *_C_DECLS[language]):
            out.add("code.rename_variables")
        body = f.child_by_field_name("body")
        if (
            body is not None
            and body.type in _C_BLOCKS | {"block"}
            and any("comment" not in c.type for c in body.named_children)
        ):
            out.add("code.insert_dead_code")
    for n in find(root, language, "for_statement"):
        body = n.child_by_field_name("body")
        if language == "go":
            body = next((c for c in n.named_children if c.type == "block"), None)
            if not any(c.type == "for_clause" for c in n.named_children):
                continue
        if body is not None and body.type in _C_BLOCKS and not re.search(r"\bcontinue\b", text(body)):
            out.add("code.exchange_loops")
    for n in find(root, language, "binary_expression"):
        op = n.child_by_field_name("operator")
        left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
        if (
            op is not None
            and text(op) in _CMP
            and left is not None
            and right is not None
            and _atom(left)
            and _atom(right)
        ):
            out.add("code.swap_operands")
    for n in find(root, language, "if_statement"):
        cons, alt = n.child_by_field_name("consequence"), n.child_by_field_name("alternative")
        if alt is not None and alt.type == "else_clause":
            alt = alt.named_children[-1] if alt.named_children else None
        if cons is not None and alt is not None and cons.type in _C_BLOCKS and alt.type in _C_BLOCKS:
            out.add("code.swap_blocks")
    if find(root, language, *(("line_comment", "block_comment") if language == "java" else ("comment",))):
        out.add("code.remove_comments")
    return out


def _pure(e: ast.expr) -> bool:
    if isinstance(e, (ast.Name, ast.Constant)):
        return True
    return isinstance(e, ast.Attribute) and _pure(e.value)


def _python_constructs(source: str) -> set[str]:
    tree = ast.parse(source)
    out = {PRESET, "code.reformat"}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out |= {"code.insert_dead_code", "code.wrap_try"}
            stores = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
            if node.args.args or node.args.kwonlyargs or stores:
                out.add("code.rename_variables")
            if len(stores) >= 2:
                out.add("code.shuffle_names")
            if ast.get_docstring(node) is not None:
                out.add("code.perturb_docstrings")
                if ">>>" not in (ast.get_docstring(node) or ""):
                    out.add("code.remove_docstrings")
        elif isinstance(node, (ast.For, ast.While)):
            out.add("code.exchange_loops")
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and not isinstance(node.ops[0], (ast.In, ast.NotIn)):
            if _pure(node.left) and _pure(node.comparators[0]):
                out.add("code.swap_operands")
        elif (
            isinstance(node, ast.If)
            and node.orelse
            and not (len(node.orelse) == 1 and isinstance(node.orelse[0], ast.If))
        ):
            out.add("code.swap_blocks")
        if isinstance(node, (ast.If, ast.While)) and isinstance(node.test, ast.BoolOp):
            out.add("code.rewrite_booleans")
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    nested = any(
        isinstance(c, (ast.FunctionDef, ast.AsyncFunctionDef)) for d in defs for c in ast.walk(d) if c is not d
    )
    if nested or any(d.name.startswith("_") and not d.name.startswith("__") for d in defs):
        out.add("code.rename_functions")
    if any(
        isinstance(a, (ast.Import, ast.ImportFrom)) and isinstance(b, (ast.Import, ast.ImportFrom))
        for a, b in zip(tree.body, tree.body[1:])
    ):
        out.add("code.reorder_imports")
    if any(t.type == tokenize.COMMENT for t in tokenize.generate_tokens(io.StringIO(source).readline)):
        out.add("code.remove_comments")
    return out


def constructs(source: str, language: str) -> set[str]:
    """The ops whose construct occurs in ``source`` (syntactically, whatever the op's safety conditions say).

    rename_variables: a function with parameters or local declarations; dead code / wrap_try:
    a function body; exchange_loops: a loop (C family: a three-clause ``for`` with a block body
    and no ``continue``); swap_operands: a comparison of two names/literals/attribute chains;
    swap_blocks: an ``if``/``else`` without ``elif``; rename_functions: a private or nested
    function (public functions are kept by default); remove_docstrings: a docstring without
    doctests; reorder_imports: two adjacent module-level imports; the preset and reformat: always.
    """
    return _python_constructs(source) if language == "python" else _c_family_constructs(source, language)


# -- running ---------------------------------------------------------------------------------------


def _run(cmd: Sequence[str], cwd: Path, *, stdin: bytes | None = None, env: dict[str, str] | None = None,
         timeout: float = TIMEOUT) -> subprocess.CompletedProcess[bytes]:  # fmt: skip
    try:
        return subprocess.run(list(cmd), cwd=cwd, input=stdin, capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as exc:
        return subprocess.CompletedProcess(list(cmd), -9, exc.stdout or b"", (exc.stderr or b"") + b"\n(timed out)")


def _tail(res: subprocess.CompletedProcess[bytes], n: int = 1500) -> str:
    return (res.stderr or res.stdout or b"").decode("utf-8", "replace")[-n:]


def _digest(data: bytes) -> str:
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()[:16]}"


def _write(root: Path, sources: dict[str, str]) -> None:
    for rel, src in sources.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(src.encode("utf-8"))


def evaluate(
    project: Project,
    seeds: Sequence[int],
    root: Path,
    *,
    ops: Sequence[str] | None = None,
    workers: int = 2,
    explained: Callable[[Outcome, Check], str] | None = None,
) -> list[Outcome]:
    """Rewrite ``project`` with every op × seed, check every variant that changed, compare with the original.

    ``explained(outcome, check)`` may return why a break is expected (documented
    behaviour); it is then reported as explained instead of as a break.
    Raises :class:`Unavailable` when the project cannot run or the original fails its check.
    """
    root.mkdir(parents=True, exist_ok=True)
    sources = project.sources()
    project.prepare(root / "shared")
    has = {p: constructs(s, project.language) for p, s in sources.items()}
    outcomes: list[Outcome] = []
    jobs: list[tuple[Outcome, dict[str, str]]] = []
    for name in ops or op_names(project.language):
        for seed in seeds:
            new, failed, renamed = augment(name, sources, project.language, seed)
            changed = [p for p in sources if new[p] != sources[p]]
            o = Outcome(
                project.language, project.name, name, seed, len(sources), sum(name in has[p] for p in sources),
                len(changed), sum(name in has[p] for p in changed), failed, renamed,
            )  # fmt: skip
            outcomes.append(o)
            if changed:
                jobs.append((o, new))

    dirs = [root / re.sub(r"\W+", "-", f"{o.op}-{o.seed}") for o, _ in jobs]
    base, *results = project.check_many(
        [(sources, root / "original"), *((new, d) for (_, new), d in zip(jobs, dirs))], workers
    )
    if not base.ok:
        raise Unavailable(f"{project.name}: the original does not pass its check: {base.detail}")
    for (o, _), d, res in zip(jobs, dirs, results):
        o.ran = True
        if res.ok and res.output == base.output:
            shutil.rmtree(d, ignore_errors=True)
            continue
        o.detail = res.detail if not res.ok else _first_difference(base.output, res.output)
        why = explained(o, res) if explained is not None else ""
        if why:
            o.explained = why
        else:
            o.broke = True
    return outcomes


def _first_difference(a: str, b: str) -> str:
    for x, y in zip(a.splitlines(), b.splitlines()):
        if x != y:
            return f"output differs: {x[:200]!r} != {y[:200]!r}"
    return f"output differs in length ({len(a)} vs {len(b)} characters)"


# -- Python: standard-library modules and their own CPython tests --------------------------------

_PY_RUNNER = """\
import importlib, sys, unittest
name, test_name, where = sys.argv[1:4]
module = importlib.import_module(name)
assert module.__file__.startswith(where), f"{name} was imported from {module.__file__}, not the rewritten copy"
tests = importlib.import_module(test_name)
result = unittest.main(module=tests, argv=["real-corpus"], exit=False, verbosity=0).result
sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
"""

#: modules with a fast, offline CPython test file and no import at interpreter start-up (``python -S``)
PYTHON_MODULES_QUICK = ("bisect", "heapq", "textwrap", "shlex", "fnmatch")
PYTHON_MODULES = (
    *PYTHON_MODULES_QUICK, "colorsys", "graphlib", "getopt", "quopri", "fractions", "difflib", "base64", "csv", "pprint", "string",
    "optparse", "configparser", "plistlib", "netrc", "sched", "ipaddress", "gettext", "glob", "copy", "dataclasses",
    "statistics", "calendar", "argparse",
)  # fmt: skip


def python_explained(outcome: Outcome, check: Check) -> str:
    """Why a break of a module's own tests is documented behaviour ("" when it is not).

    ``rename_functions`` renames a module's private helpers by design; some CPython
    test files call such helpers by name (``difflib._format_range_unified``,
    ``statistics._convert``, ``ipaddress._count_righthand_zero_bits``). A break is
    explained only when the op is ``rename_functions`` and *every* failing test
    errored with ``AttributeError: module '<module>' has no attribute '_…'`` naming a
    function the op renamed (``Status.renames``).
    """
    project = outcome.project
    if outcome.op != "code.rename_functions":
        return ""
    blocks = re.findall(r"^(?:ERROR|FAIL): ", check.detail, re.M)
    private = re.findall(
        rf"^AttributeError: module '{re.escape(project)}' has no attribute '(_\w+)'", check.detail, re.M
    )
    if not blocks or re.search(r"^FAIL: ", check.detail, re.M) or len(private) != len(blocks):
        return ""
    if not set(private) <= outcome.renamed:
        return ""
    names = ", ".join(sorted(set(private)))
    return (
        f"test_{project} calls private helpers by name ({names}); rename_functions renames private functions by design"
    )


class PythonModule(Project):
    """A standard-library module (one file) and its own CPython test file."""

    language = "python"

    def __init__(self, module: str) -> None:
        self.name = module
        self.path = Path(sysconfig.get_paths()["stdlib"]) / f"{module}.py"

    def sources(self) -> dict[str, str]:
        if not self.path.is_file():
            raise Unavailable(f"{self.path} is not on disk")
        return {f"{self.name}.py": self.path.read_text(encoding="utf-8")}

    def prepare(self, shared: Path) -> None:
        res = _run([sys.executable, "-S", "-c", f"import test.test_{self.name}"], Path.cwd(), timeout=120)
        if res.returncode != 0:
            raise Unavailable(f"CPython's test.test_{self.name} is not importable here: {_tail(res, 300)}")

    def check(self, sources: dict[str, str], workdir: Path) -> Check:
        workdir.mkdir(parents=True, exist_ok=True)
        _write(workdir, sources)
        env = {**os.environ, "PYTHONPATH": str(workdir), "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"}
        cmd = [sys.executable, "-S", "-c", _PY_RUNNER, self.name, f"test.test_{self.name}", str(workdir)]
        res = _run(cmd, workdir, env=env)
        return Check(res.returncode == 0, "", "" if res.returncode == 0 else _tail(res, 200_000))


def python_projects(modules: Sequence[str] = PYTHON_MODULES) -> list[Project]:
    return [PythonModule(m) for m in modules]


# -- C and C++: programs built and run on fixed inputs ------------------------------------------------


def _input_text() -> bytes:
    """A deterministic input for the compressors: the vendored C sources themselves."""
    return b"".join(p.read_bytes() for p in sorted((CORPUS / "c").rglob("*.c")))


_XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<catalog xmlns:x="urn:x">\n'
    + b"".join(
        f'  <book id="b{i}" year="{1990 + i}"><title lang="en">Title {i} &amp; more</title>'
        f"<x:tag>{'deep' * (i % 4)}</x:tag><empty/></book>\n".encode()
        for i in range(40)
    )
    + b"  <!-- a comment --><![CDATA[raw <text>]]>\n</catalog>\n"
)


@dataclass(frozen=True)
class Invocation:
    """One run of a program: arguments, standard input, files put in its working directory."""

    args: tuple[str, ...] = ()
    stdin: bytes | None = None
    files: tuple[tuple[str, bytes], ...] = ()


class CProgram(Project):
    """A C or C++ program built with gcc/g++ and run on fixed inputs (stdout, stderr, exit code and files compared)."""

    def __init__(self, language: str, name: str, path: Path, libs: Sequence[str], runs: Sequence[Invocation],
                 outputs: Sequence[str] = ()) -> None:  # fmt: skip
        self.language, self.name, self.path = language, name, path
        self.libs, self.runs, self.outputs = list(libs), list(runs), list(outputs)
        self.compiler = "gcc" if language == "c" else "g++"

    def sources(self) -> dict[str, str]:
        if not self.path.is_file():
            raise Unavailable(f"{self.path} is not on disk")
        return {self.path.name: self.path.read_text(encoding="utf-8")}

    def prepare(self, shared: Path) -> None:
        if shutil.which(self.compiler) is None:
            raise Unavailable(f"{self.compiler} is not installed (`make toolchains` installs it)")
        self.pch: list[str] = []
        self.head = ""
        # C++: the system headers the file opens with, precompiled once (every variant opens with the same
        # lines, the ops never touch them; including them first changes nothing but the compile time)
        head = re.match(r"(?:#include <[\w./]+>\n)+", self.path.read_text(encoding="utf-8"))
        if self.language == "cpp" and head:
            shared.mkdir(parents=True, exist_ok=True)
            (shared / "head.hpp").write_text(head.group(0))
            res = _run(
                [self.compiler, "-O0", "-w", "-x", "c++-header", "-o", "head.hpp.gch", "head.hpp"], shared, timeout=300
            )
            self.pch = ["-include", str(shared / "head.hpp")] if res.returncode == 0 else []
            self.head = head.group(0)

    def check(self, sources: dict[str, str], workdir: Path) -> Check:
        workdir.mkdir(parents=True, exist_ok=True)
        _write(workdir, sources)
        (src,) = sources
        pch = self.pch if sources[src].startswith(self.head) else []
        cmd = [self.compiler, "-O0", "-w", *pch, "-o", "prog", src, *self.libs, "-lm", "-lpthread"]
        build = _run(cmd, workdir, timeout=300)
        if build.returncode != 0:
            return Check(False, "", f"does not build: {_tail(build)}")
        out = []
        for k, inv in enumerate(self.runs):
            run_dir = workdir / f"run{k}"
            run_dir.mkdir(exist_ok=True)
            for fname, data in inv.files:
                (run_dir / fname).write_bytes(data)
            res = _run([str(workdir / "prog"), *inv.args], run_dir, stdin=inv.stdin, timeout=300)
            err = res.stderr.decode("utf-8", "replace").replace(str(workdir), "<dir>")
            out.append(f"run {k} {inv.args}: exit {res.returncode} stdout {_digest(res.stdout)} stderr {err!r}")
            for fname in self.outputs:
                f = run_dir / fname
                out.append(f"  {fname}: {_digest(f.read_bytes()) if f.exists() else 'missing'}")
        return Check(True, "\n".join(out))


def c_projects(quick: bool = False) -> list[Project]:
    """zlib, expat and xz example programs (``corpus/c``); ``quick``: the subset the test suite runs."""
    text_in = _input_text()
    gz = gzip.compress(text_in, mtime=0)
    z = zlib.compress(text_in)
    xz = lzma.compress(text_in)
    zl, ex, lz = CORPUS / "c" / "zlib", CORPUS / "c" / "expat", CORPUS / "c" / "xz"
    progs = [
        CProgram("c", "zlib/zpipe", zl / "zpipe.c", ["-lz"], [Invocation((), text_in), Invocation(("-d",), z)]),
        CProgram("c", "zlib/example", zl / "example.c", ["-lz"], [Invocation()], outputs=["foo.gz"]),
        CProgram(
            "c", "zlib/enough", zl / "enough.c", [], [Invocation(("30", "8", "12")), Invocation(("25", "9", "14"))]
        ),
        CProgram("c", "zlib/gun", zl / "gun.c", ["-lz"], [Invocation((), gz), Invocation(("-t",), gz)]),
        CProgram("c", "expat/outline", ex / "outline.c", ["-lexpat"], [Invocation((), _XML)]),
        CProgram(
            "c",
            "xz/02_decompress",
            lz / "02_decompress.c",
            ["-llzma"],
            [Invocation(("in.xz",), None, (("in.xz", xz),))],
        ),
    ]
    if not quick:
        progs += [
            CProgram(
                "c", "zlib/minigzip", zl / "minigzip.c", ["-lz"], [Invocation((), text_in), Invocation(("-d",), gz)]
            ),
            CProgram(
                "c",
                "zlib/fitblk",
                zl / "fitblk.c",
                ["-lz"],
                [Invocation(("4096",), text_in), Invocation(("1000",), text_in)],
            ),
            CProgram("c", "zlib/gznorm", zl / "gznorm.c", ["-lz"], [Invocation((), gz + gz)]),
            CProgram(
                "c",
                "zlib/gzjoin",
                zl / "gzjoin.c",
                ["-lz"],
                [Invocation(("a.gz", "b.gz"), None, (("a.gz", gz), ("b.gz", gz)))],
            ),
            CProgram("c", "expat/elements", ex / "elements.c", ["-lexpat"], [Invocation((), _XML)]),
            CProgram("c", "xz/01_compress_easy", lz / "01_compress_easy.c", ["-llzma"], [Invocation(("6",), text_in)]),
            CProgram("c", "xz/03_compress_custom", lz / "03_compress_custom.c", ["-llzma"], [Invocation((), text_in)]),
            CProgram(
                "c", "xz/04_compress_easy_mt", lz / "04_compress_easy_mt.c", ["-llzma"], [Invocation((), text_in)]
            ),
        ]
    return progs


GTEST_SAMPLES = Path("/usr/src/googletest/googletest/samples")


class GtestSamples(Project):
    """googletest's sample classes (Debian's ``googletest``), checked by their own unit tests (``libgtest``)."""

    language = "cpp"
    name = "googletest/samples"
    numbers = (1, 2, 4)

    def sources(self) -> dict[str, str]:
        if not GTEST_SAMPLES.is_dir():
            raise Unavailable(f"{GTEST_SAMPLES} is missing (Debian package googletest; `make toolchains` installs it)")
        return {f"sample{n}.cc": (GTEST_SAMPLES / f"sample{n}.cc").read_text(encoding="utf-8") for n in self.numbers}

    def prepare(self, shared: Path) -> None:
        if shutil.which("g++") is None:
            raise Unavailable("g++ is not installed")
        shared.mkdir(parents=True, exist_ok=True)
        self.objects = []
        for n in self.numbers:
            obj = shared / f"sample{n}_unittest.o"
            if not obj.exists():
                res = _run(
                    [
                        "g++",
                        "-c",
                        "-w",
                        f"-I{GTEST_SAMPLES}",
                        "-o",
                        str(obj),
                        str(GTEST_SAMPLES / f"sample{n}_unittest.cc"),
                    ],
                    shared,
                )
                if res.returncode != 0:
                    raise Unavailable(
                        f"googletest's headers or sample tests do not build (libgtest-dev): {_tail(res, 300)}"
                    )
            self.objects.append(str(obj))

    def check(self, sources: dict[str, str], workdir: Path) -> Check:
        workdir.mkdir(parents=True, exist_ok=True)
        _write(workdir, sources)
        for n in self.numbers:
            (workdir / f"sample{n}.h").write_bytes((GTEST_SAMPLES / f"sample{n}.h").read_bytes())
        build = _run(
            [
                "g++",
                "-w",
                "-O0",
                "-I.",
                "-o",
                "tests",
                *sorted(sources),
                *self.objects,
                "-lgtest",
                "-lgtest_main",
                "-pthread",
            ],
            workdir,
        )
        if build.returncode != 0:
            return Check(False, "", f"does not build: {_tail(build)}")
        res = _run(["./tests"], workdir)
        lines = sorted(
            re.sub(r"\s*\(\d+ ms.*\)$", "", ln)
            for ln in res.stdout.decode().splitlines()
            if ln.startswith(("[       OK", "[  FAILED", "[  PASSED"))
        )
        return Check(res.returncode == 0, "\n".join(lines), "" if res.returncode == 0 else _tail(res))


def cpp_projects(quick: bool = False) -> list[Project]:
    generator = CORPUS / "cpp" / "numpy" / "generate_umath_validation_data.cpp"
    funcs = ["arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "cbrt", "cos", "cosh", "exp", "exp2", "expm1", "log",
             "log10", "log1p", "log2", "sin", "sinh", "tan", "tanh"]  # fmt: skip
    return [
        GtestSamples(),
        CProgram("cpp", "numpy/generate_umath_validation_data", generator, [], [Invocation()],
                 outputs=[f"umath-validation-set-{f}.csv" for f in funcs]),
    ]  # fmt: skip


# -- Java: classes of the JDK's own sources, patched into java.base -----------------------------------


def jdk_with_sources() -> tuple[Path, Path] | None:
    """``(JDK home, src.zip)`` of a JDK on disk whose ``lib/src.zip`` is readable and whose ``javac`` runs."""
    homes: list[Path] = []
    javac = shutil.which("javac")
    if javac:
        homes.append(Path(javac).resolve().parent.parent)
    homes += sorted(Path("/usr/lib/jvm").glob("*")) if Path("/usr/lib/jvm").is_dir() else []
    for home in homes:
        src = home / "lib" / "src.zip"
        if (home / "bin" / "javac").exists() and (home / "bin" / "java").exists() and src.is_file():
            try:
                with zipfile.ZipFile(src) as z:
                    z.getinfo("java.base/java/util/ArrayDeque.java")
            except (KeyError, zipfile.BadZipFile, OSError):
                continue
            return home, src
    return None


#: PriorityQueue's `for (a = …, b = …; …)` loops caught exchange_loops keeping only the first initialiser
JAVA_CLASSES_QUICK = ("ArrayDeque", "BitSet", "PriorityQueue", "StringJoiner", "Base64", "StringTokenizer")
#: C1 only and the serial collector: short-lived JVMs (javac, the driver) cost half the CPU
_JVM_FLAGS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
JAVA_CLASSES = (*JAVA_CLASSES_QUICK, "TimSort", "ComparableTimSort", "HexFormat", "DualPivotQuicksort")


class JdkClasses(Project):
    """Classes of ``java.util`` from the JDK's ``src.zip``, compiled into ``java.base`` and exercised by a driver."""

    language = "java"

    def __init__(self, classes: Sequence[str]) -> None:
        self.classes = list(classes)
        self.name = "jdk/java.util"
        self.jdk = jdk_with_sources()

    def sources(self) -> dict[str, str]:
        if self.jdk is None:
            raise Unavailable(
                "no JDK with a readable lib/src.zip (Debian: openjdk-17-jdk; `make toolchains` installs one)"
            )
        with zipfile.ZipFile(self.jdk[1]) as z:
            return {
                f"java.base/java/util/{c}.java": z.read(f"java.base/java/util/{c}.java").decode("utf-8")
                for c in self.classes
            }

    def prepare(self, shared: Path) -> None:
        assert self.jdk is not None
        home = self.jdk[0]
        shared.mkdir(parents=True, exist_ok=True)
        self.driver_dir = shared / "driver"
        if not (self.driver_dir / "BatchJavac.class").exists():
            self.driver_dir.mkdir(exist_ok=True)
            for f in ("Driver.java", "BatchJavac.java"):
                (self.driver_dir / f).write_bytes((CORPUS / "java" / f).read_bytes())
            javac = [str(home / "bin" / "javac"), *(f"-J{f}" for f in _JVM_FLAGS)]
            res = _run([*javac, "-nowarn", "-d", ".", "Driver.java", "BatchJavac.java"], self.driver_dir)
            if res.returncode != 0:
                raise Unavailable(f"the Java driver does not compile with {home}: {_tail(res, 300)}")

    def check(self, sources: dict[str, str], workdir: Path) -> Check:
        return self.check_many([(sources, workdir)])[0]

    def check_many(self, variants: Sequence[tuple[dict[str, str], Path]], workers: int = 2) -> list[Check]:
        """Every variant compiled by one JVM (``BatchJavac``: javac stays warm), then each run by the driver."""
        assert self.jdk is not None
        java = str(self.jdk[0] / "bin" / "java")
        args: list[str] = []
        for sources, workdir in variants:
            workdir.mkdir(parents=True, exist_ok=True)
            _write(workdir / "src", sources)
            (workdir / "classes").mkdir(exist_ok=True)
            args += ["--next"] if args else []
            args += [str(workdir / "javac.log"), "-nowarn", "-proc:none", "-implicit:none", "-XDignore.symbol.file",
                     "--patch-module", f"java.base={workdir / 'src' / 'java.base'}", "-d", str(workdir / "classes"),
                     *(str(workdir / "src" / p) for p in sorted(sources))]  # fmt: skip
        build = _run([java, *_JVM_FLAGS, "-cp", str(self.driver_dir), "BatchJavac", *args], self.driver_dir,
                     timeout=TIMEOUT + 60 * len(variants))  # fmt: skip
        codes = dict(ln.split() for ln in build.stdout.decode().splitlines() if re.fullmatch(r"\d+ -?\d+", ln))

        def run(k: int) -> Check:
            workdir = variants[k][1]
            if codes.get(str(k)) != "0":
                log = workdir / "javac.log"
                why = log.read_text(encoding="utf-8", errors="replace")[-1500:] if log.exists() else _tail(build)
                return Check(False, "", f"does not compile: {why}")
            res = _run([java, *_JVM_FLAGS, "--patch-module", f"java.base={workdir / 'classes'}", "-cp", str(self.driver_dir),
                        "Driver", *self.classes], workdir)  # fmt: skip
            return Check(
                res.returncode == 0, res.stdout.decode("utf-8", "replace"), "" if res.returncode == 0 else _tail(res)
            )

        with concurrent.futures.ThreadPoolExecutor(max(1, workers)) as pool:
            return list(pool.map(run, range(len(variants))))


def java_projects(quick: bool = False) -> list[Project]:
    return [JdkClasses(JAVA_CLASSES_QUICK if quick else JAVA_CLASSES)]


# -- JavaScript: npm packages exercised by drivers -------------------------------------------------------

#: driver → the vendored packages it loads (all rewritten)
JS_PACKAGES: dict[str, tuple[str, ...]] = {
    "semver": ("semver",),
    "ms": ("ms",),
    "just-diff": ("just-diff", "just-diff-apply"),
    "brace-expansion": ("brace-expansion", "balanced-match"),
    "abbrev": ("abbrev",),
    "ini": ("ini",),
    "cssesc": ("cssesc",),
    "fastest-levenshtein": ("fastest-levenshtein",),
}


class NpmPackages(Project):
    """Vendored npm packages (``corpus/javascript``) and a driver printing their results for many inputs."""

    language = "javascript"

    def __init__(self, driver: str, packages: Sequence[str]) -> None:
        self.name, self.driver, self.packages = f"npm/{driver}", driver, list(packages)

    def sources(self) -> dict[str, str]:
        out = {}
        for pkg in self.packages:
            base = CORPUS / "javascript" / pkg
            for p in sorted(base.rglob("*")):
                if p.suffix in (".js", ".cjs"):
                    out[f"node_modules/{pkg}/{p.relative_to(base)}"] = p.read_text(encoding="utf-8")
        return out

    def prepare(self, shared: Path) -> None:
        if shutil.which("node") is None:
            raise Unavailable("node is not installed (`make toolchains` installs nodejs)")

    def check(self, sources: dict[str, str], workdir: Path) -> Check:
        workdir.mkdir(parents=True, exist_ok=True)
        for pkg in self.packages:
            shutil.copytree(CORPUS / "javascript" / pkg, workdir / "node_modules" / pkg, dirs_exist_ok=True)
        _write(workdir, sources)
        for f in ("_common.js", f"{self.driver}.js"):
            shutil.copy(CORPUS / "javascript" / "drivers" / f, workdir / f)
        res = _run(["node", f"{self.driver}.js"], workdir, timeout=300)
        return Check(
            res.returncode == 0, res.stdout.decode("utf-8", "replace"), "" if res.returncode == 0 else _tail(res)
        )


def javascript_projects(quick: bool = False) -> list[Project]:
    return [NpmPackages(d, p) for d, p in JS_PACKAGES.items()]


# -- Go: standard-library packages and their own tests --------------------------------------------------

GO_PACKAGES_QUICK = ("container/list", "encoding/hex", "text/tabwriter")
GO_PACKAGES = (
    *GO_PACKAGES_QUICK, "container/ring", "unicode/utf8", "container/heap", "encoding/csv", "encoding/ascii85",
    "encoding/base32", "encoding/base64", "html", "bufio", "text/scanner", "go/scanner", "unicode/utf16", "hash/adler32",
)  # fmt: skip


_GO_CACHE: list[Path] = []  # one build cache for every Go project of a run: the standard library compiles once


def _go_env(shared: Path) -> dict[str, str]:
    if not _GO_CACHE or not _GO_CACHE[0].is_dir():
        _GO_CACHE[:] = [shared / "gocache"]
        _GO_CACHE[0].mkdir(parents=True, exist_ok=True)
    return {**os.environ, "GOCACHE": str(_GO_CACHE[0]), "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GO111MODULE": "on",
            "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}  # fmt: skip


class GoPackage(Project):
    """A package of the Go standard library, copied into a module and run with its own ``go test`` files."""

    language = "go"

    def __init__(self, path: str) -> None:
        self.path, self.name = path, f"go/{path}"
        self.slug = path.replace("/", "_")

    def _dir(self) -> Path:
        go = shutil.which("go")
        if go is None:
            raise Unavailable("go is not installed (`make toolchains` installs golang-go)")
        res = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, timeout=120)
        return Path(res.stdout.strip()) / "src" / self.path

    def sources(self) -> dict[str, str]:
        d = self._dir()
        if not d.is_dir():
            raise Unavailable(f"{d} is missing")
        return {
            p.name: p.read_text(encoding="utf-8") for p in sorted(d.glob("*.go")) if not p.name.endswith("_test.go")
        }

    def prepare(self, shared: Path) -> None:
        shared.mkdir(parents=True, exist_ok=True)
        self.env = _go_env(shared)
        res = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, timeout=120)
        m = re.match(r"go(\d+\.\d+)", res.stdout.strip())
        self.go_version = m.group(1) if m else "1.19"

    def check(self, sources: dict[str, str], workdir: Path) -> Check:
        d = self._dir()
        pkg = workdir / self.slug
        shutil.copytree(d, pkg, dirs_exist_ok=True)
        for test in pkg.glob("*_test.go"):  # the package's external tests import it by its stdlib path
            test.write_text(
                test.read_text(encoding="utf-8").replace(f'"{self.path}"', f'"corpus/{self.slug}"'), encoding="utf-8"
            )
        _write(pkg, sources)
        (workdir / "go.mod").write_text(f"module corpus\n\ngo {self.go_version}\n")
        res = _run(["go", "test", "-count=1", "-v", f"./{self.slug}"], workdir, env=self.env)
        tests = sorted(
            re.sub(r"\s*\([\d.]+s\)$", "", ln.strip())
            for ln in res.stdout.decode().splitlines()
            if ln.strip().startswith("--- ")
        )
        return Check(res.returncode == 0, "\n".join(tests), "" if res.returncode == 0 else _tail(res))


def go_projects(quick: bool = False) -> list[Project]:
    return [GoPackage(p) for p in (GO_PACKAGES_QUICK if quick else GO_PACKAGES)]
