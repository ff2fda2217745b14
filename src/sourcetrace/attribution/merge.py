"""Combining the learned tagger's attributions with the rules' attributions.

The tagger decides which cues exist and their spans (it was trained on PolNeAR); the rules fill in what
it does not predict (addressee, time, inherited speakers) and add the constructions it missed.
"""

from __future__ import annotations

from sourcetrace.attribution.types import RawAttribution

#: Rule kinds whose source and content the rules get right more often than the tagger.
_RULE_OWNED_KINDS = frozenset({"according_to", "passive"})


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def merge_attributions(tagged: list[RawAttribution], ruled: list[RawAttribution]) -> list[RawAttribution]:
    merged = list(tagged)
    for rule in ruled:
        match = next((t for t in tagged if _overlaps(t.cue, rule.cue)), None)
        if match is None:
            merged.append(rule)
            continue
        _complete(match, rule)
    return sorted(merged, key=lambda a: a.cue[0])


def _complete(tagged: RawAttribution, rule: RawAttribution) -> None:
    if rule.kind in _RULE_OWNED_KINDS or "inherited_from_cue" in rule.extra:
        tagged.source, tagged.source_head = rule.source, rule.source_head
        tagged.content = rule.content
        tagged.kind = rule.kind
    elif tagged.source is None and rule.source is not None:
        tagged.source, tagged.source_head = rule.source, rule.source_head
    tagged.addressee = tagged.addressee or rule.addressee
    tagged.time = tagged.time or rule.time
    tagged.extra.update(rule.extra)
