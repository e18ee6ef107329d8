"""Differential-execution corpus: functions with inputs whose behaviour every transformation must keep.

Two parts: pure functions of the Python standard library (sources read from the
local stdlib with :mod:`omniaug_code.corpus`, run in a copy of their module's
namespace) and small programs written for the tricky cases (loop ``else``,
``continue``/``break``, closures, ``nonlocal``/``global``, comprehensions, class
scopes, generators, exceptions, printing).
"""

from __future__ import annotations

from typing import Any

# (module, function, list of argument tuples)
STDLIB_CASES: list[tuple[str, str, list[tuple[Any, ...]]]] = [
    ("textwrap", "dedent", [("    a\n      b\n    c\n",), ("\ta\n\tb",), ("x\n  y",), ("",)]),
    ("textwrap", "indent", [("a\n\nb\n", "> "), ("one\ntwo", "  ")]),
    ("textwrap", "wrap", [("The quick brown fox jumps over the lazy dog " * 3, 17), ("short", 3)]),
    ("textwrap", "fill", [("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", 12)]),
    ("textwrap", "shorten", [("Hello  world! How are you today?", 18)]),
    ("string", "capwords", [("hello   big world",), ("a-b c-d", "-")]),
    ("bisect", "bisect_left", [([1, 2, 2, 4, 8], 2), ([1, 3, 5], 6), ([], 1), ([1, 2, 3], 2, 1, 2)]),
    ("bisect", "bisect_right", [([1, 2, 2, 4, 8], 2), ([1, 3, 5], 0), ([1, 2, 3], 5, -1)]),
    ("bisect", "insort_left", [([1, 2, 4], 3), ([], 0)]),
    ("bisect", "insort_right", [([1, 2, 2, 4], 2)]),
    ("heapq", "heappush", [([1, 3, 5], 2)]),
    ("heapq", "heappop", [([1, 3, 2, 7],), ([],)]),
    ("heapq", "heapify", [([5, 3, 8, 1, 9, 2],)]),
    ("heapq", "heappushpop", [([1, 3, 5], 4), ([2, 3], 1)]),
    ("heapq", "heapreplace", [([1, 3, 5], 4)]),
    ("heapq", "nlargest", [(3, [5, 1, 8, 3, 9, 2]), (2, [1, 2], None), (1, [4, 7, 1])]),
    ("heapq", "nsmallest", [(3, [5, 1, 8, 3, 9, 2]), (10, [3, 1])]),
    ("heapq", "merge", [([1, 4, 7], [2, 5, 8], [0, 9])]),
    ("heapq", "_siftdown", [([1, 5, 3, 0], 0, 3)]),
    ("heapq", "_siftup", [([9, 1, 2, 3, 4], 0)]),
    ("statistics", "mean", [([1, 2, 3, 4.5],), ([],)]),
    ("statistics", "fmean", [([1.5, 2.5, 3.0],)]),
    ("statistics", "median", [([3, 1, 2],), ([4, 1, 3, 2],), ([],)]),
    ("statistics", "median_low", [([4, 1, 3, 2],)]),
    ("statistics", "median_high", [([4, 1, 3, 2],)]),
    ("statistics", "median_grouped", [([1, 2, 2, 3, 4, 4, 4, 4, 4, 5],)]),
    ("statistics", "mode", [([1, 1, 2, 3],), (["a", "b", "b"],)]),
    ("statistics", "multimode", [("aabbbbccddddeeffffgg",)]),
    ("statistics", "variance", [([2.75, 1.75, 1.25, 0.25, 0.5, 1.25, 3.5],), ([1],)]),
    ("statistics", "pvariance", [([0.0, 0.25, 0.25, 1.25, 1.5, 1.75, 2.75, 3.25],)]),
    ("statistics", "stdev", [([1.5, 2.5, 2.5, 2.75, 3.25, 4.75],)]),
    ("statistics", "geometric_mean", [([54, 24, 36],)]),
    ("statistics", "harmonic_mean", [([40, 60],), ([2.5, 3, 10],)]),
    ("statistics", "quantiles", [([105, 129, 87, 86, 111, 111, 89, 81, 108, 92],), ([1, 2, 3, 4], 4)]),
    ("statistics", "correlation", [([1, 2, 3, 4], [2, 4, 5, 9])]),
    ("statistics", "linear_regression", [([1, 2, 3, 4, 5], [1, 3, 2, 5, 4])]),
    ("colorsys", "rgb_to_yiq", [(0.2, 0.4, 0.4)]),
    ("colorsys", "yiq_to_rgb", [(0.33, 0.1, -0.2), (1.0, 1.0, 1.0)]),
    ("colorsys", "rgb_to_hls", [(0.2, 0.4, 0.4), (0.5, 0.5, 0.5), (1.0, 0.0, 0.0)]),
    ("colorsys", "hls_to_rgb", [(0.5, 0.3, 0.3), (0.2, 0.7, 0.0)]),
    ("colorsys", "rgb_to_hsv", [(0.2, 0.4, 0.4), (0.0, 0.0, 0.0), (0.9, 0.1, 0.5)]),
    ("colorsys", "hsv_to_rgb", [(0.5, 0.5, 0.4), (0.95, 0.2, 0.7), (0.1, 0.0, 1.0)]),
    ("fnmatch", "translate", [("*.py",), ("[!a-c]?x*[",), ("**/a[]]b",)]),
    ("fnmatch", "filter", [(["a.py", "b.txt", "c.py"], "*.py")]),
    ("posixpath", "join", [("/a", "b", "/c", "d"), ("a", "")]),
    ("posixpath", "split", [("/a/b/c.txt",), ("c",), ("/",)]),
    ("posixpath", "splitext", [("a/b.tar.gz",), (".bashrc",)]),
    ("posixpath", "basename", [("/x/y/z",)]),
    ("posixpath", "dirname", [("/x/y/z",)]),
    ("posixpath", "commonpath", [(["/usr/lib", "/usr/local/lib"],), ([],)]),
    ("posixpath", "relpath", [("/a/b/c", "/a/d"), ("/a", "/a")]),
    ("ntpath", "splitdrive", [("c:\\dir\\file",), ("\\\\server\\share\\x",)]),
    ("ntpath", "split", [("c:\\a\\b",)]),
    ("genericpath", "commonprefix", [(["interspecies", "interstellar", "interstate"],), ([],)]),
    ("shlex", "quote", [("hello world",), ("",), ("safe-word",), ("it's",)]),
    ("shlex", "join", [(["echo", "a b", "c'd"],)]),
    ("html", "escape", [("<a href='x'>&</a>",), ('q"', False)]),
    ("calendar", "isleap", [(2000,), (1900,), (2024,)]),
    ("calendar", "leapdays", [(1900, 2024)]),
    ("calendar", "monthrange", [(2024, 2), (2023, 13)]),
    ("calendar", "weekday", [(2024, 3, 15)]),
    ("quopri", "needsquoting", [(b"=", False, False), (b" ", True, False), (b"a", False, False)]),
    ("quopri", "quote", [(b"=",)]),
    ("email.utils", "unquote", [('"abc"',), ("<x>",), ("plain",)]),
    ("difflib", "get_close_matches", [("appel", ["ape", "apple", "peach", "puppy"])]),
    ("base64", "_bytes_from_decode_data", [("YWJj",), (b"x",)]),
    ("json.encoder", "py_encode_basestring", [('he said "hi"\n',)]),
    ("json.encoder", "py_encode_basestring_ascii", [("héllo\u2028",)]),
    ("urllib.parse", "_splitnport", [("host:80",), ("host",)]),
    ("urllib.parse", "unquote", [("a%20b%zz",), ("%E2%82%AC",)]),
    ("urllib.parse", "_splitparams", [("/path;a=1",)]),
    ("gettext", "_tokenize", [("n != 1 && n % 10 == 2",)]),
    (
        "tokenize",
        "group",
        [
            ("a", "b"),
        ],
    ),
    ("inspect", "formatannotation", [(int,), ("x",)]),
    ("ipaddress", "_count_righthand_zero_bits", [(8, 32), (0, 8)]),
    ("_pydecimal", "_sqrt_nearest", [(99, 7)]),
    ("_pydecimal", "_log10_lb", [(123,)]),
    ("_pydecimal", "_rshift_nearest", [(17, 2)]),
]

