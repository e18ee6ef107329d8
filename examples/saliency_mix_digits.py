"""MixUp, CutMix, SaliencyMix and Puzzle Mix on sklearn's digits: a small CNN, several seeds, one table.

    python examples/saliency_mix_digits.py            # 5 seeds, 30 epochs
    python examples/saliency_mix_digits.py --quick    # 3 seeds, 8 epochs (about a minute)

Digits are 8 × 8, upsampled to 16 × 16 so that Puzzle Mix has a 4 × 4 grid of 4-pixel
blocks. SaliencyMix and Puzzle Mix take the model's gradient saliency through
``model=omniaug.ModelContext(...)`` (one extra backward pass per step). Training
uses 500 digits (a small-data regime where mixing matters), testing the other 1297.
"""

from __future__ import annotations

import argparse
import statistics

import torch
import torch.nn.functional as F
from torch import nn

import omniaug
from omniaug_saliency import ImagePuzzleMix, ImageSaliencyMix


def data() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0
    return F.interpolate(x, size=(16, 16), mode="bilinear", align_corners=False), torch.tensor(d.target)


def cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 16, 10),
    )  # fmt: skip


def mixers() -> dict[str, object | None]:
    reg = omniaug.registry()
    return {
        "none": None,
        "mixup": reg.mixer("image.mixup")(alpha=1.0, num_classes=10),
        "cutmix": reg.mixer("image.cutmix")(alpha=1.0, num_classes=10),
        "saliencymix": ImageSaliencyMix(alpha=1.0, block_size=2, num_classes=10),
        "puzzlemix": ImagePuzzleMix(alpha=1.0, block_size=4, num_classes=10),
    }


def soft_ce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    if target.dim() == 1:
        return F.cross_entropy(logits, target, reduction="none")
    return -(target * logits.log_softmax(1)).sum(1)


def run(name: str, mixer: object | None, seed: int, epochs: int, x: torch.Tensor, y: torch.Tensor) -> float:
    torch.manual_seed(seed)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    tr, te = perm[:500], perm[500:]
    model = cnn()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    g = omniaug.rng.make_generator(1000 + seed)
    for _ in range(epochs):
        order = tr[torch.randperm(len(tr), generator=g)]
        for i in range(0, len(order), 50):
            xb, yb = x[order[i : i + 50]], y[order[i : i + 50]]
            target: torch.Tensor = yb
            if mixer is not None:
                ctx = omniaug.ModelContext(model, nn.CrossEntropyLoss(reduction="none"), yb)
                xb, target = mixer(xb, yb, generator=g, model=ctx)  # type: ignore[operator]
            model.train()
            loss = soft_ce(model(xb), target).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return float((model(x[te]).argmax(1) == y[te]).float().mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 seeds, 8 epochs")
    ap.add_argument("--seeds", type=int, default=None)
    ap.add_argument("--epochs", type=int, default=None)
    a = ap.parse_args()
    seeds = a.seeds or (3 if a.quick else 5)
    epochs = a.epochs or (8 if a.quick else 30)
    torch.set_num_threads(1)
    x, y = data()
    rows = []
    for name, mixer in mixers().items():
        accs = [run(name, mixer, s, epochs, x, y) for s in range(seeds)]
        rows.append((name, statistics.mean(accs), statistics.stdev(accs) if len(accs) > 1 else 0.0, accs))
    print(f"digits, 500 train / 1297 test, {epochs} epochs, {seeds} seeds")
    print(f"{'mixer':<12} {'accuracy':>9} {'± std':>7}   per seed")
    for name, mean, std, accs in rows:
        print(f"{name:<12} {mean:9.4f} {std:7.4f}   " + " ".join(f"{v:.4f}" for v in accs))


if __name__ == "__main__":
    main()
