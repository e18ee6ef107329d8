"""Style randomisation: MixStyle (an ``nn.Module``) and AdaIN style transfer with the user's modules.

RandConv, the registered op, is in :mod:`omniaug_saliency.ops`.

* :class:`MixStyle` (Zhou et al. 2021) — inserted between layers of the user's
  network; in training it mixes each sample's channel statistics (mean, std over
  the spatial/time axes) with a partner's, partners and λ ~ Beta(α, α) drawn per
  sample from the module's own generator. Identity in eval mode.
* :class:`AdaINStyle` (Huang & Belongie 2017; the Stylized-ImageNet recipe of
  Geirhos et al. 2019) — ``decoder(α·AdaIN(enc(x), enc(style)) + (1 − α)·enc(x))``
  with a style image drawn per sample. The encoder and decoder are the user's
  modules (e.g. a VGG-19 up to relu4_1 and its trained decoder); nothing is downloaded.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

import omniaug
from omniaug import InputError, Params, args, rng

__all__ = ["MixStyle", "AdaINStyle", "adain"]


def _image_of(x: Any) -> torch.Tensor:
    return x.image if hasattr(x, "image") and not isinstance(x, torch.Tensor) else x


def _check_image_batch(x: Any, where: str) -> None:
    """The payload's image is a batch ``(B, C, H, W)`` (RandConv and AdaINStyle convolve batches)."""
    img = _image_of(x)
    if not isinstance(img, torch.Tensor) or img.dim() != 4:
        raise InputError("x", "a batch of images (B, C, H, W)", x, where=where)


def _rebuild(x: Any, img: torch.Tensor) -> Any:
    import dataclasses

    return img if isinstance(x, torch.Tensor) else dataclasses.replace(x, image=img)


def _stats(f: torch.Tensor, eps: float) -> tuple[torch.Tensor, torch.Tensor]:
    dims = tuple(range(2, f.dim()))
    mu = f.mean(dims, keepdim=True)
    sig = (f.var(dims, keepdim=True, unbiased=False) + eps).sqrt()
    return mu, sig


class MixStyle(nn.Module):
    """MixStyle: mix channel statistics of each sample with a partner's, inside the network, in training only.

    ``f̂ = (f − μ)/σ · (λσ + (1 − λ)σ_p) + (λμ + (1 − λ)μ_p)`` over the axes after the
    channel axis (statistics detached, as in the paper). Per sample: the partner (a
    random permutation of the batch, or ``mix="crossdomain"``: the other half of the
    batch, flipped), λ ~ Beta(α, α), and — with ``per_sample=True`` — whether the
    sample is mixed at all (probability ``p``; otherwise one coin for the batch, as in
    the paper). Draws come from the module's own ``torch.Generator`` (seeded by
    ``seed``), never the global RNG; the last draw is in :attr:`last_params`.
    Identity in ``eval()`` mode.
    """

    def __init__(
        self,
        p: float = 0.5,
        alpha: float = 0.1,
        *,
        eps: float = 1e-6,
        mix: str = "random",
        per_sample: bool = False,
        seed: int = 0,
    ) -> None:
        super().__init__()
        self.p = args.probability("p", p, where="MixStyle")
        self.alpha = args.positive("alpha", alpha, where="MixStyle")
        self.eps = args.positive("eps", eps, where="MixStyle")
        self.mix = args.choice("mix", mix, ("random", "crossdomain"), where="MixStyle")
        self.per_sample = bool(per_sample)
        self.generator = rng.make_generator(int(seed))
        self.last_params: dict[str, torch.Tensor] | None = None

    def extra_repr(self) -> str:
        return f"p={self.p}, alpha={self.alpha}, mix={self.mix!r}, per_sample={self.per_sample}"

    def draw(self, batch_size: int) -> dict[str, torch.Tensor]:
        """Partners ``(B,)``, λ ``(B,)`` and the apply mask ``(B,)`` (CPU), from the module's generator."""
        g = self.generator
        if self.mix == "crossdomain" and batch_size > 1:
            # the paper's: the batch is two domains (first and second half); each half takes partners from the other
            perm = torch.arange(batch_size - 1, -1, -1)
            back, front = perm.chunk(2)
            back = back[torch.randperm(back.numel(), generator=g)]
            front = front[torch.randperm(front.numel(), generator=g)]
            partners = torch.cat([back, front])
        else:
            partners = torch.randperm(batch_size, generator=g)
        lam = rng.beta(batch_size, self.alpha, generator=g, device="cpu")
        if self.per_sample:
            apply = torch.rand(batch_size, generator=g) < self.p
        else:
            apply = (torch.rand(1, generator=g) < self.p).expand(batch_size).clone()
        return {"partners": partners, "lam": lam, "apply": apply}

    def forward(self, x: torch.Tensor, params: dict[str, torch.Tensor] | None = None) -> torch.Tensor:
        if not isinstance(x, torch.Tensor) or x.dim() < 3:
            raise InputError("x", "features (B, C, ...) with at least one axis after the channels", x, where="MixStyle")
        if params is None and (not self.training or self.p == 0.0):
            return x
        params = self.draw(x.shape[0]) if params is None else params
        self.last_params = params
        mu, sig = _stats(x, self.eps)
        mu, sig = mu.detach(), sig.detach()
        shape = (-1,) + (1,) * (x.dim() - 1)
        idx = params["partners"].to(x.device)
        lam = params["lam"].to(device=x.device, dtype=x.dtype).view(shape)
        mu_mix = lam * mu + (1 - lam) * mu[idx]
        sig_mix = lam * sig + (1 - lam) * sig[idx]
        out = (x - mu) / sig * sig_mix + mu_mix
        return torch.where(params["apply"].to(x.device).view(shape), out, x)


