"""Rows of a table (or a Hugging Face / Dask / Ray batch) augmented with per-row keyed seeds."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..errors import InputError
from ..keyed import KeyedGenerator

__all__ = ["KeyedTransform", "augment_rows"]


_FORKED = False


def _mark_forked() -> None:
    global _FORKED
    _FORKED = True


os.register_at_fork(after_in_child=_mark_forked)


def _fork_safe_threads() -> None:
    """In a forked child (``datasets``' ``num_proc``, Dask's process pools) use one intra-op thread.

    A fork copies the parent's OpenMP state but not its threads: the child's first
    parallel region then waits for them forever. One thread never opens a team.
    Outputs do not depend on the thread count.
    """
    global _FORKED
    if _FORKED:
        _FORKED = False
        torch.set_num_threads(1)


def _is_image_array(value: Any) -> bool:
    """An ``(H, W)`` / ``(H, W, C ≤ 4)`` ``uint8`` array: how Ray Data and NumPy tables hold images."""
    return (
        isinstance(value, np.ndarray)
        and value.dtype == np.uint8
        and (value.ndim == 2 or (value.ndim == 3 and value.shape[-1] in (1, 3, 4)))
    )


def _to_tensor(value: Any, image_arrays: bool = False) -> tuple[Any, Any]:
    """One row → (group key, payload row) and how to turn an output row back into the row's type."""
    if isinstance(value, str):
        return ("str",), value
    if image_arrays and _is_image_array(value):  # uint8 HWC → uint8 CHW, as `omniaug apply` reads images
        t = torch.from_numpy(np.array(value))  # a fresh, writable copy
        t = t.unsqueeze(0) if t.dim() == 2 else t.permute(2, 0, 1)
        return ("hwc", tuple(t.shape), value.ndim), t.contiguous()
    if isinstance(value, dict) and "array" in value:  # a Hugging Face Audio value
        wave = torch.as_tensor(np.asarray(value["array"], dtype=np.float32))
        wave = wave.unsqueeze(0) if wave.dim() == 1 else wave
        return ("audio", tuple(wave.shape), value.get("sampling_rate")), wave
    if hasattr(value, "mode") and hasattr(value, "size") and hasattr(value, "convert"):  # a PIL image
        # uint8 (C, H, W), as `omniaug apply` reads image files: the same pixels out of every engine
        arr = np.asarray(value.convert("RGB") if value.mode not in ("RGB", "L") else value, dtype=np.uint8)
        t = torch.from_numpy(arr.copy())
        t = t.unsqueeze(0) if t.dim() == 2 else t.permute(2, 0, 1)
        return ("pil", tuple(t.shape), value.mode if value.mode in ("RGB", "L") else "RGB"), t.contiguous()
    t = value if isinstance(value, torch.Tensor) else torch.as_tensor(np.asarray(value))
    return ("tensor", tuple(t.shape), t.dtype), t


def _from_tensor(group: tuple[Any, ...], original: Any, out: Any) -> Any:
    kind = group[0]
    if kind == "str":
        return out
    if kind == "audio":
        arr = out.detach().cpu().numpy().astype(np.float32)
        arr = arr[0] if np.asarray(original["array"]).ndim == 1 else arr
        return {**{k: v for k, v in original.items() if k != "path"}, "array": arr}
    if kind == "hwc":
        arr = _uint8(out)
        return arr[0] if group[2] == 2 else np.ascontiguousarray(arr.transpose(1, 2, 0))
    if kind == "pil":
        from PIL import Image

        arr = _uint8(out)
        arr = arr[0] if group[2] == "L" else np.ascontiguousarray(arr.transpose(1, 2, 0))
        return Image.fromarray(arr, mode=group[2])
    if isinstance(original, torch.Tensor):
        return out
    return out.detach().cpu().numpy()


def _uint8(img: torch.Tensor) -> np.ndarray:
    """A ``(C, H, W)`` output as uint8 (float outputs rounded as the image file codec does)."""
    if img.dtype != torch.uint8:
        img = (img.detach().float().clamp(0.0, 1.0) * 255.0).round().to(torch.uint8)
    return img.detach().cpu().numpy()


def _payload_rows(out: Any, n: int) -> list[Any]:
    if isinstance(out, torch.Tensor):
        return list(out.unbind(0))
    if isinstance(out, list):
        return out
    for name in ("waveform", "spec", "images", "image"):
        t = getattr(out, name, None)
        if isinstance(t, torch.Tensor):
            return list(t.unbind(0))
    raise InputError(
        "pipeline output", "a tensor, a list or a batch with a waveform / image tensor", out, where="augment_rows"
    )


