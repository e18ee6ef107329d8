"""``omniaug distill``: distil a data set file into a synthetic set (also ``omniaug-distill``).

Input: a ``.pt`` file holding ``{"x": tensor, "y": tensor}`` (read with
``weights_only=True``), an ``.npz`` with arrays ``x`` and ``y``, or
``sklearn:digits`` (scikit-learn's bundled 8×8 digits, scaled to [0, 1]).
Output: ``OUT.pt`` + ``OUT.pipeline.yaml`` (see :class:`SyntheticSet`), and with
``--preview`` a PNG with one row per class.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from omniaug import Command, InputError, OmniaugError, from_config, rng

from .methods import DistillSettings, distill

__all__ = ["COMMAND", "configure", "run", "main", "load_dataset", "preview_file"]


def load_dataset(spec: str) -> tuple[torch.Tensor, torch.Tensor]:
    """``(x, y)`` from a ``.pt`` / ``.npz`` file or ``sklearn:digits``."""
    if spec == "sklearn:digits":
        try:
            from sklearn.datasets import load_digits
        except ImportError as exc:  # pragma: no cover - scikit-learn is optional
            raise OmniaugError("sklearn:digits needs scikit-learn: pip install scikit-learn") from exc
        data = load_digits()
        x = torch.tensor(data.data, dtype=torch.float32).reshape(-1, 1, 8, 8) / 16.0
        return x, torch.tensor(data.target, dtype=torch.long)
    path = Path(spec)
    if not path.is_file():
        raise OmniaugError(f"--data {spec!r}: no such file (or use sklearn:digits)")
    if path.suffix == ".npz":
        import numpy as np

        with np.load(path, allow_pickle=False) as npz:
            if "x" not in npz or "y" not in npz:
                raise InputError("--data", "an .npz with arrays 'x' and 'y'", sorted(npz.files))
            return torch.from_numpy(npz["x"]).float(), torch.from_numpy(npz["y"]).long()
    data = torch.load(path, weights_only=True, map_location="cpu")
    if not isinstance(data, dict) or "x" not in data or "y" not in data:
        raise InputError("--data", "a .pt file holding {'x': tensor, 'y': tensor}", data)
    return data["x"].float(), data["y"].long()


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", required=True, help="a .pt/.npz file with x and y, or sklearn:digits")
    parser.add_argument("--method", choices=("dm", "dc"), default="dm", help="distribution or gradient matching")
    parser.add_argument("--ipc", type=int, default=10, help="synthetic samples per class")
    parser.add_argument(
        "--pipeline", help="augmentation pipeline (YAML/JSON file or config string); differentiable ops"
    )
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--lr", type=float, default=1.0, help="step size of the synthetic samples")
    parser.add_argument("--batch-real", type=int, default=64, help="real samples per class per iteration")
    parser.add_argument("--init", choices=("real", "noise"), default="real")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-o", "--out", required=True, help="output file (.pt); the pipeline goes beside it")
    parser.add_argument("--preview", help="also write a PNG with one row per class")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    x, y = load_dataset(args.data)
    pipeline: Any = None
    if args.pipeline:
        spec = Path(args.pipeline)
        pipeline = from_config(spec if spec.exists() else args.pipeline)
    settings = DistillSettings(iterations=args.iterations, lr=args.lr, batch_real=args.batch_real)
    bar = tqdm(total=args.iterations, desc=f"omniaug distill ({args.method})", disable=args.quiet)

    def progress(it: int, loss: float) -> None:
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.4g}")

    result = distill(
        x,
        y,
        method=args.method,
        ipc=args.ipc,
        pipeline=pipeline,
        init=args.init,
        settings=settings,
        generator=rng.make_generator(args.seed),
        progress=progress,
    )
    bar.close()
    out = result.save(args.out)
    print(f"wrote {out} ({result.x.shape[0]} samples, {result.num_classes} classes)")
    if args.preview:
        from .preview import render_set

        print(f"wrote {render_set(result, args.preview)}")
    return 0


def preview_file(path: Path, out: Path) -> Path:
    """``omniaug preview SET.pt``: one row per class of a set written by ``omniaug distill``."""
    from .preview import render_set
    from .synthetic import SyntheticSet

    return render_set(SyntheticSet.load(path), out)


COMMAND = Command(
    "distill",
    "dataset distillation (DM / DC with Siamese augmentation) into a few samples per class",
    configure,
    run,
    preview_suffixes=(".pt",),
    preview_file=preview_file,
)


def main(argv: Sequence[str] | None = None) -> int:
    """The ``omniaug-distill`` script: the same as ``omniaug distill``."""
    parser = argparse.ArgumentParser(prog="omniaug-distill", description=COMMAND.help)
    configure(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except OmniaugError as exc:
        print(f"omniaug distill: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