def adain(content: torch.Tensor, style: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Adaptive instance normalisation: ``content`` features with ``style``'s channel mean and std (per sample)."""
    mu_c, sig_c = _stats(content, eps)
    mu_s, sig_s = _stats(style, eps)
    return (content - mu_c) / sig_c * sig_s + mu_s


class AdaINStyle(omniaug.Augmentation):
    """AdaIN style transfer with the user's encoder/decoder: a style image and a strength drawn per sample.

    ``out = decoder(α·AdaIN(encoder(x), encoder(style)) + (1 − α)·encoder(x))``, ``α``
    uniform in ``strength`` (Stylized-ImageNet uses α = 1). ``styles`` ``(K, C, H', W')``
    are style images (any size the encoder accepts). The modules run in eval mode
    without gradients and are left exactly as they were (:func:`omniaug.model_guard`).
    With public weights (e.g. the AdaIN paper's ``vgg_normalised.pth`` and
    ``decoder.pth``), build the usual VGG-19-to-relu4_1 encoder and the mirrored
    decoder, load the state dicts yourself and pass the modules here; put any input
    normalisation the encoder expects inside ``encoder``. Output is clamped to ``[0, 1]``.
    Params: ``style`` ``(B,)`` indices into ``styles``, ``strength`` ``(B,)``.
    The op holds modules, so it is not in the registry and has no config form.
    """

    name = "image.adain_style"
    modality = "image"
    in_policies = False

    def __init__(
        self,
        encoder: nn.Module,
        decoder: nn.Module,
        styles: torch.Tensor,
        strength: tuple[float, float] = (1.0, 1.0),
        *,
        p: float = 1.0,
    ) -> None:
        super().__init__(p=p)
        if not isinstance(encoder, nn.Module) or not isinstance(decoder, nn.Module):
            raise InputError("encoder/decoder", "torch.nn.Module instances", (encoder, decoder), where=self.name)
        if (
            not isinstance(styles, torch.Tensor)
            or styles.dim() != 4
            or styles.shape[0] < 1
            or not styles.is_floating_point()
        ):
            raise InputError("styles", "float style images (K, C, H, W), K ≥ 1", styles, where=self.name)
        self.encoder, self.decoder, self.styles = encoder, decoder, styles
        self.strength = args.value_range("strength", strength, bounds=(0.0, 1.0), where=self.name)

    def check(self, x: Any) -> None:
        _check_image_batch(x, self.name)

    def draw(
        self, x: Any, batch_size: int, *, generator: torch.Generator | None, device: torch.device
    ) -> dict[str, Any]:
        lo, hi = self.strength
        style = rng.randint(batch_size, 0, self.styles.shape[0], generator=generator, device=device)
        strength = (
            rng.uniform(batch_size, lo, hi, generator=generator, device=device)
            if hi > lo
            else torch.full((batch_size,), lo, device=device)
        )
        return {"style": style, "strength": strength}

    def kernel(self, x: Any, params: Params) -> Any:
        img = _image_of(x)
        v = img.to(torch.float32) / 255.0 if img.dtype == torch.uint8 else img
        with omniaug.model_guard(self.encoder), omniaug.model_guard(self.decoder), torch.no_grad():
            f = self.encoder(v)
            styles = self.styles.to(device=v.device, dtype=v.dtype)
            fs = self.encoder(styles)[params["style"].to(v.device)]
            a = params["strength"].to(device=v.device, dtype=f.dtype).view((-1,) + (1,) * (f.dim() - 1))
            t = a * adain(f, fs) + (1 - a) * f
            out = self.decoder(t).clamp(0, 1)
        if tuple(out.shape) != tuple(v.shape):
            raise InputError(
                "decoder",
                f"a decoder whose output has the input's shape {tuple(v.shape)}",
                tuple(out.shape),
                where=self.name,
            )
        out = (out * 255).round().to(torch.uint8) if img.dtype == torch.uint8 else out.to(img.dtype)
        return _rebuild(x, out)
