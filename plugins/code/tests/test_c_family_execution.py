"""Differential execution for C, C++, JavaScript and Java with the local compilers/runtimes.

Each program prints its results for several inputs from ``main``; every C-family
op transforms it with several seeds (``main`` included), and the compiled variant
must print exactly what the original prints. A language whose toolchain is not
installed is skipped (with the reason), never silently passed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import omniaug
from omniaug_code import (
    CodeBatch,
    ExchangeLoops,
    InsertDeadCode,
    RemoveComments,
    RenameVariables,
    SwapBlocks,
    SwapOperands,
)

OPS = [RenameVariables, InsertDeadCode, ExchangeLoops, SwapOperands, SwapBlocks, RemoveComments]
SEEDS = 4

C_PROGRAM = r"""#include <stdio.h>

/* insertion sort, then summary statistics */
static void sort(int *xs, int n) {
    for (int i = 1; i < n; i++) {
        int key = xs[i];
        int j = i - 1;
        while (j >= 0 && xs[j] > key) {
            xs[j + 1] = xs[j];
            j--;
        }
        xs[j + 1] = key;
    }
}

static int count_above(const int *xs, int n, int limit) {
    int count = 0;
    for (int k = 0; k < n; k++) {
        if (xs[k] > limit) {
            count++;
        } else {
            count += 0;
        }
    }
    return count;
}

int main(void) {
    int data[6] = {5, -2, 9, 0, 3, 3};
    sort(data, 6);
    for (int i = 0; i < 6; i++) {
        printf("%d ", data[i]);  // sorted
    }
    printf("\n%d %d\n", count_above(data, 6, 2), count_above(data, 6, 10));
    int total = 0;
    for (int step = 0; step <= 10; step += 3) {
        if (step == 6) {
            total -= step;
        } else {
            total += step * 2;
        }
    }
    printf("%d\n", total);
    return 0;
}
"""

CPP_PROGRAM = r"""#include <cstdio>

// greatest common divisor and a running maximum
int gcd(int a, int b) {
    while (b != 0) {
        int t = a % b;
        a = b;
        b = t;
    }
    return a;
}

struct Tracker {
    int best = 0;
    void see(const int& v) {
        if (v > best) {
            best = v;
        } else {
            best = best;
        }
    }
};

int main() {
    int values[5] = {12, 18, 27, 4, 30};
    Tracker tracker;
    auto twice = [](int x) { int r = x * 2; return r; };
    for (int i = 0; i < 5; i++) {
        int v = values[i];
        tracker.see(v);
        std::printf("%d %d ", gcd(v, 36), twice(v));
    }
    std::printf("\n%d\n", tracker.best);
    return 0;
}
"""

JS_PROGRAM = r"""// fizzbuzz variants and a clamp
function clamp(v, lo, hi) {
    if (v < lo) {
        return lo;
    } else {
        return Math.min(v, hi);
    }
}

function fizz(n) {
    const out = [];
    for (let i = 1; i <= n; i++) {
        let word = "";
        if (i % 3 === 0) {
            word += "Fizz";
        }
        if (i % 5 === 0) {
            word += "Buzz";
        }
        out.push(word === "" ? String(i) : word);
    }
    return out.join(",");
}

let acc = 0;
for (let k = 0; k < 5; k++) {
    acc += clamp(k * 7 - 10, -3, 12);
}
console.log(fizz(15));
console.log(acc);
"""

JAVA_PROGRAM = r"""public class Main {
    // count the primes below n
    static int primes(int n) {
        int count = 0;
        for (int i = 2; i < n; i++) {
            boolean prime = true;
            for (int d = 2; d * d <= i; d++) {
                if (i % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                count++;
            } else {
                count += 0;
            }
        }
        return count;
    }

    public static void main(String[] args) {
        int total = 0;
        for (int n = 10; n <= 50; n += 20) {
            int p = primes(n);
            if (p > 5) {
                total += p;
            } else {
                total -= p;
            }
            System.out.println(n + " " + p);
        }
        System.out.println(total);
    }
}
"""


def _variants(source: str, language: str) -> list[tuple[str, str]]:
    out = []
    for op_cls in OPS:
        batch = CodeBatch([source] * SEEDS, language)
        res = op_cls(max_sites=4)(batch, generator=omniaug.rng.make_generator(11))
        for k in range(SEEDS):
            status = res.last_status(k)
            assert status is not None and status.outcome != "failed", f"{op_cls.name}: {status}"
            if status.outcome == "applied":
                out.append((op_cls.name, res.sources[k]))
    return out


def _run(cmd: list[str], cwd: Path) -> str:
    res = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, f"{' '.join(cmd)} failed:\n{res.stderr[-2000:]}"
    return res.stdout


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


@pytest.mark.parametrize(("language", "compiler", "source"), [("c", "gcc", C_PROGRAM), ("cpp", "g++", CPP_PROGRAM)])
def test_c_and_cpp_variants_print_the_same(language: str, compiler: str, source: str, tmp_path: Path) -> None:
    cc = _need(compiler)
    ext = ".c" if language == "c" else ".cpp"

    def build_and_run(src: str, name: str) -> str:
        (tmp_path / f"{name}{ext}").write_text(src)
        _run([cc, "-O0", "-w", "-o", name, f"{name}{ext}"], tmp_path)
        return _run([str(tmp_path / name)], tmp_path)

    want = build_and_run(source, "original")
    variants = _variants(source, language)
    assert len(variants) >= 8
    for k, (op, src) in enumerate(variants):
        assert build_and_run(src, f"v{k}") == want, f"{op} changed the output of:\n{src}"


def test_javascript_variants_print_the_same(tmp_path: Path) -> None:
    node = _need("node")
    (tmp_path / "original.js").write_text(JS_PROGRAM)
    want = _run([node, "original.js"], tmp_path)
    variants = _variants(JS_PROGRAM, "javascript")
    assert len(variants) >= 8
    for k, (op, src) in enumerate(variants):
        (tmp_path / f"v{k}.js").write_text(src)
        assert _run([node, f"v{k}.js"], tmp_path) == want, f"{op} changed the output of:\n{src}"


def test_java_variants_print_the_same(tmp_path: Path) -> None:
    javac, java = _need("javac"), _need("java")
    variants = [("original", JAVA_PROGRAM), *_variants(JAVA_PROGRAM, "java")]
    assert len(variants) >= 9
    # one javac and one JVM for all variants: each becomes class V<k> with a run() method
    files = []
    for k, (_, src) in enumerate(variants):
        body = re.sub(r"\bpublic class Main\b", f"class V{k}", src)
        body = re.sub(r"public static void main\(String\[\] \w+\)", "static void run()", body)
        path = tmp_path / f"V{k}.java"
        path.write_text(body)
        files.append(path.name)
    calls = "\n".join(f'        V{k}.run(); System.out.println("=====");' for k in range(len(variants)))
    (tmp_path / "Runner.java").write_text(
        f"public class Runner {{\n    public static void main(String[] a) {{\n{calls}\n    }}\n}}\n"
    )
    _run([javac, "-nowarn", "-d", ".", "Runner.java", *files], tmp_path)
    outputs = _run([java, "-cp", ".", "Runner"], tmp_path).split("=====\n")[: len(variants)]
    for (op, src), got in zip(variants[1:], outputs[1:]):
        assert got == outputs[0], f"{op} changed the output of:\n{src}"
