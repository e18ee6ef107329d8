"""Base class of code ops: per-sample seeds as tensors, a per-sample transform, a status per sample.

A code op draws, per sample, a 63-bit seed and a number of sites (its strength)
from the caller's generator, as tensors. The kernel then runs the op's pure
string transformation on every applied sample — necessarily a Python loop over
strings — and records a :class:`Status`. The output is always checked again
(CPython's compiler for Python, tree-sitter otherwise, optionally the local
compiler with ``verify="compile"``); an output that does not pass, or a
transformation that raises, is reported as ``failed`` with the reason and the
sample keeps its source: nothing falls back silently. Nothing raises out of an
op: a source too large for the time budget or nested too deeply is reported
``not_applicable`` (``too large: …`` / ``too deep: …``).

C-family sources that tree-sitter parses only partly (macros, compiler
extensions) are accepted: ops edit only what parses cleanly, never inside or
across an ERROR region, and the output must leave exactly the same regions
unparsed.

Large batches can be spread over worker processes (``workers=``); results do not
depend on the number of workers because every choice comes from the per-sample seed.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from omniaug import Augmentation, Magnitude, Params, args, rng

from . import budget
from .keys import Keys
from .modality import CODE
from .payload import CodeBatch, Status, StatusLog
from .syntax import error_signature, is_verified, mark_verified, parse_error
from .verify import compiles

__all__ = ["CodeAugmentation", "NotApplicable", "Result", "shutdown_pools", "DEFAULT_TIME_BUDGET"]

_MIN_PARALLEL = 32  # below this many samples a process pool costs more than it saves
#: default seconds per sample before an op gives up with ``too large`` (the ops are near-linear:
#: a 5 MB file takes a few seconds, so this only stops pathological inputs)
DEFAULT_TIME_BUDGET = 60.0


class NotApplicable(Exception):
    """Raised by a transformation that finds nothing to change (the message says why)."""


@dataclass(frozen=True)
class Result:
    """A transformation's output for one sample."""

    source: str
    sites: int
    detail: str = ""
    renames: tuple[tuple[str, str], ...] = ()