def augment_rows(
    transform: Any,
    values: Sequence[Any],
    keys: Sequence[Any],
    *,
    seed: int = 0,
    copy: int = 0,
    image_arrays: bool = False,
) -> list[Any]:
    """Augment ``values`` (one per row) with per-row seeds from ``(seed, keys[i], copy)``.

    Rows are grouped by kind and shape (strings, images of one size, clips of one
    length, arrays of one shape) and each group runs as one vectorized batch: the
    grouping changes nothing, since every row's draws are keyed. Each output row has
    its input's type (str, PIL image, Hugging Face audio dict, NumPy array, tensor).
    ``image_arrays``: ``uint8`` ``(H, W[, C])`` arrays are images (converted to the
    image modality's float ``(C, H, W)`` and back), as Ray Data's ``read_images`` gives them.
    """
    if len(values) != len(keys):
        raise InputError("keys", f"one key per row ({len(values)})", keys, where="augment_rows")
    _fork_safe_threads()
    converted = [_to_tensor(v, image_arrays) for v in values]
    groups: dict[Any, list[int]] = {}
    for i, (group, _) in enumerate(converted):
        groups.setdefault(group, []).append(i)
    result: list[Any] = [None] * len(values)
    for group, idx in groups.items():
        rows = [converted[i][1] for i in idx]
        batch = rows if group[0] == "str" else torch.stack(rows)
        generator = KeyedGenerator.from_keys(seed, [_plain(keys[i]) for i in idx], copy=copy)
        out = _payload_rows(transform(batch, generator=generator), len(idx))
        for i, o in zip(idx, out):
            result[i] = _from_tensor(group, values[i], o)
    return result


def _plain(key: Any) -> Any:
    """A key as ``str`` / ``int`` (NumPy scalars and 0-d tensors unwrapped)."""
    if isinstance(key, torch.Tensor):
        key = key.item()
    if isinstance(key, np.generic):
        key = key.item()
    return key


class KeyedTransform:
    """A saved pipeline plus per-row seeding, picklable and hashable by its config.

    Engines ship this object to their workers: it pickles as its YAML config and
    settings (the pipeline is rebuilt once per worker, on first use), so Hugging
    Face's cache fingerprints it deterministically and Ray / Dask workers need no
    shared state.

    Args:
        pipeline: a transform, a YAML/JSON config text or a config file path.
        column: the column to augment. ``output_column`` (default: ``column``) receives the result.
        key: a column of stable item keys (file path, id); None means the row index
            the engine passes (``with_indices=True`` in Hugging Face, the frame's index in Dask).
        seed: the run's seed. ``copy``: the copy index (offline) or epoch (training).
    """

    def __init__(
        self,
        pipeline: Any,
        *,
        column: str,
        key: str | None = None,
        seed: int = 0,
        copy: int = 0,
        output_column: str | None = None,
    ) -> None:
        from ..config import to_yaml

        if isinstance(pipeline, (str, Path)) and (
            isinstance(pipeline, Path)
            or "\n" in pipeline
            or pipeline.lstrip().startswith("{")
            or Path(pipeline).suffix in {".yaml", ".yml", ".json"}
        ):
            from ..config import from_config

            self._transform = from_config(pipeline)
        elif isinstance(pipeline, str):  # a preset or op name
            from ..cli import build_transform

            self._transform = build_transform(pipeline)
        else:
            self._transform = pipeline
        self.config = to_yaml(self._transform)
        self.column, self.key, self.seed, self.copy = column, key, int(seed), int(copy)
        self.output_column = output_column or column

    @property
    def transform(self) -> Any:
        """The pipeline (rebuilt from its config after unpickling)."""
        if self._transform is None:
            from ..config import from_config

            self._transform = from_config(self.config)
        return self._transform

    def settings(self) -> dict[str, Any]:
        return {
            "column": self.column,
            "key": self.key,
            "seed": self.seed,
            "copy": self.copy,
            "output_column": self.output_column,
        }

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.config, self.settings()))

    def fingerprint(self, previous: str = "") -> str:
        """A stable digest of the config and settings (and ``previous``, e.g. a dataset's fingerprint)."""
        text = repr((previous, self.config, sorted(self.settings().items())))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def __dask_tokenize__(self) -> str:
        return self.fingerprint()

    def set_epoch(self, epoch: int) -> None:
        """Use ``epoch`` as the copy index: a new, reproducible augmentation per epoch."""
        self.copy = int(epoch)

    @property
    def modality(self) -> str | None:
        """The name of the pipeline's modality (None if it has none)."""
        try:
            return str(self.transform.modality_spec().name)
        except Exception:  # a multi-modal or foreign transform
            return None

    def augment(self, values: Sequence[Any], keys: Sequence[Any]) -> list[Any]:
        """Augmented ``values`` with per-row seeds from ``keys``."""
        return augment_rows(
            self.transform, values, keys, seed=self.seed, copy=self.copy, image_arrays=self.modality == "image"
        )

    def augment_batch(self, batch: dict[str, Any], indices: Sequence[int] | None = None) -> dict[str, Any]:
        """A dict-of-columns batch with ``output_column`` set (keys from ``key`` or ``indices``)."""
        if self.column not in batch:
            raise InputError(
                "column", f"a column of the batch ({sorted(batch)})", self.column, where=type(self).__name__
            )
        if self.key is not None:
            if self.key not in batch:
                raise InputError("key", f"a column of the batch ({sorted(batch)})", self.key, where=type(self).__name__)
            keys = list(batch[self.key])
        elif indices is not None:
            keys = [int(i) for i in indices]
        else:
            raise InputError(
                "key",
                "a key column, or row indices from the engine (e.g. with_indices=True)",
                None,
                where=type(self).__name__,
            )
        out = dict(batch)
        out[self.output_column] = self.augment(list(batch[self.column]), keys)
        return out


def _rebuild(cls: type[KeyedTransform], config: str, settings: dict[str, Any]) -> KeyedTransform:
    obj = cls.__new__(cls)
    obj._transform = None
    obj.config = config
    for name, value in settings.items():
        setattr(obj, name, value)
    return obj
