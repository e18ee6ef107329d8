"""Dataset distillation on a 1-D data set: the UCR GunPoint series bundled with omniaug-timeseries.

GunPoint has 50 training and 150 test series of length 150 (two classes). A
fresh 1-D ConvNet is trained only on random real series or on the DM / DC+DSA
sets (IPC 1 and 5), with the same time-series augmentation, over several
evaluation seeds.

    python examples/distill_gunpoint.py            # the full table
    python examples/distill_gunpoint.py --quick    # a smoke run
"""

from __future__ import annotations

import argparse
import time

import torch

import omniaug
from omniaug_distill import DistillSettings, distill, evaluate
from omniaug_timeseries.datasets import load_dataset


def pipeline() -> omniaug.Transform:
    """Um et al. 2017's jitter, scaling, magnitude and time warping — all differentiable in the series."""
    reg = omniaug.registry()
    return omniaug.Compose(
        [
            reg.augmentation("timeseries.jitter")(0.03),
            reg.augmentation("timeseries.scaling")(0.1),
            reg.augmentation("timeseries.magnitude_warp")(0.1),
            reg.augmentation("timeseries.time_warp")(0.1),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2, help="torch threads (1 on a busy machine)")
    opts = parser.parse_args()
    torch.set_num_threads(opts.threads)
    data = load_dataset("gunpoint")
    x, y, x_test, y_test = data.x_train, data.y_train, data.x_test, data.y_test
    pipe = pipeline()
    seeds = tuple(range(2 if opts.quick else opts.seeds))
    epochs = 20 if opts.quick else 300
    iters = {"dm": 5 if opts.quick else 300, "dc": 2 if opts.quick else 40}
    print(f"GunPoint: {len(y)} train / {len(y_test)} test, length {x.shape[-1]}; {len(seeds)} seeds × {epochs} epochs")
    print(f"{'IPC':>4}  {'set':<10} {'accuracy':>16}  {'distil time':>11}")
    full = evaluate(x, y, x_test, y_test, 2, seeds=seeds, epochs=epochs, pipeline=pipe)
    print(f"{'all':>4}  {'full':<10} {full!s:>16}  {0.0:>10.1f}s")
    for ipc in (1, 5):
        g = torch.Generator().manual_seed(0)
        idx = torch.cat(
            [(y == c).nonzero().flatten()[torch.randperm(int((y == c).sum()), generator=g)[:ipc]] for c in (0, 1)]
        )
        rows = [("random", evaluate(x[idx], y[idx], x_test, y_test, 2, seeds=seeds, epochs=epochs, pipeline=pipe), 0.0)]
        for method in ("dm", "dc"):
            settings = DistillSettings(
                iterations=iters[method],
                lr=0.1 if method == "dm" else 0.01,
                batch_real=20,
                outer_loop=None if ipc == 1 else 5,
                inner_loop=None if ipc == 1 else 10,
            )
            t0 = time.perf_counter()
            syn = distill(
                x,
                y,
                method=method,
                ipc=ipc,
                pipeline=pipe,
                settings=settings,
                generator=torch.Generator().manual_seed(ipc),
            )
            spent = time.perf_counter() - t0
            acc = evaluate(syn.x, syn.y, x_test, y_test, 2, seeds=seeds, epochs=epochs, pipeline=pipe)
            rows.append((method.upper() + ("+DSA" if method == "dc" else ""), acc, spent))
        for name, acc, spent in rows:
            print(f"{ipc:>4}  {name:<10} {acc!s:>16}  {spent:>10.1f}s")


if __name__ == "__main__":
    main()
