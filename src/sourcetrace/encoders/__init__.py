"""Text to vectors: feature hashing (`hashing`, torch-free) and the optional MiniLM sentence encoder
(`minilm`, `layers`: needs the `semantic` extra)."""
