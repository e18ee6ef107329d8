"""Level 1: every transformation, on every language it supports, produces code that parses.

Python outputs are checked with CPython's compiler, the other languages with their
tree-sitter grammar. No op may report ``failed`` on these well-formed inputs.
"""

from __future__ import annotations

import pytest

import omniaug
from omniaug_code import OPS, CodeBatch, Status
from omniaug_code.corpus import stdlib_functions
from omniaug_code.samples import OTHER_SAMPLES, PYTHON_SAMPLES
from omniaug_code.syntax import parse_error

from .samples_other import EXTRA

SEEDS = 4


def _sources(language: str) -> list[str]:
    if language == "python":
        return list(PYTHON_SAMPLES) + [f.source for f in stdlib_functions(120)]
    return [OTHER_SAMPLES[language], *EXTRA[language]]


@pytest.mark.parametrize("op_cls", OPS, ids=lambda c: c.name)
def test_outputs_parse_for_every_language(op_cls: type) -> None:
    op = op_cls(max_sites=5)
    for language in op_cls.languages:
        sources = _sources(language) * SEEDS
        out = op(CodeBatch(sources, language), generator=omniaug.rng.make_generator(1))
        outcomes = []
        for i, src in enumerate(out.sources):
            status = out.last_status(i)
            assert isinstance(status, Status)
            assert status.outcome != "failed", f"{op.name} failed on {language}: {status.detail}\n{sources[i]}"
            assert parse_error(src, language) is None, f"{op.name} broke {language}:\n{src}"
            assert (src != sources[i]) == (status.outcome == "applied"), f"{op.name}: status {status} disagrees"
            outcomes.append(status.outcome)
        assert "applied" in outcomes, f"{op.name} never applied to {language}"


def test_unsupported_language_is_reported_not_applicable() -> None:
    from omniaug_code import RewriteBooleans

    out = RewriteBooleans()(CodeBatch([OTHER_SAMPLES["java"]], "java"), generator=omniaug.rng.make_generator(0))
    status = out.last_status(0)
    assert status is not None and status.outcome == "not_applicable" and "java" in status.detail
    assert out.sources[0] == OTHER_SAMPLES["java"]


def test_unparsable_input_is_reported_failed() -> None:
    from omniaug_code import RenameVariables

    out = RenameVariables()(CodeBatch(["def f(:\n  pass\n"], "python"), generator=omniaug.rng.make_generator(0))
    status = out.last_status(0)
    assert status is not None and status.outcome == "failed" and "does not parse" in status.detail


def test_output_that_does_not_parse_is_reported_failed() -> None:
    from omniaug_code.base import CodeAugmentation, Result

    class Breaker(CodeAugmentation):
        name = "code.test_breaker"

        def inner_kernel(self, source: str, language: str, keys: object, sites: int) -> Result:
            return Result(source + "\n)(", 1)

    out = Breaker()(CodeBatch(["x = 1\n"], "python"), generator=omniaug.rng.make_generator(0))
    status = out.last_status(0)
    assert status is not None and status.outcome == "failed" and "output does not parse" in status.detail
    assert out.sources == ["x = 1\n"]
