"""Level 2: structural oracles — α-renaming, round trips, and what each op may and may not touch."""

from __future__ import annotations

import ast
import io
import keyword
import tokenize

import pytest

import omniaug
from omniaug_code import (
    CodeBatch,
    ExchangeLoops,
    PerturbDocstrings,
    Reformat,
    RemoveComments,
    RemoveDocstrings,
    RenameFunctions,
    RenameVariables,
    ShuffleNames,
    SwapBlocks,
    comments,
    operands,
)
from omniaug_code.corpus import stdlib_functions
from omniaug_code.keys import Keys
from omniaug_code.python import booleans, imports, loops
from omniaug_code.python.scopes import RESERVED
from omniaug_code.samples import OTHER_SAMPLES, PYTHON_SAMPLES

from .alpha import NotAlpha, python_name_maps, tree_name_maps
from .programs import OWN_PROGRAMS
from .samples_other import EXTRA

CORPUS = list(PYTHON_SAMPLES) + [p[0] for p in OWN_PROGRAMS] + [f.source for f in stdlib_functions(150)]


def _run(op: omniaug.Augmentation, sources: list[str], language: str = "python", seed: int = 0) -> CodeBatch:
    return op(CodeBatch(sources, language), generator=omniaug.rng.make_generator(seed))


@pytest.mark.parametrize("op_cls", [RenameVariables, RenameFunctions, ShuffleNames], ids=lambda c: c.name)
def test_python_renaming_is_alpha_renaming(op_cls: type) -> None:
    # the corpus is mostly public module-level functions: opt in to renaming the API to exercise every site
    kw = {"rename_public_api": True} if op_cls is not ShuffleNames else {}
    out = _run(op_cls(max_sites=4, **kw), CORPUS * 2)
    applied = 0
    for before, after, status in zip(CORPUS * 2, out.sources, out.status or []):
        if status[-1].outcome != "applied":
            continue
        applied += 1
        maps = python_name_maps(before, after)
        changed = {k: v for m in maps for k, v in m.items() if k != v}
        assert changed, "applied but nothing renamed"
        for new in changed.values():
            if op_cls is not ShuffleNames:
                assert new not in RESERVED and not keyword.iskeyword(new), new
                assert new not in {t.string for t in tokenize.generate_tokens(io.StringIO(before).readline)}, (
                    f"fresh name {new!r} already used in the source"
                )
    assert applied > len(CORPUS)


@pytest.mark.parametrize("language", ["java", "javascript", "c", "cpp", "go"])
def test_c_family_renaming_is_alpha_renaming(language: str) -> None:
    sources = [OTHER_SAMPLES[language], *EXTRA[language]] * 4
    out = _run(RenameVariables(max_sites=3), sources, language)
    for before, after in zip(sources, out.sources):
        assert after != before
        maps = tree_name_maps(before, after, language)
        assert any(k != v for m in maps for k, v in m.items())


def test_alpha_oracle_rejects_capture_and_non_renames() -> None:
    with pytest.raises(NotAlpha):
        python_name_maps("def f(a, b):\n    return a + b\n", "def f(a, a2):\n    return a + a\n")
    with pytest.raises(NotAlpha):
        python_name_maps("def f(a):\n    return a + 1\n", "def f(a):\n    return a + 2\n")


SCOPES = """import os
LIMIT = 3


def outer(items, scale=2):
    total = 0
    counter = 0

    def inner(x):
        nonlocal counter
        counter += 1
        return x * scale

    class Box:
        total = "class attribute"
        values = [total for _ in range(2)]

        def method(self, item):
            return total + item

    def uses_global():
        global LIMIT
        LIMIT = LIMIT + 1
        return LIMIT

    squares = [inner(v) for v in items if v < LIMIT]
    for item in items:
        total += item
    print(os.sep, Box.values)
    return total, squares, counter, inner(x=1), uses_global()
"""


