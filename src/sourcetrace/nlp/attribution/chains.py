"""Nesting attributions and deriving each claim's chain, publisher first.

An attribution is relayed by the innermost other attribution whose content contains its cue. A chain is
never stored: it is walked up the parents, then prefixed with the publisher, a dateline wire and the
credits (`credits.py`) whose scope covers the claim, outermost first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sourcetrace.nlp.attribution.bogus_outlets import bogus_outlet
from sourcetrace.nlp.attribution.credits import Credit
from sourcetrace.nlp.attribution.sources import IMPLICIT_IDS, SourceEntity, SourceResolver
from sourcetrace.nlp.attribution.types import RawAttribution
from sourcetrace.nlp.resolution.places import is_place
from sourcetrace.schema import ChainLink, SourceType


def assign_parents(attributions: list[RawAttribution]) -> list[int | None]:
    """For each attribution, the index of the attribution that relays it (or None): the one whose
    narrowest content part holds its cue.

    Vectorised over every content part of every attribution: a long unbroken line full of quote marks
    and speech verbs yields thousands of attributions, and a pairwise Python loop made it quadratic.
    """
    if not attributions:
        return []
    owner = np.array([j for j, a in enumerate(attributions) for _ in a.content], dtype=np.int64)
    starts = np.array([s for a in attributions for s, _ in a.content], dtype=np.int64)
    ends = np.array([e for a in attributions for _, e in a.content], dtype=np.int64)
    cues = np.array([a.cue[0] for a in attributions], dtype=np.int64)
    lengths = ends - starts
    parents: list[int | None] = []
    for i, inner in enumerate(attributions):
        cue = inner.cue[0]
        # The inner content's first part must lie inside (a quote it continues may run on).
        inner_end = min(e for _, e in inner.content)
        fits = (starts <= cue) & (cue < ends) & (inner_end <= ends + 1) & (owner != i)
        if inner.kind == "according_to":
            # `"...," he said, according to ICANA`: the agency relays the speaker, not back.
            relayed = np.zeros(len(attributions), dtype=bool)
            for s, e in inner.content:
                relayed |= (s <= cues) & (cues < e)
            fits &= ~relayed[owner]
        if not fits.any():
            parents.append(None)
            continue
        # The narrowest fitting part; ties go to the earliest attribution, as the pairwise scan did.
        candidates = np.flatnonzero(fits)
        narrowest = candidates[lengths[candidates] == lengths[candidates].min()]
        parents.append(int(owner[narrowest].min()))
    return _break_cycles(parents)


def _break_cycles(parents: list[int | None]) -> list[int | None]:
    for i in range(len(parents)):
        seen = {i}
        node = parents[i]
        while node is not None:
            if node in seen:
                parents[i] = None
                break
            seen.add(node)
            node = parents[node]
    return parents


def link(entity: SourceEntity, attribution_id: str | None) -> ChainLink:
    return ChainLink(source_id=entity.id, name=entity.name, type=entity.type, attribution_id=attribution_id)


def outlet_hop(entity: SourceEntity | None) -> bool:
    """An outlet that may stand as a hop (places, dates and descriptions were retyped before chains
    are built: `retype_bogus_outlets`)."""
    return entity is not None and entity.type == SourceType.OUTLET


def retype_bogus_outlets(resolver: SourceResolver) -> None:
    """Sources typed outlet that are places (`Varna`: a government by its seat, or a misread), dates
    or descriptions are no outlets: a place becomes a named organisation, the rest unnamed sources.
    The publisher and the dateline wire come from metadata and are left alone."""
    fixed = {e.id for e in (resolver.publisher, resolver.wire) if e is not None}
    for entity in resolver.entities:
        if entity.type != SourceType.OUTLET or entity.id in fixed or not bogus_outlet(entity.name):
            continue
        entity.type = SourceType.NAMED_ORGANIZATION if is_place(entity.name) else SourceType.ANONYMOUS


@dataclass
class Hop:
    """One resolved attribution, ready for chain building."""

    id: str
    source: SourceEntity
    addressee: SourceEntity | None
    parent: int | None
    #: The outlet this speaker was last said to speak through (`told IRNA`, `according to ISNA`), carried
    #: to the speaker's later attributions (ADJUDICATION.md, reading 1).
    carried: SourceEntity | None = None
    #: The attribution names an occasion of its own (a time, or people spoken to): an outlet carried
    #: from an earlier one stops here (reading 1: `they stop carrying it when they name another
    #: outlet, occasion or venue`).
    new_occasion: bool = False


def _own_outlet(hop: Hop, hops: list[Hop]) -> SourceEntity | None:
    if outlet_hop(hop.addressee):
        return hop.addressee
    parent = hops[hop.parent] if hop.parent is not None else None
    if parent is not None and parent.source.type == SourceType.OUTLET:
        return parent.source
    return None


@dataclass(frozen=True)
class ReportedAct:
    """A speaker's act that an outlet reported (`he highlighted Iran's positions, IRIB reported`): it
    carries no claim, but it says the speaker reached the reader through that outlet."""

    start: int
    speaker: SourceEntity
    outlet: SourceEntity


def carry_outlets(hops: list[Hop], starts: list[int], acts: Sequence[ReportedAct] = ()) -> None:
    """Give each attribution of a speaker the outlet an earlier one said the speaker spoke through.

    `X told IRNA that A. ... B, he said.`: B reaches the reader through IRNA too; so does B after `X
    highlighted A, IRNA reported` (reading 14 of the real-article gold). `starts` are the hops' cue
    offsets. Only forwards, and a new outlet for the same speaker replaces the old one.
    """
    through: dict[str, SourceEntity] = {}
    events = sorted(
        [(start, 1, i) for i, start in enumerate(starts)] + [(a.start, 0, k) for k, a in enumerate(acts)]
    )
    for _, is_hop, i in events:
        if not is_hop:
            through[acts[i].speaker.id] = acts[i].outlet
            continue
        hop = hops[i]
        if hop.source.type == SourceType.OUTLET or hop.source.id in IMPLICIT_IDS:
            continue
        own = _own_outlet(hop, hops)
        if own is not None:
            through[hop.source.id] = own
        elif hop.new_occasion:
            through.pop(hop.source.id, None)
        elif hop.source.id in through:
            hop.carried = through[hop.source.id]


def attribution_hops(index: int, hops: list[Hop]) -> list[ChainLink]:
    """Relaying sources from the outermost attribution down to `index`."""
    path: list[int] = []
    node: int | None = index
    while node is not None:
        path.append(node)
        node = hops[node].parent
    links: list[ChainLink] = []
    for i in reversed(path):
        hop = hops[i]
        if hop.source.id in IMPLICIT_IDS and i != path[-1]:
            continue
        if outlet_hop(hop.addressee):
            # An outlet that was told something, and is relayed here, published it: it is a hop.
            links.append(link(hop.addressee, hop.id))
        elif hop.carried is not None and (not links or links[-1].source_id != hop.carried.id):
            links.append(link(hop.carried, hop.id))
        links.append(link(hop.source, hop.id))
    return links


def document_prefix(
    resolver: SourceResolver, credits: list[tuple[Credit, SourceEntity]], offset: int
) -> list[ChainLink]:
    prefix: list[ChainLink] = []
    if resolver.publisher is not None:
        prefix.append(link(resolver.publisher, None))
    if resolver.wire is not None:
        prefix.append(link(resolver.wire, None))
    for credit, entity in sorted(credits, key=lambda c: c[0].rank):
        if credit.scope_start <= offset < credit.scope_end:
            prefix.append(link(entity, None))
    return prefix


def dedupe(links: list[ChainLink]) -> list[ChainLink]:
    """Drop a source repeated anywhere later in the chain (the Post reporting what the Post learned)."""
    out: list[ChainLink] = []
    for item in links:
        if all(item.source_id != seen.source_id for seen in out):
            out.append(item)
    return out
