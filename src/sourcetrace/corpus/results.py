"""What corpus queries return: pydantic models the command line prints and the web API serialises as
they are, and the error a query the store cannot answer raises. `trace`, `profiles` and `queries`
build them; import them from `sourcetrace.corpus.queries`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

#: How a report of a traced claim stands towards it.
#: independent: its chain shares no source with any earlier report (it opens a line of sourcing);
#: dependent: it shares a source with an earlier report; unknown: the claim rests on an unnamed source
#: or on no source at all, so its origin cannot be compared; disputing: it states the opposite, or its
#: source denies the claim; copy: its article copies another listed article (one source with it).
Status = Literal["independent", "dependent", "unknown", "disputing", "copy"]


#: A publication time as the article gives it: stored with no zone (DuckDB TIMESTAMP), so it is served
#: as a plain ISO 8601 string, not as an RFC 3339 `date-time`, which must carry an offset.
Published = Annotated[
    datetime | None,
    PlainSerializer(lambda value: value.isoformat() if value is not None else None, return_type=str | None),
]


class QueryError(Exception):
    """A query the store cannot answer: an unknown claim id, an empty query."""


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClaimHit(_Result):
    """One claim found by `search_claims`."""

    claim_id: str
    doc_id: str
    text: str
    outlet: str | None = None
    title: str | None = None
    published: Published = None
    innermost_name: str | None = None
    innermost_type: str | None = None
    cue: str | None = None
    score: float = Field(description="Share of the query's words the claim contains (1.0: all).")


class TraceLink(_Result):
    """One source of a report's chain, publisher first."""

    name: str
    type: str
    affiliation: str | None = None
    key: str | None = Field(
        None, description="Cross-article identity (canonical name|affiliation); null when unnamed."
    )


class TraceReport(_Result):
    """One article's report of the traced claim."""

    claim_id: str
    doc_id: str
    outlet: str | None
    title: str | None = None
    published: Published = None
    seq: int | None = Field(None, description="Ingest order, which orders undated articles.")
    text: str = Field(description="The claim as this article words it.")
    cue: str | None = None
    chain: list[TraceLink]
    status: Status
    shares_with: list[str] = Field(
        default_factory=list, description="Dependent: the earlier outlets whose chains share a source."
    )
    shared_sources: list[str] = Field(
        default_factory=list, description="Dependent: the names of the sources shared with them."
    )
    line: int | None = Field(
        None, description="Which independent line of sourcing (1, 2, ...) the report belongs to."
    )
    relation: Literal["same", "contradicts"] = Field(
        "same", description="How its claim relates to the traced one (claim_relation)."
    )
    copy_of: str | None = Field(None, description="Copy: the outlet of the article it copies.")


class Trace(_Result):
    """Who carries a claim, through which chains, and how many independent sources stand behind it."""

    query: str
    claim_id: str | None = None
    summary: str = Field(
        "", description="One line: outlets, independent sources, copies, disputing, who was first."
    )
    reports: list[TraceReport] = Field(description="In order of first appearance.")
    outlets: list[str] = Field(description="Distinct outlets carrying the claim, first appearance first.")
    first_outlet: str | None = Field(None, description="The outlet that first reported the claim.")
    first_published: Published = None
    independent_sources: int = Field(description="Independent lines of sourcing behind the claim.")
    independent_names: list[str] = Field(
        default_factory=list, description="The innermost source of each independent line."
    )
    dependent: int = 0
    unknown: int = Field(0, description="Reports resting on unnamed sources or on none.")
    disputing: int = Field(
        0, description="Reports that state the opposite, or whose source denies the claim (not both)."
    )
    copies: int = Field(0, description="Reports in copies of another listed article: never corroboration.")
    candidates: int = Field(0, description="Claims the index proposed and the matcher scored.")


class OutletProfile(_Result):
    """Sourcing figures of one outlet over its stored articles."""

    outlet: str
    articles: int
    claims: int
    words: int
    non_english_articles: int = Field(
        0, description="Articles whose text is not recognisably English: the English models read them badly."
    )
    copied_articles: int = Field(
        0, description="Articles that copy an earlier article of another source (same or near-same text)."
    )
    copied_share: float = Field(0.0, description="copied_articles / articles.")
    unattributed_share: float = Field(description="Claims that rest on the author alone (no source).")
    anonymous_share: float = Field(
        description="Claims whose innermost source is unnamed (anonymous, unnamed official, eyewitness)."
    )
    mean_chain_depth: float | None = Field(None, description="Mean number of links, publisher included.")
    loaded_language_per_1k_words: float | None = Field(
        None, description="Loaded-language spans per 1,000 words; null when no framing was stored."
    )
    techniques: dict[str, int] | None = Field(
        None, description="Framing technique counts; null when no framing was stored."
    )
    domain: str | None = None
    reliability: float | None = Field(None, description="0 unreliable .. 1 reliable, when rated.")
    reliability_label: str | None = None
