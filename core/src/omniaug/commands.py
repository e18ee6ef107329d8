"""Command records: a plugin contributes an ``omniaug <name>`` subcommand.

A plugin returns :class:`Command` records from ``omniaug_register_commands``;
``omniaug`` adds each as a subcommand (the built-in commands keep their names: a
plugin command that would shadow one is reported as a conflict and left out).
Plugins are imported for this only when the command line names no built-in
command, so ``omniaug apply`` on images never imports the graph plugin.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Command"]


@dataclass(frozen=True)
class Command:
    """One ``omniaug <name>`` subcommand.

    Args:
        name: the subcommand, e.g. ``"distill"``.
        help: one line for ``omniaug --help``.
        configure: adds the subcommand's arguments to its ``argparse`` parser.
        run: runs it with the parsed arguments; returns the exit code.
        preview_suffixes: file suffixes (``".pt"``) of files this command writes that
            ``omniaug preview FILE`` should draw with ``preview_file``.
        preview_file: ``preview_file(path, out) -> written path``: draws such a file
            (a distilled set, a learned policy) to the image ``out``.
    """

    name: str
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    preview_suffixes: tuple[str, ...] = ()
    preview_file: Callable[[Path, Path], Path] | None = None
