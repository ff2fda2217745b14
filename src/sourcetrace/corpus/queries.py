"""The read side of the corpus store: find claims, trace one claim across outlets, profile outlets.

Every function takes an open `Store` (read-only is enough) and returns pydantic models, so the command
line prints them and the web API serialises them as they are. The work is split over three modules:
`trace` (corroboration of one claim), `profiles` (per-outlet sourcing figures) and this one (claim
search); the result models are in `results`. Import the public names from here.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sourcetrace.corpus.store import Store

from sourcetrace.corpus.profiles import outlet_profiles
from sourcetrace.corpus.results import (
    ClaimHit,
    OutletProfile,
    QueryError,
    Status,
    Trace,
    TraceLink,
    TraceReport,
)
from sourcetrace.corpus.trace import trace

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
