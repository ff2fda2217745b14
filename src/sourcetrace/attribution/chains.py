"""Nesting attributions and deriving each claim's chain, publisher first.

An attribution is relayed by the innermost other attribution whose content contains its cue. A chain is
never stored: it is walked up the parents, then prefixed with the publisher, a dateline wire and any
reposting credit whose scope covers the claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sourcetrace.attribution.sources import IMPLICIT_ID, SourceEntity, SourceResolver
from sourcetrace.attribution.types import RawAttribution
from sourcetrace.model import ChainLink, SourceType

_CREDIT_NAME = r"(?:the\s+)?([A-Z][\w&.'\u2019-]*(?:\s+[A-Z0-9][\w&.'\u2019-]*){0,5})"
_CREDIT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?m)^[ \t]*(?:Excerpted |Reprinted |Reposted )?[Ff]rom " + _CREDIT_NAME + r"\s*:"),
        "after",
    ),
    (
        re.compile(
            r"(?:appeared|was published|was first published|originally appeared)\s+(?:first\s+)?"
            r"(?:on|in)\s+" + _CREDIT_NAME
        ),
        "document",
    ),
    (re.compile(r"\((?:[Cc]ourtesy of|[Vv]ia|[Ff]rom)\s+" + _CREDIT_NAME + r"\)"), "paragraph"),
)


@dataclass(frozen=True, slots=True)
class Credit:
    """A reposting credit in the text: its outlet covers every claim in [scope_start, scope_end)."""

    name: str
    span: tuple[int, int]
    line: tuple[int, int]  # the whole credit phrase, which is no claim of its own
    scope_start: int
    scope_end: int


def find_credits(text: str) -> list[Credit]:
    credits: list[Credit] = []
    for pattern, scope in _CREDIT_PATTERNS:
        for match in pattern.finditer(text):
            name = match.group(1).rstrip(".,")
            span = (match.start(1), match.start(1) + len(name))
            line = (match.start(), match.end())
            if scope == "after":
                credits.append(Credit(name, span, line, match.end(), len(text)))
            elif scope == "document":
                credits.append(Credit(name, span, line, 0, len(text)))
            else:
                start = text.rfind("\n\n", 0, match.start()) + 1
                end = text.find("\n\n", match.end())
                end = end if end >= 0 else len(text)
                if not text[start:end].strip().removeprefix(match.group(0)).strip():
                    start, end = 0, len(text)  # a credit standing alone covers the whole article
                credits.append(Credit(name, span, line, start, end))
    return credits


def assign_parents(attributions: list[RawAttribution]) -> list[int | None]:
    """For each attribution, the index of the attribution that relays it (or None)."""
    parents: list[int | None] = []
    for i, inner in enumerate(attributions):
        cue = inner.cue[0]
        best: int | None = None
        best_len = 1 << 62
        for j, outer in enumerate(attributions):
            if i == j:
                continue
            for start, end in outer.content:
                if start <= cue < end and inner.content_span[1] <= end + 1 and end - start < best_len:
                    best, best_len = j, end - start
        parents.append(best)
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


@dataclass
class Hop:
    """One resolved attribution, ready for chain building."""

    id: str
    source: SourceEntity
    addressee: SourceEntity | None
    parent: int | None


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
        if hop.source.id == IMPLICIT_ID and i != path[-1]:
            continue
        if hop.addressee is not None and hop.addressee.type == SourceType.OUTLET:
            # An outlet that was told something, and is relayed here, published it: it is a hop.
            links.append(link(hop.addressee, hop.id))
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
    for credit, entity in credits:
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
