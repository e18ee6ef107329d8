"""Testing helpers for omniaug ops: the contract suite, reusable by plugin authors.

In a plugin's tests::

    from omniaug.testing import AugmentationContract, MixerContract, plugin_ops

    class TestMyOps(AugmentationContract):
        omniaug_ops = plugin_ops("my-plugin")          # or a list of classes/instances

    class TestMyMixers(MixerContract):
        omniaug_mixers = plugin_ops("my-plugin", kind="mixer")

The pytest plugin shipped with omniaug (entry point ``pytest11``) parametrizes the
``omniaug_op`` / ``omniaug_mixer`` fixtures over those lists, one test per check
and op, named after both.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .contract import (
    AUGMENTATION_CHECKS,
    BATCH,
    MIXER_CHECKS,
    available_devices,
    check_augmentation,
    check_bad_inputs,
    check_batch_equals_per_sample,
    check_differentiable,
    check_dtype_device,
    check_generator_changes_draws,
    check_mixer,
    check_mixer_labels,
    check_model_unchanged,
    check_no_mutation,
    check_p0_identity,
    check_p1_applies,
    check_replay_without_model,
    check_reproducible,
    check_requires_model,
    check_serialization,
)
from .invariants import check_fused_ownership, check_p1_no_mask_scan, check_trusted_outputs
from .policy_checks import check_policies_and_presets, example_variants, modality_transforms

__all__ = [
    "AUGMENTATION_CHECKS",
    "MIXER_CHECKS",
    "AugmentationContract",
    "MixerContract",
    "available_devices",
    "check_augmentation",
    "check_mixer",
    "check_policies_and_presets",
    "example_variants",
    "expand_instances",
    "modality_transforms",
    "plugin_ops",
]


def plugin_ops(plugin: str, *, kind: str = "augmentation") -> list[Any]:
    """The op (or mixer) classes registered by entry-point plugin ``plugin``."""
    from ..registry import registry

    return registry().provided_by(plugin, kind)  # type: ignore[arg-type]


def expand_instances(items: Any) -> list[Any]:
    """Classes → their ``example_instances()``; instances stay as they are."""
    out: list[Any] = []
    for item in items() if callable(items) and not isinstance(items, type) else items:
        out.extend(item.example_instances() if isinstance(item, type) else [item])  # type: ignore[attr-defined]
    return out


class _OnDevice:
    """``omniaug_device``: run every check on the example input moved to that device (e.g. ``"cuda"``)."""

    #: None: each check builds its own CPU input (and the device check also visits every available device)
    omniaug_device: ClassVar[str | None] = None

    def _x(self, op: Any) -> Any:
        if self.omniaug_device is None:
            return None
        from ..rng import make_generator

        return type(op).example_input(BATCH, generator=make_generator(1234), device=self.omniaug_device)


class AugmentationContract(_OnDevice):
    """Subclass with ``omniaug_ops = [...]`` to run the contract on each op (``omniaug_device`` to pick a device)."""

    omniaug_ops: ClassVar[Any] = ()

    def test_reproducible(self, omniaug_op: Any) -> None:
        check_reproducible(omniaug_op, self._x(omniaug_op))

    def test_generator_changes_draws(self, omniaug_op: Any) -> None:
        check_generator_changes_draws(omniaug_op, self._x(omniaug_op))

    def test_p0_is_identity(self, omniaug_op: Any) -> None:
        check_p0_identity(omniaug_op, self._x(omniaug_op))

    def test_p1_no_mask_scan(self, omniaug_op: Any) -> None:
        check_p1_no_mask_scan(omniaug_op)

    def test_trusted_outputs_are_valid(self, omniaug_op: Any) -> None:
        check_trusted_outputs(omniaug_op)

    def test_fused_ownership(self, omniaug_op: Any) -> None:
        check_fused_ownership(omniaug_op)

    def test_p1_applies(self, omniaug_op: Any) -> None:
        check_p1_applies(omniaug_op, self._x(omniaug_op))

    def test_input_not_mutated(self, omniaug_op: Any) -> None:
        check_no_mutation(omniaug_op, self._x(omniaug_op))

    def test_batch_equals_per_sample(self, omniaug_op: Any) -> None:
        check_batch_equals_per_sample(omniaug_op, self._x(omniaug_op))

    def test_dtype_and_device_kept(self, omniaug_op: Any) -> None:
        check_dtype_device(omniaug_op, self._x(omniaug_op))

    def test_serialization_round_trip(self, omniaug_op: Any) -> None:
        check_serialization(omniaug_op, self._x(omniaug_op))

    def test_bad_input_clear_error(self, omniaug_op: Any) -> None:
        check_bad_inputs(omniaug_op, self._x(omniaug_op))

    def test_differentiable_as_declared(self, omniaug_op: Any) -> None:
        check_differentiable(omniaug_op, self._x(omniaug_op))

    def test_model_aware_needs_model(self, omniaug_op: Any) -> None:
        check_requires_model(omniaug_op, self._x(omniaug_op))

    def test_model_aware_leaves_model_unchanged(self, omniaug_op: Any) -> None:
        check_model_unchanged(omniaug_op, self._x(omniaug_op))

    def test_model_aware_replays_without_model(self, omniaug_op: Any) -> None:
        check_replay_without_model(omniaug_op, self._x(omniaug_op))


class MixerContract(_OnDevice):
    """Subclass with ``omniaug_mixers = [...]`` to run the mixer contract on each mixer."""

    omniaug_mixers: ClassVar[Any] = ()

    def test_soft_labels(self, omniaug_mixer: Any) -> None:
        check_mixer_labels(omniaug_mixer, self._x(omniaug_mixer))

    def test_input_not_mutated(self, omniaug_mixer: Any) -> None:
        check_no_mutation(omniaug_mixer, self._x(omniaug_mixer))

    def test_serialization_round_trip(self, omniaug_mixer: Any) -> None:
        check_serialization(omniaug_mixer, self._x(omniaug_mixer))

    def test_bad_input_clear_error(self, omniaug_mixer: Any) -> None:
        check_bad_inputs(omniaug_mixer, self._x(omniaug_mixer))

    def test_differentiable_as_declared(self, omniaug_mixer: Any) -> None:
        check_differentiable(omniaug_mixer, self._x(omniaug_mixer))

    def test_model_aware_needs_model(self, omniaug_mixer: Any) -> None:
        check_requires_model(omniaug_mixer, self._x(omniaug_mixer))

    def test_model_aware_leaves_model_unchanged(self, omniaug_mixer: Any) -> None:
        check_model_unchanged(omniaug_mixer, self._x(omniaug_mixer))

    def test_model_aware_replays_without_model(self, omniaug_mixer: Any) -> None:
        check_replay_without_model(omniaug_mixer, self._x(omniaug_mixer))
