"""The contradiction model: does one claim deny the other, when the rules cannot tell?

`relation` reads polarity by rule (a negation, a refusal or an antonym on one side of two claims the
matcher calls the same). News denies a claim in ways the rules miss: a headline that calls a story a
hoax, debunks it, or answers it with `Probably not` shares too few words with the claim for the matcher
to call them the same claim, yet it disputes it. This model scores such pairs: a logistic regression over
symmetric pair features (topical overlap from the matcher's features, the similarity of the
polarity-free texts, and the gaps in negations, denials, falsehood words, hedges and questions), fitted
by `python -m sourcetrace.training.contradiction` on the Emergent `against` headlines and on
contrast pairs made by rule from real MRPC news sentences (see models/matching/MODEL_CARD.md).

It is consulted only for pairs the rules parsed because a polarity word differs between them
(`relation._needs_parse`), and only after figures, dates, names and roles agreed.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sourcetrace.errors import ModelError
from sourcetrace.matching import polarity
from sourcetrace.matching.features import LEXICAL_FEATURES
from sourcetrace.matching.model import MODEL_DIR, REBUILD, LinearModel

if TYPE_CHECKING:
    from sourcetrace.matching.relation import ClaimFacts

MODEL_FILE = "contradiction.npz"
#: The matcher's features that say how much the two claims share (topic, not polarity).
OVERLAP_FEATURES = ("tfidf_word", "tfidf_char", "content_jaccard", "coverage_min", "coverage_max")
_OVERLAP_COLUMNS = [LEXICAL_FEATURES.index(name) for name in OVERLAP_FEATURES]
POLARITY_FEATURES = (
    "neutral_similarity",  # the lexical matcher's probability on the polarity-free texts
    "main_polarity_differs",  # negation parity of the main clauses differs
    "sentence_polarity_differs",  # ... of the whole sentences
    "antonym",  # a word on one side has its opposite on the other
    "negation_gap",  # |negators, refusals, falsehoods a - b|, capped
    "falsehood_gap",  # |falsehood words a - b| (`hoax`, `fake`, `myth`), anywhere in the sentence
    "denial_gap",  # |refusal and denial verbs a - b|
    "question_one_side",  # one side is a question (`Did X ...? Probably not`)
    "hedge_gap",  # |hedges and distancing adverbs a - b| (`reportedly`, `may`)
)
INTERACTIONS = ("overlap_x_polarity", "overlap_x_falsehood", "overlap_x_denial")
FEATURES = OVERLAP_FEATURES + POLARITY_FEATURES + INTERACTIONS
_GAP_CAP = 2.0


def _count(lemmas: frozenset[str], words: frozenset[str]) -> int:
    return len(lemmas & words)


def _hedges(text: str) -> int:
    from sourcetrace.nlp.hedging import find_hedges
    from sourcetrace.schema import is_hedging

    return sum(1 for hedge in find_hedges(text) if is_hedging(hedge))


def pair_features(
    facts: Sequence[tuple[ClaimFacts, ClaimFacts]], overlap: np.ndarray, neutral_similarity: np.ndarray,
    antonym: Sequence[bool],
) -> np.ndarray:
    """Feature rows (FEATURES) of parsed pairs; `overlap`: the matcher's lexical feature rows of the raw
    pairs; `neutral_similarity`: its probability on their neutral texts; `antonym`: the rule's flip."""
    falsehoods, denials = polarity.falsehoods(), polarity.refusals()
    rows = np.zeros((len(facts), len(FEATURES)), dtype=np.float64)
    for k, (a, b) in enumerate(facts):
        cover = float(overlap[k, LEXICAL_FEATURES.index("coverage_min")])
        main = float(a.negations % 2 != b.negations % 2)
        sentence = float(a.all_negations % 2 != b.all_negations % 2)
        falsehood = min(abs(_count(a.lemmas, falsehoods) - _count(b.lemmas, falsehoods)), _GAP_CAP)
        denial = min(abs(_count(a.lemmas, denials) - _count(b.lemmas, denials)), _GAP_CAP)
        rows[k] = [
            *overlap[k, _OVERLAP_COLUMNS],
            neutral_similarity[k], main, sentence, float(antonym[k]),
            min(abs(a.all_negations - b.all_negations), _GAP_CAP), falsehood, denial,
            float(("?" in a.text) != ("?" in b.text)),
            min(abs(_hedges(a.text) - _hedges(b.text)), _GAP_CAP),
            cover * max(main, sentence), cover * falsehood, cover * denial,
        ]
    return rows


@cache
def load_contradiction_model(directory: Path | None = None) -> LinearModel:
    """The fitted model (`models/matching/contradiction.npz`); ModelError when missing or stale."""
    path = (directory or MODEL_DIR) / MODEL_FILE
    model = LinearModel.load(path, "contradiction model")
    if model.features != FEATURES:
        raise ModelError(f"contradiction model {path} was built for other features; {REBUILD}")
    return model


def contradicts(rows: np.ndarray) -> np.ndarray:
    """Whether each feature row is a contradiction (probability >= the fitted threshold)."""
    if not len(rows):
        return np.zeros(0, dtype=bool)
    model = load_contradiction_model()
    return model.probabilities(rows) >= model.threshold
