"""Throughput of omniaug-text vs nlpaug, same run, same machine.

Run with the benchmark venv (nlpaug lives only there)::

    .venv-bench/bin/python benchmarks/bench_text.py [--repeats 5] [--append-docs]

Workload: 1000 English sentences of 20 words (words drawn with a fixed seed from
the plugin's sample sentences, so the vocabulary is small and repeats like real
text does; WordNet lookups are cached per word after their first use — the
"cold" column is the first call with empty caches). Strengths are matched to
nlpaug's defaults: 30 % of words for swap/delete (nlpaug ``aug_p=0.3``), ~9 % of
characters for keyboard typos (nlpaug ``aug_word_p=0.3`` × ``aug_char_p=0.3``).
nlpaug's ``SynonymAug`` needs ``nltk.download('wordnet')`` (network) and is not run.
Spelling mistakes: 20 % of words (nlpaug ``SpellingAug(aug_p=0.2)``, its own
``spelling_en.txt``, the source of our table).

Token-id ops: per-sample cost at batch 16 … 1024, length 128 (flat means vectorized).

``--clock cpu`` times process CPU time instead of wall time: the string ops are
single-threaded Python, so on a loaded machine CPU time leaves out the time the
process waited for a core (with more than one torch thread the token ops' CPU time
adds up the threads).
"""

from __future__ import annotations

import argparse
import functools
import os

# Idle torch (OpenMP) worker threads busy-wait after every parallel op; on a shared
# 2-core machine they then steal the CPU from the Python thread doing the string
# work (measured here: keyboard typos 4,200 sent/s with the default policy, 23,000
# with PASSIVE, at 2 threads). Must be set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from omniaug_text import TokenBatch
from omniaug_text.ops.chars import KeyboardTypo
from omniaug_text.ops.tokens import LocalShuffle, RandomTokenReplace, SpanMasking, TokenDropout, TokenMasking
from omniaug_text.ops.words import RandomDeletion, RandomSwap, SpellingMistake, SynonymReplacement
from omniaug_text.samples import SENTENCES

N_SENTENCES = 1000
WORDS = 20


def make_sentences(n: int = N_SENTENCES, words: int = WORDS, seed: int = 0) -> list[str]:
    pool = [w.strip(".,!?") for s in SENTENCES for w in s.split() if w.strip(".,!?").isalpha()]
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, len(pool), (n, words), generator=g).tolist()
    out = []
    for row in idx:
        ws = [pool[i] for i in row]
        ws[0] = ws[0].capitalize()
        ws[9] += ","
        out.append(" ".join(ws) + ".")
    return out


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.process_time}
CLOCK = CLOCKS["wall"]


