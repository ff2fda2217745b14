"""Article-level judgements built from the claims: the sourcing profile and the headline check."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from sourcetrace.hedging import is_hedging
from sourcetrace.model import (
    UNNAMED_TYPES,
    Claim,
    FramingSpan,
    HeadlineCheck,
    Profile,
    Source,
    SourceType,
)

_WORD = re.compile(r"[^\W_]+")
_STOP = frozenset(
    """a an the of to in on at for by with from and or but as is are was were be been being has have had
    it its this that these those after before over under into about than then there their they he she
    his her we our you your will would can could may might new says said say""".split()
)
#: Words by which a headline itself attributes or hedges what it states.
_HEADLINE_MARKERS = re.compile(
    r"\b(says?|said|claims?|claimed|alleges?|allegedly|reportedly|report(s|ed)?|according|"
    r"may|might|could|suspected|believed|accuses?|denies|warns?|tells?)\b|[:?\"\u201c\u201d]|\bsources?\b",
    re.IGNORECASE,
)
#: Share of the headline's content words a claim must contain to count as restating it.
HEADLINE_MATCH_THRESHOLD = 0.34


def profile(
    sources: list[Source], claims: list[Claim], framing: Sequence[FramingSpan] = (), words: int = 0
) -> Profile:
    """Sourcing shares from the claims; technique counts and loaded-language density from `framing`
    (`words`: the article's word count)."""
    by_type = Counter(str(s.type) for s in sources)
    techniques = Counter(span.technique for span in framing)
    innermost = [c.chain[-1] for c in claims if c.chain]
    n = len(claims)
    return Profile(
        sources_by_type=dict(sorted(by_type.items())),
        claims=n,
        unattributed_share=_share(sum(1 for link in innermost if link.type == SourceType.AUTHOR), n),
        unnamed_innermost_share=_share(sum(1 for link in innermost if link.type in UNNAMED_TYPES), n),
        deepest_chain=max((len(c.chain) for c in claims), default=0),
        distinct_innermost_sources=len({link.source_id for link in innermost}),
        loaded_language_per_100_words=round(100 * techniques["Loaded_Language"] / words, 3) if words else 0.0,
        technique_counts=dict(sorted(techniques.items())),
    )


def _share(count: int, total: int) -> float:
    return round(count / total, 3) if total else 0.0


def _content_words(text: str) -> set[str]:
    return {
        w[:6] for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in _STOP and len(w) > 2
    }


def headline_check(title: str | None, claims: list[Claim]) -> HeadlineCheck:
    """Match the headline to the claims it restates; flag it when it drops their attribution or hedge."""
    if not title:
        return HeadlineCheck(text=title)
    words = _content_words(title)
    scored = sorted(
        ((len(words & _content_words(c.text)) / len(words), c) for c in claims if words),
        key=lambda p: -p[0],
    )
    matched = [(s, c) for s, c in scored if s >= HEADLINE_MATCH_THRESHOLD and s >= scored[0][0] * 0.75]
    if not matched:
        return HeadlineCheck(
            text=title,
            similarity=round(scored[0][0], 3) if scored else None,
            note="no body claim restates the headline",
        )
    best_score, best = matched[0]
    headline_hedged = bool(_HEADLINE_MARKERS.search(title))
    innermost = best.chain[-1] if best.chain else None
    attributed = innermost is not None and innermost.type != SourceType.AUTHOR
    # Only markers that weaken the claim count: a booster or a factive verb does not hedge it.
    weakening = [h for h in best.hedges if is_hedging(h)]
    hedged = bool(weakening)
    overstated = not headline_hedged and (attributed or hedged)
    note = None
    if overstated:
        basis = []
        if attributed:
            basis.append(f"attributes it to {innermost.name} ({str(innermost.type).replace('_', ' ')})")
        if hedged:
            basis.append("hedges it (" + ", ".join(h.text for h in weakening) + ")")
        note = "headline states as fact what the body " + " and ".join(basis)
    return HeadlineCheck(
        text=title,
        matched_claim_ids=[c.id for _, c in matched[:3]],
        similarity=round(best_score, 3),
        overstated=overstated,
        note=note,
        chain=best.chain,
    )
