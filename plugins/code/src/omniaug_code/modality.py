"""The ``code`` modality: validation, batching and example data for :class:`CodeBatch`."""

from __future__ import annotations

from typing import Any

import torch

from omniaug import InputError, Modality, rng

from .files import FILE_PATTERNS, load_sources, save_sources
from .payload import LANGUAGES, CodeBatch, Status
from .render import render_diff
from .samples import PYTHON_SAMPLES

__all__ = ["CODE", "validate", "subset", "merge", "allclose", "example", "bad_examples"]

_WHERE = "code modality"


def validate(x: Any) -> None:
    """Raise :class:`InputError` unless ``x`` is a well-formed :class:`CodeBatch`."""
    if not isinstance(x, CodeBatch):
        raise InputError("x", "a CodeBatch(sources=[str, ...], language=...)", x, where=_WHERE)
    if not isinstance(x.sources, list) or not all(isinstance(s, str) for s in x.sources):
        raise InputError("x.sources", "a list of source strings", x.sources, where=_WHERE)
    n = len(x.sources)
    if isinstance(x.language, str):
        langs = [x.language]
    elif isinstance(x.language, list) and len(x.language) == n and all(isinstance(v, str) for v in x.language):
        langs = x.language
    else:
        raise InputError("x.language", f"a language name or a list of {n} names", x.language, where=_WHERE)
    unknown = sorted({v for v in langs if v not in LANGUAGES})
    if unknown:
        raise InputError("x.language", f"one of {', '.join(LANGUAGES)}", ", ".join(unknown), where=_WHERE)
    if x.status is not None and (
        not isinstance(x.status, list)
        or len(x.status) != n
        or not all(isinstance(log, tuple) and all(isinstance(s, Status) for s in log) for log in x.status)
    ):
        raise InputError("x.status", f"None or a list of {n} tuples of Status", x.status, where=_WHERE)


def batch_size(x: Any) -> int:
    validate(x)
    return len(x.sources)


def _status_list(x: CodeBatch) -> list[tuple[Status, ...]]:
    return [()] * len(x.sources) if x.status is None else list(x.status)


def subset(x: CodeBatch, index: torch.Tensor) -> CodeBatch:
    """Samples ``index`` of ``x`` (a shared language string stays shared)."""
    idx = index.tolist()
    lang = x.language if isinstance(x.language, str) else [x.language[i] for i in idx]
    status = None if x.status is None else [x.status[i] for i in idx]
    return CodeBatch([x.sources[i] for i in idx], lang, status)


def merge(base: CodeBatch, index: torch.Tensor, part: CodeBatch) -> CodeBatch:
    """A copy of ``base`` with samples ``index`` replaced by ``part``."""
    idx = index.tolist()
    sources = list(base.sources)
    langs = base.languages()
    status = _status_list(base)
    for j, i in enumerate(idx):
        sources[i] = part.sources[j]
        langs[i] = part.language_of(j)
    if part.status is not None:
        for j, i in enumerate(idx):
            status[i] = part.status[j]
    lang: str | list[str] = langs[0] if isinstance(base.language, str) and len(set(langs)) <= 1 else langs
    has_status = base.status is not None or part.status is not None
    return CodeBatch(sources, lang, status if has_status else None)


def allclose(a: Any, b: Any, **_: Any) -> bool:
    """Exact equality of sources, languages and status logs (no status equals empty logs)."""
    if not (isinstance(a, CodeBatch) and isinstance(b, CodeBatch)):
        return False
    return a.sources == b.sources and a.languages() == b.languages() and _status_list(a) == _status_list(b)


def example(batch_size: int = 4, generator: torch.Generator | None = None, device: Any = "cpu") -> CodeBatch:
    """A batch of small Python programs (chosen with ``generator``) that every op can transform."""
    picks = rng.randint(batch_size, 0, len(PYTHON_SAMPLES), generator=generator).tolist()
    return CodeBatch([PYTHON_SAMPLES[i] for i in picks], "python")


def bad_examples() -> list[Any]:
    return [
        ["def f(): pass"],  # a bare list, not a CodeBatch
        CodeBatch([b"x = 1"], "python"),  # type: ignore[list-item]
        CodeBatch(["x = 1"], "cobol"),
        CodeBatch(["x = 1", "y = 2"], ["python"]),
        CodeBatch(["x = 1"], "python", status=[("applied",)]),  # type: ignore[list-item]
    ]


CODE = Modality(
    name="code",
    payload="CodeBatch(sources: list[str], language: str | list[str], status: per-sample Status logs)",
    validate=validate,
    batch_size=batch_size,
    subset=subset,
    merge=merge,
    allclose=allclose,
    example=example,
    render=render_diff,
    load=load_sources,
    save=save_sources,
    file_patterns=FILE_PATTERNS,
    files="omniaug_code.files:FILES",
    float_tolerance=(0.0, 0.0),
    bad_examples=bad_examples,
    extra={"preview_suffix": "html"},
    description=(
        "Source code (Python first-class; Java, JavaScript, C, C++, Go via tree-sitter): semantics-preserving "
        "program transformations with a per-sample applied / not applicable / failed status."
    ),
)
