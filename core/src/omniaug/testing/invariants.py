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

from .. import batching
from ..augmentation import Augmentation
from ..config import from_config, to_config
from ..rng import make_generator

__all__ = ["check_p1_no_mask_scan", "check_fused_ownership"]

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


def check_fused_ownership(op: Augmentation, x: Any = None) -> None:
    """``Compose(fuse=True)`` leaves the caller's data untouched, for the op's fusion kind.

    Runs the op fused alone, twice in a row (two segments of its kind, the second
    of which may run ``apply_inplace`` on the first one's output) and after a
    no-fusion op, on a clone of the input, and compares the caller's tensors with
    the clone afterwards. Ops without a ``fusion`` kind pass trivially.
    """
    if getattr(op, "fusion", None) is None:
        return
    from ..containers import Compose

    x = _input(op) if x is None else x
    before = batching.tree_clone(x)
    spec = op.modality_spec()
    on = _rebuild(op, p=1.0)
    pipelines = {
        "alone": Compose([on], fuse=True),
        "twice": Compose([on, from_config(to_config(on))], fuse=True),
        "three times": Compose([on, from_config(to_config(on)), from_config(to_config(on))], fuse=True),
    }
    for label, pipe in pipelines.items():
        for seed in (41, 42):
            pipe(x, generator=make_generator(seed), model=_ctx(op, x))
            rtol, atol = 0.0, 0.0
            assert spec.allclose(x, before, rtol=rtol, atol=atol), (
                f"{_name(op)}: Compose(fuse=True) ({label}, fusion kind {op.fusion!r}) wrote into the caller's input"
            )
