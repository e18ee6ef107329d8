"""One core validation mechanism (issue #16 §2): ``omniaug.validation`` runs each full check once per
object per op call, re-reads what changed, and trusts an op's unchecked claim only as far as the contract
suite verifies it — the same for image range, audio finiteness and graph structure."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import torch

import omniaug
from omniaug import InputError, validation
from omniaug.rng import make_generator
from omniaug.testing.invariants import check_trusted_outputs


# ------------------------------------------------------------------ the mechanism on a toy check
def _nonneg(t: torch.Tensor, argument: str) -> None:
    if bool((t < 0).any()):
        raise InputError(argument, "a non-negative tensor", t, where="toy")


validation.register_check("toy.nonneg", _nonneg)


@pytest.fixture
def reads() -> Iterator[list[int]]:
    """The ids of the tensors the full ``toy.nonneg`` check read, in order."""
    seen: list[int] = []
    check, signature = validation._CHECKS["toy.nonneg"]

    def counting(t: torch.Tensor, argument: str) -> None:
        seen.append(id(t))
        check(t, argument)

    validation._CHECKS["toy.nonneg"] = (counting, signature)
    try:
        yield seen
    finally:
        validation._CHECKS["toy.nonneg"] = (check, signature)


def test_a_tensor_is_read_once_per_call_and_again_after_an_in_place_change(reads: list[int]) -> None:
    t = torch.ones(4)
    with validation.call_scope():
        validation.ensure("toy.nonneg", t)
        validation.ensure("toy.nonneg", t)
        assert reads == [id(t)] and validation.checked("toy.nonneg", t)
        t[0] = -1.0  # in place: the version counter moves
        assert not validation.checked("toy.nonneg", t)
        with pytest.raises(InputError, match="`y` must be a non-negative tensor"):
            validation.ensure("toy.nonneg", t, "y")
    assert len(reads) == 2


def test_a_copy_is_checked_again_and_a_copy_of_invalid_data_is_refused(reads: list[int]) -> None:
    t = torch.ones(4)
    with validation.call_scope():
        validation.ensure("toy.nonneg", t)
        c = t.clone()
        validation.ensure("toy.nonneg", c)  # a different object: read (and accepted: it is valid)
        assert reads == [id(t), id(c)]
        with pytest.raises(InputError):
            validation.ensure("toy.nonneg", -c)


def test_nothing_is_trusted_outside_a_call_or_across_calls(reads: list[int]) -> None:
    t = torch.ones(4)
    validation.ensure("toy.nonneg", t)
    validation.ensure("toy.nonneg", t)
    assert reads == [id(t), id(t)] and not validation.checked("toy.nonneg", t)
    assert validation.trusted("toy.nonneg", t) is t and not validation.checked("toy.nonneg", t)
    with validation.call_scope():
        validation.ensure("toy.nonneg", t)
    t.numpy()[0] = -1.0  # a write torch does not see (version counter unchanged)
    assert t._version == 0
    with validation.call_scope(), pytest.raises(InputError):
        validation.ensure("toy.nonneg", t)  # the next call reads it again


def test_a_claim_covers_the_object_for_the_rest_of_the_call_and_is_recorded(reads: list[int]) -> None:
    t = torch.ones(4)
    with validation.recording() as claims, validation.call_scope():
        validation.trusted("toy.nonneg", t)
        validation.ensure("toy.nonneg", t)
        assert reads == [] and validation.checked("toy.nonneg", t)
    assert claims == [("toy.nonneg", t)]


def test_the_record_is_per_thread_and_nested_scopes_share_the_outer_one(reads: list[int]) -> None:
    t = torch.ones(4)
    with validation.call_scope():
        validation.ensure("toy.nonneg", t)
        assert not validation.enter_call()  # nested: the outermost call keeps the scope
        assert validation.checked("toy.nonneg", t)
        other: list[bool] = []
        worker = threading.Thread(target=lambda: other.append(validation.checked("toy.nonneg", t)))
        worker.start()
        worker.join()
        assert other == [False]


def test_notes_are_kept_with_the_entry_and_dropped_with_it() -> None:
    def learns(t: torch.Tensor, argument: str) -> dict[str, Any]:
        return {"sum": float(t.sum())}

    validation.register_check("toy.learns", learns)
    t = torch.ones(3)
    with validation.call_scope():
        assert validation.notes("toy.learns", t) is None
        validation.ensure("toy.learns", t)
        assert validation.notes("toy.learns", t) == {"sum": 3.0}
        t.add_(1)
        assert validation.notes("toy.learns", t) is None


def test_one_argument_checks_and_custom_signatures() -> None:
    box: dict[str, Any] = {"v": 1}
    validation.register_check("toy.box", lambda b: None, signature=lambda b: b["v"])

    class Holder(dict):  # weak-referenceable
        pass

    h = Holder(box)
    with validation.call_scope():
        validation.ensure("toy.box", h)
        assert validation.checked("toy.box", h)
        h["v"] = 2
        assert not validation.checked("toy.box", h)


def test_objects_without_weak_references_are_checked_every_time() -> None:
    seen: list[Any] = []
    validation.register_check("toy.list", lambda xs, argument: seen.append(len(xs)))
    xs = [1, 2]
    with validation.call_scope():
        validation.ensure("toy.list", xs)
        validation.ensure("toy.list", xs)
        assert seen == [2, 2] and not validation.checked("toy.list", xs)
        assert validation.trusted("toy.list", xs) is xs


def test_unknown_check_names_are_refused() -> None:
    for call in (validation.ensure, validation.checked, validation.trusted, validation.notes):
        with pytest.raises(InputError, match="`name` must be a registered check"):
            call("no.such.check", torch.zeros(1))  # type: ignore[operator]
    with pytest.raises(InputError, match="`check` must be a callable"):
        validation.register_check("toy.bad", 3)  # type: ignore[arg-type]


def test_the_record_is_bounded() -> None:
    keep = [torch.ones(1) for _ in range(validation.CAPACITY + 1)]
    with validation.call_scope():
        for t in keep:
            validation.ensure("toy.nonneg", t)
        assert not validation.checked("toy.nonneg", keep[0]) and validation.checked("toy.nonneg", keep[-1])


# ------------------------------------------------------------------ one mechanism across modalities
def _image() -> tuple[Any, Callable[[Any], None], Callable[[Any], None]]:
    pytest.importorskip("omniaug_image")
    from omniaug_image import IMAGE

    def corrupt(x: torch.Tensor) -> None:
        x[0, 0, 0, 0] = 3.0

    return torch.rand(2, 3, 8, 8), IMAGE.validate, corrupt


def _audio() -> tuple[Any, Callable[[Any], None], Callable[[Any], None]]:
    pytest.importorskip("omniaug_audio")
    from omniaug_audio.modality import AUDIO

    def corrupt(x: torch.Tensor) -> None:
        x[1, 0, 5] = float("inf")

    return torch.randn(2, 1, 400) * 0.1, AUDIO.validate, corrupt


def _graph() -> tuple[Any, Callable[[Any], None], Callable[[Any], None]]:
    pytest.importorskip("omniaug_graph")
    from torch_geometric.data import Batch, Data

    from omniaug_graph.modality import GRAPH

    def corrupt(b: Any) -> None:
        b.edge_index[1, 0] = 99  # an edge to a node that does not exist

    d = Data(x=torch.randn(4, 3), edge_index=torch.tensor([[0, 1, 2], [1, 2, 3]]))
    return Batch.from_data_list([d, d]), GRAPH.validate, corrupt


MODALITIES = {"image": _image, "audio": _audio, "graph": _graph}
CHECK = {"image": "image.range", "audio": "audio.finite", "graph": "graph.structure"}


@pytest.mark.parametrize("modality", sorted(MODALITIES))
def test_each_modality_checks_once_per_call_and_catches_an_in_place_change(modality: str) -> None:
    x, validate, corrupt = MODALITIES[modality]()
    with validation.call_scope():
        validate(x)
        assert validation.checked(CHECK[modality], x), "the plugin validates through the core's record"
        validate(x)
        corrupt(x)
        with pytest.raises(InputError):
            validate(x)
    assert not validation.checked(CHECK[modality], x)


@pytest.mark.parametrize("modality", sorted(MODALITIES))
def test_each_modality_rereads_a_numpy_refill_between_calls(modality: str) -> None:
    x, validate, _ = MODALITIES[modality]()
    with validation.call_scope():
        validate(x)
    t = x if isinstance(x, torch.Tensor) else x.edge_index
    arr = t.numpy()
    arr.reshape(-1)[-1] = float("nan") if t.is_floating_point() else 99
    with validation.call_scope(), pytest.raises(InputError):
        validate(x)


def test_a_false_range_claim_of_an_image_op_is_caught_by_the_contract_check() -> None:
    pytest.importorskip("omniaug_image")
    from omniaug_image.ops.geometric import HorizontalFlip

    class LyingFlip(HorizontalFlip):
        """Claims its output in [0, 1] without looking, and triples it."""

        def kernel(self, x: Any, params: Any) -> Any:
            return validation.trusted("image.range", super().kernel(x, params) * 3.0)

    with pytest.raises(AssertionError, match=r"marked valid \('image.range'\)"):
        check_trusted_outputs(LyingFlip(), torch.rand(2, 3, 8, 8))
    check_trusted_outputs(HorizontalFlip(), torch.rand(2, 3, 8, 8))


@pytest.mark.parametrize("fuse", [False, True])
def test_an_audio_gain_overflowing_to_inf_is_refused_by_the_next_op(fuse: bool) -> None:
    pytest.importorskip("omniaug_audio")
    reg = omniaug.registry()
    gain = reg.augmentation("audio.gain")(gain_db=(60.0, 60.0), p=1.0)
    check_trusted_outputs(gain, torch.full((2, 1, 800), 1e36))  # no unchecked claim on its output
    pipe = omniaug.Compose([gain, reg.augmentation("audio.reverse")(p=1.0)], fuse=fuse)
    with pytest.raises(InputError, match="finite"):
        pipe(torch.full((2, 1, 800), 1e36), generator=make_generator(0))  # ×1000 of 1e36: inf


def test_a_check_after_a_change_reads_the_signature_once() -> None:
    # ensure() compares a stale entry with the object's signature and records that same signature
    # after the check (the check only reads): one signature per check, not one before and one after
    computed: list[int] = []

    def signature(t: torch.Tensor) -> int:
        computed.append(t._version)
        return t._version

    validation.register_check("toy.signed", _nonneg, signature=signature)
    t = torch.ones(3)
    with validation.call_scope():
        validation.ensure("toy.signed", t)  # no entry yet: checked, one signature recorded
        assert computed == [0]
        t.add_(1)
        validation.ensure("toy.signed", t)  # stale: one signature, compared, then recorded
        assert computed == [0, 1]
        validation.ensure("toy.signed", t)  # unchanged: one signature, no check
        assert computed == [0, 1, 1] and validation.checked("toy.signed", t)
        t.sub_(5)
        with pytest.raises(InputError, match="non-negative"):
            validation.ensure("toy.signed", t)
        assert not validation.checked("toy.signed", t)
