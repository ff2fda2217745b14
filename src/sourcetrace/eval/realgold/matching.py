"""One-to-one matching of claims by overlap (the guide's Scoring: each claim matches the one it
overlaps most)."""

from __future__ import annotations

from collections.abc import Sequence

Span = tuple[int, int]


def overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def match_claims(gold: Sequence[Span], predicted: Sequence[Span]) -> dict[int, int]:
    """gold index -> predicted index. Pairs are taken greedily by overlap, largest first, so each
    claim is matched at most once and to the claim it overlaps most among those still free."""
    pairs = sorted(
        ((overlap(g, p), i, j) for i, g in enumerate(gold) for j, p in enumerate(predicted) if overlap(g, p)),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    out: dict[int, int] = {}
    taken: set[int] = set()
    for _, i, j in pairs:
        if i not in out and j not in taken:
            out[i] = j
            taken.add(j)
    return out
