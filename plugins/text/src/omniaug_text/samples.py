"""Bundled sample sentences (written for this package) used by ``example`` and the CLI demo."""

from __future__ import annotations

__all__ = ["SENTENCES"]

SENTENCES: tuple[str, ...] = (
    "The quick brown fox jumps over the lazy dog near the quiet river bank.",
    "I really enjoyed this movie, although the ending felt a little rushed.",
    "Hello {name}, your order #4521 has shipped and should arrive on Monday.",
    "She quickly opened the heavy wooden door and walked into the bright kitchen.",
    "The weather was terrible yesterday. Today it is warm and sunny!",
    "Please click <a href='/help'>this link</a> to reset your password.",
    "Our small team built a fast parser in three weeks. It handles large files well.",
    "The children laughed loudly while the old teacher read a funny story.",
    "Don't forget to water the plants before you leave for the airport.",
    "This restaurant serves delicious food, but the service is painfully slow.",
    "A strong wind damaged several houses along the northern coast last night.",
    "Visit https://example.org/docs for the full installation guide.",
    "The students finished their difficult exam early and went to the beach.",
    "My new phone has a great camera. The battery, however, dies quickly.",
    "He bought fresh bread, cheese and apples at the busy morning market.",
    "Scientists discovered a rare species of frog in the tropical forest.",
)
