"""The ``timeseries`` modality: validation, a synthetic example batch, malformed examples."""

from __future__ import annotations

import math
from typing import Any

import torch

from omniaug import InputError, Modality, rng

from .series import SeriesBatch

__all__ = ["TIMESERIES", "validate", "example", "bad_examples"]

PAYLOAD = "Tensor (B, C, T) float, channels first, or SeriesBatch(values (B, C, T), lengths (B,) | None, labels (B, T) | None)"
EXPECTED_VALUES = "a float tensor (B, C, T) with B >= 1, C >= 1 and T >= 2 (channels first)"


def _check_values(v: Any, argument: str) -> None:
    if not isinstance(v, torch.Tensor):
        raise InputError(argument, f"{EXPECTED_VALUES} or a SeriesBatch", v, where="timeseries")
    if v.dim() != 3 or not v.is_floating_point() or v.shape[0] < 1 or v.shape[1] < 1 or v.shape[2] < 2:
        raise InputError(argument, EXPECTED_VALUES, v, where="timeseries")


def validate(x: Any) -> None:
    """Raise :class:`omniaug.InputError` unless ``x`` is a valid time-series payload."""
    if isinstance(x, SeriesBatch):
        _check_values(x.values, "x.values")
        b, _, t = x.values.shape
        if x.lengths is not None:
            lengths = x.lengths
            if (
                not isinstance(lengths, torch.Tensor)
                or lengths.shape != (b,)
                or lengths.is_floating_point()
                or lengths.dtype == torch.bool
            ):
                raise InputError("x.lengths", f"an integer tensor of shape ({b},) or None", lengths, where="timeseries")
            if bool((lengths < 2).any()) or bool((lengths > t).any()):
                raise InputError("x.lengths", f"valid lengths in [2, {t}] (T = {t})", lengths, where="timeseries")
        if x.labels is not None and (not isinstance(x.labels, torch.Tensor) or x.labels.shape != (b, t)):
            raise InputError(
                "x.labels", f"per-timestep labels of shape ({b}, {t}) or None", x.labels, where="timeseries"
            )
        return
    _check_values(x, "x")


def example(
    batch_size: int = 4,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str = "cpu",
    channels: int = 3,
    length: int = 64,
) -> SeriesBatch:
    """A padded, labelled batch of noisy multi-tone series with per-sample lengths.

    Lengths are drawn in ``[length // 2, length]`` (padding is 0, padded labels are -1);
    labels mark three consecutive segments of the valid part (0, 1, 2).
    """
    device = torch.device(device)
    b = batch_size
    freq = rng.uniform(b, 1.0, 4.0, shape=(channels, 1), generator=generator, device=device)
    phase = rng.uniform(b, 0.0, 2 * math.pi, shape=(channels, 1), generator=generator, device=device)
    noise = rng.normal(b, 0.0, 0.1, shape=(channels, length), generator=generator, device=device)
    lengths = rng.randint(b, length // 2, length + 1, generator=generator, device=device)
    t = torch.arange(length, device=device, dtype=torch.float32) / length
    values = torch.sin(2 * math.pi * freq * t + phase) + noise
    valid = torch.arange(length, device=device).unsqueeze(0) < lengths.unsqueeze(1)
    values = values * valid.unsqueeze(1)
    segment = (torch.arange(length, device=device).unsqueeze(0) * 3) // lengths.unsqueeze(1)
    labels = torch.where(valid, segment, torch.full_like(segment, -1))
    return SeriesBatch(values, lengths, labels)


def example_variants(
    batch_size: int = 4, *, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
) -> dict[str, Any]:
    """Valid payloads of every shape policies and presets must take: uni- and multivariate, padded or not, short."""
    padded = example(batch_size, generator=generator, device=device, channels=3, length=64)
    uni = example(batch_size, generator=generator, device=device, channels=1, length=64)
    return {
        "univariate": uni.values,
        "univariate padded": uni,
        "two channels": padded.values[:, :2].contiguous(),
        "multivariate": padded.values,
        "multivariate padded": padded,
        "six channels": torch.cat([padded.values, padded.values.flip(-1)], dim=1),
        "short (T = 8)": padded.values[..., :8].contiguous(),
        "float64": padded.values.double(),
    }


def bad_examples() -> list[Any]:
    """Payloads ``validate`` must reject."""
    ok = torch.zeros(2, 3, 16)
    return [
        torch.zeros(2, 16),  # no channel dimension
        torch.zeros(2, 3, 16, dtype=torch.long),  # not float
        torch.zeros(2, 3, 1),  # a single time step
        torch.zeros(2, 3, 4, 4),  # image-shaped
        SeriesBatch(ok, torch.tensor([16, 17])),  # a length beyond T
        SeriesBatch(ok, torch.tensor([16.0, 8.0])),  # float lengths
        SeriesBatch(ok, torch.tensor([16, 8]), torch.zeros(2, 15)),  # labels misaligned
        [torch.zeros(3, 16)],  # a list of series (pad with omniaug.batching.pad_sequences)
    ]


def _modality() -> Modality:
    from .files import load, save
    from .render import render

    return Modality(
        name="timeseries",
        payload=PAYLOAD,
        validate=validate,
        example=example,
        render=render,
        load=load,
        save=save,
        file_patterns=("*.npy", "*.csv"),
        files="omniaug_timeseries.files:FILES",
        float_tolerance=(1e-4, 1e-5),
        bad_examples=bad_examples,
        example_variants=example_variants,
        description="Multichannel time series (sensors, wearables, ECG, UCR/UEA data), optionally padded and labelled.",
    )


TIMESERIES = _modality()
