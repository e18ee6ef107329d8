"""A corpus of real Python functions: the module-level functions of the standard library.

Used by the benchmark (1000 functions) and the differential-execution tests. The
sources are read from the local standard library files (no download) with
:func:`ast.get_source_segment`, which also finds the pure-Python definitions that a
module later replaces by C accelerators (``bisect``, ``heapq``).
"""

from __future__ import annotations

import ast
import importlib.util
import sysconfig
import textwrap
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FunctionSource", "module_functions", "stdlib_functions", "DEFAULT_MODULES"]

#: stdlib modules with many pure, self-contained functions
DEFAULT_MODULES: tuple[str, ...] = (
    "textwrap", "string", "bisect", "heapq", "statistics", "colorsys", "fnmatch", "posixpath", "ntpath",
    "genericpath", "shlex", "html", "calendar", "datetime", "quopri", "base64", "difflib", "email.utils",
    "urllib.parse", "json.encoder", "json.decoder", "gettext", "locale", "tokenize", "inspect", "dis", "ast",
    "pprint", "copy", "functools", "collections", "typing", "dataclasses", "enum", "argparse", "optparse",
    "configparser", "csv", "zipfile", "tarfile", "shutil", "tempfile", "glob", "platform", "sysconfig",
    "mimetypes", "http.cookies", "http.client", "urllib.request", "email.message", "email.header",
    "email._header_value_parser", "xml.dom.minidom", "pydoc", "doctest", "unittest.case", "logging",
    "subprocess", "os", "random", "fractions", "decimal", "_pydecimal", "ipaddress", "uuid", "re._parser",
    "re._compiler", "sre_compile", "tokenize", "pickletools", "imaplib", "smtplib", "ftplib", "nntplib",
    "mailbox", "turtle", "cgi", "codecs", "locale", "traceback", "warnings", "contextlib", "selectors",
)  # fmt: skip


@dataclass(frozen=True)
class FunctionSource:
    """The source of one module-level function (dedented, decorators included)."""

    module: str
    name: str
    source: str


def _module_path(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin is not None and spec.origin.endswith(".py"):
        return Path(spec.origin)
    # frozen stdlib modules (posixpath, genericpath, …): their source is still in the stdlib folder
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for candidate in (stdlib / (name.replace(".", "/") + ".py"), stdlib / name.replace(".", "/") / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_functions(module: str) -> list[FunctionSource]:
    """Every module-level ``def`` of a stdlib module, in source order."""
    path = _module_path(module)
    if path is None:
        return []
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    out = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            lines = text.splitlines(keepends=True)[start - 1 : node.end_lineno]
            out.append(FunctionSource(module, node.name, textwrap.dedent("".join(lines))))
    return out


def stdlib_functions(limit: int | None = None, modules: tuple[str, ...] = DEFAULT_MODULES) -> list[FunctionSource]:
    """Up to ``limit`` module-level functions of the standard library (deduplicated by source)."""
    seen: set[str] = set()
    out: list[FunctionSource] = []
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for module in dict.fromkeys(modules):
        path = _module_path(module)
        if path is None or stdlib not in path.parents:
            continue
        for f in module_functions(module):
            if f.source not in seen:
                seen.add(f.source)
                out.append(f)
                if limit is not None and len(out) >= limit:
                    return out
    return out
