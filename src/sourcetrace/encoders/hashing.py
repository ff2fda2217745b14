"""scikit-learn's HashingVectorizer, same output, a few times faster on running text.

Check-worthiness, framing and claim matching hash word and character n-grams of every claim and
sentence. HashingVectorizer builds every n-gram string and hashes it again each time it is seen;
in news text the same words and n-grams recur constantly, so here each distinct n-gram is hashed
once (murmurhash3, seed 0, column |h| mod n, exactly as FeatureHasher does) and each distinct word
keeps the columns of its padded character n-grams, all words' columns end to end in one array, so the
columns of a batch of texts are gathered at once rather than joined word by word. The matrix is built
the way FeatureHasher builds it (duplicates summed), so models trained with either give the same
scores; a test checks that.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

_INT32_MIN = -(2**31)


class _Columns(dict[str, int]):
    """n-gram -> hashed column; a known n-gram is a plain dict hit, a new one is hashed once."""

    def __init__(self, n_features: int, limit: int) -> None:
        super().__init__()
        self.n_features = n_features
        self.limit = limit

    def __missing__(self, ngram: str) -> int:
        h = murmurhash3_32(ngram, seed=0)
        n = self.n_features
        column = (2147483647 - (n - 1)) % n if h == _INT32_MIN else abs(h) % n
        if len(self) < self.limit:
            self[ngram] = column
        return column


class _WordSpans:
    """Each distinct word's columns, stored end to end in one growing array: `(start, length)` by word.

    Full (more than `limit` words) it starts again at the next batch, never within one, so the spans
    of a batch stay valid until its columns are gathered."""

    def __init__(self, columns_of: Callable[[str], list[int]], limit: int) -> None:
        self._columns_of = columns_of
        self._limit = limit
        self.spans: dict[str, tuple[int, int]] = {}
        self.data = np.zeros(4096, dtype=np.int32)
        self._used = 0

    def start_batch(self) -> None:
        if len(self.spans) > self._limit:
            self.spans.clear()
            self._used = 0

    def add(self, word: str) -> tuple[int, int]:
        columns = self._columns_of(word)
        end = self._used + len(columns)
        if end > len(self.data):
            grown = np.zeros(max(end, 2 * len(self.data)), dtype=np.int32)
            grown[: self._used] = self.data[: self._used]
            self.data = grown
        self.data[self._used : end] = columns
        span = self.spans[word] = (self._used, len(columns))
        self._used = end
        return span


class CachedHashingVectorizer:
    """Wraps a HashingVectorizer (alternate_sign=False, norm=None, not binary) and replaces its
    `transform`; any other configuration falls back to the wrapped vectorizer unchanged."""

    def __init__(self, vectorizer: HashingVectorizer, limit: int = 500_000, text_limit: int = 0) -> None:
        self.vectorizer = vectorizer
        self.n_features = int(vectorizer.n_features)
        self.limit = limit
        self.text_limit = text_limit
        self._rows: dict[str, np.ndarray] = {}
        self._char_wb = vectorizer.analyzer == "char_wb"
        self.exact = (
            not vectorizer.alternate_sign
            and vectorizer.norm is None
            and not vectorizer.binary
            and vectorizer.analyzer in ("word", "char_wb")
        )
        self._columns = _Columns(self.n_features, limit)
        self._words = _WordSpans(self._char_wb_word_columns, limit)
        self._preprocess = vectorizer.build_preprocessor()
        self._analyze = vectorizer.build_analyzer()

    def _char_wb_word_columns(self, word: str) -> list[int]:
        return [self._columns[g] for g in self.vectorizer._char_wb_ngrams(word)]

    def _char_wb_rows(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(indices, indptr) of the texts' padded character n-gram columns, word after word."""
        words = self._words
        words.start_batch()
        spans, add, preprocess = words.spans, words.add, self._preprocess
        starts: list[int] = []
        lengths: list[int] = []
        counts: list[int] = []
        for text in texts:
            split = preprocess(text).split()
            counts.append(len(split))
            for word in split:
                start, length = spans.get(word) or add(word)
                starts.append(start)
                lengths.append(length)
        length_of = np.asarray(lengths, dtype=np.int64)
        ends = np.cumsum(length_of)
        # Position k of word w's columns in the result is ends[w] - length[w] + k; in the array, start[w] + k.
        shift = np.asarray(starts, dtype=np.int64) - (ends - length_of)
        indices = words.data[np.arange(int(ends[-1]) if len(ends) else 0) + np.repeat(shift, length_of)]
        word_ptr = np.zeros(len(counts) + 1, dtype=np.int64)
        np.cumsum(counts, out=word_ptr[1:])
        return indices, np.concatenate([[0], ends])[word_ptr]

    def _word_columns_of(self, text: str) -> list[int]:
        columns = self._columns
        return [columns[g] for g in self._analyze(text)]

    def _row(self, text: str) -> np.ndarray:
        """The hashed word n-gram columns of one text, kept by text: a corpus trace scores the same
        stored claims against query after query."""
        row = self._rows.get(text)
        if row is None:
            row = np.asarray(self._word_columns_of(text), dtype=np.int32)
            if self.text_limit:
                if len(self._rows) >= self.text_limit:
                    self._rows.clear()
                self._rows[text] = row
        return row

    def transform(self, texts: Iterable[str]) -> Any:
        if not self.exact:
            return self.vectorizer.transform(texts)
        if self._char_wb:
            # Per word, not per text: a text's columns are its words' columns, gathered in one go.
            indices, indptr = self._char_wb_rows(list(texts))
        else:
            rows = [self._row(text) for text in texts]
            lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
            indptr = np.zeros(len(rows) + 1, dtype=np.int64)
            np.cumsum(lengths, out=indptr[1:])
            indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
        x = sparse.csr_matrix(
            (
                np.ones(len(indices), dtype=self.vectorizer.dtype),
                indices,
                indptr if indptr[-1] > 2**31 - 1 else indptr.astype(np.int32),
            ),
            shape=(len(indptr) - 1, self.n_features),
        )
        x.sum_duplicates()
        return x