class CodeAugmentation(Augmentation):
    """A semantics-preserving source transformation; subclasses implement :meth:`inner_kernel`.

    Args:
        max_sites: each sample changes between 1 and ``max_sites`` sites (the
            op's strength; policies set it through ``magnitude``); ``None`` takes the
            op's default (:attr:`default_max_sites`).
        workers: worker processes for batches of at least 32 samples (1 = in process).
        progress: show a tqdm progress bar over the batch (for the CLI).
        time_budget: seconds one sample may take; a sample that needs more is left
            unchanged and reported ``not_applicable`` with ``too large: …`` (``None``:
            no limit). Sources nested beyond what the op handles get ``too deep: …``.
        verify: ``"parse"`` (default) checks every output by parsing it; ``"compile"``
            also compiles original and output with the local toolchain where there is
            one and fails the sample if only the original compiles (see
            :mod:`omniaug_code.verify`). ``Status.check`` says which check passed.
        p: per-sample probability of applying the op.
        same_on_batch: one draw for the whole batch.
    """

    modality = CODE
    magnitude: ClassVar[Magnitude | None] = Magnitude("max_sites", 1, 8, integer=True)
    #: languages the op handles; others get ``not_applicable``
    languages: ClassVar[tuple[str, ...]] = ("python",)
    #: reference for the op's definition (shown in docs)
    source_ref: ClassVar[str] = ""
    #: ``max_sites`` when the caller gives none
    default_max_sites: ClassVar[int] = 3

    def __init__(
        self,
        max_sites: int | None = None,
        *,
        workers: int = 1,
        progress: bool = False,
        time_budget: float | None = DEFAULT_TIME_BUDGET,
        verify: str = "parse",
        p: float = 1.0,
        same_on_batch: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch)
        if max_sites is None:
            max_sites = self.default_max_sites
        where = type(self).__name__
        self.max_sites = args.integer("max_sites", max_sites, low=1, where=where)
        self.workers = args.integer("workers", workers, low=1, where=where)
        self.progress = bool(progress)
        self.time_budget = None if time_budget is None else args.positive("time_budget", time_budget, where=where)
        self.verify = args.choice("verify", verify, ("parse", "compile"), where=where)

    # -- to implement -------------------------------------------------------------
    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        """Transform one source; raise :class:`NotApplicable` when there is nothing to do."""
        raise NotImplementedError

    # -- provided -----------------------------------------------------------------
    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        return {
            "seed": rng.sample_seeds(batch_size, generator=generator, device=device),  # the core per-sample seeds
            "sites": rng.randint(batch_size, 1, self.max_sites + 1, generator=generator, device=device),
        }

    def run_one(self, source: str, language: str, seed: int, sites: int, verified: bool = False) -> tuple[str, Status]:
        """Transform one sample and say what happened (never raises).

        ``verified``: the caller knows ``source`` parses (it checked this very string).
        """
        try:
            with budget.deadline(self.time_budget):
                return self._run_one(source, language, seed, sites, verified)
        except budget.TooLarge:
            return source, Status(
                self.name, "not_applicable", f"too large: the time budget of {self.time_budget:g} s per file ran out"
            )
        except (budget.TooDeep, RecursionError) as exc:
            why = str(exc) if isinstance(exc, budget.TooDeep) else "Python recursion limit"
            return source, Status(self.name, "not_applicable", f"too deep: the source is nested too deeply ({why})")
        except Exception as exc:  # an op bug must not stop a batch: reported, source kept
            return source, Status(self.name, "failed", f"{type(exc).__name__}: {exc}")

    def _run_one(self, source: str, language: str, seed: int, sites: int, verified: bool) -> tuple[str, Status]:
        if language not in self.languages:
            return source, Status(
                self.name, "not_applicable", f"{language} is not supported (supports {', '.join(self.languages)})"
            )
        if language == "python":
            problem = None if verified else parse_error(source, language)
            if problem is not None:
                return source, Status(self.name, "failed", f"input does not parse: {problem}")
            signature: tuple[tuple[str, str], ...] = ()
        else:
            # C family: regions tree-sitter cannot parse (macros, extensions) are left alone by every op
            signature = () if verified or is_verified(source, language) else error_signature(source, language)
        try:
            result = self.inner_kernel(source, language, Keys(seed), sites)
        except NotApplicable as exc:
            return source, Status(self.name, "not_applicable", str(exc))
        if result.source == source:
            return source, Status(self.name, "not_applicable", "the transformation left the source unchanged")
        budget.check_now()
        if language == "python":
            problem = parse_error(result.source, language)
            if problem is not None:
                return source, Status(self.name, "failed", f"output does not parse: {problem}")
            check = "compiled"
        else:
            after = () if is_verified(result.source, language) else error_signature(result.source, language)
            if after != signature:
                if not signature:
                    return source, Status(
                        self.name, "failed", f"output does not parse: {parse_error(result.source, language)}"
                    )
                return source, Status(
                    self.name, "failed", "output does not parse the same way around the unparsed regions"
                )
            if not after:
                mark_verified(result.source, language)
            check = "parsed"
            if self.verify == "compile":
                before = compiles(source, language, cache=True)
                if before is not None and before[0]:
                    ok, message = compiles(result.source, language)  # type: ignore[misc]
                    if not ok:
                        return source, Status(self.name, "failed", f"output does not compile: {message}")
                    check = "compiled"
        return result.source, Status(self.name, "applied", result.detail, result.sites, result.renames, check)

    def kernel(self, x: CodeBatch, params: Params) -> CodeBatch:
        seeds = params["seed"].tolist()  # string op: per-sample Python work on the host
        sites = params["sites"].tolist()
        langs = x.languages()
        if self.workers > 1 and len(x.sources) >= _MIN_PARALLEL:
            # tell the workers which sources this process already knows to parse (e.g. the
            # previous op's outputs), and remember the outputs they checked
            verified = [is_verified(s, lang) for s, lang in zip(x.sources, langs)]
            results = _run_parallel(self, list(zip(x.sources, langs, seeds, sites, verified)))
            for (src, status), lang in zip(results, langs):
                if status.outcome != "failed" and lang == "python":
                    mark_verified(src, lang)
        else:
            jobs = list(zip(x.sources, langs, seeds, sites))
            results = [self.run_one(*job) for job in _progress(jobs, self.progress, self.name)]
        old = x.status if x.status is not None else [()] * len(results)
        return CodeBatch(
            [r[0] for r in results],
            x.language if isinstance(x.language, str) else list(x.language),
            [StatusLog((*log, r[1])) for log, r in zip(old, results)],
        )


def _progress(items: list[Any], enabled: bool, desc: str) -> Any:
    if not enabled:
        return items
    from tqdm import tqdm

    return tqdm(items, desc=desc, unit="file")


# -- process pool ----------------------------------------------------------------------

_POOLS: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    pool = _POOLS.get(workers)
    if pool is None:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() and os.name == "posix" else "spawn"
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
        _POOLS[workers] = pool
    return pool


def shutdown_pools() -> None:
    """Stop the worker processes started for ``workers > 1``."""
    for pool in _POOLS.values():
        pool.shutdown(wait=True, cancel_futures=True)
    _POOLS.clear()


_Job = tuple[str, str, int, int, bool]


def _run_chunk(op: CodeAugmentation, jobs: list[_Job]) -> list[tuple[str, Status]]:
    return [op.run_one(*job) for job in jobs]


def _run_parallel(op: CodeAugmentation, jobs: list[_Job]) -> list[tuple[str, Status]]:
    n_chunks = min(len(jobs), op.workers * 4)
    size = -(-len(jobs) // n_chunks)
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    futures = [_pool(op.workers).submit(_run_chunk, op, chunk) for chunk in chunks]
    out: list[tuple[str, Status]] = []
    for fut in _progress(futures, op.progress, op.name):
        out.extend(fut.result())
    return out
