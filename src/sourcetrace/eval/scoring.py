"""Precision, recall and F1 from match counts, for the scorers that count matches rather than label items.

PTC spans (partial-overlap credit), PolNeAR attribution roles and GAP (pronoun, name) links count
matches among predicted and gold items; there is no gold and predicted label per item to hand to
scikit-learn. Scorers that do have one label per item (check-worthiness, claim matching) use
`sklearn.metrics` instead.
"""

from __future__ import annotations


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall; 0.0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def prf(true_pos: float, predicted: float, gold: float) -> tuple[float, float, float]:
    """(precision, recall, F1) of `true_pos` matches among `predicted` and `gold` items.

    A ratio over no items is 0.0. Counts may be fractional (partial-overlap credit).
    """
    precision = true_pos / predicted if predicted else 0.0
    recall = true_pos / gold if gold else 0.0
    return precision, recall, f1(precision, recall)
