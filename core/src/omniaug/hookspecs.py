"""Hook specifications: everything a plugin can contribute to omniaug.

A plugin is a module (or object) with functions decorated by
``omniaug.hookimpl`` and named like the specs below; it is found through the
``omniaug`` entry-point group. Every hook is called once per plugin, and a plugin
that raises is reported and skipped (see :mod:`omniaug.registry`). Each hook
returns a list; implementations may accept fewer arguments than the spec (pluggy
passes only the ones they name), so adding an argument later breaks no plugin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .augmentation import Augmentation
    from .commands import Command
    from .fusion import FusionKind
    from .mixing import Mixer
    from .modality import Modality
    from .presets import Preset

PROJECT = "omniaug"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)

__all__ = ["hookspec", "hookimpl", "PROJECT", "HOOK_NAMES"]


@hookspec
def omniaug_register_modalities() -> list[Modality]:
    """Declare the modalities this plugin handles.

    Returns:
        A list of :class:`omniaug.Modality` objects. Each name must be unique among
        all installed plugins; a name declared twice is reported as a conflict that
        names both plugins, and the name becomes unusable until one is removed.

    Called once per plugin when the registry is first built.
    """


@hookspec
def omniaug_register_augmentations() -> list[type[Augmentation]]:
    """Contribute augmentation op classes.

    Returns:
        A list of :class:`omniaug.Augmentation` subclasses. Each class's ``name``
        must be ``"<modality>.<op>"`` with a modality registered by some plugin, and
        unique among all plugins. The class must be constructible with defaults
        (the contract suite and ``omniaug describe`` build it that way).
    """


@hookspec
def omniaug_register_mixers() -> list[type[Mixer]]:
    """Contribute batch mixer classes (MixUp-like ops that also mix labels).

    Returns:
        A list of :class:`omniaug.Mixer` subclasses named ``"<modality>.<mixer>"``.
    """


@hookspec
def omniaug_register_presets() -> list[Preset]:
    """Contribute named, ready-made pipelines and policies.

    Returns:
        A list of :class:`omniaug.Preset` records: a name (``"<modality>.<preset>"``),
        a modality, a one-line description and a factory returning a transform.
        ``omniaug preview``/``demo`` and ``from_config({"name": ...})`` find them.
    """


@hookspec
def omniaug_register_fusions() -> list[FusionKind]:
    """Contribute fusion kinds that ``Compose(..., fuse=True)`` may fold.

    Returns:
        A list of :class:`omniaug.FusionKind`: how to make an identity per-sample
        transform, compose two of them and apply the result once. Ops declare
        ``fusion = "<kind name>"`` and implement ``fusion_transform``.
    """


@hookspec
def omniaug_register_commands() -> list[Command]:
    """Contribute ``omniaug <name>`` subcommands.

    Returns:
        A list of :class:`omniaug.Command` records: a name, a one-line help, a
        function adding the arguments to an ``argparse`` parser and a function
        running the command (returning its exit code). A name that a built-in
        command or another plugin already uses is reported and left out.
    """


@hookspec
def omniaug_example_data(modality: str) -> Any:
    """Return bundled sample data for ``modality``, or None if this plugin has none.

    Args:
        modality: the registered modality name asked for.

    Returns:
        A payload valid for that modality (used by ``omniaug preview`` and
        ``omniaug demo`` in preference to the modality's synthetic ``example``).
    """


HOOK_NAMES: tuple[str, ...] = (
    "omniaug_register_modalities",
    "omniaug_register_augmentations",
    "omniaug_register_mixers",
    "omniaug_register_presets",
    "omniaug_register_fusions",
    "omniaug_register_commands",
    "omniaug_example_data",
)
