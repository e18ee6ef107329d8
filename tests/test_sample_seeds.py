"""The core per-sample seeds (omniaug.rng.sample_seeds / derive_seeds / seed_uniforms) against scalar oracles.

Both host paths (NumPy on small CPU tensors, torch elsewhere) are forced through the
one switch (``omniaug.host.force``) and must be bit-identical to the scalar
SplitMix64 functions; the graph, code and text word ops draw exactly these seeds.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from omniaug import InputError, host, rng
from omniaug.keyed import GAMMA, KeyedGenerator, mix64


def _edges() -> torch.Tensor:
    """Seeds at the edges of the range plus random ones."""
    return torch.cat([torch.tensor([0, 1, 2**62, 2**63 - 1]), rng.sample_seeds(60, generator=rng.make_generator(9))])


def test_sample_seeds_are_63_bit_reproducible_and_spread():
    a = rng.sample_seeds(4096, generator=rng.make_generator(1))
    b = rng.sample_seeds(4096, generator=rng.make_generator(1))
    assert a.dtype == torch.int64 and a.shape == (4096,) and torch.equal(a, b)
    assert bool((a >= 0).all())
    assert a.unique().numel() == 4096
    top = (a >> 61).bincount(minlength=4)  # the top two of the 63 bits are uniform: ~1024 each
    assert bool(((top > 880) & (top < 1170)).all()), top
    assert not torch.equal(a, rng.sample_seeds(4096, generator=rng.make_generator(2)))


def test_sample_seeds_per_row_for_keyed_generators():
    """A keyed row's seed depends on its key, not on its batch."""
    batch = rng.sample_seeds(3, generator=KeyedGenerator.from_keys(5, ["a", "b", "c"]))
    alone = rng.sample_seeds(1, generator=KeyedGenerator.from_keys(5, ["b"]))
    assert batch[1] == alone[0] and batch[0] != batch[1]


@pytest.mark.parametrize("path", ["host", "torch"])
def test_derive_seeds_equals_seed_for_on_both_paths(path):
    seeds = _edges()
    for keys in ((), (7,), (0x1D0E, -3), (2**64 - 1, 0, 12)):
        with host.force(path):
            got = rng.derive_seeds(seeds, *keys)
        assert got.dtype == torch.int64 and got.shape == seeds.shape
        assert got.tolist() == [rng.seed_for(int(s), *keys) for s in seeds]
    assert np.array_equal(rng.derive_seeds(seeds.numpy(), 5), rng.derive_seeds(seeds, 5).numpy()), "arrays too"
    assert torch.equal(seeds, _edges()), "the input is not modified"


def test_derive_seeds_names_a_bad_argument():
    with pytest.raises(InputError, match="seeds"):
        rng.derive_seeds(torch.zeros(3), 1)


@pytest.mark.parametrize("path", ["host", "torch"])
def test_seed_uniforms_are_each_seeds_splitmix64_stream(path):
    seeds = _edges()[:9]
    with host.force(path):
        u = rng.seed_uniforms(seeds, 11)
    want = [[(mix64(int(s) + (i + 1) * GAMMA) >> 11) * 2.0**-53 for i in range(11)] for s in seeds]
    assert u.dtype == torch.float64 and u.tolist() == want
    with host.force(path):
        assert torch.equal(rng.seed_uniforms(seeds, 4), u[:, :4]), "a narrower row is a prefix"
        assert torch.equal(rng.seed_uniforms(seeds[3:4], 11), u[3:4]), "a row does not depend on the batch"


def test_seed_uniforms_are_uniform():
    u = rng.seed_uniforms(rng.sample_seeds(64, generator=rng.make_generator(3)), 256).flatten()
    counts = torch.histc(u, bins=16, min=0.0, max=1.0)
    chi2 = float(((counts - 1024) ** 2 / 1024).sum())
    assert chi2 < 45.0, chi2  # 15 degrees of freedom: p ≈ 1e-4
    assert float(u.min()) >= 0.0 and float(u.max()) < 1.0


def test_graph_code_and_text_ops_draw_the_core_seeds():
    """The three plugins' per-sample seeds are sample_seeds from the caller's generator, nothing else."""
    from omniaug_code import CodeBatch
    from omniaug_code.ops import RenameVariables
    from omniaug_graph import ShuffleFeature
    from omniaug_graph.examples_data import example_batch
    from omniaug_text.ops.words import RandomDeletion, SentenceShuffle

    def first_seeds(op, x, n):
        params = op.sample_params(x, generator=rng.make_generator(11))
        return params["seed"], rng.sample_seeds(n, generator=rng.make_generator(11))

    texts = ["one two three four", "five six seven"]
    for op, x, n in (
        (ShuffleFeature(), example_batch(3, generator=rng.make_generator(0)), 3),
        (RandomDeletion(0.3), texts, 2),
        (SentenceShuffle(), texts, 2),
        (RenameVariables(), CodeBatch(["a = 1\nprint(a)\n"], "python"), 1),
    ):
        got, want = first_seeds(op, x, n)
        assert torch.equal(got, want), type(op).__name__