# Small programs for the tricky cases: (source, entry function, argument tuples)
OWN_PROGRAMS: list[tuple[str, str, list[tuple[Any, ...]]]] = [
    (
        '''def search(items, target):
    """Loop else: runs only when the loop was not broken."""
    for i, item in enumerate(items):
        if item == target:
            print("found at", i)
            break
        if item < 0:
            continue
        print("skip", item)
    else:
        print("not found")
        return -1
    return i
''',
        "search",
        [([3, -1, 5, 7], 5), ([1, 2], 9), ([], 0)],
    ),
    (
        """def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
        if steps > 1000:
            break
    else:
        print("converged")
    return steps
""",
        "collatz",
        [(6,), (27,), (1,)],
    ),
    (
        """def make_counter(start):
    count = start

    def bump(step=1):
        nonlocal count
        count += step
        return count

    def peek():
        return count

    bump()
    bump(step=2)
    return peek(), [bump() for _ in range(3)]
""",
        "make_counter",
        [(0,), (10,)],
    ),
    (
        """TOTAL = 0


def accumulate(values):
    global TOTAL
    for v in values:
        if v > 0 and v < 100:
            TOTAL += v
        elif v >= 100 or v == -1:
            TOTAL -= 1
    return TOTAL
""",
        "accumulate",
        [([1, 2, 300, -1, 50],), ([],)],
    ),
    (
        """x = "global x"


def shadowing(n):
    x = n * 2

    class Holder:
        x = "class x"
        y = [x for _ in range(2)]

        def get(self):
            return x

    squares = {k: k * k for k in range(n) if k % 2 == 0 or k == n - 1}
    pairs = [(a, b) for a in range(n) for b in range(a) if not (a + b) % 3]
    return Holder.x, Holder.y, Holder().get(), squares, pairs, x
""",
        "shadowing",
        [(4,), (1,)],
    ),
    (
        '''def safe_div(a, b):
    """Divide, reporting errors."""
    try:
        result = a / b
    except ZeroDivisionError as exc:
        print("error:", exc)
        result = None
    finally:
        print("done")
    if result is None or result < 0:
        return "bad"
    else:
        return result
''',
        "safe_div",
        [(6, 3), (1, 0), (-4, 2)],
    ),
    (
        """def pipeline(words, limit=3):
    def keep(word, minimum=2):
        return len(word) >= minimum and word.isalpha()

    kept = [w.lower() for w in words if keep(w, minimum=limit)]
    index = 0
    out = []
    while index < len(kept):
        word = kept[index]
        index += 1
        if word in out:
            continue
        out.append(word)
    return sorted(out, key=lambda s: (len(s), s))
""",
        "pipeline",
        [(["Apple", "be", "apple", "c4t", "Dog", "zebra"],), ([], 1)],
    ),
    (
        """def fib_gen(n):
    a, b = 0, 1
    for _ in range(n):
        yield a
        a, b = b, a + b


def first_fibs(n):
    out = []
    for value in fib_gen(n):
        if value > 50:
            break
        out.append(value)
    return out
""",
        "first_fibs",
        [(5,), (20,)],
    ),
    (
        '''def matrix_ops(rows):
    """Transpose and summarize a matrix."""
    if not rows:
        raise ValueError("empty matrix")
    width = len(rows[0])
    for r in rows:
        if len(r) != width:
            raise ValueError("ragged")
    transposed = [[rows[i][j] for i in range(len(rows))] for j in range(width)]
    total = 0
    for row in rows:
        for v in row:
            if v < 0:
                continue
            total += v
    best = None
    for col in transposed:
        s = sum(col)
        if best is None or s > best:
            best = s
    return transposed, total, best
''',
        "matrix_ops",
        [([[1, 2], [3, -4]],), ([],), ([[1], [2, 3]],)],
    ),
    (
        """class Stack:
    def __init__(self):
        self.items = []

    def push(self, item, times=1):
        for _ in range(times):
            self.items.append(item)
        return len(self.items)

    def pop_all(self):
        out = []
        while self.items:
            out.append(self.items.pop())
        return out


def use_stack(values):
    s = Stack()
    for v in values:
        s.push(v, times=2 if v % 2 == 0 else 1)
    return s.pop_all()
""",
        "use_stack",
        [([1, 2, 3],), ([],)],
    ),
    (
        """import math
import string


def caesar(text, shift):
    letters = string.ascii_lowercase
    out = []
    for ch in text:
        if ch not in letters:
            out.append(ch)
            continue
        pos = letters.index(ch)
        out.append(letters[(pos + shift) % len(letters)])
    return "".join(out), math.gcd(shift, 26)
""",
        "caesar",
        [("hello, world", 3), ("xyz", 30)],
    ),
    (
        """def primes_upto(limit):
    sieve = [True] * (limit + 1)
    found = []
    n = 2
    while n <= limit:
        if sieve[n]:
            found.append(n)
            multiple = n * n
            while multiple <= limit:
                sieve[multiple] = False
                multiple += n
        n += 1
    return found
""",
        "primes_upto",
        [(30,), (1,)],
    ),
]