def _renamed(source: str, seed: int, sites: int = 20) -> tuple[str, dict[str, str]]:
    res = RenameVariables(max_sites=sites)(CodeBatch([source]), generator=omniaug.rng.make_generator(seed))
    status = res.last_status(0)
    assert status is not None and status.outcome == "applied", status
    return res.sources[0], dict(pair.split("->") for pair in status.detail.split(", "))


def test_renaming_respects_python_scopes() -> None:
    for seed in range(10):
        after, renames = _renamed(SCOPES, seed)
        # globals, imports, the class attribute and the class-body reads never change
        assert "LIMIT" not in renames and "os" not in renames
        assert 'total = "class attribute"' in after
        # a comprehension in a class body skips the class scope: its `total` is the function's
        assert f"values = [{renames.get('total', 'total')} for _ in range(2)]" in after
        tree = ast.parse(after)
        inner = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "inner")
        nonlocal_names = next(n for n in ast.walk(inner) if isinstance(n, ast.Nonlocal)).names
        assert nonlocal_names == [renames.get("counter", "counter")]
        # the method reads the enclosing function's `total` (free variable skipping the class): renamed with it
        method = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "method")
        read = next(n.id for n in ast.walk(method) if isinstance(n, ast.Name) and n.id != renames.get("item", "item"))
        assert read == renames.get("total", "total")
        # a renamed parameter of `inner` follows at its keyword call site
        if "x" in renames:
            assert f"inner({renames['x']}=1)" in after
        python_name_maps(SCOPES, after)
        ns: dict[str, object] = {}
        exec(compile(after, "<t>", "exec"), ns)
        ref: dict[str, object] = {}
        exec(compile(SCOPES, "<t>", "exec"), ref)
        assert ns["outer"]([1, 2, 5]) == ref["outer"]([1, 2, 5])  # type: ignore[operator]


def test_renaming_skips_functions_using_locals() -> None:
    src = "def f(a):\n    b = a + 1\n    return locals()\n"
    out = _run(RenameVariables(), [src])
    assert out.last_status(0).outcome == "not_applicable"  # type: ignore[union-attr]
    assert out.sources == [src]


def test_parameter_names_kept_when_function_escapes() -> None:
    src = "def _f(a, b):\n    return a - b\n\n\ncallbacks = [_f]\n\n\ndef _g(k):\n    return k\n"
    for seed in range(8):
        after, renames = _renamed(src, seed)
        assert "a" not in renames and "b" not in renames  # f is used as a value: its parameters are API
        assert renames.get("k") is not None


