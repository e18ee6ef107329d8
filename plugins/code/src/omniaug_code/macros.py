"""C and C++ macros that tree-sitter cannot parse, and parsing around them.

tree-sitter parses C and C++ without running the preprocessor, so a macro used
where the grammar expects a declaration specifier, an attribute or a cast breaks
the parse of the whole declaration: ``local int f(…)`` (zlib, where ``local`` is
``static``), ``z_const char *p``, ``static void XMLCALL start(…)`` (expat),
``int main(int argc UNUSED, …)`` (nettle), ``GTEST_API_ std::string F(…)``
(googletest), ``f(BAD_CAST name)`` (libxml2). Such a token can only be a macro:
an identifier directly followed by ``int``, or two names between a type and a
declarator, is not C.

:func:`macro_spans` finds these tokens, only on the lines where a plain parse
reports an error, with the patterns below; :func:`~omniaug_code.syntax.parse` then
parses the file again with those bytes *excluded* (tree-sitter's
``included_ranges``), so the rest of the declaration parses as if the macro
expanded to nothing — and node texts still slice the original bytes. The masked
parse is kept only when it has fewer errors than the plain one.

Ops treat masked tokens as opaque: they never edit next to one (a cast macro binds
to the operand after it), and an op's output must mask exactly the same tokens
(part of :func:`~omniaug_code.syntax.error_signature`).

Patterns (``M`` is the masked token; ``ALLCAPS`` means ``[A-Z][A-Z0-9_]+``):

* ``M int`` — any name directly before a type keyword, storage class or ``inline``
  (``local int``, ``z_const char``, ``ATTR static``); not before ``const`` /
  ``volatile``, which may follow a type name (``size_t const n``);
* ``void M f(`` / ``T M f(`` — an ALLCAPS name between a type and a function name
  (calling conventions: ``XMLCALL``, ``WINAPI``, ``PNGCBAPI``);
* ``M T f(`` / ``M std::string f(`` — an ALLCAPS name starting a declaration before
  another name (export macros: ``GTEST_API_``, ``ZEXTERN``);
* ``int x M,`` and ``int M x,`` — an ALLCAPS name beside a declarator (``UNUSED``);
* ``f(…) M;`` / ``f(…) M(…) {`` — an ALLCAPS attribute after a declarator;
* ``(M x`` / ``, M x`` — an ALLCAPS name before an operand (cast macros: ``BAD_CAST``);
* ``"…" M "…"`` — a name between string literals (``PRIu64``, ``GTEST_PATH_SEP_``);
* every use of an object-like macro the file defines as empty or as specifiers /
  attributes only (``#define local static``).
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["macro_spans", "Token", "tokens"]

_TOKEN = re.compile(
    rb"""
    (?P<nl>\n)
  | (?P<ws>[ \t\r\f\v]+|\\\r?\n)
  | (?P<pp>^[ \t]*\#(?:\\\r?\n|/\*.*?\*/|[^\n\\]|\\.)*)
  | (?P<lc>//(?:\\\r?\n|[^\n])*)
  | (?P<bc>/\*.*?(?:\*/|\Z))
  | (?P<str>(?:u8|[uUL])?R"(?P<delim>[^()\\\s"]{0,16})\(.*?\)(?P=delim)"
         | (?:u8|[uUL])?"(?:\\.|[^"\\\n])*"?
         | (?:u8|[uUL])?'(?:\\.|[^'\\\n])*'?)
  | (?P<id>[A-Za-z_$][\w$]*)
  | (?P<num>\.?[0-9](?:[eEpP][+-]|[\w.'])*)
  | (?P<op>->\*?|::|\.\.\.|<<=|>>=|<=>|&&|\|\||\+\+|--|<<|>>|[-+*/%&|^!=<>]=|[-+*/%&|^!~<>=?:;,.(){}\[\]\#@`\\])
  | (?P<other>.)
    """,
    re.S | re.X | re.M,
)


class Token(NamedTuple):
    kind: str  # "id", "str", "num", "op", "other"
    text: bytes
    start: int
    end: int
    line: int


def tokens(data: bytes) -> list[Token]:
    """The C/C++ tokens of ``data`` outside comments and preprocessor lines, with their line numbers."""
    out: list[Token] = []
    line = 0
    for m in _TOKEN.finditer(data):
        kind = m.lastgroup
        if kind == "delim":  # pragma: no cover - the named group inside a raw string
            kind = "str"
        if kind == "nl":
            line += 1
            continue
        if kind in ("ws", "pp", "lc", "bc"):
            line += m.group().count(b"\n")
            continue
        text = m.group()
        out.append(Token(kind, text, m.start(), m.end(), line))  # type: ignore[arg-type]
        if kind == "str":
            line += text.count(b"\n")
    return out


_C_KEYWORDS = frozenset(
    b"auto break case char const continue default do double else enum extern float for goto if inline int long register "
    b"restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool _Complex "
    b"_Atomic _Alignas _Alignof _Noreturn _Static_assert _Thread_local _Generic bool true false __attribute__ "
    b"__attribute __declspec __asm__ __asm asm __inline __inline__ __restrict __restrict__ __volatile__ __extension__ "
    b"__thread __cdecl __stdcall __fastcall __thiscall __vectorcall __based __unaligned __forceinline".split()
)
_CPP_KEYWORDS = _C_KEYWORDS | frozenset(
    b"alignas alignof and and_eq bitand bitor catch char8_t char16_t char32_t class compl concept const_cast consteval "
    b"constexpr constinit co_await co_return co_yield decltype delete dynamic_cast explicit export friend mutable "
    b"namespace new noexcept not not_eq nullptr operator or or_eq private protected public reinterpret_cast requires "
    b"static_assert static_cast template this thread_local throw try typeid typename using virtual wchar_t xor xor_eq "
    b"override final".split()
)
#: type keywords, storage classes and function specifiers: a name directly before one is a macro
_SPEC = frozenset(
    b"void char short int long float double signed unsigned _Bool bool static extern register auto inline __inline "
    b"__inline__ struct union enum typedef _Complex _Noreturn _Thread_local wchar_t".split()
)
_CPP_SPEC = _SPEC | frozenset(
    b"class virtual explicit constexpr mutable thread_local friend consteval constinit char8_t char16_t char32_t".split()
)
_TYPEISH = frozenset(
    b"void char short int long float double signed unsigned _Bool bool wchar_t char8_t char16_t char32_t * & &&".split()
)
#: tokens after which a name is not a free-standing token (a member, a tag, a qualified name, a label)
_NO_MASK_AFTER = frozenset(
    b". -> ::  struct union enum class goto typename namespace using template concept operator # ~".split()
)
_DECL_START = frozenset(b"; { } )".split())
_DECL_START_STRICT = frozenset(b"; { }".split())
_ALLCAPS = re.compile(rb"_*[A-Z][A-Z0-9_]+\Z")
_STRING_MACRO = re.compile(rb"(?:PRI|SCN)[a-zA-Z0-9_]+\Z|_*[A-Z][A-Z0-9_]+\Z")
_JOINABLE = re.compile(rb"[\w$]|[-+*/%&|^!=<>.:#]")
_DEFINE = re.compile(rb"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?![\w(])[ \t]*((?:\\\r?\n|[^\n])*)", re.M)
_SPECIFIER_BODY = re.compile(
    rb"(?:\s|\\\r?\n|/\*.*?\*/|static|extern|inline|__inline__|__inline|const|volatile|register|"
    rb"__attribute__\s*\(\(.*?\)\)|__declspec\s*\(.*?\)|\[\[.*?\]\])*",
    re.S,
)


def _specifier_macros(data: bytes) -> set[bytes]:
    """Object-like macros the file defines as nothing or as specifiers/attributes only (``#define local static``)."""
    out = set()
    for m in _DEFINE.finditer(data):
        body = m.group(2).split(b"//")[0]
        if _SPECIFIER_BODY.fullmatch(body):
            out.add(m.group(1))
    return out


def _matching(toks: list[Token], i: int) -> int | None:
    """Index of the ``)`` closing the ``(`` at ``i`` (None when unbalanced within 200 tokens)."""
    depth = 0
    for j in range(i, min(len(toks), i + 200)):
        t = toks[j].text
        if t == b"(":
            depth += 1
        elif t == b")":
            depth -= 1
            if depth == 0:
                return j
        elif t in (b";", b"{", b"}"):
            return None
    return None


def macro_spans(data: bytes, language: str, error_lines: set[int]) -> list[tuple[int, int]]:
    """Byte spans of macro tokens to leave out of the parse (sorted, disjoint).

    ``error_lines``: 0-based lines on which a plain parse reports an error; the
    patterns are only tried there (a file-defined specifier macro is masked
    everywhere).
    """
    toks = tokens(data)
    keywords = _CPP_KEYWORDS if language == "cpp" else _C_KEYWORDS
    spec = _CPP_SPEC if language == "cpp" else _SPEC
    known = _specifier_macros(data)
    n = len(toks)
    spans: list[tuple[int, int]] = []

    def is_name(k: int) -> bool:
        return 0 <= k < n and toks[k].kind == "id" and toks[k].text not in keywords

    def text(k: int) -> bytes:
        return toks[k].text if 0 <= k < n else b""

    for i, t in enumerate(toks):
        if t.kind != "id" or t.text in keywords:
            continue
        prev, nxt, nxt2 = text(i - 1), text(i + 1), text(i + 2)
        if prev in _NO_MASK_AFTER or nxt == b"::":
            continue
        if t.text in known and nxt != b"(":
            spans.append((t.start, t.end))
            continue
        if t.line not in error_lines:
            continue
        caps = bool(_ALLCAPS.match(t.text))
        end = t.end
        hit = False
        if nxt in spec:  # `local int`, `z_const char`, `ATTR static`
            hit = True
        elif (
            caps
            and (prev in _TYPEISH or is_name(i - 1))
            and is_name(i + 1)
            and nxt2 == b"("
            and not _ALLCAPS.match(nxt)
        ):
            hit = True  # `void XMLCALL f(`, `DWORD WINAPI f(`
        elif (
            caps
            and (i == 0 or prev in _DECL_START_STRICT)
            and (is_name(i + 1) or nxt in keywords)
            and nxt2 not in (b"=", b"(", b";", b",")
        ):
            hit = True  # `GTEST_API_ std::string f(`, `GTEST_API_ Foo* f(`
        elif (
            caps
            and is_name(i - 1)
            and (text(i - 2) in _TYPEISH or is_name(i - 2))
            and nxt in (b",", b")", b";", b"=", b"[", b"{")
        ):
            hit = True  # `int argc UNUSED,`
        elif (
            caps
            and prev in _TYPEISH
            and is_name(i + 1)
            and not _ALLCAPS.match(nxt)
            and nxt2 in (b",", b")", b";", b"=", b"[")
        ):
            hit = True  # `int UNUSED argc,`
        elif caps and prev == b")" and nxt in (b";", b"{"):
            hit = True  # `void die(void) NORETURN;`
        elif caps and prev == b")" and nxt == b"(":
            j = _matching(toks, i + 1)
            if j is not None and text(j + 1) in (b";", b"{"):
                hit, end = True, toks[j].end  # `void log(const char *f, ...) PRINTF_LIKE(1, 2);`
        elif (
            caps
            and prev in (b"(", b",", b"=", b"return", b"?", b":")
            and (is_name(i + 1) or toks[i + 1].kind in ("str", "num") if i + 1 < n else False)
        ):
            hit = True  # `f(BAD_CAST name)`
        elif _STRING_MACRO.match(t.text) and (
            (i > 0 and toks[i - 1].kind == "str") or (i + 1 < n and toks[i + 1].kind == "str")
        ):
            hit = True  # `"%" PRIu64 "\n"`, `"foo" GTEST_PATH_SEP_`
        if hit:
            spans.append((t.start, end))
    return [s for s in _disjoint(spans) if _separable(data, *s)]


def _disjoint(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            continue
        out.append((s, e))
    return out


def _separable(data: bytes, start: int, end: int) -> bool:
    """Whether leaving ``[start, end)`` out cannot glue its neighbours into one token."""
    before, after = data[start - 1 : start], data[end : end + 1]
    return not (before and after and _JOINABLE.match(before) and _JOINABLE.match(after))
