"""Machine-specific timings stay out of the library's source: they go to docs/performance.md.

A docstring or comment may say *why* a design is faster ("a torch op pays a fixed
dispatch cost, so small per-sample math runs in NumPy"), but the number it measured
on one machine goes stale and belongs in ``docs/performance.md`` ("Design
measurements"), where it is dated and grouped by module (issue #16 §5). The patterns
are tight on purpose: a signal duration ("400 ms gating blocks") or a ratio that is
not a speed ("512× fewer faults") is not a timing.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_NUM = r"\d[\d,]*(?:\.\d+)?"
#: words that make "<number> ms" a measured time rather than a duration of a signal
_TIMING_CONTEXT = r"\b(?:vs\.?|versus|against|instead of|took|takes|costs?|faster|slower|cheaper|per (?:call|sample|function|op|image|graph|series|compose|iteration))\b|→"

PATTERNS: dict[str, re.Pattern[str]] = {
    "microseconds / nanoseconds": re.compile(rf"{_NUM} ?(?:µs|us|ns)\b"),
    "milliseconds measured": re.compile(
        rf"{_NUM} ?ms (?:per|of CPU|a call|each)\b|{_NUM} ?ms\b(?=.*(?:{_TIMING_CONTEXT}))|(?:{_TIMING_CONTEXT}).*{_NUM} ?ms\b"
    ),
    "speed ratio": re.compile(
        rf"{_NUM} ?(?:×|x|times) (?:faster|slower|cheaper|quicker|more expensive|the time)\b"
        rf"|{_NUM} ?% (?:faster|slower|cheaper|less time|more time)\b"
    ),
    "throughput": re.compile(rf"{_NUM} ?(?:[kMG]B|img|imgs|images|samples|items|it|graphs|series|functions)/s\b"),
    "seconds measured": re.compile(rf"\(~ ?{_NUM} ?s\)|{_NUM} ?s (?:per|a|each) (?:call|sample|function|op|image)\b"),
}


def source_files() -> list[Path]:
    """Every Python file of the core's and the plugins' packages (tests and benchmarks are elsewhere)."""
    roots = [ROOT / "core" / "src", *sorted((ROOT / "plugins").glob("*/src"))]
    return sorted(p for r in roots for p in r.rglob("*.py"))


def timing_lines(path: Path) -> list[str]:
    """``file:line: [kind] text`` for every line of ``path`` that states a timing."""
    hits = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for kind, pattern in PATTERNS.items():
            if pattern.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: [{kind}] {line.strip()}")
                break
    return hits


def test_scan_covers_core_and_every_plugin() -> None:
    files = source_files()
    assert any(p.name == "rng.py" for p in files)
    assert {p.relative_to(ROOT / "plugins").parts[0] for p in files if ROOT / "plugins" in p.parents} >= {
        "image",
        "graph",
        "audio",
    }


def test_patterns_catch_timings_and_spare_durations() -> None:
    timings = [
        "costs ~1–2.5 µs of dispatch",
        "(measured 0.26 ms vs 0.49 ms for 32 x 32000)",
        "about 3× faster than F.affine_grid",
        "~20x faster than aminmax",
        "2–3 images per chunk ran 25–34 % faster",
        "3 images per chunk 10,300 img/s",
        "loaded on first call (~1 s)",
        "took 57 ms, against 8.5 ms",
        "(measured: ~8 ms per 2.4 MB ``clone()`` with 2 intra-op threads",
        "measured ~1,300 faults, ~2 ms of CPU, for a batch of 8",
    ]
    durations = [
        "(K-weighted, 400 ms blocks, absolute and relative gates",
        "400 ms block is measured as a single block over its valid part",
        '"short (20 ms)": AudioBatch(mono[..., :320]',
        "backed by 2 MiB pages takes 512× fewer faults",
        "part of a path runs at most e^6 ≈ 400× the slowest",
        "several times faster (docs/performance.md)",
    ]
    assert [t for t in timings if not any(p.search(t) for p in PATTERNS.values())] == []
    assert [d for d in durations if any(p.search(d) for p in PATTERNS.values())] == []


def test_no_machine_specific_timings_in_source() -> None:
    hits = [h for path in source_files() for h in timing_lines(path)]
    assert not hits, (
        "machine-specific timings in source (move the number to docs/performance.md, "
        '"Design measurements", and keep the reason in the code):\n' + "\n".join(hits)
    )