def test_libcst_scope_analysis_agrees() -> None:
    """Cross-check: the occurrences we rename are exactly libcst's accesses + assignments of that binding."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider

    from omniaug_code.python.renaming import _variable_candidates
    from omniaug_code.python.scopes import ScopeModel

    checked = 0
    for source in [*CORPUS[:80], SCOPES]:
        model = ScopeModel(source)
        wrapper = MetadataWrapper(cst.parse_module(source))
        scopes = wrapper.resolve(ScopeProvider)
        positions = wrapper.resolve(PositionProvider)
        func_scopes = {
            (positions[node].start.line): scope
            for node, scope in scopes.items()
            if isinstance(node, cst.Name) and isinstance(scope, cst.metadata.FunctionScope)
        }
        by_line = {}
        for node, scope in scopes.items():
            if isinstance(node, cst.FunctionDef) and scope is not None:
                by_line[positions[node.name].start.line] = node
        for cand in _variable_candidates(model, include_parameters=True):
            assert cand.scope.node is not None
            occs = model.occurrences_of(cand.scope, cand.name)
            if any(o.scope is not cand.scope and o.node.parent.type == "named_expression" for o in occs):
                continue  # PEP 572: `:=` in a comprehension binds in the function; libcst keeps it in the comprehension
            fdef = by_line.get(cand.scope.node.child_by_field_name("name").start_point[0] + 1)
            if fdef is None:
                continue
            body_scope = scopes[fdef.body.body[0]] if fdef.body.body else None
            if body_scope is None:
                continue
            libcst_sites = set()
            for assignment in body_scope.assignments[cand.name]:
                node = assignment.node
                if isinstance(node, (cst.Name, cst.Param)):
                    name_node = node.name if isinstance(node, cst.Param) else node
                    pos = positions[name_node].start
                    libcst_sites.add((pos.line, pos.column))
                for access in assignment.references:
                    pos = positions[access.node].start
                    libcst_sites.add((pos.line, pos.column))
            # libcst records no access for the names of `nonlocal`/`global` statements; we must rename them too
            ours = {
                (o.node.start_point[0] + 1, o.node.start_point[1])
                for o in model.occurrences_of(cand.scope, cand.name)
                if o.node.parent is None or o.node.parent.type not in ("nonlocal_statement", "global_statement")
            }
            assert ours == libcst_sites, f"{cand.name}: ours {sorted(ours)} libcst {sorted(libcst_sites)}\n{source}"
            checked += 1
        del func_scopes
    assert checked > 100


def test_block_swap_round_trips() -> None:
    cands = [s for s in CORPUS if "else:" in s]
    twice = _run(SwapBlocks(max_sites=50), _run(SwapBlocks(max_sites=50), cands).sources)
    swapped = 0
    for before, after in zip(cands, twice.sources):
        assert ast.dump(ast.parse(after)) == ast.dump(ast.parse(before))
        swapped += 1
    assert swapped > 10


def test_block_swap_c_family_round_trips() -> None:
    for language in ("java", "javascript", "c", "cpp", "go"):
        sources = [OTHER_SAMPLES[language], *EXTRA[language]]
        once = _run(SwapBlocks(max_sites=50), sources, language)
        assert all(a != b for a, b in zip(once.sources, sources))
        twice = _run(SwapBlocks(max_sites=50), once.sources, language)
        assert twice.sources == sources


def test_for_while_exchange_round_trips() -> None:
    """for → while → for gives the original back (every for loop exchanged, then every pattern restored)."""
    sources = [s for s in CORPUS if "for " in s]
    n = 0
    for src in sources:
        try:
            fwd = loops.exchange_loops(src, Keys(1), 100)
        except Exception:
            continue
        if "while (" not in fwd.source:
            continue
        back = loops.exchange_loops(fwd.source, Keys(2), 100)
        # general while loops of the original become `for … in iter(lambda …)`; compare the for loops only
        if "iter(lambda" in back.source:
            continue
        assert ast.dump(ast.parse(back.source)) == ast.dump(ast.parse(src)), back.source
        n += 1
    assert n > 20


def test_for_loop_else_break_continue_semantics() -> None:
    src = OWN_PROGRAMS[0][0]
    out = loops.exchange_loops(src, Keys(0), 5).source
    assert "while (" in out and "else:" in out and "break" in out and "continue" in out
    ns: dict[str, object] = {}
    exec(compile(out, "<t>", "exec"), ns)
    assert ns["search"]([1, 2], 9) == -1  # type: ignore[operator]


def test_operand_swap_only_pure_operands() -> None:
    src = "def f(a, b, g):\n    return a < b, g() < b, b == 3, 1 in a, a < b < 3, a.x >= -1\n"
    out = operands.swap_operands(src, "python", Keys(0), 10).source
    assert "b > a" in out and "3 == b" in out and "-1 <= a.x" in out
    assert "g() < b" in out and "1 in a" in out and "a < b < 3" in out


def test_boolean_rewrite_only_in_truth_contexts() -> None:
    src = "def f(a, b):\n    x = a and b\n    if a or b:\n        return x\n    return not (a and b)\n"
    out = booleans.rewrite_booleans(src, Keys(0), 10).source
    assert "x = a and b" in out
    assert "if not (not a and not b):" in out
    assert "return not (not (not a or not b))" in out


def test_import_reordering_keeps_conflicting_runs() -> None:
    assert (
        imports.reorder_imports("import os\nimport sys\nimport re\n", Keys(0), 1).source
        != "import os\nimport sys\nimport re\n"
    )
    with pytest.raises(Exception, match="no run"):
        imports.reorder_imports("import os\nimport os.path\n", Keys(0), 1)
    out = imports.reorder_imports("import a\nimport b\nx = 1\nimport c\nimport d\n", Keys(3), 2).source
    assert out.index("x = 1") == len("import a\nimport b\n")


def test_docstring_and_comment_ops_keep_code() -> None:
    out_doc = _run(PerturbDocstrings(max_sites=6), CORPUS)
    out_rm = _run(RemoveDocstrings(max_sites=6), CORPUS)
    out_cm = _run(RemoveComments(max_sites=50), CORPUS)

    def code_only(src: str) -> str:
        """The AST with every docstring dropped (an emptied body gets ``pass``)."""
        tree = ast.parse(src)
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and body:
                first = body[0]
                if (
                    isinstance(first, ast.Expr)
                    and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)
                ):
                    node.body = body[1:] or [ast.Pass()]
        return ast.dump(tree)

    perturbed = removed = 0
    for before, a, b, c in zip(CORPUS, out_doc.sources, out_rm.sources, out_cm.sources):
        assert code_only(a) == code_only(before)
        assert code_only(b) == code_only(before)
        assert ast.dump(ast.parse(c)) == ast.dump(ast.parse(before))
        perturbed += a != before
        removed += b != before
    assert perturbed > len(CORPUS) // 3 and removed > len(CORPUS) // 3
    # identifiers named in docstrings are never edited
    src = 'def f(width):\n    """Wrap the text to width columns, keeping very long words."""\n    return width\n'
    for seed in range(10):
        out = PerturbDocstrings(max_sites=5)(CodeBatch([src]), generator=omniaug.rng.make_generator(seed)).sources[0]
        assert "width" in out.split('"""')[1]


