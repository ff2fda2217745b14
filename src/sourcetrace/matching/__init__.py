"""Claim matching: do two sentences report the same claim, verbatim or paraphrased?

* `claim_similarity(pairs)` -> probability in [0, 1] per pair (the matcher's score, blind to polarity);
* `claim_relation(pairs)` -> "same" / "contradicts" / "different": the figures, dates, entities and
  roles must agree and the polarity decides; `same_claim(pairs)` is `claim_relation == "same"`.
* `ClaimIndex`: MinHash LSH candidate generation, persisted on disk, so only likely matches are scored.

The scorer is the torch-free `lexical` configuration unless `SOURCETRACE_MATCHING=semantic` selects the
`semantic` one (MiniLM embeddings; needs the `[semantic]` extra); `configuration()` says which. Heavy
parts load on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sourcetrace.encoders import minilm

if TYPE_CHECKING:
    from sourcetrace.matching.minhash import ClaimIndex


def _check(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    checked = []
    for pair in pairs:
        if len(pair) != 2 or not all(isinstance(side, str) for side in pair):
            raise TypeError(f"claim pairs must be (str, str) tuples, got {pair!r}")
        checked.append((pair[0], pair[1]))
    return checked


def claim_similarity(pairs: Sequence[tuple[str, str]]) -> list[float]:
    """How likely each pair reports the same claim (0..1; symmetric in the two sides)."""
    from sourcetrace.matching.model import default_matcher

    return default_matcher().similarity(_check(pairs)).tolist()


def claim_relation(pairs: Sequence[tuple[str, str]]) -> list[str]:
    """How each pair relates: "same", "contradicts" (opposite polarity) or "different" (another
    figure, date, place, actor or role, or another fact altogether). See `matching.relation`."""
    from sourcetrace.matching.relation import explain_pairs

    return [e.relation for e in explain_pairs(_check(pairs))]


def same_claim(pairs: Sequence[tuple[str, str]]) -> list[bool]:
    """Whether each pair reports the same claim: `claim_relation(pairs) == "same"` per pair."""
    return [relation == "same" for relation in claim_relation(pairs)]


def configuration() -> str:
    """What the two functions use: 'lexical' (default) or 'semantic' when $SOURCETRACE_MATCHING selects
    it (a ModelError when it does without the [semantic] extra)."""
    return minilm.model_choice(minilm.MATCHING_ENV, None, default="lexical")


def __getattr__(name: str) -> object:
    # ClaimIndex pulls in datasketch; import it only when asked for.
    if name == "ClaimIndex":
        from sourcetrace.matching.minhash import ClaimIndex

        return ClaimIndex
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ClaimIndex", "claim_relation", "claim_similarity", "configuration", "same_claim"]
