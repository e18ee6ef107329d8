"""Differential execution on randomly generated programs (loops with break/continue/else, nested
conditions, boolean operators, closures with nonlocal, comprehensions, while loops, printing).

The generator is seeded (test code; the library itself never uses ``random``), so
failures reproduce. Every Python op transforms every program; original and variant
must print the same lines and return the same value.
"""

from __future__ import annotations

import contextlib
import io
import random

import pytest

import omniaug
from omniaug_code import OPS, CodeBatch

N_PROGRAMS = 100
VARS = ["a", "b", "c", "d"]


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def atom(self) -> str:
        return self.r.choice([*VARS, str(self.r.randint(-3, 9))])

    def expr(self, depth: int = 0) -> str:
        if depth > 1 or self.r.random() < 0.4:
            return self.atom()
        op = self.r.choice(["+", "-", "*", "%"])
        right = self.expr(depth + 1)
        if op == "%":
            return f"({self.expr(depth + 1)} % (abs({right}) + 1))"
        return f"({self.expr(depth + 1)} {op} {right})"

    def cond(self, depth: int = 0) -> str:
        kind = self.r.random()
        if depth < 1 and kind < 0.3:
            return f"{self.cond(depth + 1)} {self.r.choice(['and', 'or'])} {self.cond(depth + 1)}"
        if depth < 1 and kind < 0.4:
            return f"not ({self.cond(depth + 1)})"
        return f"{self.atom()} {self.r.choice(['<', '<=', '>', '>=', '==', '!='])} {self.expr(1)}"

    def block(self, ind: str, depth: int, in_loop: bool) -> list[str]:
        lines: list[str] = []
        for _ in range(self.r.randint(1, 3)):
            lines += self.stmt(ind, depth, in_loop)
        return lines

    def stmt(self, ind: str, depth: int, in_loop: bool) -> list[str]:
        k = self.r.random()
        if depth >= 2 or k < 0.35:
            v = self.r.choice(VARS)
            op = self.r.choice(["=", "+=", "-="])
            return [f"{ind}{v} {op} {self.expr()}", f"{ind}{v} = max(-50, min(50, {v}))"]
        if k < 0.45:
            return [f"{ind}print({self.r.choice(VARS)}, {self.cond()})"]
        if k < 0.6:
            lines = [f"{ind}if {self.cond()}:", *self.block(ind + "    ", depth + 1, in_loop)]
            if self.r.random() < 0.6:
                lines += [f"{ind}else:", *self.block(ind + "    ", depth + 1, in_loop)]
            return lines
        if k < 0.75:
            it = self.r.choice(["range(4)", f"range({self.atom()} % 5)", "[3, 1, 2]", "(v for v in range(3))"])
            lines = [f"{ind}for {self.r.choice(['i', 'j'])} in {it}:", *self.block(ind + "    ", depth + 1, True)]
            if self.r.random() < 0.5:
                lines.insert(1, f"{ind}    if {self.cond()}:")
                lines.insert(2, f"{ind}        {self.r.choice(['break', 'continue'])}")
            if self.r.random() < 0.4:
                lines += [f"{ind}else:", f"{ind}    print('for-else', {self.r.choice(VARS)})"]
            return lines
        if k < 0.85:
            return [
                f"{ind}n{depth} = 0",
                f"{ind}while n{depth} < 3 and {self.cond(1)}:",
                f"{ind}    n{depth} += 1",
                *self.block(ind + "    ", depth + 1, True),
                *([f"{ind}else:", f"{ind}    print('while-else')"] if self.r.random() < 0.4 else []),
            ]
        if k < 0.93:
            v = self.r.choice(VARS)
            return [f"{ind}{v} = sum([x * 2 for x in range(3) if {self.cond(1).replace(v, 'x')}])"]
        return [f"{ind}if {self.r.choice(['True', 'False'])} or {self.cond(1)}:", f"{ind}    pass"]

    def program(self) -> str:
        body = ["    a, b, c, d = p, q, 1, 2", "    log = []", "", "    def bump(k=1):", "        nonlocal c",
                "        c += k", "        log.append(c)", "        return c", ""]  # fmt: skip
        body += self.block("    ", 0, False)
        body += ["    bump(k=2)", "    return a, b, c, d, log"]
        return "def program(p, q):\n" + "\n".join(body) + "\n"


def _run(source: str, entry: str = "program") -> list[str]:
    ns: dict[str, object] = {}
    exec(compile(source, "<random>", "exec"), ns)
    out = []
    for p, q in [(0, 1), (3, -2), (7, 7)]:
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                res: object = ns[entry](p, q)  # type: ignore[operator]
            except Exception as exc:
                res = (type(exc).__name__, str(exc))
        out.append(repr((res, buf.getvalue())))
    return out


PROGRAMS = [_Gen(seed).program() for seed in range(N_PROGRAMS)]
REFERENCE = [_run(p) for p in PROGRAMS]


@pytest.mark.parametrize("op_cls", [c for c in OPS if "python" in c.languages], ids=lambda c: c.name)
def test_random_programs_keep_behaviour(op_cls: type) -> None:
    out = op_cls(max_sites=6)(CodeBatch(PROGRAMS * 2), generator=omniaug.rng.make_generator(99))
    applied = 0
    for k, src in enumerate(out.sources):
        status = out.last_status(k)
        assert status is not None and status.outcome != "failed", f"{status}\n{PROGRAMS[k % N_PROGRAMS]}"
        if status.outcome == "applied":
            applied += 1
            entry = dict(status.renames).get("program", "program")
            assert _run(src, entry) == REFERENCE[k % N_PROGRAMS], (
                f"{op_cls.name} changed behaviour:\n{PROGRAMS[k % N_PROGRAMS]}\n---\n{src}"
            )
    if op_cls.name not in (
        "code.remove_comments",
        "code.remove_docstrings",
        "code.perturb_docstrings",
        "code.reorder_imports",
    ):
        assert applied > 0