def test_comment_removal_removes_the_comments() -> None:
    src = "# top\nx = 1  # trailing\n\n\ndef f():\n    # inside\n    return x\n"
    out = comments.remove_comments(src, "python", Keys(0), 10).source
    assert out == "x = 1\n\n\ndef f():\n    return x\n"


def test_reformat_keeps_tokens() -> None:
    def tokens(src: str) -> list[str]:
        skip = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT}
        return [t.string for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type not in skip]

    out = _run(Reformat(max_sites=4), CORPUS)
    changed = 0
    for before, after in zip(CORPUS, out.sources):
        assert tokens(after) == tokens(before)
        assert ast.dump(ast.parse(after)) == ast.dump(ast.parse(before))
        changed += after != before
    assert changed > len(CORPUS) // 2


def test_loop_exchange_c_family_handles_continue() -> None:
    src = EXTRA["javascript"][0]
    out = ExchangeLoops(max_sites=5)(CodeBatch([src], "javascript"), generator=omniaug.rng.make_generator(0)).sources[0]
    assert "for (let i = 0; i < xs.length; i += 1)" in out  # has `continue`: kept
    assert "while (j < 3)" in out


@pytest.mark.parametrize(
    "op_cls",
    [c for c in __import__("omniaug_code").OPS if c.name not in ("code.remove_comments",) and "python" in c.languages],
    ids=lambda c: c.name,
)
def test_comments_and_untouched_lines_survive(op_cls: type) -> None:
    """Formatting and comments are kept where they are not the target: text edits, no unparse round trip."""

    def comments_of(src: str) -> list[str]:
        return sorted(
            t.string for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type == tokenize.COMMENT
        )

    out = _run(op_cls(max_sites=3), CORPUS, seed=4)
    for before, after in zip(CORPUS, out.sources):
        if op_cls.name == "code.reformat":
            assert comments_of(after) == comments_of(before)
            continue
        assert comments_of(after) == comments_of(before), op_cls.name
        if op_cls.name in _IN_LINE_OPS:
            # in-line edits: same lines, same indentation, same blank lines
            a, b = before.splitlines(), after.splitlines()
            assert len(a) == len(b)
            assert [ln[: len(ln) - len(ln.lstrip())] for ln in a] == [ln[: len(ln) - len(ln.lstrip())] for ln in b]


_IN_LINE_OPS = {
    "code.rename_variables", "code.rename_functions", "code.shuffle_names", "code.swap_operands",
    "code.perturb_docstrings",
}  # fmt: skip
