"""Pair features for claim matching: how much two sentences say the same thing, in a dozen numbers.

All features are symmetric (f(a, b) == f(b, a)) so `claim_similarity` does not depend on pair order.

* TF-IDF cosine over hashed word 1-2-grams and over character 2-5-grams within words (spelling
  variants, "Obama's"/"Obama"); idf comes from the training sentences and ships with the model.
* Overlap of stemmed content words: Jaccard, and the smaller / larger share of one side covered by the
  other (a headline covered by a long claim sentence is still the same claim).
* BLEU-like n-gram precision (1..4-grams, both directions averaged): word order and phrasing kept.
* Numbers and names (capitalised words): agreement and the count of ones only one side has. MRPC's
  hardest negatives are the same story with different figures.
* Negation / denial mismatch and length ratio.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from sourcetrace.encoders.hashing import CachedHashingVectorizer
from sourcetrace.matching.text import TextView, view

N_HASH = 2**20
#: Texts whose hashed word n-grams the word hasher keeps: a trace scores the same stored claims query
#: after query. (The character hasher keeps each word's n-grams instead, which serve every text.)
TEXTS_KEPT = 20_000

LEXICAL_FEATURES: tuple[str, ...] = (
    "tfidf_word",
    "tfidf_char",
    "content_jaccard",
    "coverage_min",
    "coverage_max",
    "bleu1",
    "bleu2",
    "bleu4",
    "numbers_any",
    "numbers_jaccard",
    "numbers_unmatched",
    "names_jaccard",
    "names_unmatched",
    "negation_mismatch",
    "length_ratio",
)


_GATED = [LEXICAL_FEATURES.index(f) for f in ("numbers_any", "numbers_unmatched", "names_unmatched",
                                               "negation_mismatch", "length_ratio")]


@functools.cache
def _word_hasher() -> CachedHashingVectorizer:
    return CachedHashingVectorizer(HashingVectorizer(
        n_features=N_HASH, analyzer="word", ngram_range=(1, 2), lowercase=True,
        token_pattern=r"(?u)\b\w+\b", alternate_sign=False, norm=None, dtype=np.float32,
    ), text_limit=TEXTS_KEPT)


@functools.cache
def _char_hasher() -> CachedHashingVectorizer:
    return CachedHashingVectorizer(HashingVectorizer(
        n_features=N_HASH, analyzer="char_wb", ngram_range=(2, 5), lowercase=True,
        alternate_sign=False, norm=None, dtype=np.float32,
    ))


def hashed_counts(texts: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    return _word_hasher().transform(texts).tocsr(), _char_hasher().transform(texts).tocsr()


@dataclass(frozen=True, slots=True)
class SparseIdf:
    """Idf of the hashed columns seen in at least `min_df` training sentences; all others get `default`.

    Storing only seen columns keeps the model file small; an n-gram rarer than that in training is
    treated as maximally informative, which is what idf would say about it anyway.
    """

    columns: np.ndarray  # uint32, sorted
    values: np.ndarray  # float32
    default: float

    @classmethod
    def fit(cls, counts: sparse.csr_matrix, min_df: int = 2) -> SparseIdf:
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        n = counts.shape[0]
        idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
        keep = np.flatnonzero(df >= min_df)
        default = float(np.log((1.0 + n) / 2.0) + 1.0)  # the idf of an n-gram seen once
        return cls(keep.astype(np.uint32), idf[keep].astype(np.float32), default)

    def dense(self) -> np.ndarray:
        out = np.full(N_HASH, self.default, dtype=np.float32)
        out[self.columns] = self.values
        return out


def tfidf_rows(counts: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Sublinear tf x idf with rows L2-normalised, so a row-wise dot product is the cosine."""
    x = counts.copy()
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    # Scale each row's stored values in place: a diagonal-matrix product costs as much as the cosines.
    x.data *= np.repeat((1.0 / norms).astype(np.float32), np.diff(x.indptr))
    return x


