"""A distilled set: synthetic samples, their labels and the exact pipeline they were learned with.

Saved as two files: ``NAME.pt`` (tensors and plain metadata only, so it loads
with ``torch.load(weights_only=True)`` — reading it never runs code) and
``NAME.pipeline.yaml`` (the augmentation pipeline, rebuilt by registered names
through :func:`omniaug.from_config`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import yaml

from omniaug import InputError, from_config

__all__ = ["SyntheticSet"]

FORMAT = "omniaug-distill/1"


@dataclass
class SyntheticSet:
    """``ipc`` synthetic samples per class (rows of ``x``, labels ``y``) and how they were made."""

    x: torch.Tensor
    y: torch.Tensor
    num_classes: int
    method: str
    ipc: int
    pipeline: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def build_pipeline(self) -> Any:
        """The augmentation pipeline the set was learned with (``None`` if there was none)."""
        return None if self.pipeline is None else from_config(self.pipeline)

    def dataset(self) -> torch.utils.data.TensorDataset:
        """The set as a ``TensorDataset`` of ``(x, y)`` for training."""
        return torch.utils.data.TensorDataset(self.x, self.y)

    def class_rows(self) -> torch.Tensor:
        """``x`` arranged ``(num_classes, ipc, ...)``: one row per class (for previews)."""
        return self.x.reshape(self.num_classes, self.ipc, *self.x.shape[1:])

    def save(self, path: str | Path) -> Path:
        """Write ``path`` (``.pt``) and, with a pipeline, ``<stem>.pipeline.yaml`` beside it."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(
            {
                "format": FORMAT,
                "x": self.x.detach().cpu(),
                "y": self.y.detach().cpu(),
                "num_classes": self.num_classes,
                "method": self.method,
                "ipc": self.ipc,
                "meta": {k: v for k, v in self.meta.items() if isinstance(v, (int, float, str, bool))},
            },
            path,
        )
        if self.pipeline is not None:
            _pipeline_path(path).write_text(yaml.safe_dump(self.pipeline, sort_keys=False), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> SyntheticSet:
        """Read a set written by :meth:`save` (tensors only: no code runs)."""
        path = Path(path)
        try:
            data = torch.load(path, weights_only=True, map_location="cpu")
        except Exception as exc:
            raise InputError("path", "a distilled set written by SyntheticSet.save", str(path)) from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise InputError("path", f"a {FORMAT} file", str(path))
        side = _pipeline_path(path)
        pipeline = yaml.safe_load(side.read_text(encoding="utf-8")) if side.exists() else None
        return cls(
            x=data["x"],
            y=data["y"],
            num_classes=int(data["num_classes"]),
            method=str(data["method"]),
            ipc=int(data["ipc"]),
            pipeline=pipeline,
            meta=dict(data.get("meta", {})),
        )


def _pipeline_path(path: Path) -> Path:
    return path.with_name(path.stem + ".pipeline.yaml")
