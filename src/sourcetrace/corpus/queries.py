"""The read side of the corpus store: find claims, trace one claim across outlets, profile outlets.

Every function takes an open `Store` (read-only is enough) and returns pydantic models, so the command
line prints them and the web API serialises them as they are. The work is split over three modules:
`trace` (corroboration of one claim), `profiles` (per-outlet sourcing figures) and this one (claim
search and the shared result models); import the public names from here.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from sourcetrace.corpus.store import Store

#: How a report of a traced claim stands towards it.
#: independent: its chain shares no source with any earlier report (it opens a line of sourcing);
#: dependent: it shares a source with an earlier report; unknown: the claim rests on an unnamed source
#: or on no source at all, so its origin cannot be compared; disputing: it states the opposite, or its
#: source denies the claim; copy: its article copies another listed article (one source with it).
Status = Literal["independent", "dependent", "unknown", "disputing", "copy"]


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
    published: datetime | None = None
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
    published: datetime | None = None
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
    first_published: datetime | None = None
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


# --------------------------------------------------------------------------------------------- search

_WORD = re.compile(r"[^\W_]+")
#: Words too common to tell claims apart; a query made only of them searches for them anyway.
_STOP = frozenset(
    """a an the of to in on at for by with from and or but as is are was were be been has have had it
    its this that these those""".split()
)


def query_words(q: str) -> list[str]:
    words = [w.lower() for w in _WORD.findall(q)]
    content = [w for w in words if w not in _STOP]
    return list(dict.fromkeys(content or words))


def search_claims(store: Store, q: str, limit: int = 50) -> list[ClaimHit]:
    """Claims containing the query's words, most words first, then the phrase, then newest.

    DuckDB's full-text extension is not bundled (it would be downloaded at run time), so this is a
    word match: each query word must match a whole word of the claim, case-insensitively. It scans
    the claims table: about 0.1-0.3 s for 100k claims on the shared 2-core test machine
    (benchmarks/corpus_queries.py), fine for a search box; use `trace` for corroboration.
    """
    words = query_words(q)
    if not words:
        raise QueryError("the search query has no words")
    if limit < 1:
        raise QueryError("limit must be at least 1")
    # A cheap case-insensitive substring test picks the rows (words are letters and digits only, so
    # they need no escaping for ILIKE); the word-boundary regular expressions then count only on those
    # rows, so `wal` does not find `wall`.
    patterns = [rf"\b{re.escape(w)}\b" for w in words]
    prefilter = " OR ".join("text ILIKE ?" for _ in words)
    hits = " + ".join("CAST(regexp_matches(text, ?, 'i') AS INTEGER)" for _ in patterns)
    phrase = " ".join(words)
    sql = f"""
        WITH found AS (
            SELECT claim_id, doc_id, text, innermost_name, innermost_type, cue, start,
                   ({hits}) AS n, CAST(contains(lower(text), ?) AS INTEGER) AS phrase
            FROM claims WHERE {prefilter}
        )
        SELECT t.claim_id, t.doc_id, t.text, d.outlet, d.title, d.published, t.innermost_name,
               t.innermost_type, t.cue, t.n
        FROM found t JOIN documents d USING (doc_id)
        WHERE t.n > 0
        ORDER BY t.n DESC, t.phrase DESC, d.published DESC NULLS LAST, d.seq DESC, t.start
        LIMIT ?
    """  # noqa: S608 - only placeholders are interpolated
    params = [*patterns, phrase, *(f"%{w}%" for w in words), limit]
    rows = store.con.execute(sql, params).fetchall()
    return [
        ClaimHit(
            claim_id=r[0], doc_id=r[1], text=r[2], outlet=r[3], title=r[4], published=r[5],
            innermost_name=r[6], innermost_type=r[7], cue=r[8], score=round(r[9] / len(words), 4),
        )
        for r in rows
    ]


# ------------------------------------------------------------------------------------ re-exports


def trace(
    store: Store, claim_id: str | None = None, text: str | None = None, *, matcher: str | None = None
) -> Trace:
    """See `sourcetrace.corpus.trace.trace`."""
    from sourcetrace.corpus.trace import trace as _trace

    return _trace(store, claim_id=claim_id, text=text, matcher=matcher)


def outlet_profiles(store: Store) -> list[OutletProfile]:
    """See `sourcetrace.corpus.profiles.outlet_profiles`."""
    from sourcetrace.corpus.profiles import outlet_profiles as _profiles

    return _profiles(store)


__all__ = [
    "ClaimHit",
    "OutletProfile",
    "QueryError",
    "Status",
    "Trace",
    "TraceLink",
    "TraceReport",
    "outlet_profiles",
    "search_claims",
    "trace",
]