def unique_index(pairs: Sequence[tuple[str, str]]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Distinct texts and, per pair, the row of each side: every text is vectorised or embedded once."""
    position: dict[str, int] = {}
    left = np.empty(len(pairs), dtype=np.int64)
    right = np.empty(len(pairs), dtype=np.int64)
    for i, (a, b) in enumerate(pairs):
        left[i] = position.setdefault(a, len(position))
        right[i] = position.setdefault(b, len(position))
    return list(position), left, right


def rowwise_cosine(
    x: sparse.csr_matrix, left: np.ndarray, right: np.ndarray, chunk: int = 20_000
) -> np.ndarray:
    firsts, groups = np.unique(left, return_inverse=True)
    if len(firsts) * 8 <= len(left):
        return _cosine_by_first(x, firsts, groups.ravel(), right)
    # In chunks: gathering the rows of half a million pairs at once would copy every char n-gram row.
    out = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), chunk):
        sl = slice(start, start + chunk)
        out[sl] = np.asarray(x[left[sl]].multiply(x[right[sl]]).sum(axis=1)).ravel()
    return out


def _cosine_by_first(
    x: sparse.csr_matrix, firsts: np.ndarray, groups: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Row-wise products when few texts face many (a trace: one query against its candidates): one
    sparse matrix-vector product per first text instead of an element-wise product of gathered rows.

    The first text's row is scattered into a dense vector: a sparse transposed row would need a
    column pointer per hashed column (2**20), which cost more than the products. Each product still
    sums the row's stored values in column order, in the matrix's dtype, as the sparse one did.
    """
    out = np.empty(len(right), dtype=np.float64)
    dense = np.zeros(x.shape[1], dtype=x.dtype)
    # Every text faces the first ones in a trace: one product over all rows, no gathering of rows.
    products_all = len(firsts) * 2 <= x.shape[0] and len(right) >= x.shape[0] // 2
    for g, first in enumerate(firsts):
        rows = np.flatnonzero(groups == g)
        start, end = x.indptr[first], x.indptr[first + 1]
        columns = x.indices[start:end]
        dense[columns] = x.data[start:end]
        out[rows] = (x @ dense)[right[rows]] if products_all else x[right[rows]] @ dense
        dense[columns] = 0
    return out


def _jaccard(a: frozenset, b: frozenset) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def _precision(hyp: frozenset, ref: frozenset) -> float:
    return len(hyp & ref) / len(hyp) if hyp else 0.0


def _bleu(a: TextView, b: TextView, order: int) -> float:
    """Geometric mean of 1..order-gram precisions (add-one smoothed above unigrams), both directions."""
    scores = []
    for hyp, ref in ((a, b), (b, a)):
        logs = []
        for n in range(order):
            h, r = hyp.ngrams[n], ref.ngrams[n]
            p = len(h & r) / len(h) if n == 0 and h else (len(h & r) + 1.0) / (len(h) + 1.0)
            logs.append(math.log(max(p, 1e-9)))
        scores.append(math.exp(sum(logs) / order))
    return (scores[0] + scores[1]) / 2.0


def pair_row(a: TextView, b: TextView) -> list[float]:
    """The token-level features of one pair (everything but the TF-IDF cosines)."""
    cov_ab = _precision(a.content, b.content)
    cov_ba = _precision(b.content, a.content)
    both_numbers = a.numbers | b.numbers
    len_a, len_b = len(a.tokens), len(b.tokens)
    return [
        _jaccard(a.content, b.content),
        min(cov_ab, cov_ba),
        max(cov_ab, cov_ba),
        _bleu(a, b, 1),
        _bleu(a, b, 2),
        _bleu(a, b, 4),
        float(bool(both_numbers)),
        _jaccard(a.numbers, b.numbers) if both_numbers else 0.0,
        # log1p: one differing figure matters a lot, the fifth much less.
        math.log1p(len(a.numbers ^ b.numbers)),
        _jaccard(a.names, b.names) if a.names | b.names else 0.0,
        math.log1p(len(a.names ^ b.names)),
        float((a.negations > 0) != (b.negations > 0)),
        min(len_a, len_b) / max(len_a, len_b) if max(len_a, len_b) else 1.0,
    ]


def lexical_features(
    pairs: Sequence[tuple[str, str]], word_idf: np.ndarray, char_idf: np.ndarray, char_floor: float = 0.0
) -> np.ndarray:
    """Rows of LEXICAL_FEATURES for each pair (float64, shape (len(pairs), len(LEXICAL_FEATURES))).

    `char_floor`: pairs whose character cosine (the cheapest feature) is below it get only that one;
    the others stay 0. For deciding, not ranking: the caller treats such pairs as different claims.
    """
    out = np.zeros((len(pairs), len(LEXICAL_FEATURES)), dtype=np.float64)
    if not pairs:
        return out
    texts, left, right = unique_index(pairs)
    char_counts = _char_hasher().transform(texts).tocsr()
    out[:, 1] = rowwise_cosine(tfidf_rows(char_counts, char_idf), left, right)
    rows = np.flatnonzero(out[:, 1] >= char_floor) if char_floor > 0 else np.arange(len(pairs))
    left, right = left[rows], right[rows]
    # Word n-grams only for the texts of the pairs kept: in a trace most candidates stop at the floor.
    needed = np.unique(np.concatenate([left, right]))
    word_counts = _word_hasher().transform([texts[i] for i in needed.tolist()]).tocsr()
    at = np.searchsorted(needed, left), np.searchsorted(needed, right)
    out[rows, 0] = rowwise_cosine(tfidf_rows(word_counts, word_idf), *at)
    views = {i: view(texts[i]) for i in needed.tolist()}
    if len(rows):
        pairs_kept = zip(left.tolist(), right.tolist(), strict=True)
        out[rows, 2:] = [pair_row(views[i], views[j]) for i, j in pairs_kept]
    # Gate the "given they are related" features by the char cosine. MRPC only has pairs about the same
    # story, where a similar length or a differing figure is informative; between unrelated texts
    # (every other claim in a corpus) an ungated length ratio would lift same-length strangers.
    out[:, _GATED] *= out[:, [1]]
    return out
