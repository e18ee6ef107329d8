"""omniaug entry point (group ``omniaug``, name ``distill``).

Distillation adds no op, mixer or modality: the plugin contributes the
``omniaug distill`` command (and appears in ``omniaug plugins``).
"""

from __future__ import annotations

from omniaug import Command, hookimpl

from .cli import COMMAND


@hookimpl
def omniaug_register_commands() -> list[Command]:
    return [COMMAND]