def timed(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = CLOCK()
        fn()
        times.append(CLOCK() - t0)
    return statistics.median(times)


def nlpaug_ops() -> dict[str, Any]:
    try:
        import nlpaug.augmenter.char as nac
        import nlpaug.augmenter.word as naw
    except ImportError:  # pragma: no cover - outside the bench venv
        return {}
    return {
        "random swap": naw.RandomWordAug(action="swap", aug_p=0.3),
        "random deletion": naw.RandomWordAug(action="delete", aug_p=0.3),
        "keyboard typos": nac.KeyboardAug(aug_char_p=0.3, aug_word_p=0.3),
        "spelling mistakes": naw.SpellingAug(aug_p=0.2),
    }


def bench_strings(repeats: int) -> list[tuple[str, float, float | None, float | None]]:
    """Rounds interleave every op (ours and nlpaug's), so load changes hit all of them alike."""
    sentences = make_sentences()
    ours = {
        "random swap": RandomSwap(0.3),
        "random deletion": RandomDeletion(0.3),
        "keyboard typos": KeyboardTypo(0.09),
        "synonym replacement": SynonymReplacement(0.3),
        # the misspelling table is built once per process (it was rebuilt per sentence: ~11 sent/s)
        "spelling mistakes": SpellingMistake(0.2),
    }
    theirs = nlpaug_ops()
    from omniaug_text import lexicon
    from omniaug_text.ops import words as word_ops

    lexicon.wordnet()  # load the resource outside the timing (a one-off ~0.5 s)
    lexicon.wordnet().synonyms.cache_clear()
    word_ops._eda_synonyms.cache_clear()
    g = torch.Generator().manual_seed(0)
    t0 = CLOCK()
    ours["synonym replacement"](sentences, generator=g)
    cold = N_SENTENCES / (CLOCK() - t0)
    jobs: dict[tuple[str, str], Callable[[], Any]] = {}
    for name, op in ours.items():
        jobs[(name, "ours")] = lambda op=op: op(sentences, generator=g)
        if name in theirs:
            jobs[(name, "nlpaug")] = lambda peer=theirs[name]: peer.augment(sentences)
    for job in jobs.values():  # warm-up
        job()
    times: dict[tuple[str, str], list[float]] = {key: [] for key in jobs}
    for _ in range(repeats):
        for key, job in jobs.items():
            times[key].append(timed(job, 1))
    rate = {key: N_SENTENCES / statistics.median(ts) for key, ts in times.items()}
    return [
        (name, rate[(name, "ours")], rate.get((name, "nlpaug")), cold if name == "synonym replacement" else None)
        for name in ours
    ]


def synonym_over_swap(pairs: int = 15) -> float:
    """Synonym replacement's throughput over random swap's, from ``pairs`` back-to-back pairs of calls.

    The table's ratio divides two medians whose calls are eight other jobs apart; on a
    loaded machine the load changes in between, and that ratio swung by a third across
    identical runs on the shared 2-core VM. Here the two calls of a pair run one right after the other
    (which one first alternates), so both meet the same load: the median over the pairs
    of each pair's ratio. Run after :func:`bench_strings` (WordNet loaded, caches warm).
    """
    sentences = make_sentences()
    g = torch.Generator().manual_seed(1)
    swap, synonym = RandomSwap(0.3), SynonymReplacement(0.3)
    swap(sentences, generator=g)
    synonym(sentences, generator=g)
    t_swap: list[float] = []
    t_synonym: list[float] = []
    for i in range(pairs):
        order = ((swap, t_swap), (synonym, t_synonym))
        for op, ts in order if i % 2 == 0 else order[::-1]:
            ts.append(timed(functools.partial(op, sentences, generator=g), 1))
    return statistics.median(a / b for a, b in zip(t_swap, t_synonym))


def bench_tokens(repeats: int) -> list[tuple[str, dict[int, float]]]:
    ops = {
        "tokens.dropout": TokenDropout(0.1),
        "tokens.masking": TokenMasking(0.15),
        "tokens.random_replace": RandomTokenReplace(0.1),
        "tokens.span_masking": SpanMasking(0.15),
        "tokens.local_shuffle": LocalShuffle(3),
    }
    length = 128
    out = []
    for name, op in ops.items():
        per_sample = {}
        for b in (16, 64, 256, 1024):
            g = torch.Generator().manual_seed(b)
            lengths = torch.randint(length // 2, length + 1, (b,), generator=g)
            mask = (torch.arange(length).unsqueeze(0) < lengths.unsqueeze(1)).long()
            ids = torch.randint(5, 30000, (b, length), generator=g) * mask
            ids[:, 0] = 1
            batch = TokenBatch(ids, mask, frozenset({1, 2}), pad_id=0, mask_id=3, vocab_size=30000)
            op(batch, generator=g)
            reps = max(repeats, 2048 // b)
            per_sample[b] = timed(lambda op=op, batch=batch, g=g: op(batch, generator=g), reps) / b * 1e6
        out.append((name, per_sample))
    return out


def render(
    strings: list[tuple[str, float, float | None, float | None]],
    tokens: list[tuple[str, dict[int, float]]],
    paired: float | None = None,
) -> str:
    clock = next(name for name, fn in CLOCKS.items() if fn is CLOCK)
    lines = [
        f"1000 sentences × {WORDS} words, CPU, torch threads={torch.get_num_threads()}, "
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}, median of repeats ({clock} clock), "
        f"load average {os.getloadavg()[0]:.1f}",
        "",
        "| op | omniaug-text (sent/s) | nlpaug (sent/s) | ratio | cold cache (sent/s) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, ours, peer, cold in strings:
        peer_s = f"{peer:,.0f}" if peer else "n/a (needs nltk.download)" if name.startswith("synonym") else "n/a"
        ratio = f"{ours / peer:.1f}×" if peer else "–"
        cold_s = f"{cold:,.0f}" if cold else ""
        lines.append(f"| {name} | {ours:,.0f} | {peer_s} | {ratio} | {cold_s} |")
    swap = next(r[1] for r in strings if r[0] == "random swap")
    syn = next(r[1] for r in strings if r[0] == "synonym replacement")
    pairs = f"; {paired:.2f} over back-to-back pairs of calls (synonym_over_swap)" if paired is not None else ""
    lines += ["", f"synonym replacement / random swap = {syn / swap:.2f} (the rates above){pairs}", ""]
    lines += ["| token op (L=128) | µs/sample @16 | @64 | @256 | @1024 |", "|---|---:|---:|---:|---:|"]
    for name, ps in tokens:
        lines.append(f"| {name} | " + " | ".join(f"{ps[b]:.2f}" for b in (16, 64, 256, 1024)) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2 = the project's benchmark setting)")
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall time (default) or process CPU time (steadier on a loaded machine; see the docstring)",
    )
    parser.add_argument(
        "--append-docs", action="store_true", help="append the table to docs/performance.md under 'Text'"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    global CLOCK
    CLOCK = CLOCKS[args.clock]
    strings = bench_strings(args.repeats)
    table = render(strings, bench_tokens(args.repeats), synonym_over_swap())
    print(table)
    if args.append_docs:
        path = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
        text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
        stamp = time.strftime("%Y-%m-%d", time.gmtime())
        heading = "" if "\n## Text\n" in text else "\n\n## Text"
        entry = f"{heading}\n\n`benchmarks/bench_text.py --threads {args.threads}`, {stamp}, load average {os.getloadavg()[0]:.1f}\n\n{table}\n"
        path.write_text(text.rstrip("\n") + entry, encoding="utf-8")


if __name__ == "__main__":
    main()
