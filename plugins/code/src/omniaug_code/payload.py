"""The code payload: a batch of source strings, their language(s) and a per-sample status log."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["LANGUAGES", "EXTENSIONS", "CodeBatch", "Check", "Outcome", "Status", "StatusLog"]

#: languages the plugin parses (tree-sitter grammars; Python also through the CPython compiler)
LANGUAGES: tuple[str, ...] = ("python", "java", "javascript", "c", "cpp", "go")
#: file extension → language, for ``omniaug apply``
EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".java": "java",
    ".js": "javascript",
    ".mjs": "javascript",
    ".c": "c",
    ".h": "c",
    ".cpp": "cpp",
    ".cc": "cpp",
    ".hpp": "cpp",
    ".go": "go",
}

Outcome = Literal["applied", "not_applicable", "failed"]
Check = Literal["compiled", "parsed", ""]


@dataclass(frozen=True)
class Status:
    """What one op did to one sample.

    ``outcome`` is ``"applied"`` (``sites`` places changed), ``"not_applicable"``
    (nothing to transform; ``detail`` says why) or ``"failed"`` (the source is
    returned unchanged; ``detail`` gives the reason). ``renames`` lists the
    ``(old, new)`` names of renaming ops, so callers can still find an entry point.
    ``check`` (applied samples) says how the output was verified: ``"compiled"``
    (changed and verified: CPython's compiler for Python, the local compiler with
    ``verify="compile"`` for the other languages) or ``"parsed"`` (changed,
    parse-checked only: tree-sitter found the same syntax tree errors as in the input
    — none for a clean input).
    """

    op: str
    outcome: Outcome
    detail: str = ""
    sites: int = 0
    renames: tuple[tuple[str, str], ...] = ()
    check: Check = ""

    @property
    def verified(self) -> bool:
        """Whether the output was compiled (not only parsed)."""
        return self.outcome == "applied" and self.check == "compiled"

    def __str__(self) -> str:
        tail = f" ({self.detail})" if self.detail else ""
        count = f" {self.sites} site(s)" if self.outcome == "applied" else ""
        how = (
            {"compiled": ", compiled", "parsed": ", parse-checked only"}.get(self.check, "")
            if self.outcome == "applied"
            else ""
        )
        return f"{self.op}: {self.outcome}{count}{how}{tail}"


class StatusLog(tuple):  # type: ignore[type-arg]
    """The status entries of one sample, oldest first; ``str()`` gives one readable line."""

    __slots__ = ()

    def __str__(self) -> str:
        return "; ".join(str(s) for s in self) or "untouched"


@dataclass(frozen=True)
class CodeBatch:
    """A batch of source files or snippets.

    Attributes:
        sources: one source string per sample.
        language: one language for the batch, or one per sample (see ``LANGUAGES``).
        status: per sample, the log of every op that ran on it (``Status`` entries,
            oldest first); ``None`` until an op has run. Samples an op skipped
            because of ``p`` get no entry.
    """

    sources: list[str]
    language: str | list[str] = "python"
    status: list[tuple[Status, ...]] | None = field(default=None)

    def __len__(self) -> int:
        return len(self.sources)

    def language_of(self, i: int) -> str:
        """The language of sample ``i``."""
        return self.language if isinstance(self.language, str) else self.language[i]

    def languages(self) -> list[str]:
        """One language per sample."""
        return [self.language] * len(self.sources) if isinstance(self.language, str) else list(self.language)

    def history(self, i: int) -> tuple[Status, ...]:
        """The status log of sample ``i`` (empty before any op ran)."""
        return () if self.status is None else self.status[i]

    def last_status(self, i: int) -> Status | None:
        """The most recent status of sample ``i``."""
        log = self.history(i)
        return log[-1] if log else None

    def report(self) -> list[str]:
        """One human-readable line per sample: its status log."""
        return [str(StatusLog(self.history(i))) for i in range(len(self.sources))]
