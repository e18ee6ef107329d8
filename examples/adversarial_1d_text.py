"""The adversarial-training recipe of ``adversarial_digits.py`` on a UCR time series and on text embeddings.

* **GunPoint** (UCR, bundled with omniaug-timeseries): a small 1-D CNN, standard vs
  adversarial training with ``timeseries.pgd`` (ε = 0.1 of each channel's std, PGD-5,
  half of every batch perturbed); evaluated clean and under PGD-20 at that ε.
* **Text** (chatterbot-corpus utterances, 8 topics — the data of ``text_classifier.py``):
  a bag-of-embeddings classifier, standard vs adversarial training on the token
  embeddings with ``token_embeddings.pgd`` (FreeLB's ascent: L2, ε per sentence,
  3 steps, padding never perturbed; the embedding module is named once, in
  ``embedding_forward("embed")``); evaluated clean and under embedding PGD-10.

Run: ``python examples/adversarial_1d_text.py [--seeds 3]`` (a few minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import functools
import re
import time
from pathlib import Path

import torch
from torch import nn

import omniaug
from omniaug_adversarial import EmbeddingPGD, TimeSeriesPGD, embedding_batch, embedding_forward
from omniaug_timeseries import load_dataset

CE = nn.CrossEntropyLoss(reduction="none")


def _init(seed: int, build: type | object) -> nn.Module:
    with torch.random.fork_rng():  # weights from the seed, the global RNG left as it was
        torch.manual_seed(seed)
        return build()  # type: ignore[operator, no-any-return]


def _fit(model, x, y, aug, epochs: int, seed: int, forward=None, batch: int = 32, lr: float = 3e-3):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    n = y.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n, generator=g)
        for i in range(0, n, batch):
            idx = order[i : i + batch]
            xb = omniaug.batching.subset(x, idx)
            kw = {} if forward is None else {"forward": forward}
            omniaug.train_step(model, opt, CE, xb, y[idx], aug=aug, generator=g, **kw)
    return model.eval()


def _acc(model, x, y, attack, forward) -> float:
    if attack is not None:
        ctx = omniaug.ModelContext(model, CE, y, forward=forward)
        x = attack(x, generator=torch.Generator().manual_seed(0), model=ctx)
    with torch.no_grad():
        return float((forward(model, x).argmax(1) == y).float().mean())


# -- GunPoint ---------------------------------------------------------------------------------
def gunpoint_cnn() -> nn.Module:
    """Two conv blocks with max-pooling, then a linear layer over the pooled time axis (GunPoint's classes
    differ by *where* the hand moves; a global average pool would discard that and reach ~0.6)."""
    return nn.Sequential(
        nn.Conv1d(1, 16, 7, padding=3),
        nn.BatchNorm1d(16),
        nn.ReLU(),
        nn.MaxPool1d(4),
        nn.Conv1d(16, 32, 5, padding=2),
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.MaxPool1d(4),
        nn.Flatten(),
        nn.Linear(32 * 9, 2),  # 150 steps → 37 → 9
    )


def series(seeds: int) -> dict[str, list[list[float]]]:
    d = load_dataset("gunpoint")
    xtr, ytr, xte, yte = d.x_train.float(), d.y_train.long(), d.x_test.float(), d.y_test.long()
    eps = 0.1
    plain = lambda m, x: m(x)  # noqa: E731
    attack = TimeSeriesPGD(eps=eps, steps=20, step_size=0.1)
    rows: dict[str, list[list[float]]] = {"standard": [], "adversarial (PGD-5)": []}
    for seed in range(seeds):
        for name, aug in (
            ("standard", None),
            ("adversarial (PGD-5)", TimeSeriesPGD(eps=eps, steps=5, step_size=0.4, p=0.5)),
        ):
            model = _fit(_init(seed, gunpoint_cnn), xtr, ytr, aug, epochs=60, seed=seed, batch=16)
            rows[name].append([_acc(model, xte, yte, None, plain), _acc(model, xte, yte, attack, plain)])
    return rows


# -- text -------------------------------------------------------------------------------------
TOPICS = ("ai", "coding", "emotion", "humor", "literature", "money", "psychology", "trivia")
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def corpus() -> tuple[list[list[str]], torch.Tensor]:
    import chatterbot_corpus
    import yaml

    root = Path(chatterbot_corpus.__file__).parent / "data" / "english"
    texts, labels, seen = [], [], set()
    for label, topic in enumerate(TOPICS):
        for conv in yaml.safe_load((root / f"{topic}.yml").read_text(encoding="utf-8"))["conversations"]:
            for utt in conv:
                words = WORD.findall(str(utt).lower())
                if len(words) >= 3 and " ".join(words) not in seen:
                    seen.add(" ".join(words))
                    texts.append(words[:24])
                    labels.append(label)
    return texts, torch.tensor(labels)


class BagClassifier(nn.Module):
    def __init__(self, vocab: int, dim: int = 32, classes: int = len(TOPICS)) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab, dim, padding_idx=0)
        self.head = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, classes))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask.unsqueeze(-1).to(torch.float32)
        return self.head((self.embed(ids) * m).sum(1) / m.sum(1).clamp_min(1))


def text(seeds: int) -> dict[str, list[list[float]]]:
    words, y = corpus()
    forward = embedding_forward("embed")
    attack = EmbeddingPGD(eps=1.0, steps=10, step_size=0.25)
    rows: dict[str, list[list[float]]] = {"standard": [], "adversarial (FreeLB-style)": []}
    for seed in range(seeds):
        order = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))
        train, test = order[: int(0.7 * len(y))], order[int(0.7 * len(y)) :]
        vocab = {w: i + 1 for i, w in enumerate(sorted({w for i in train.tolist() for w in words[i]}))}
        ids = torch.zeros(len(y), 24, dtype=torch.long)
        for i, ws in enumerate(words):
            known = [vocab[w] for w in ws if w in vocab] or [0]
            ids[i, : len(known)] = torch.tensor(known)
        mask = ids != 0
        mask[:, 0] = True
        n_vocab = len(vocab) + 1
        for name, aug in (("standard", None), ("adversarial (FreeLB-style)", EmbeddingPGD(eps=1.0, steps=3, p=0.5))):
            model = _init(seed, functools.partial(BagClassifier, n_vocab))
            xtr = embedding_batch(model, "embed", ids[train], mask[train])
            xte = embedding_batch(model, "embed", ids[test], mask[test])
            model = _fit(model, xtr, y[train], aug, epochs=30, seed=seed, forward=forward)
            rows[name].append([_acc(model, xte, y[test], None, forward), _acc(model, xte, y[test], attack, forward)])
    return rows


def report(title: str, rows: dict[str, list[list[float]]], columns: tuple[str, str]) -> None:
    print(f"\n{title} (mean over {len(next(iter(rows.values())))} seeds)")
    print(f"{'training':<28}" + "".join(f"{c:>22}" for c in columns))
    for name, accs in rows.items():
        per_seed = " ".join(f"{a[1]:.3f}" for a in accs)
        mean = torch.tensor(accs).mean(0)
        print(f"{name:<28}" + "".join(f"{float(v):>22.3f}" for v in mean) + f"   (robust per seed: {per_seed})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    a = parser.parse_args()
    torch.set_num_threads(a.threads)
    start = time.perf_counter()
    report("GunPoint (UCR), 150 test series", series(a.seeds), ("clean", "PGD-20 ε=0.1·std"))
    report("chatterbot topics, 30 % held out", text(a.seeds), ("clean", "emb. PGD-10 L2 ε=1"))
    print(f"\n{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
