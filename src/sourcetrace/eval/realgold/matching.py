"""One-to-one matching of claims by overlap (the guide's Scoring: each claim matches the one it
overlaps most)."""

from __future__ import annotations

from collections.abc import Sequence

Span = tuple[int, int]


def overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_claims(gold: Sequence[Span], predicted: Sequence[Span]) -> dict[int, int]:
    """gold index -> predicted index: the one-to-one pairing with the most overlapping characters in all
    (an assignment problem, solved exactly), keeping only pairs that overlap. A long predicted claim
    spanning two gold claims thus matches one of them, and a shorter one can still match the other."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    if not gold or not predicted:
        return {}
    weights = np.array([[overlap(g, p) for p in predicted] for g in gold], dtype=float)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return {int(i): int(j) for i, j in zip(rows, cols, strict=True) if weights[i, j] > 0}
