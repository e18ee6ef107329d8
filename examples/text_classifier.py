"""A small text classifier trained with and without EDA (omniaug-text), on CPU in well under two minutes.

Data: the English part of ``chatterbot-corpus`` (BSD-3-Clause; a PyPI wheel that ships
its YAML files, so nothing is downloaded at run time): short human-written
utterances filed under topic categories. We keep eight topics (AI, coding,
emotion, humor, literature, money, psychology, trivia), drop duplicate utterances,
and train on a small labelled subset (EDA helps most when data is scarce, Wei & Zou
2019) with the rest held out for testing.

Model: a bag-of-embeddings classifier (``nn.EmbeddingBag`` + linear layer).
Augmentation: the ``text.default`` preset (one EDA op per copy, α = 0.1), ``N_AUG``
augmented copies of every training sentence, drawn from one seeded generator.

Install: ``pip install -e plugins/text[examples]`` (chatterbot-corpus, PyYAML).
Run: ``python examples/text_classifier.py``
"""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

import torch
from torch import nn

import omniaug

TOPICS = ("ai", "coding", "emotion", "humor", "literature", "money", "psychology", "trivia")
TRAIN_PER_CLASS = 25
N_AUG = 8
SEEDS = (0, 1, 2)
STEPS = 150
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def load_corpus() -> tuple[list[str], list[int]]:
    """Utterances and topic labels from the chatterbot-corpus wheel's YAML files."""
    import chatterbot_corpus
    import yaml

    root = Path(chatterbot_corpus.__file__).parent / "data" / "english"
    texts: list[str] = []
    labels: list[int] = []
    seen: set[str] = set()
    for label, topic in enumerate(TOPICS):
        doc = yaml.safe_load((root / f"{topic}.yml").read_text(encoding="utf-8"))
        for conversation in doc["conversations"]:
            for utterance in conversation:
                text = str(utterance).strip()
                if len(text.split()) >= 3 and text.lower() not in seen:
                    seen.add(text.lower())
                    texts.append(text)
                    labels.append(label)
    return texts, labels


def split(labels: list[int], seed: int) -> tuple[list[int], list[int]]:
    """``TRAIN_PER_CLASS`` training examples per topic, the rest for testing."""
    g = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(labels), generator=g).tolist()
    train, test, count = [], [], [0] * len(TOPICS)
    for i in order:
        if count[labels[i]] < TRAIN_PER_CLASS:
            count[labels[i]] += 1
            train.append(i)
        else:
            test.append(i)
    return train, test


class BagOfEmbeddings(nn.Module):
    def __init__(self, vocab_size: int, num_classes: int, dim: int = 64) -> None:
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab_size, dim, mode="mean")
        self.out = nn.Linear(dim, num_classes)

    def forward(self, ids: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        return self.out(self.embed(ids, offsets))


def encode(texts: list[str], vocab: dict[str, int]) -> tuple[torch.Tensor, torch.Tensor]:
    ids: list[int] = []
    offsets: list[int] = []
    for text in texts:
        offsets.append(len(ids))
        ids.extend(vocab.get(w, 0) for w in WORD.findall(text.lower()) or ["<unk>"])
    return torch.tensor(ids), torch.tensor(offsets)


def train_and_test(train_x: list[str], train_y: list[int], test_x: list[str], test_y: list[int], seed: int) -> float:
    torch.manual_seed(seed)  # model initialization of this example script only
    vocab = {"<unk>": 0}
    for text in train_x:
        for w in WORD.findall(text.lower()):
            vocab.setdefault(w, len(vocab))
    model = BagOfEmbeddings(len(vocab), len(TOPICS))
    opt = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=1e-5)
    y = torch.tensor(train_y)
    ids, offsets = encode(train_x, vocab)
    for _ in range(STEPS):  # full-batch training: the set is tiny
        loss = nn.functional.cross_entropy(model(ids, offsets), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        ids, offsets = encode(test_x, vocab)
        pred = model(ids, offsets).argmax(1)
    return float((pred == torch.tensor(test_y)).float().mean())


def main() -> None:
    t0 = time.perf_counter()
    torch.set_num_threads(1)  # tiny model: one thread avoids contention on a busy machine
    texts, labels = load_corpus()
    eda = omniaug.registry().preset("text.default").build()
    plain_acc, eda_acc = [], []
    for seed in SEEDS:
        train, test = split(labels, seed)
        train_x, train_y = [texts[i] for i in train], [labels[i] for i in train]
        test_x, test_y = [texts[i] for i in test], [labels[i] for i in test]
        g = torch.Generator().manual_seed(1000 + seed)
        augmented = [eda(train_x, generator=g) for _ in range(N_AUG)]
        aug_x = train_x + [s for copy in augmented for s in copy]
        aug_y = train_y * (N_AUG + 1)
        plain_acc.append(train_and_test(train_x, train_y, test_x, test_y, seed))
        eda_acc.append(train_and_test(aug_x, aug_y, test_x, test_y, seed))
        print(
            f"split {seed}: train {len(train_x)} (+{len(aug_x) - len(train_x)} EDA), test {len(test_x)}: "
            f"plain {plain_acc[-1]:.3f}  EDA {eda_acc[-1]:.3f}"
        )
    print(f"\n{len(texts)} utterances, {len(TOPICS)} topics, {TRAIN_PER_CLASS} training examples per topic")
    print(f"accuracy without augmentation: {statistics.mean(plain_acc):.3f}")
    print(f"accuracy with EDA (text.default, {N_AUG} copies): {statistics.mean(eda_acc):.3f}")
    print("example augmentations:")
    for original, new in zip(train_x[:3], augmented[0][:3]):
        print(f"  {original!r}\n   -> {new!r}")
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
