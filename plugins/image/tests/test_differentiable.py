"""Gradients through image ops: the cases of issue #15 §2 and the autograd fallbacks of the fast paths.

Every fast path that writes into buffers (``out=``, in-place kernels, scratch
buffers, worker threads) has a plain path taken when the input requires grad. These
tests check that path backpropagates correctly (analytic oracles or ``gradcheck``
in float64) and gives the same output as the fast path when no grad is needed.
"""

from __future__ import annotations

import pytest
import torch

from omniaug import Compose, InputError
from omniaug.rng import make_generator
from omniaug_image import color_fusion as CF
from omniaug_image import functional_geometric as FG
from omniaug_image.fusion import apply_geometric, apply_geometric_then_color
from omniaug_image.mixers import CutMix, MixUp
from omniaug_image.ops.geometric import Affine, HorizontalFlip
from omniaug_image.ops.photometric import Brightness, ColorJitter, Contrast, Equalize, Posterize, Sharpness


def images(b: int, h: int = 24, w: int = 24, seed: int = 0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    return torch.rand(b, 3, h, w, generator=torch.Generator().manual_seed(seed), dtype=dtype)


def leaf(x: torch.Tensor) -> torch.Tensor:
    return x.detach().clone().requires_grad_(True)


def grad_of(fn, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Output of ``fn`` on a grad copy of ``x`` and d(Σ w·out)/dx for fixed weights ``w``."""
    xg = leaf(x)
    out = fn(xg)
    w = torch.linspace(0.5, 1.5, out.numel(), dtype=out.dtype).reshape(out.shape)
    (g,) = torch.autograd.grad((out * w).sum(), xg)
    return out.detach(), g


def pipeline() -> Compose:
    return Compose([Affine(degrees=30), ColorJitter(0.4, 0.4, 0.4, 0.1, hue_mode="yiq")], fuse=True)


# -- the fused Compose of the issue ---------------------------------------------------------


@pytest.mark.parametrize("batch,size", [(4, 24), (12, 128)])  # one chunk; several chunks on the worker pool
def test_fused_compose_with_grad_equals_fast_path_and_backpropagates(batch: int, size: int) -> None:
    x = images(batch, size, size)
    aug = pipeline()
    fast, params = aug.augment(x, generator=make_generator(3))
    out, g = grad_of(lambda t: aug(t, params=params), x)
    assert torch.equal(out, fast)  # the two-pass autograd path equals the one-pass chained kernel bit for bit here
    assert torch.isfinite(g).all() and g.abs().sum() > 0
    # drawing (not replaying) with a grad input gives the same params and output
    drawn = aug.augment(leaf(x), generator=make_generator(3))
    assert torch.equal(drawn.output.detach(), fast)
    # the unfused chain, too, gives the same output with and without grad
    unfused = Compose(aug.transforms)
    assert torch.equal(unfused.apply(leaf(x), params).detach(), unfused.apply(x, params))


def test_fused_compose_gradcheck_float64() -> None:
    x = images(2, 8, 8, dtype=torch.float64) * 0.8 + 0.1
    aug = pipeline()
    params = aug.augment(x, generator=make_generator(5)).params
    assert torch.autograd.gradcheck(lambda t: aug(t, params=params), (leaf(x),), fast_mode=True, atol=1e-5, rtol=1e-3)


def test_fused_gradient_matches_unfused_gradient_for_exact_warps() -> None:
    # flips are exact warps: fused and unfused compute the same function, so the gradients agree too
    x = images(3, 12, 12)
    ops = [HorizontalFlip(p=1.0), Brightness(0.3), Contrast(0.3)]
    params = Compose(ops, fuse=True).augment(x, generator=make_generator(1)).params
    out_f, g_f = grad_of(lambda t: Compose(ops, fuse=True)(t, params=params), x * 0.5 + 0.25)
    out_u, g_u = grad_of(lambda t: Compose(ops)(t, params=params), x * 0.5 + 0.25)
    torch.testing.assert_close(out_f, out_u, atol=1e-5, rtol=0)
    torch.testing.assert_close(g_f, g_u, atol=1e-5, rtol=1e-5)


# -- the kernels' fallbacks equal their fast paths ----------------------------------------------


def test_color_matrix_autograd_path_equals_chunked_fast_path() -> None:
    x = images(12, 96, 96)  # several chunks (cache blocking) on the worker pool
    ops = [ColorJitter(0.4, 0.4, 0.4, 0.1, hue_mode="yiq")]
    total = ops[0].fusion_transform(x, ops[0].sample_params(x, generator=make_generator(2)))
    fast = CF.apply_color_matrix(x, total)
    out, g = grad_of(lambda t: CF.apply_color_matrix(t, total), x)
    torch.testing.assert_close(out, fast, atol=1e-6, rtol=0)  # the colour kind's stated tolerance is 1e-5
    assert torch.isfinite(g).all()
    # apply_inplace (Compose hands it owned intermediates) never writes into a tensor that requires grad
    xg = leaf(x)
    again = CF.COLOR_FUSION.apply_inplace(xg, total, ops)
    assert again is not xg and xg.grad is None
    torch.testing.assert_close(again.detach(), fast, atol=1e-6, rtol=0)


def test_color_matrix_gradient_oracle() -> None:
    # brightness alone: out = clamp(f·x); the gradient is f where 0 < f·x < 1, else 0
    x = images(4, 10, 10)
    f = torch.tensor([0.5, 0.9, 1.3, 1.6])
    total = CF.brightness_matrix(f, 3)
    _, g = grad_of(lambda t: CF.apply_color_matrix(t, total), x)
    w = torch.linspace(0.5, 1.5, x.numel()).reshape(x.shape)
    inside = (x * f.view(-1, 1, 1, 1)) < 1.0
    torch.testing.assert_close(g, torch.where(inside, w * f.view(-1, 1, 1, 1), torch.zeros_like(w)))


def test_warp_autograd_path_equals_chunked_fast_path() -> None:
    x = images(12, 128, 128)  # chunked, scratch copies, worker threads when no grad
    aff = Affine(degrees=30)
    params = aff.sample_params(x, generator=make_generator(4))
    m = aff.fusion_transform(x, params)
    fast = apply_geometric(x, m, [aff])
    out, g = grad_of(lambda t: apply_geometric(t, m, [aff]), x)
    assert torch.equal(out, fast)
    assert torch.isfinite(g).all() and g.abs().sum() > 0
    # the chained warp → colour kernel and its two-pass autograd path
    cj = ColorJitter(0.4, 0.4, 0.4, 0.1, hue_mode="yiq")
    total = cj.fusion_transform(x, cj.sample_params(x, generator=make_generator(6)))
    chained = apply_geometric_then_color(x, m, [aff], total, [cj])
    out2, _ = grad_of(lambda t: apply_geometric_then_color(t, m, [aff], total, [cj]), x)
    torch.testing.assert_close(out2, chained, atol=1e-6, rtol=0)
    with pytest.raises(InputError, match="post"):
        FG.warp_chunked([(leaf(x), FG.sample_image)], m, (128, 128), post=lambda *a: None)


# -- mixers with the default (cyclic shift) pairing --------------------------------------------


def test_mixup_default_pairing_with_grad() -> None:
    x = images(6, 16, 16)
    mix = MixUp(alpha=1.0, num_classes=3)
    params = mix.sample_params(x, generator=make_generator(8))
    fast = mix.mix_batch(x, params)[0]  # the copy-free shifted path (lerp with out=)
    out, g = grad_of(lambda t: mix.mix_batch(t, params)[0], x)
    assert torch.equal(out, fast)
    # oracle: out_i = λ_i x_i + (1 − λ_i) x_{p(i)} → d/dx_j = λ_j w_j + Σ_{i: p(i)=j} (1 − λ_i) w_i
    lam, partner = params["lam"].view(-1, 1, 1, 1), params["partners"][:, 0]
    w = torch.linspace(0.5, 1.5, x.numel()).reshape(x.shape)
    expected = lam * w
    expected = expected.index_add(0, partner, (1 - lam) * w)
    torch.testing.assert_close(g, expected)
    res = mix.augment_with_labels(leaf(x), torch.arange(6) % 3, generator=make_generator(8))
    assert res.output.requires_grad and torch.equal(res.output.detach(), fast)


def test_cutmix_default_pairing_with_grad() -> None:
    x = images(6, 16, 16)
    mix = CutMix()
    params = mix.sample_params(x, generator=make_generator(9))
    fast = mix.mix_batch(x, params)[0]  # where(out=) on the shifted path
    out, g = grad_of(lambda t: mix.mix_batch(t, params)[0], x)
    assert torch.equal(out, fast)
    # oracle: each output pixel routes its weight to exactly one input pixel
    rect = CutMix.box(params["lam"], params["center"], 16, 16)
    ys, xs = torch.arange(16).view(1, 16, 1), torch.arange(16).view(1, 1, 16)
    inside = (
        (ys >= rect[:, 0:1, None]) & (ys < rect[:, 2:3, None]) & (xs >= rect[:, 1:2, None]) & (xs < rect[:, 3:4, None])
    ).unsqueeze(1)
    w = torch.linspace(0.5, 1.5, x.numel()).reshape(x.shape)
    own = torch.where(inside, torch.zeros_like(w), w)
    expected = own.index_add(0, params["partners"][:, 0], torch.where(inside, w, torch.zeros_like(w)))
    torch.testing.assert_close(g, expected)


# -- sharpness, equalize, posterize ----------------------------------------------------------------


def test_sharpness_backpropagates_and_equals_no_grad_output() -> None:
    x = images(3, 12, 12)
    op = Sharpness(0.8)
    params = op.sample_params(x, generator=make_generator(1))
    fast = op(x, params=params)
    out, g = grad_of(lambda t: op(t, params=params), x)
    assert torch.equal(out, fast)
    assert torch.isfinite(g).all()
    xd = images(2, 6, 6, dtype=torch.float64) * 0.5 + 0.25  # no clipping: smooth everywhere
    p2 = op.sample_params(xd, generator=make_generator(2))
    assert torch.autograd.gradcheck(lambda t: op(t, params=p2), (leaf(xd),), fast_mode=True)


@pytest.mark.parametrize("op", [Equalize(), Posterize(4)], ids=["equalize", "posterize"])
def test_piecewise_constant_ops_refuse_grad_inputs(op) -> None:
    x = images(2, 8, 8)
    params = op.sample_params(x, generator=make_generator(0))
    for call in (
        lambda t: op(t, generator=make_generator(0)),
        lambda t: op(t, params=params),
        lambda t: op.apply(t, params),
    ):
        with pytest.raises(InputError, match="does not require grad"):
            call(leaf(x))
    assert not op.differentiable
    assert torch.equal(op(x, params=params), op(x.clone(), params=params))  # detached inputs work as before


def test_fused_compose_refuses_grad_with_a_non_differentiable_op() -> None:
    aug = Compose([Affine(degrees=10), Equalize()], fuse=True)
    assert not aug.differentiable and pipeline().differentiable
    with pytest.raises(InputError, match="image.equalize"):
        aug(leaf(images(2, 8, 8)), generator=make_generator(0))
