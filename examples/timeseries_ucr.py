"""Train a small 1-D CNN on GunPoint (UCR), with and without omniaug-timeseries augmentation.

GunPoint ships inside the plugin (50 training / 150 test series of length 150; see
``omniaug_timeseries/data/README.md``). Both runs use the same model, optimizer,
schedule and seeds; the augmented run applies time warp, magnitude warp and jitter with per-sample
parameters to every mini-batch on the fly. ``--train-size`` keeps only that many
training series (a low-data setting). CPU only, about a minute.

    .venv/bin/python examples/timeseries_ucr.py [--epochs 100] [--seeds 2] [--train-size 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from omniaug import Compose
from omniaug.rng import make_generator
from omniaug_timeseries import Jitter, MagnitudeWarp, TimeWarp, load_dataset


def make_model(channels: int, classes: int) -> nn.Module:
    """A compact fully convolutional network (Wang et al. 2017's FCN, narrower)."""
    return nn.Sequential(
        nn.Conv1d(channels, 32, 7, padding=3),
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.Conv1d(32, 64, 5, padding=2),
        nn.BatchNorm1d(64),
        nn.ReLU(),
        nn.Conv1d(64, 32, 3, padding=1),
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.AdaptiveAvgPool1d(1),
        nn.Flatten(),
        nn.Linear(32, classes),
    )


def augmentation() -> Compose:
    """Um et al. 2017's warps plus jitter, each applied to a sample with probability 0.5."""
    return Compose(
        [
            TimeWarp(sigma=0.2, knots=4, p=0.5),
            MagnitudeWarp(sigma=0.2, knots=4, p=0.5),
            Jitter(sigma=0.03, p=0.5),
        ]
    )


def train_and_test(
    seed: int, epochs: int, augment: Compose | None, batch_size: int = 25, train_size: int = 50
) -> float:
    data = load_dataset("gunpoint")
    keep = torch.randperm(data.x_train.shape[0], generator=make_generator(1000 + seed))[:train_size]
    data = data._replace(x_train=data.x_train[keep], y_train=data.y_train[keep])
    torch.manual_seed(seed)  # model initialisation (example script, not library code)
    model = make_model(data.x_train.shape[1], len(data.classes))
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    g = make_generator(seed)
    n = data.x_train.shape[0]
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n, generator=g)
        for idx in order.split(batch_size):
            x, y = data.x_train[idx], data.y_train[idx]
            if augment is not None:
                x = augment(x, generator=g)
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
    model.eval()
    with torch.no_grad():
        pred = model(data.x_test).argmax(1)
    return float((pred == data.y_test).float().mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--train-size", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(1)  # tiny model: one thread avoids OpenMP barrier stalls on a busy machine
    start = time.perf_counter()
    for label, aug in (("no augmentation", None), ("omniaug-timeseries", augmentation())):
        accs = [train_and_test(seed, args.epochs, aug, train_size=args.train_size) for seed in range(args.seeds)]
        print(f"{label:>20}: test accuracy {statistics.mean(accs):.3f} (seeds: {', '.join(f'{a:.3f}' for a in accs)})")
    print(
        f"GunPoint, {args.train_size} training series, {args.epochs} epochs × {args.seeds} seeds, {time.perf_counter() - start:.0f} s on CPU"
    )


if __name__ == "__main__":
    main()
