"""Exceptions raised by omniaug, each naming what was expected and what came."""

from __future__ import annotations

from typing import Any

__all__ = [
    "OmniaugError",
    "InputError",
    "ConfigError",
    "UnknownNameError",
    "PluginError",
    "PluginConflictError",
    "describe",
]


class OmniaugError(Exception):
    """Base class of every error omniaug raises on purpose."""


class InputError(OmniaugError, ValueError):
    """An input (tensor, batch, argument) is not of the expected shape, dtype or range."""

    def __init__(self, argument: str, expected: str, got: Any, *, where: str | None = None) -> None:
        self.argument = argument
        self.expected = expected
        self.got = got
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}`{argument}` must be {expected}; got {describe(got)}")


class ConfigError(OmniaugError, ValueError):
    """A pipeline configuration cannot be built."""


class UnknownNameError(ConfigError, KeyError):
    """A registered name was not found; the message suggests close matches."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class PluginError(OmniaugError, RuntimeError):
    """A plugin failed to load or to register (raised only in strict mode)."""


class PluginConflictError(PluginError):
    """Two plugins registered the same name."""


def describe(value: Any) -> str:
    """A short description of ``value`` for error messages: type, shape, dtype, range."""
    try:
        import torch

        if isinstance(value, torch.Tensor):
            text = f"Tensor(shape={tuple(value.shape)}, dtype={value.dtype}, device={value.device}"
            if value.numel() and not value.is_complex() and value.dtype != torch.bool:
                vmin = value.detach().min()
                vmax = value.detach().max()
                text += f", range=[{float(vmin):.4g}, {float(vmax):.4g}]"
            return text + ")"
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, (list, tuple)):
        inner = type(value[0]).__name__ if value else "empty"
        return f"{type(value).__name__} of {len(value)} ({inner})"
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 80 else text[:77] + '...'}"
