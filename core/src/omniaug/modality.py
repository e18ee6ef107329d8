"""Modalities: how a kind of payload is validated, sized, sliced and shown.

The core knows no modality by name. A plugin declares each modality it handles
with a :class:`Modality` and registers it through the ``omniaug_register_modalities``
hook. Containers (``OneOf``, ``SomeOf``, ``RandomApply``), mixers and the contract
suite use only these callables, so they run vectorized on tensors, strings or
graphs alike.

Defaults come from :mod:`omniaug.batching` and work for tensors, lists, dicts and
dataclasses of those; a modality whose payload is something else (a graph batch)
supplies its own ``subset``/``merge``/``batch_size``/``allclose``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from . import batching

__all__ = ["Modality"]


def _no_validation(x: Any) -> None:
    return None


@dataclass(frozen=True)
class Modality:
    """Declaration of one modality.

    Attributes:
        name: unique registered name, e.g. ``"image"``.
        payload: human description of the payload, shown by ``omniaug list`` and in
            error messages, e.g. ``"Tensor (B, C, H, W) float in [0, 1] or uint8"``.
        validate: raises :class:`omniaug.InputError` for a malformed payload.
        batch_size: number of samples in a payload.
        subset: samples ``index`` of a payload.
        merge: copy of ``base`` with samples ``index`` replaced by ``part``.
        allclose: structural equality with tolerance (used by the contract suite).
        example: ``example(batch_size, generator, device)`` → a valid payload, used by
            the contract suite, ``preview`` and ``demo``.
        render: ``render(original, augmented_views, path)`` writes a preview file
            (PNG, HTML or text) and returns its path.
        load / save: read files into a payload / write a payload to files, for
            ``omniaug apply``.
        file_patterns: glob patterns of files ``omniaug apply`` picks up.
        files: a :class:`omniaug.files.FileCodec` (or a ``"module:attribute"`` string
            naming one, imported on first use) that reads and writes files one by
            one, keeping each file's format; when set, ``omniaug apply`` uses it
            instead of ``load``/``save``/``file_patterns``.
        float_tolerance: ``(rtol, atol)`` the contract suite uses for batch vs
            per-sample comparisons.
        bad_examples: malformed payloads (wrong shape, dtype, range) that
            ``validate`` must reject with :class:`omniaug.InputError`; the contract
            suite checks every op against them.
        example_variants: ``example_variants(batch_size, generator, device)`` → a dict
            of named valid payloads covering every shape the modality accepts
            (univariate and multivariate series, mono and stereo audio, grey and
            colour images, …); the contract suite runs every policy and preset of
            the modality on each (:func:`omniaug.testing.check_policies_and_presets`).
            ``None``: the example alone.
    """

    name: str
    payload: str
    validate: Callable[[Any], None] = _no_validation
    batch_size: Callable[[Any], int] = batching.batch_size_of
    subset: Callable[[Any, torch.Tensor], Any] = batching.subset
    merge: Callable[[Any, torch.Tensor, Any], Any] = batching.merge
    allclose: Callable[..., bool] = batching.tree_allclose
    example: Callable[..., Any] | None = None
    render: Callable[[Any, Sequence[Any], Path], Path] | None = None
    load: Callable[[Sequence[Path]], Any] | None = None
    save: Callable[[Any, Sequence[Path]], None] | None = None
    file_patterns: tuple[str, ...] = ()
    files: Any = None
    float_tolerance: tuple[float, float] = (1e-5, 1e-5)
    bad_examples: Callable[[], list[Any]] | None = None
    example_variants: Callable[..., dict[str, Any]] | None = None
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def device_of(self, x: Any) -> torch.device:
        """The device a payload lives on (first tensor found; CPU for pure-Python payloads)."""
        return _find_device(x)


def _find_device(x: Any) -> torch.device:
    import dataclasses
    from collections.abc import Mapping

    if isinstance(x, torch.Tensor):
        return x.device
    if isinstance(x, (list, tuple)):
        for v in x:
            if isinstance(v, torch.Tensor):
                return v.device
        return torch.device("cpu")
    if isinstance(x, Mapping):
        for v in x.values():
            d = _find_device(v)
            if d.type != "cpu":
                return d
        return torch.device("cpu")
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        for f in dataclasses.fields(x):
            v = getattr(x, f.name)
            if isinstance(v, torch.Tensor):
                return v.device
        return torch.device("cpu")
    dev = getattr(x, "device", None)
    if dev is not None:
        return torch.device(dev)
    features = getattr(x, "x", None)  # graph-like objects (PyG Data/Batch) keep node features in .x
    return features.device if isinstance(features, torch.Tensor) else torch.device("cpu")
