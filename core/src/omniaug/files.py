"""File formats for ``omniaug apply``: read a file faithfully, write it back the same way.

A modality that can be applied to folders declares a :class:`FileCodec` (field
``Modality.files``, or a ``"module:attribute"`` string naming one, imported on first
use). The codec works one file at a time, so ``omniaug apply`` can batch only
files that fit together, skip a file it cannot read, and write every output in
its input's format:

* ``probe(path, options)`` → ``(group, n)``: a cheap look at the file (a header)
  giving its batching group — samples whose groups are equal are stacked into one
  batch (same size, rate, channel count, …), so no item is padded, resampled or
  re-channelled to fit the others — and how many samples it holds (one, or one per
  line in a lines mode).
* ``read(path, options)`` → ``(samples, meta)``: the file's samples, each a
  payload of batch size one, and what is needed to write it back (format, bit
  depth, sample rate, header, line ending, …).
* ``collate(samples)`` → a batch payload of samples of one group.
* ``encode(samples, meta, target, options)`` → the bytes of the output file
  (``target`` names the output, for its suffix; nothing is written by the codec).

Modalities with only the older ``load``/``save``/``file_patterns`` fields still
work through :func:`codec_of`'s adapter (one group, one sample per file).
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, OmniaugError

__all__ = [
    "FileCodec",
    "codec_of",
    "write_atomic",
    "PARTIAL_SUFFIX",
    "is_partial",
    "option_bool",
    "check_paths",
    "require_paths",
    "file_error",
    "read_text_file",
]

PARTIAL_SUFFIX = ".omniaug-partial"
"""Suffix of a file being written; it never matches an input pattern and is removed on resume."""

Options = Mapping[str, Any]


@dataclass(frozen=True)
class FileCodec:
    """How one modality reads and writes files for ``omniaug apply`` (see the module doc)."""

    patterns: tuple[str, ...]
    probe: Callable[[Path, Options], tuple[Hashable, int]]
    read: Callable[[Path, Options], tuple[list[Any], dict[str, Any]]]
    collate: Callable[[list[Any]], Any]
    encode: Callable[[list[Any], dict[str, Any], Path, Options], bytes]
    options: dict[str, str] = field(default_factory=dict)
    """Options the codec understands (``--option NAME=VALUE``), with a one-line help each."""
    lengthen: Callable[[list[Any], float], Any] | None = None
    """``lengthen(samples, room)``: like ``collate`` but with room for outputs ``room`` × as
    long (padding the ops treat as padding), for modalities whose ops may lengthen a sample."""
    truncated: Callable[[Any], bool] | None = None
    """``truncated(output)``: True when an output filled its room (its end may be cut);
    ``omniaug apply`` then redoes the batch with twice the room, same draws."""
    preserves: str = ""
    """One paragraph: what an output keeps from its input (for docs; `docs/cli.md` has a row per modality)."""


def codec_of(spec: Any) -> FileCodec:
    """The :class:`FileCodec` of a modality: its ``files`` field, else an adapter over ``load``/``save``."""
    files = getattr(spec, "files", None)
    if isinstance(files, str):
        module, _, attr = files.partition(":")
        files = getattr(importlib.import_module(module), attr)
    if isinstance(files, FileCodec):
        return files
    if spec.load is None or spec.save is None or not spec.file_patterns:
        raise OmniaugError(f"modality {spec.name!r} cannot read/write files (no file codec, no load/save)")
    return _legacy_codec(spec)


def _legacy_codec(spec: Any) -> FileCodec:
    """One sample per file, every file in one group: the modality's own ``load``/``save``."""

    def probe(path: Path, options: Options) -> tuple[Hashable, int]:
        return None, 1

    def read(path: Path, options: Options) -> tuple[list[Any], dict[str, Any]]:
        return [path], {}  # loaded together by collate, as the modality's load expects

    def collate(samples: list[Any]) -> Any:
        return spec.load(list(samples))

    def encode(samples: list[Any], meta: dict[str, Any], target: Path, options: Options) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / target.name
            spec.save(samples[0], [path])
            return path.read_bytes()

    return FileCodec(
        tuple(spec.file_patterns), probe, read, collate, encode, preserves="what the modality's save writes"
    )


