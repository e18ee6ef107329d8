"""RandConv, MixStyle and AdaIN (with tiny encoder/decoder modules trained here; nothing downloaded)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

import omniaug
from omniaug.testing import contract
from omniaug_saliency import AdaINStyle, MixStyle, RandConv, adain


def test_randconv_kernel_sizes_and_identity_mix() -> None:
    x = torch.rand(4, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    op = RandConv(kernel_sizes=(1, 5))
    out, prm = op.augment(x, generator=omniaug.rng.make_generator(0))
    assert set(prm["size"].tolist()) <= {1, 5}
    k = prm["kernel"]
    for i, s in enumerate(prm["size"].tolist()):  # zero outside each sample's own k × k support
        r = (k.shape[-1] - s) // 2
        inner = k[i, :, :, r : r + s, r : r + s]
        assert torch.count_nonzero(k[i]) == torch.count_nonzero(inner)
    same = RandConv(mix_range=(1.0, 1.0))(x, generator=omniaug.rng.make_generator(0))
    assert torch.allclose(same, x)


def test_randconv_equals_per_sample_convolution_and_he_scale() -> None:
    """Oracle: each sample through its own ``k × k`` kernel (cropped from the params), zero padding, blended, clamped."""
    x = torch.rand(6, 3, 12, 12, generator=torch.Generator().manual_seed(1))
    op = RandConv(kernel_sizes=(1, 3, 5), mix_range=(0.0, 1.0))
    out, prm = op.augment(x, generator=omniaug.rng.make_generator(2))
    kmax = prm["kernel"].shape[-1]
    for i, s in enumerate(prm["size"].tolist()):
        r = (kmax - s) // 2
        k = prm["kernel"][i, :, :, r : r + s, r : r + s]
        conv = torch.nn.functional.conv2d(x[i : i + 1], k, padding=s // 2)[0]
        w = float(prm["mix"][i])
        assert torch.allclose(out[i], (w * x[i] + (1 - w) * conv).clamp(0, 1), atol=1e-5)
    # He scale: weights ~ N(0, 1 / (k²·C)), measured over many drawn filters of one size
    big = RandConv(kernel_sizes=(5,)).sample_params(torch.zeros(200, 3, 8, 8), generator=omniaug.rng.make_generator(3))
    weights = big["kernel"].reshape(-1)  # kmax = 5: every entry is inside the support
    assert abs(weights.std().item() * (25 * 3) ** 0.5 - 1.0) < 0.03 and abs(weights.mean().item()) < 0.01


def test_mixstyle_mixes_statistics_in_training_and_is_identity_in_eval() -> None:
    g = torch.Generator().manual_seed(0)
    f = torch.randn(8, 4, 5, 5, generator=g) * torch.arange(1, 9).view(8, 1, 1, 1) + torch.arange(8).view(8, 1, 1, 1)
    m = MixStyle(p=1.0, alpha=0.3, seed=1)
    out = m(f)
    prm = m.last_params
    assert prm is not None and bool(prm["apply"].all())
    lam = prm["lam"].view(-1, 1, 1)
    mu, mu_out = f.mean((2, 3)), out.mean((2, 3))
    expected = lam[:, :, 0] * mu + (1 - lam[:, :, 0]) * mu[prm["partners"]]
    assert torch.allclose(mu_out, expected, atol=1e-4)
    sig, sig_out = f.var((2, 3), unbiased=False).add(1e-6).sqrt(), out.var((2, 3), unbiased=False).add(1e-6).sqrt()
    assert torch.allclose(sig_out, lam[:, :, 0] * sig + (1 - lam[:, :, 0]) * sig[prm["partners"]], atol=1e-4)
    m.eval()
    assert torch.equal(m(f), f)
    # the same seed gives the same draws; the global RNG is not touched
    state = torch.get_rng_state()
    a, b = MixStyle(p=1.0, seed=5), MixStyle(p=1.0, seed=5)
    assert torch.equal(a(f), b(f)) and torch.equal(torch.get_rng_state(), state)
    ps = MixStyle(p=0.5, per_sample=True, seed=2)
    ps(f)
    assert ps.last_params is not None and 0 < int(ps.last_params["apply"].sum()) < 8
    cross = MixStyle(p=1.0, mix="crossdomain", seed=0)
    cross(f)
    partners = cross.last_params["partners"]  # type: ignore[index]
    assert bool((partners[:4] >= 4).all()) and bool((partners[4:] < 4).all())


def _photos() -> torch.Tensor:
    import numpy as np
    from sklearn.datasets import load_sample_images

    imgs = torch.from_numpy(np.stack(load_sample_images().images)).to(torch.float32).permute(0, 3, 1, 2) / 255.0
    return torch.nn.functional.interpolate(imgs, size=(64, 96), mode="area")


@pytest.fixture(scope="module")
def autoencoder() -> tuple[nn.Module, nn.Module]:
    """A tiny conv encoder/decoder trained (fixed seed, 150 steps) to reconstruct photo crops."""
    pytest.importorskip("sklearn")
    with torch.random.fork_rng():
        torch.manual_seed(0)
        enc = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU())
        dec = nn.Sequential(nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 3, 3, padding=1))
        photos = _photos()
        opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=3e-3)
        g = torch.Generator().manual_seed(0)
        for _ in range(150):
            i = torch.randint(0, 2, (8,), generator=g)
            t = torch.randint(0, 64 - 24, (1,), generator=g).item()
            left = torch.randint(0, 96 - 24, (1,), generator=g).item()
            crop = photos[i, :, t : t + 24, left : left + 24]
            loss = (dec(enc(crop)) - crop).pow(2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return enc, dec


def test_adain_moves_feature_statistics_to_the_style(autoencoder: tuple[nn.Module, nn.Module]) -> None:
    enc, dec = autoencoder
    photos = _photos()
    content, style = photos[:1].repeat(3, 1, 1, 1), photos[1:]
    op = AdaINStyle(enc, dec, style, strength=(1.0, 1.0))
    weak = AdaINStyle(enc, dec, style, strength=(0.0, 0.0))
    out = op(content, generator=omniaug.rng.make_generator(0))
    recon = weak(content, generator=omniaug.rng.make_generator(0))
    assert (recon - content).abs().mean() < 0.08  # α = 0 reconstructs (the decoder is trained)
    with torch.no_grad():
        fc, fs, fo = enc(content[:1]), enc(style), enc(out[:1])
    dist = lambda a, b: (a.mean((2, 3)) - b.mean((2, 3))).abs().mean() + (a.std((2, 3)) - b.std((2, 3))).abs().mean()  # noqa: E731
    assert dist(fo, fs) < dist(fc, fs)  # the stylised image's feature statistics moved towards the style's
    assert torch.allclose(adain(fc, fs).mean((2, 3)), fs.mean((2, 3)), atol=1e-4)
    # the user's modules are untouched and the op follows the per-sample contract
    enc.train()
    op(content, generator=omniaug.rng.make_generator(1))
    assert enc.training and all(p.requires_grad for p in enc.parameters())
    for check in (
        contract.check_reproducible,
        contract.check_p0_identity,
        contract.check_batch_equals_per_sample,
        contract.check_no_mutation,
        contract.check_dtype_device,
    ):
        check(op, torch.rand(4, 3, 16, 16, generator=torch.Generator().manual_seed(3)))
