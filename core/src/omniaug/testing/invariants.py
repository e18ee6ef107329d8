"""Contract checks of the core's performance and safety invariants (issue #16).

* :func:`check_p1_no_mask_scan` — at ``p = 1`` an op's kernel gets the whole batch
  without the masked path reading the apply mask (the p = 1 shortcut holds for
  every op, whatever it overrides);
* :func:`check_trusted_outputs` — every tensor an op marks as already validated
  (:mod:`omniaug.validation`) passes the modality's full validator;
* :func:`check_fused_ownership` — ``Compose(fuse=True)`` never writes into the
  caller's data, for every fusion kind (and ``apply_inplace`` only on an
  intermediate it owns).

They raise ``AssertionError`` naming the op and what went wrong, like the checks of
:mod:`omniaug.testing.contract`, and run in the same contract suite.
"""

from __future__ import annotations

from typing import Any

from .. import batching, validation
from ..augmentation import Augmentation
from ..config import from_config, to_config
from ..errors import InputError
from ..rng import make_generator

__all__ = ["check_p1_no_mask_scan", "check_trusted_outputs", "check_fused_ownership"]

BATCH = 6


def _input(op: Any, seed: int = 1234) -> Any:
    return type(op).example_input(BATCH, generator=make_generator(seed))


def _ctx(op: Any, x: Any) -> Any:
    return type(op).example_context(x) if getattr(op, "requires_model", False) else None


def _rebuild(op: Any, **changes: Any) -> Any:
    args = op.init_args
    args.update(changes)
    return type(op)(**args)


def _name(op: Any) -> str:
    return f"{op.name or type(op).__name__} {op.init_args}"


def check_p1_no_mask_scan(op: Augmentation, x: Any = None) -> None:
    """At ``p = 1`` the masked path never reads the apply mask (no ``nonzero()``, no gather/scatter).

    Counts the masks :func:`omniaug.batching.apply_on_subset` reads during one
    ``augment`` of the op rebuilt with ``p=1``: an op must keep the all-applied mask
    that :meth:`Augmentation.sample_params` makes (:func:`omniaug.batching.all_selected`)
    and hand it on unchanged, whatever it overrides.
    """
    x = _input(op) if x is None else x
    on = _rebuild(op, p=1.0)
    ctx = _ctx(op, x)
    before = batching.mask_scans()
    on.augment(x, generator=make_generator(21), model=ctx)
    scans = batching.mask_scans() - before
    assert scans == 0, (
        f"{_name(op)}: at p=1 the apply mask was read {scans} time(s) by the masked path "
        "(the p = 1 shortcut is off: keep the all-selected mask of sample_params, "
        "omniaug.batching.all_selected, instead of building a new one)"
    )


def check_trusted_outputs(op: Augmentation, x: Any = None) -> None:
    """Every object the op claims valid without checking it passes the full check it stands for.

    An op may mark its output as validated (:func:`omniaug.validation.trusted`) so the
    next op skips re-reading it; that is only sound when the output really is valid
    (a gain that overflows to inf must not be marked). Runs the op at ``p=1`` and at
    its own ``p`` (on a fresh copy of the example input),
    recording the claims, then runs each claim's full check with no cache.
    """
    x = _input(op) if x is None else x
    ctx = _ctx(op, x)
    for variant, data in ((_rebuild(op, p=1.0), x), (op, batching.tree_clone(x))):
        with validation.recording() as marked:
            variant.augment(data, generator=make_generator(31), model=ctx)
        for kind, obj in marked:
            try:
                validation.revalidate(kind, obj)
            except InputError as e:
                raise AssertionError(f"{_name(op)}: an output marked valid ({kind!r}) fails that check: {e}") from e


def _fusable_partners(op: Augmentation) -> list[Augmentation]:
    """One registered op (at p=1) per other fusion kind of the op's modality, for mixed fused pipelines."""
    from ..registry import registry

    found: dict[str, Augmentation] = {}
    table = registry().augmentations
    for name in sorted(table):
        cls = table[name]
        if cls.modality_name() != op.modality_name():
            continue
        for other in cls.example_instances():
            kind = getattr(other, "fusion", None)
            if kind is not None and kind != op.fusion and kind not in found and not other.requires_model:
                found[kind] = _rebuild(other, p=1.0)
    return list(found.values())


def check_fused_ownership(op: Augmentation, x: Any = None) -> None:
    """``Compose(fuse=True)`` leaves the caller's data untouched, for the op's fusion kind.

    The ownership rule: a kind's ``apply`` and ``chain`` kernels never write into their
    input; ``apply_inplace`` runs only on an intermediate that the previous fused
    segment (whose kind declares ``fresh_output``) allocated in the same call. The
    check clones the input, runs the op fused alone, twice, and between runs of
    another registered fusion kind of the same modality (so ``chain`` kernels and
    ``apply_inplace`` are exercised), fresh and replayed, and compares the caller's
    tensors with the clone. Ops without a ``fusion`` kind pass trivially.
    """
    if getattr(op, "fusion", None) is None:
        return
    from ..containers import Compose

    x = _input(op) if x is None else x
    before = batching.tree_clone(x)
    spec = op.modality_spec()

    def copies(k: int) -> list[Any]:
        on = _rebuild(op, p=1.0)
        return [on] + [from_config(to_config(on)) for _ in range(k - 1)]

    pipelines = {"alone": copies(1), "twice": copies(2)}
    for partner in _fusable_partners(op):
        pair = [partner, from_config(to_config(partner))]
        again = [from_config(to_config(p)) for p in pair]
        pipelines[f"before {partner.fusion}"] = copies(2) + pair
        pipelines[f"between runs of {partner.fusion}"] = pair + copies(2) + again
    ctx = _ctx(op, x)
    for label, ops in pipelines.items():
        pipe = Compose(ops, fuse=True)
        out, params = pipe.augment(x, generator=make_generator(41), model=ctx)
        pipe(x, params=params)  # the replay path (replayed params are always masked)
        assert spec.allclose(x, before, rtol=0.0, atol=0.0), (
            f"{_name(op)}: Compose(fuse=True) ({label}, fusion kind {op.fusion!r}) wrote into the caller's input"
        )
