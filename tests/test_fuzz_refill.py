"""A tensor validated once and then refilled through a NumPy view is checked again (issue #20 §3)."""

from __future__ import annotations

import pytest
import torch

import omniaug
from omniaug import InputError
from omniaug.rng import make_generator


def test_image_refilled_through_numpy_is_checked_again() -> None:
    op = omniaug.registry().augmentation("image.brightness")()
    x = torch.rand(2, 3, 8, 8)
    op(x, generator=make_generator(0))  # validated (and remembered within that call)
    x.numpy()[0, 0, 0, 0] = float("nan")  # torch's version counter does not see this write
    assert x._version == 0
    with pytest.raises(InputError, match="no NaN"):
        op(x, generator=make_generator(0))


def test_audio_output_refilled_through_numpy_is_checked_again() -> None:
    gain = omniaug.registry().augmentation("audio.gain")()
    out = gain(torch.randn(2, 1, 400) * 0.1, generator=make_generator(0))  # an output known finite
    out.numpy()[0, 0, 0] = float("inf")
    with pytest.raises(InputError, match="finite"):
        gain(out, generator=make_generator(1))


def test_graph_refilled_through_numpy_is_checked_again() -> None:
    from torch_geometric.data import Batch, Data

    op = omniaug.registry().augmentation("graph.drop_edge")()
    graphs = [Data(x=torch.randn(4, 3), edge_index=torch.tensor([[0, 1, 2], [1, 2, 3]])) for _ in range(2)]
    b = Batch.from_data_list(graphs)
    op(b, generator=make_generator(0))
    b.edge_index.numpy()[0, 0] = 99  # an edge to a node that does not exist
    with pytest.raises(InputError):
        op(b, generator=make_generator(0))


def test_a_pipeline_still_skips_rereading_what_its_previous_op_produced() -> None:
    from omniaug import validation

    reg = omniaug.registry()
    reg.augmentation("image.horizontal_flip")  # the image plugin (and its check) is loaded
    check, signature = validation._CHECKS["image.range"]
    reads: list[int] = []

    def counting(t: torch.Tensor, argument: str) -> None:
        reads.append(id(t))
        check(t, argument)

    validation._CHECKS["image.range"] = (counting, signature)
    try:
        pipe = omniaug.Compose([reg.augmentation("image.brightness")(p=1.0), reg.augmentation("image.gamma")(p=1.0)])
        pipe(torch.rand(2, 3, 8, 8), generator=make_generator(0))
    finally:
        validation._CHECKS["image.range"] = (check, signature)
    # the input once by the first op; the second op reads the first op's (new) output once
    assert len(reads) == 2 and len(set(reads)) == 2, "inside one call, each tensor is read at most once"
