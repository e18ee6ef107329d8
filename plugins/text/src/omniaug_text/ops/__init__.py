"""The text ops, one module per level (characters, words, token ids)."""
