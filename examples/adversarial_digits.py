"""Standard vs adversarial training of a small CNN on sklearn's 8×8 digits, with omniaug-adversarial's PGD.

Adversarial training runs ``image.pgd`` as a model-aware augmentation inside
``omniaug.train_step``: each step the op attacks the current model (in eval
mode, without changing it) on half of the batch (``p=0.5`` keeps clean samples
in every batch) and the model trains on the result. Both models are then
evaluated on the held-out digits: clean, under FGSM (ε = 0.2) and under PGD-20
(ε = 0.2, step 0.025, random start), over several seeds.

Run: ``python examples/adversarial_digits.py [--seeds 3] [--epochs 30]`` (a few minutes on 2 cores);
``--quick`` (1 seed, 10 epochs) is a smoke run; ``--figure PATH`` draws PGD-20 against the first
seed's standard model (clean / perturbation / adversarial, ``omniaug_adversarial.render_attack``).
"""

from __future__ import annotations

import argparse
import time

import torch
from sklearn.datasets import load_digits
from torch import nn

import omniaug
from omniaug_adversarial import ImageFGSM, ImagePGD, render_attack

EPS = 0.2
CE = nn.CrossEntropyLoss(reduction="none")


def cnn(seed: int) -> nn.Module:
    """Conv(32) → Conv(64) → max-pool → Linear(128) → Linear(10), initialised from ``seed`` (global RNG left alone)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(64 * 16, 128),
            nn.ReLU(),
            nn.Linear(128, 10),
        )


def data(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    d = load_digits()
    x = torch.tensor(d.images, dtype=torch.float32).unsqueeze(1) / 16.0  # (1797, 1, 8, 8) in [0, 1]
    y = torch.tensor(d.target, dtype=torch.long)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
    train, test = order[:1347], order[1347:]
    return x[train], y[train], x[test], y[test]


def train(seed: int, epochs: int, adversarial: bool) -> nn.Module:
    x, y, _, _ = data(seed)
    model = cnn(seed)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    g = torch.Generator().manual_seed(seed)
    aug = ImagePGD(eps=EPS, steps=7, step_size=0.25, p=0.5) if adversarial else None
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=g)
        for i in range(0, len(y), 64):
            idx = order[i : i + 64]
            omniaug.train_step(model, opt, CE, x[idx], y[idx], aug=aug, generator=g)
    return model.eval()


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, attack: omniaug.Augmentation | None) -> float:
    if attack is not None:
        x = attack(x, generator=torch.Generator().manual_seed(0), model=omniaug.ModelContext(model, CE, y))
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0, help="seeds first-seed … first-seed + seeds - 1")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1 seed, 10 epochs (a smoke run)")
    parser.add_argument("--figure", help="write a PNG of PGD-20 against the first standard model")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.epochs = 1, 10
    torch.set_num_threads(args.threads)
    attacks = {
        "clean": None,
        f"FGSM ε={EPS}": ImageFGSM(eps=EPS),
        f"PGD-20 ε={EPS}": ImagePGD(eps=EPS, steps=20, step_size=0.125),
    }
    rows: dict[str, list[list[float]]] = {"standard": [], "adversarial (PGD-7)": []}
    start = time.perf_counter()
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        _, _, xt, yt = data(seed)
        for name, adversarial in (("standard", False), ("adversarial (PGD-7)", True)):
            model = train(seed, args.epochs, adversarial)
            rows[name].append([accuracy(model, xt, yt, a) for a in attacks.values()])
            if args.figure and seed == args.first_seed and not adversarial:
                pgd = attacks[f"PGD-20 ε={EPS}"]
                adv = pgd(
                    xt[:4], generator=torch.Generator().manual_seed(0), model=omniaug.ModelContext(model, CE, yt[:4])
                )
                with torch.no_grad():
                    said = model(adv).argmax(1).tolist()
                title = f"PGD-20 ε={EPS} vs the standard CNN: labels {yt[:4].tolist()} → predicted {said}"
                print("wrote", render_attack(pgd, xt[:4], adv, args.figure, title=title))
            print(f"seed {seed} {name:<20}", "  ".join(f"{k} {v:.3f}" for k, v in zip(attacks, rows[name][-1])))
    print(f"\nmean over {args.seeds} seeds (450 held-out digits each), {time.perf_counter() - start:.0f} s:")
    print(f"{'training':<22}" + "".join(f"{k:>16}" for k in attacks))
    for name, accs in rows.items():
        mean = torch.tensor(accs).mean(0)
        print(f"{name:<22}" + "".join(f"{float(v):>16.3f}" for v in mean))


if __name__ == "__main__":
    main()
