"""Compiling outputs with the local toolchain: the ``verify="compile"`` check of every op.

By default an op's output is checked by parsing it (CPython's full compiler for
Python; tree-sitter for the other languages, which proves syntax only). With
``verify="compile"`` an op also runs the language's compiler on the original and on
the output whenever that compiler is installed:

* the original compiles and the output does not → the sample is ``failed`` (the
  source is kept): an op never reports ``applied`` for code that stopped compiling;
* both compile → the status says ``check="compiled"`` (changed and verified);
* the original does not compile on its own (missing headers, other classes of its
  package) or there is no compiler → ``check="parsed"`` (changed, parse-checked only).

Compilers: ``gcc``/``g++ -fsyntax-only`` (C/C++, from standard input), ``node
--check`` (JavaScript, syntax and early errors only), ``javac`` (Java, the file alone
on the source path), ``go build`` (Go, a file whose imports are all in the
standard library). Results for originals are cached per source text.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["compiler_for", "compiles", "COMPILERS"]

#: language → the executable the check needs
COMPILERS: dict[str, str] = {"c": "gcc", "cpp": "g++", "javascript": "node", "java": "javac", "go": "go"}
_TIMEOUT = 60.0
_CACHE: dict[tuple[str, str], tuple[bool, str]] = {}
_CACHE_MAX = 2048


@functools.cache
def compiler_for(language: str) -> str | None:
    """The path of the compiler that checks ``language`` (None when it is not installed)."""
    tool = COMPILERS.get(language)
    return shutil.which(tool) if tool else None


def _first_error(text: str) -> str:
    for line in text.splitlines():
        if "error" in line.lower():
            return line.strip()[:300]
    return (text.strip().splitlines() or ["(no message)"])[0][:300]


def _run(cmd: list[str], cwd: str, stdin: str | None = None) -> tuple[bool, str]:
    env = dict(os.environ)
    env.setdefault("GOCACHE", str(Path(tempfile.gettempdir()) / "omniaug-go-cache"))
    env.setdefault("GO111MODULE", "off")
    try:
        res = subprocess.run(cmd, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return False, f"{Path(cmd[0]).name} timed out"
    return res.returncode == 0, _first_error(res.stderr or res.stdout)


_JAVA_CLASS = re.compile(
    r"^\s*public\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\s+)*(?:class|interface|enum|record|@interface)\s+(\w+)",
    re.M,
)
_ESM = re.compile(r"^\s*(?:import\s|export\s)", re.M)


def _compile(source: str, language: str, tool: str) -> tuple[bool, str]:
    if language in ("c", "cpp"):
        lang = "c" if language == "c" else "c++"
        return _run([tool, "-fsyntax-only", "-w", "-x", lang, "-"], tempfile.gettempdir(), stdin=source)
    with tempfile.TemporaryDirectory(prefix="omniaug-verify-") as tmp:
        if language == "javascript":
            path = Path(tmp) / ("main.mjs" if _ESM.search(source) else "main.js")
            path.write_text(source, encoding="utf-8")
            return _run([tool, "--check", str(path)], tmp)
        if language == "java":
            m = _JAVA_CLASS.search(source)
            path = Path(tmp) / f"{m.group(1) if m else 'Main'}.java"
            path.write_text(source, encoding="utf-8")
            out = Path(tmp) / "classes"
            out.mkdir()
            return _run(
                [tool, "-nowarn", "-proc:none", "-implicit:none", "-d", str(out), "-sourcepath", tmp, str(path)], tmp
            )
        if language == "go":
            path = Path(tmp) / "main.go"
            path.write_text(source, encoding="utf-8")
            return _run([tool, "build", "-o", os.devnull, str(path)], tmp)
    return False, f"no compile check for {language}"


def compiles(source: str, language: str, *, cache: bool = False) -> tuple[bool, str] | None:
    """``(ok, first error line)`` from the local compiler, or None when there is none for ``language``.

    ``cache``: remember the answer for this exact text (used for originals, which
    every op of a pipeline checks again).
    """
    tool = compiler_for(language)
    if tool is None:
        return None
    key = (language, hashlib.sha1(source.encode("utf-8")).hexdigest())
    if cache and key in _CACHE:
        return _CACHE[key]
    result = _compile(source, language, tool)
    if cache:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = result
    return result
