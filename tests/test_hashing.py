"""The cached hashing vectorizer must give exactly HashingVectorizer's matrix: models trained with one
are scored with the other."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from sourcetrace.encoders.hashing import CachedHashingVectorizer

TEXTS = [
    "The council said on Tuesday that 40 homes were flooded, and the mayor “strongly” denied it.",
    "Officials   denied\nthe report; the  report was denied again.",
    "",
    "a",
    "Ünïcode wörds, émigrés and naïve café-owners in São Paulo said 3.5%.",
    "Repeated repeated REPEATED words words.",
]


@pytest.mark.parametrize(
    "vectorizer",
    [
        HashingVectorizer(n_features=2**18, analyzer="char_wb", ngram_range=(2, 5), alternate_sign=False,
                          norm=None, dtype=np.float32),
        HashingVectorizer(n_features=2**20, analyzer="word", ngram_range=(1, 2), alternate_sign=False,
                          norm=None, dtype=np.float32, preprocessor=str.lower),
        HashingVectorizer(n_features=2**20, analyzer="word", token_pattern=r"\S+", lowercase=False,
                          ngram_range=(1, 3), alternate_sign=False, norm=None, dtype=np.float32),
        HashingVectorizer(n_features=97, analyzer="char_wb", ngram_range=(1, 3), alternate_sign=False,
                          norm=None),
    ],
)
@pytest.mark.parametrize("text_limit", [0, 3, 100])  # no rows kept, kept then cleared, all kept
def test_same_matrix_as_hashing_vectorizer(vectorizer: HashingVectorizer, text_limit: int) -> None:
    cached = CachedHashingVectorizer(vectorizer, text_limit=text_limit)
    for texts in (TEXTS, TEXTS, TEXTS[::-1]):  # later passes read the caches
        expected = vectorizer.transform(texts).tocsr()
        got = cached.transform(texts).tocsr()
        assert got.shape == expected.shape
        assert got.dtype == expected.dtype
        assert (got != expected).nnz == 0
        assert got.nnz == expected.nnz


def test_unsupported_configuration_falls_back_to_the_vectorizer() -> None:
    vectorizer = HashingVectorizer(n_features=2**10, alternate_sign=True, norm="l2")
    cached = CachedHashingVectorizer(vectorizer)
    assert not cached.exact
    assert (cached.transform(TEXTS) != vectorizer.transform(TEXTS)).nnz == 0


def test_no_texts_give_an_empty_matrix() -> None:
    vectorizer = HashingVectorizer(n_features=2**10, analyzer="char_wb", alternate_sign=False, norm=None)
    got = CachedHashingVectorizer(vectorizer, text_limit=5).transform([])
    assert got.shape == (0, 2**10) and got.nnz == 0


def test_full_word_cache_starts_again_and_gives_the_same_matrix() -> None:
    """The character hasher keeps each word's columns; past its limit it starts again (between
    batches, never within one)."""
    vectorizer = HashingVectorizer(n_features=2**18, analyzer="char_wb", ngram_range=(2, 5),
                                   alternate_sign=False, norm=None, dtype=np.float32)
    cached = CachedHashingVectorizer(vectorizer, limit=3)
    for texts in (TEXTS, TEXTS[::-1], TEXTS[:1], TEXTS):
        assert (cached.transform(texts) != vectorizer.transform(texts)).nnz == 0
