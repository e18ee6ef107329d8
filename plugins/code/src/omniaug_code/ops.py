"""The registered code ops: one :class:`CodeAugmentation` per transformation.

Each op's docstring gives the definition; the transformation modules give the
source (survey / NatGen / ReCode) and the conditions under which it keeps behaviour.
"""

from __future__ import annotations

from typing import Any, ClassVar

from omniaug import Magnitude

from . import blocks, clike, comments, operands
from .base import CodeAugmentation, Result
from .keys import Keys
from .payload import LANGUAGES
from .python import booleans, deadcode, docstrings, formatting, imports, loops, renaming, trywrap

__all__ = [
    "RenameVariables",
    "RenameFunctions",
    "ShuffleNames",
    "InsertDeadCode",
    "ExchangeLoops",
    "SwapOperands",
    "SwapBlocks",
    "RewriteBooleans",
    "WrapTry",
    "RemoveComments",
    "RemoveDocstrings",
    "PerturbDocstrings",
    "Reformat",
    "ReorderImports",
    "OPS",
]

_REF = "Zhuo et al. 2023 (survey); NatGen (Chakraborty et al. 2022); ReCode (Wang et al. 2023)"


class RenameVariables(CodeAugmentation):
    """Rename local variables and parameters to fresh names (α-renaming).

    Python: scope-exact (``global``/``nonlocal``, closures, comprehensions, class
    bodies), keyword arguments of calls to the function follow a renamed
    parameter; keyword-only parameters and a method's first parameter are kept.
    The parameters of a module's public API (public module-level functions and the
    public methods of public classes) are kept unless ``rename_public_api=True``,
    which changes the API (callers passing them by keyword break).
    Other languages: locals and parameters of a function whose every use resolves
    to a declaration in that function (block scopes followed), renamed inside it.
    """

    name = "code.rename_variables"
    languages = LANGUAGES
    source_ref = _REF

    def __init__(
        self,
        max_sites: int | None = None,
        include_parameters: bool = True,
        *,
        rename_public_api: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(max_sites, **kw)
        self.include_parameters = bool(include_parameters)
        self.rename_public_api = bool(rename_public_api)

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        if language == "python":
            return renaming.rename_variables(
                source, keys, sites, include_parameters=self.include_parameters, public_api=self.rename_public_api
            )
        return clike.rename_locals(source, language, keys, sites, include_parameters=self.include_parameters)


class RenameFunctions(CodeAugmentation):
    """Rename functions (not methods) and every reference to them; ``Status.renames`` maps old → new.

    By default only private functions are renamed (nested functions, and module-level
    functions whose name starts with ``_`` and is not in ``__all__``): a module's
    public functions are its API. ``rename_public_api=True`` renames public functions
    too (not those listed in ``__all__``), which changes the module's API. A name the
    module binds more than once, or after a ``from … import *``, is never renamed.
    """

    name = "code.rename_functions"
    source_ref = _REF

    def __init__(self, max_sites: int | None = None, *, rename_public_api: bool = False, **kw: Any) -> None:
        super().__init__(max_sites, **kw)
        self.rename_public_api = bool(rename_public_api)

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return renaming.rename_functions(source, keys, sites, public_api=self.rename_public_api)


class ShuffleNames(CodeAugmentation):
    """Permute the names of ``sites + 1`` local variables of one function among themselves."""

    name = "code.shuffle_names"
    source_ref = _REF

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return renaming.shuffle_names(source, keys, sites)


class InsertDeadCode(CodeAugmentation):
    """Insert statements that never run (or bind only fresh, unused names)."""

    name = "code.insert_dead_code"
    languages = LANGUAGES
    source_ref = _REF

    default_max_sites = 2

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        if language == "python":
            return deadcode.insert_dead_code(source, keys, sites)
        return clike.insert_dead_code(source, language, keys, sites)


class ExchangeLoops(CodeAugmentation):
    """Exchange ``for`` and ``while`` loops (Python both ways; C family: three-clause ``for`` → ``while``)."""

    name = "code.exchange_loops"
    languages = LANGUAGES
    source_ref = _REF

    default_max_sites = 2

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        if language == "python":
            return loops.exchange_loops(source, keys, sites)
        return clike.exchange_loops(source, language, keys, sites)


class SwapOperands(CodeAugmentation):
    """Swap the operands of comparisons with side-effect-free operands, mirroring the operator."""

    name = "code.swap_operands"
    languages = LANGUAGES
    source_ref = _REF

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return operands.swap_operands(source, language, keys, sites)


class SwapBlocks(CodeAugmentation):
    """Swap the branches of ``if``/``else`` statements and negate the condition."""

    name = "code.swap_blocks"
    languages = LANGUAGES
    source_ref = _REF

    default_max_sites = 2

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return blocks.swap_blocks(source, language, keys, sites)


class RewriteBooleans(CodeAugmentation):
    """Apply De Morgan's law to ``and``/``or`` conditions (truth-value contexts only)."""

    name = "code.rewrite_booleans"
    source_ref = _REF

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return booleans.rewrite_booleans(source, keys, sites)


class WrapTry(CodeAugmentation):
    """Wrap statements in ``try``/``except: raise`` or ``try``/``finally: pass``."""

    name = "code.wrap_try"
    source_ref = _REF

    default_max_sites = 1

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return trywrap.wrap_try(source, keys, sites)


class RemoveComments(CodeAugmentation):
    """Remove comments (whole-line comments with their line)."""

    name = "code.remove_comments"
    languages = LANGUAGES
    magnitude: ClassVar[Magnitude | None] = Magnitude("max_sites", 1, 16, integer=True)
    source_ref = _REF

    default_max_sites = 8

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return comments.remove_comments(source, language, keys, sites)


class RemoveDocstrings(CodeAugmentation):
    """Remove docstrings (a body left empty gets ``pass``).

    Docstrings holding doctests (``>>>`` lines) are tests, not prose: kept unless
    ``keep_doctests=False``.
    """

    name = "code.remove_docstrings"
    source_ref = _REF

    def __init__(self, max_sites: int | None = None, *, keep_doctests: bool = True, **kw: Any) -> None:
        super().__init__(max_sites, **kw)
        self.keep_doctests = bool(keep_doctests)

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return docstrings.remove_docstrings(source, keys, sites, keep_doctests=self.keep_doctests)


class PerturbDocstrings(CodeAugmentation):
    """Delete, swap or re-case prose words of docstrings; identifiers and doctests untouched."""

    name = "code.perturb_docstrings"
    source_ref = "ReCode (Wang et al. 2023), docstring perturbations"

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return docstrings.perturb_docstrings(source, keys, sites)


class Reformat(CodeAugmentation):
    """Change indentation style, add blank lines, split call arguments over lines."""

    name = "code.reformat"
    source_ref = "ReCode (Wang et al. 2023), format perturbations"

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return formatting.reformat(source, keys, sites)


class ReorderImports(CodeAugmentation):
    """Permute runs of independent module-level imports."""

    name = "code.reorder_imports"
    source_ref = _REF

    default_max_sites = 1

    def inner_kernel(self, source: str, language: str, keys: Keys, sites: int) -> Result:
        return imports.reorder_imports(source, keys, sites)


OPS: list[type[CodeAugmentation]] = [
    RenameVariables,
    RenameFunctions,
    ShuffleNames,
    InsertDeadCode,
    ExchangeLoops,
    SwapOperands,
    SwapBlocks,
    RewriteBooleans,
    WrapTry,
    RemoveComments,
    RemoveDocstrings,
    PerturbDocstrings,
    Reformat,
    ReorderImports,
]
