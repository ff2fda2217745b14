"""Article-level judgements built from the claims: the sourcing profile and the headline check."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from sourcetrace.matching.text import stem
from sourcetrace.schema import (
    UNNAMED_TYPES,
    Claim,
    FramingSpan,
    HeadlineCheck,
    HeadlineReason,
    Profile,
    Source,
    SourceType,
    is_hedging,
)

_WORD = re.compile(r"[^\W_]+")
_STOP = frozenset(
    """a an the of to in on at for by with from and or but as is are was were be been being has have had
    it its this that these those after before over under into about than then there their they he she
    his her we our you your will would can could may might new says said say""".split()
)
#: Words by which a headline itself attributes or hedges what it states (a cue verb, a hedge, a colon
#: after a name, quotation marks, a question).
_HEADLINE_MARKERS = re.compile(
    r"\b(says?|said|claims?|claimed|alleges?|allegedly|reportedly|report(s|ed)?|according|"
    r"may|might|could|suspected|believed|accuses?|accused|denies|denied|warns?|tells?|told|dismiss(es|ed)?|"
    r"slams?|blasts?|refutes?|rejects?|urges?|calls?|blames?|insists?|vows?|threatens?|predicts?|"
    r"suggests?|seems?|appears?|possibly|probably|likely|perhaps|sources?)\b|[?\"\u201c\u201d]",
    re.IGNORECASE,
)
#: `FBI: ...`, `Charlotte Police: ...`: a name before a colon attributes the headline; a label does not
#: (`JUST IN:`, `EXPOSED:`, `Dear Trump:`, `Watch:`).
_COLON_PREFIX = re.compile(r"^\s*([^:]{1,60}?):\s")
_LABEL_PREFIX = re.compile(
    r"^(?:dear\b|watch\b|video\b|breaking\b|update\b|exclusive\b|opinion\b|analysis\b)", re.I
)
#: Role words a headline may end on in place of its speaker (`... CFT MP`, `... says official`).
_TRAILING_SPEAKER_WORDS = frozenset(
    "mp official officials minister spokesman spokeswoman envoy source sources".split()
)
#: Innermost source types that make a headline stated as fact overstated (guide, Headlines, reason a).
_WEAK_INNERMOST = frozenset({SourceType.ANONYMOUS, SourceType.OFFICIAL_UNNAMED, SourceType.COLLECTIVE})
#: Hops below the publisher from which a chain is too long to be stated as fact (reason b).
LONG_CHAIN_HOPS = 3
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
    # Snowball stems, as claim matching compares words (`closes` / `closing` meet).
    words = [w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in _STOP and len(w) > 2]
    return {stem(w) for w in words}


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
    # Several restate it about as well: the headline overstates if it states any of them beyond what
    # the body gives (`Cartel gunmen kill four`: police counted the dead, residents only believe the
    # cartel link); the first such claim is the one shown.
    states_as_fact = not _HEADLINE_MARKERS.search(title) and not _attributed_headline(title, claims)
    ranked = sorted(matched, key=lambda p: p[1].start)
    weak = [(s, c) for s, c in ranked if states_as_fact and overstatement_reasons(c)]
    best_score, best = weak[0] if weak else ranked[0]
    reasons = overstatement_reasons(best) if weak else []
    note = None
    if reasons:
        innermost = best.chain[-1] if best.chain else None
        kind = str(innermost.type).replace("_", " ") if innermost else ""
        who = f"{innermost.name} ({kind})" if innermost else "an unnamed source"
        basis = {
            HeadlineReason.UNNAMED_SOURCE: f"rests on {who}",
            HeadlineReason.LONG_CHAIN: f"comes through {_hops_below_publisher(best)} hops",
            HeadlineReason.HEDGED_IN_BODY: "is hedged ("
            + ", ".join(h.text for h in best.hedges if is_hedging(h)) + ")",
        }
        note = "headline states as fact what in the body " + " and ".join(basis[r] for r in reasons)
    return HeadlineCheck(
        text=title,
        matched_claim_ids=[c.id for _, c in matched[:3]],
        similarity=round(best_score, 3),
        states_as_fact=states_as_fact,
        overstated=bool(reasons),
        reasons=reasons,
        note=note,
        chain=best.chain,
    )


def _attributed_headline(title: str, claims: list[Claim]) -> bool:
    """A speaker named before a colon, or after the claim (slug titles lose the colon: `... Zarif`)."""
    colon = _COLON_PREFIX.match(title)
    if colon and not _LABEL_PREFIX.match(colon.group(1)) and not colon.group(1).isupper():
        return True
    words = re.findall(r"[A-Za-z][\w'-]*", title)
    if not words:
        return False
    last = words[-1].lower()
    if last in _TRAILING_SPEAKER_WORDS:
        return True
    speakers = {link.name.split()[-1].lower() for c in claims for link in c.chain[1:] if link.name}
    return words[-1][:1].isupper() and last in speakers


def _hops_below_publisher(claim: Claim) -> int:
    chain = claim.chain
    return len(chain) - (1 if chain and chain[0].source_id == "publisher" else 0)


def overstatement_reasons(claim: Claim) -> list[HeadlineReason]:
    """What makes stating `claim` as fact an overstatement (guide, Headlines): an unnamed innermost
    source, a chain of three or more hops below the publisher, a hedge in the body."""
    reasons = []
    if claim.chain and claim.chain[-1].type in _WEAK_INNERMOST:
        reasons.append(HeadlineReason.UNNAMED_SOURCE)
    if _hops_below_publisher(claim) >= LONG_CHAIN_HOPS:
        reasons.append(HeadlineReason.LONG_CHAIN)
    if any(is_hedging(h) for h in claim.hedges):
        reasons.append(HeadlineReason.HEDGED_IN_BODY)
    return reasons