def is_partial(path: Path) -> bool:
    """True for a file left by an interrupted write (this version's or an older one's ``.tmp-*``)."""
    return path.name.endswith(PARTIAL_SUFFIX) or path.name.startswith(".tmp-")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a partial file and a rename.

    The partial file is ``.<name>.omniaug-partial`` beside the target (a name no
    input pattern matches); permissions follow the umask like any new file.
    """
    tmp = path.with_name(f".{path.name}{PARTIAL_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def option_bool(options: Options, name: str, default: bool = False) -> bool:
    """A yes/no ``--option`` value."""
    value = options.get(name, default)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise InputError(f"--option {name}", "yes/no (true, false, 1, 0)", value)


# ----------------------------------------------------------------------------- checks every plugin uses
def check_paths(paths: Sequence[str | Path], samples: int, *, where: str) -> list[Path]:
    """``paths`` as :class:`~pathlib.Path` objects, checked to be one per sample of a batch of ``samples``.

    Every ``save`` writes sample ``i`` to ``paths[i]``: a count that differs would
    drop samples or leave stale files, so it raises :class:`~omniaug.errors.InputError`
    (``where: `paths` must be N paths, one per sample; got …``). A single string or
    path is refused too (it is not a list of paths).
    """
    if isinstance(paths, (str, Path)) or len(paths) != samples:
        got = paths if isinstance(paths, (str, Path)) else list(paths)
        raise InputError("paths", f"{samples} path{'s' if samples != 1 else ''}, one per sample", got, where=where)
    return [Path(p) for p in paths]


def require_paths(paths: Sequence[str | Path], what: str, *, where: str) -> list[Path]:
    """``paths`` as :class:`~pathlib.Path` objects, checked to hold at least one (``what`` names a file, e.g.
    ``"image file"``): a ``load`` of nothing has no batch to return."""
    if isinstance(paths, (str, Path)) or not len(paths):
        raise InputError("paths", f"at least one {what} (a list of paths)", paths, where=where)
    return [Path(p) for p in paths]


def file_error(path: str | Path, expected: str, reason: object = None, *, where: str) -> InputError:
    """The error for a file that cannot be used: ``where: `paths` must be <expected>; got <name> (<reason>)``.

    One shape for every plugin's reader: the argument is ``paths``, ``got`` is the
    file's name with the reason on one line (at most 160 characters). Raise it
    ``from None`` (the reason is in the message).
    """
    got = Path(path).name
    if reason is not None:
        text = " ".join(str(reason).split())
        if isinstance(reason, BaseException):
            text = f"{type(reason).__name__}: {text}" if text else type(reason).__name__
        got = f"{got} ({text[:160]})"
    return InputError("paths", expected, got, where=where)


def read_text_file(
    path: str | Path, encoding: str | None = None, *, raw: bytes | None = None, what: str = "text", where: str
) -> tuple[str, TextLayout]:
    """A text file's text and layout (:func:`decode_text`), its errors naming the file (:func:`file_error`).

    ``raw`` is the file's bytes when the caller has read them already.
    """
    path = Path(path)
    try:
        data = path.read_bytes() if raw is None else raw
    except OSError as exc:
        raise file_error(path, f"a readable {what} file", exc, where=where) from None
    try:
        return decode_text(data, encoding, what=what)
    except InputError as exc:
        raise InputError("paths", exc.expected, f"{path.name}: {exc.got}", where=where) from None


def split_samples(spec: Any, batch: Any, n: int) -> Sequence[Any]:
    """The ``n`` one-sample payloads of ``batch`` (``spec.subset`` of each index), on one intra-op thread.

    Why one thread: every sample is a few tiny copies, and with several threads each
    of them opens an OpenMP parallel region whose closing barrier waits for a partner
    thread; on a busy machine that thread is descheduled, and splitting took about a
    hundred times longer on 2 threads than on one (docs/performance.md, "Design measurements").
    """
    import torch

    from .parallel import single_thread

    index = torch.arange(n)
    with single_thread():
        return [spec.subset(batch, index[i : i + 1]) for i in range(n)]


# ----------------------------------------------------------------------------- text helpers
@dataclass(frozen=True)
class TextLayout:
    """How a text file was written: encoding, byte-order mark, line ending, final newline."""

    encoding: str
    newline: str
    final_newline: bool

    def encode(self, text: str) -> bytes:
        """``text`` (with ``\\n`` line breaks) back to bytes in this layout."""
        if self.final_newline and not text.endswith("\n"):
            text += "\n"
        elif not self.final_newline:
            text = text.rstrip("\n") if text.endswith("\n") else text
        return text.replace("\n", self.newline).encode(self.encoding)


def decode_text(raw: bytes, encoding: str | None = None, *, what: str = "text") -> tuple[str, TextLayout]:
    """Bytes of a text file → its text with ``\\n`` line breaks and no final newline, and its layout.

    ``encoding`` defaults to UTF-8 (a byte-order mark is kept); a file that does not
    decode raises :class:`~omniaug.errors.InputError` naming the encoding.
    """
    enc = encoding or ("utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8")
    try:
        text = raw.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputError("paths", f"{what} in {enc} (or give --option encoding=NAME)", f"bytes ({exc})") from None
    crlf, cr = text.count("\r\n"), text.count("\r")
    lf = text.count("\n") - crlf
    newline = "\r\n" if crlf and crlf >= lf else "\r" if cr - crlf > lf else "\n"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    final = text.endswith("\n")
    return (text[:-1] if final else text), TextLayout(enc, newline, final)
