"""Trace one claim across the corpus: who carries it, through which chains, how independently.

The steps: the persisted `ClaimIndex` (MinHash LSH) proposes candidate claims; the claim matcher
scores them and `claim_relation` decides, for those it accepts and the closest others, whether each
reports the same claim, contradicts it, or states a different fact (another figure, date, place, actor
or role: those are not listed). The reports are ordered by first appearance (published date, then
ingest order) and each is given a status:

* **copy** - its article is a copy of another listed article (the same text, or a near-copy by MinHash,
  from another outlet; or its text credits that article's outlet, `(AP)`): it carries the claim but is
  the same source, so it never counts as corroboration. The original is the credited outlet's article,
  else the earliest (see `corpus/copies.py`).
* **disputing** - exactly one of: its claim contradicts the traced claim (`has not developed cracks`),
  or its cue is a denial (`denied that ...`; the polarity lexicon's denials, `data/polarity.tsv`). A
  denial of the opposite (`denied that the dam has not cracked`) supports the claim. Never corroboration.
* **unknown** - the innermost source is unnamed (anonymous, an unnamed official, eyewitnesses, a
  collective) or there is none (the author's own statement). Such a source cannot be recognised in
  another article, so the report can be neither independent nor shown to depend on another.
* **independent** - its chain shares no source with the chain of any earlier independent or dependent
  report: it opens a new line of sourcing. Independent reports therefore share no source pairwise,
  and their number is the number of independent sources behind the claim.
* **dependent** - its chain shares a source with an earlier report (the same named official, the
  same wire, or it cites the earlier outlet itself).

Sources are compared across articles by canonical name and affiliation (`sources.source_key`); an
affiliation missing on one side does not keep two mentions of one name apart, because affiliation
extraction misses often and a false "same source" only makes the count more cautious. Outlets are
compared by the outlet table's domain or their normalised name, so `The Valley Herald` publishing a
claim and `according to Valley Herald` in another article's chain are one source.

The publisher of each article is part of its chain, but two publishers are not compared with each
other: two stories of one newsroom quoting different people are two sources, while an article whose
chain runs *through* another article's publisher (`according to the Valley Herald`) depends on it.
The comparison is made against earlier reports only, and a later article's publisher counts only
when an earlier report rests on that outlet alone: that the Orvik Daily cited the Herald for the
minister's words does not make the Herald's later interview with the mayor depend on the Daily.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sourcetrace.corpus.claim_index import (
    DOCUMENT_FIELDS,
    DOCUMENT_SELECT,
    cached_store,
    load_facts,
    load_index,
    load_vectors,
    store_state,
)
from sourcetrace.corpus.results import QueryError, Status, Trace, TraceLink, TraceReport
from sourcetrace.corpus.store import is_keyed
from sourcetrace.matching import configuration, polarity

if TYPE_CHECKING:
    from sourcetrace.corpus.claim_index import StoreCache
    from sourcetrace.corpus.store import Store
    from sourcetrace.matching.stored_facts import StoredFacts
    from sourcetrace.matching.vectors import ClaimVectors

#: Most candidates scored per query. LSH may propose thousands for a sentence of common words; beyond
#: this many the scorer's time would dominate an interactive query, and the closest ones come first.
MAX_CANDIDATES = 2000
#: With the `[semantic]` extra, the matcher needs the MiniLM embedding of every candidate. Stored claims
#: have theirs in `<db>.claimvectors` (computed at ingest), so all candidates are scored and a query
#: embeds only itself. Candidates without a stored vector (a store indexed without the extra, or claims
#: added since by a read-only query) are embedded at query time, tens of milliseconds each on a CPU: of
#: those, the torch-free lexical scorer picks at most this many for the matcher; the rest are dropped.
SEMANTIC_PAIRS = 32
#: Candidates with a stored vector whose MiniLM cosine with the query is below this are not scored.
#: Most LSH candidates share words but not meaning (about 80% at 100k replicated claims), and their
#: lexical features were most of a query's time. Of the pairs the semantic scorer accepts, 1 of 3,313
#: MRPC pairs, none of 810 Emergent claim-headline pairs, none of 623 near-miss MRPC cross-pairs and
#: none of 805 matches of 60 benchmark queries have a lower cosine (at 0.40, 3 of those 805 would).
COSINE_FLOOR = 0.35

#: Publication dates of stored claims, by claim id.
DateLookup = Callable[[Sequence[str]], dict[str, date | None]]

#: Besides the candidates the matcher accepts, this many of the closest others (similarity at least
#: RELATION_FLOOR) are given to `claim_relation`: a contradiction by antonym (`rose` / `fell`) can score
#: below the matcher's threshold, and each costs a parse the first time it is seen.
RELATION_EXTRA = 8
RELATION_FLOOR = 0.2
#: At most this many candidate pairs per query are parsed for the relation (the most similar first,
#: about 2 ms each); the rest are decided without a parse (the matcher, figures and dates), so a claim
#: reported hundreds of times in near-identical words still traces in well under a second.
PARSE_LIMIT = 12

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


# ---------------------------------------------------------------------------------------- disputes


def is_dispute(cue: str | None) -> bool:
    """True when the cue denies its content (`denied`, `flatly rejected`), not `did not deny`."""
    if not cue:
        return False
    # "didn't deny" -> "did", "n't", "deny": the split-off negation is a word of its own.
    words = set(_WORD.findall(cue.lower().replace("’", "'").replace("n't", " n't")))
    if polarity.negators() & words:
        return False
    return bool(polarity.dispute_cue_forms() & words)


# --------------------------------------------------------------------------------------- identities


@dataclass(frozen=True, slots=True)
class Identity:
    """What recognises one source across articles.

    Outlets: a set of aliases (table domain, normalised name, the document's domain); two outlets are
    the same when the sets meet. Named people, organisations, documents: canonical name plus
    affiliation; an empty affiliation matches any.
    """

    kind: str
    names: frozenset[str]
    affiliation: str = ""

    def same(self, other: Identity) -> bool:
        if self.kind != other.kind or not self.names & other.names:
            return False
        return not self.affiliation or not other.affiliation or self.affiliation == other.affiliation

    @property
    def key(self) -> str:
        return f"{self.kind}:{'/'.join(sorted(self.names))}|{self.affiliation}"


def _norm(value: str | None) -> str:
    return " ".join((value or "").lower().split())


@cache
def outlet_aliases(name: str | None, domain: str | None = None) -> frozenset[str]:
    from sourcetrace.outlets.table import default_table, host_of, name_key

    aliases: set[str] = set()
    table = default_table()
    for clue in (domain, name):
        record = table.lookup(clue) if clue else None
        if record is not None:
            aliases.add(record.domain)
    if domain:
        aliases.add(host_of(domain) or domain.lower())
    if name:
        key = name_key(name).removeprefix("the ")
        if key:
            aliases.add(key)
    return frozenset(aliases)


def identity(link: dict[str, Any], source: dict[str, Any] | None, domain: str | None) -> Identity | None:
    """The cross-article identity of one chain link; None when the source is unnamed."""
    kind = link.get("type") or ""
    if kind != "outlet" and not is_keyed(link.get("name"), kind):
        return None
    if kind == "outlet":
        aliases = outlet_aliases(link.get("name"), domain)
        return Identity("outlet", aliases) if aliases else None
    key = (source or {}).get("source_key")
    if key:
        # The store's key is "name|affiliation", both lower-cased and whitespace-normalised.
        name, _, affiliation = key.rpartition("|")
        return Identity("named", frozenset({name}), affiliation) if name else None
    name = _norm(link.get("name"))
    affiliation = _norm((source or {}).get("affiliation"))
    return Identity("named", frozenset({name}), affiliation) if name else None


# ------------------------------------------------------------------------------------------ reports


@dataclass
class _Report:
    """A matched claim with what the status decision needs."""

    row: dict[str, Any]
    chain: list[dict[str, Any]]
    links: list[TraceLink]
    identities: list[Identity | None]
    relation: str = "same"  # of its claim to the traced one: same or contradicts

    @property
    def disputes(self) -> bool:
        # Exactly one: `denied that X` disputes X, `denied that not X` supports it.
        return (self.relation == "contradicts") != is_dispute(self.row["cue"])

    @property
    def publisher(self) -> Identity | None:
        return self.identities[0] if self.identities else None

    def comparable(self) -> bool:
        # The innermost source must be nameable; a chain of the publisher alone is the author's word.
        return len(self.identities) > 1 and self.identities[-1] is not None

    def shared(self, earlier: _Report) -> list[str]:
        """Names of the sources through which this report depends on an earlier one.

        A source of this report (any link after the publisher) found anywhere in the earlier chain,
        publisher included, is shared: the same person, the same wire, or the earlier outlet itself.
        This report's publisher counts only when the earlier report rests on it (its innermost link):
        an earlier article citing this outlet for someone else's words says nothing about where this
        outlet got a different source, and two publishers alone are never compared.
        """
        names: list[str] = []
        innermost = earlier.identities[-1:] if len(earlier.identities) > 1 else []
        for i, mine in enumerate(self.identities):
            if mine is None:
                continue
            against = earlier.identities if i else innermost
            if any(theirs is not None and mine.same(theirs) for theirs in against):
                names.append(self.links[i].name)
        return list(dict.fromkeys(names))


def _order_key(row: dict[str, Any]) -> tuple[int, datetime, int, int]:
    # Dated articles first, by date; ingest order breaks ties and orders the undated ones.
    published = row["published"]
    return (published is None, published or datetime.min, row["seq"] or 0, row["start"] or 0)


def _originals(reports: Sequence[_Report]) -> dict[int, _Report]:
    """For each report that is a copy (by position): the report it copies.

    Members of one copy group: the member whose outlet another member's text credits is the original,
    else the earliest (reports come in order). A report whose text credits the outlet of another listed
    report (not its own publisher) copies that report, whatever the text similarity.
    """
    copies: dict[int, _Report] = {}
    groups: dict[str, list[int]] = {}
    by_credit: dict[str, str] = {}  # two texts crediting one outlet not listed here copy one story
    for i, report in enumerate(reports):
        group = report.row.get("copy_group") or report.row["doc_id"]
        for name in (report.row.get("credit") or "").split(";"):
            if name.strip():
                group = by_credit.setdefault(name.strip().lower(), group)
        groups.setdefault(group, []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        credited = [i for i in members if any(_credits(reports[j], reports[i]) for j in members if j != i)]
        original = credited[0] if credited else members[0]
        copies.update({i: reports[original] for i in members if i != original
                       and reports[i].row["doc_id"] != reports[original].row["doc_id"]})
    for i, report in enumerate(reports):
        if i in copies:
            continue
        for j, other in enumerate(reports):
            if j != i and j not in copies and _credits(report, other):
                copies[i] = other
                break
    return copies


def _credits(report: _Report, other: _Report) -> bool:
    """`report`'s text credits `other`'s outlet (and that outlet is not its own publisher)."""
    credit = report.row.get("credit")
    if not credit or not other.row.get("outlet") or other.publisher is None:
        return False
    if report.publisher is not None and report.publisher.same(other.publisher):
        return False
    return any(outlet_aliases(name.strip()) & other.publisher.names for name in credit.split(";"))


def _assign(reports: Sequence[_Report]) -> list[TraceReport]:
    out: list[TraceReport] = []
    placed: list[tuple[_Report, int]] = []  # comparable, non-disputing reports and their line
    lines = 0
    copies = _originals(reports)
    for position, report in enumerate(reports):
        status: Status
        shares_with: list[str] = []
        shared_names: list[str] = []
        line: int | None = None
        copy_of: str | None = None
        if position in copies:
            status = "copy"
            original = copies[position]
            copy_of = original.row["outlet"] or original.row["doc_id"][:12]
        elif report.disputes:
            status = "disputing"
        elif not report.comparable():
            status = "unknown"
        else:
            for earlier, earlier_line in placed:
                names = report.shared(earlier)
                if names:
                    line = earlier_line if line is None else line
                    shares_with.append(earlier.row["outlet"] or earlier.row["doc_id"][:12])
                    shared_names.extend(names)
            if line is None:
                lines += 1
                line, status = lines, "independent"
            else:
                status = "dependent"
            placed.append((report, line))
        row = report.row
        out.append(
            TraceReport(
                claim_id=row["claim_id"], doc_id=row["doc_id"], outlet=row["outlet"], title=row["title"],
                published=row["published"], seq=row["seq"], text=row["text"], cue=row["cue"],
                chain=report.links, status=status, shares_with=list(dict.fromkeys(shares_with)),
                shared_sources=list(dict.fromkeys(shared_names)), line=line, relation=report.relation,
                copy_of=copy_of,
            )
        )
    return out


def _summary(query: str, claim_id: str | None, reports: list[TraceReport], candidates: int) -> Trace:
    supporting = [r for r in reports if r.status != "disputing"]
    first = (supporting or reports or [None])[0]
    independent = [r for r in reports if r.status == "independent"]
    outlets = list(dict.fromkeys(r.outlet for r in reports if r.outlet))
    copies = sum(r.status == "copy" for r in reports)
    disputing = sum(r.status == "disputing" for r in reports)
    return Trace(
        summary=summary_line(len(outlets), len(independent), copies, disputing, first),
        query=query,
        claim_id=claim_id,
        reports=reports,
        outlets=outlets,
        first_outlet=first.outlet if first else None,
        first_published=first.published if first else None,
        independent_sources=len(independent),
        independent_names=[r.chain[-1].name for r in independent],
        dependent=sum(r.status == "dependent" for r in reports),
        unknown=sum(r.status == "unknown" for r in reports),
        disputing=disputing,
        copies=copies,
        candidates=candidates,
    )


def summary_line(
    outlets: int, independent: int, copies: int, disputing: int, first: TraceReport | None
) -> str:
    """`4 outlets · 2 independent sources · 1 copy · 1 disputing · first: Harbour Courier, 2026-03-02`."""

    def count(n: int, word: str, plural: str | None = None) -> str:
        return f"{n} {word if n == 1 else plural or word + 's'}"

    parts = [count(outlets, "outlet"), count(independent, "independent source"),
             count(copies, "copy", "copies"), f"{disputing} disputing"]
    if first is not None:
        when = f", {first.published.date().isoformat()}" if first.published else ""
        parts.append(f"first: {first.outlet or first.doc_id[:12]}{when}")
    return " · ".join(parts)


# -------------------------------------------------------------------------------------------- query


def decide(
    query: str, candidates: Sequence[tuple[str, str]], matcher: str | None = None,
    vectors: ClaimVectors | None = None, dates: DateLookup | None = None, query_date: date | None = None,
    facts: StoredFacts | None = None, query_key: str | None = None,
) -> dict[str, str]:
    """The relation ("same" or "contradicts") of each candidate (key, text) that reports the traced
    claim or its opposite; candidates stating a different fact are left out.

    `matcher` None is the configured matcher (`SOURCETRACE_MATCHING`, lexical by default);
    "lexical" or "semantic" picks one, e.g. to compare their speed. `vectors`: the stored claims'
    sentence embeddings, by key (semantic only). `dates`: the publication dates of candidates by key
    and `query_date` the query's, so that `on Sunday` is compared as the day it was. `facts`: the
    stored claims' parsed facts, by key, and `query_key` the query's own key when it is a stored claim:
    those claims are not parsed again.
    """
    import numpy as np

    from sourcetrace.matching.model import LEXICAL, default_embedder, default_matcher
    from sourcetrace.matching.relation import explain_pairs

    if not candidates:
        return {}
    scorer = default_matcher(matcher)
    known: dict[str, np.ndarray] = {}
    if scorer.name != LEXICAL:
        candidates, known = _semantic_shortlist(query, candidates, vectors, default_embedder)
    similarity, same = scorer.scores([(query, t) for _, t in candidates], known)
    ranked = [int(i) for i in np.argsort(-similarity, kind="stable")]
    chosen = [i for i in ranked if same[i]]
    chosen += [i for i in ranked if not same[i] and similarity[i] >= RELATION_FLOOR][:RELATION_EXTRA]
    published = dates([candidates[i][0] for i in chosen]) if dates is not None else {}
    keys_by_text = {candidates[i][1]: candidates[i][0] for i in chosen}
    if query_key is not None:
        keys_by_text[query] = query_key
    relations = explain_pairs(
        [(query, candidates[i][1]) for i in chosen], [bool(same[i]) for i in chosen], PARSE_LIMIT,
        [(query_date, published.get(candidates[i][0])) for i in chosen],
        facts.by_text(keys_by_text) if facts is not None else None,
    )
    return {candidates[i][0]: r.relation for i, r in zip(chosen, relations, strict=True)
            if r.relation != "different"}


def _semantic_shortlist(
    query: str, candidates: Sequence[tuple[str, str]], vectors: ClaimVectors | None, embedder: Any
) -> tuple[list[tuple[str, str]], dict[str, Any]]:
    """Candidates worth the semantic scorer, and the stored vectors it can reuse, by text."""
    import numpy as np

    from sourcetrace.matching.model import LEXICAL, default_matcher

    stored = vectors.lookup(k for k, _ in candidates) if vectors is not None else {}
    keep: set[str] = set()
    if stored:
        query_vector = embedder().encode([query])[0]  # cached: the scorer reuses it
        keep = {k for k, v in stored.items() if float(v @ query_vector) >= COSINE_FLOOR}
    unknown = [(k, t) for k, t in candidates if k not in stored]
    if len(unknown) > SEMANTIC_PAIRS:
        lexical = default_matcher(LEXICAL).similarity([(query, t) for _, t in unknown])
        keep |= {unknown[i][0] for i in np.argsort(-lexical, kind="stable")[:SEMANTIC_PAIRS]}
    else:
        keep |= {k for k, _ in unknown}
    shortlist = [(k, t) for k, t in candidates if k in keep]
    # Stored vectors are keyed by claim; the scorer takes them by text (equal texts embed equally).
    return shortlist, {t: stored[k] for k, t in shortlist if k in stored}


_CLAIM_COLUMNS = ("claim_id", "doc_id", "text", "start", "chain", "cue", *DOCUMENT_FIELDS)


#: Up to this many ids, a lookup lists them as parameters, which DuckDB answers from the primary-key
#: index; longer lists are joined against an unnested array, one scan of the table.
_INDEXED_LOOKUP = 200


def _select_in(store: Store, select: str, column: str, values: Sequence[str]) -> list[tuple[Any, ...]]:
    if not values:
        return []
    ids = list(values)
    if len(ids) <= _INDEXED_LOOKUP:
        where, params = f"{column} IN ({', '.join('?' * len(ids))})", ids
    else:
        where, params = f"{column} IN (SELECT unnest(CAST(? AS VARCHAR[])))", [ids]
    return store.con.execute(f"{select} WHERE {where}", params).fetchall()  # noqa: S608 - placeholders


def _claim_rows(
    store: Store, claim_ids: Sequence[str], cache: StoreCache | None = None
) -> list[dict[str, Any]]:
    # Two indexed lookups, not a join: DuckDB plans the join as a hash join over all documents, which
    # at 100k claims costs ten times the two point lookups. A warm process has the documents at hand.
    claims = _select_in(
        store, "SELECT claim_id, doc_id, text, start, chain, cue FROM claims", "claim_id", claim_ids
    )
    docs = cache.documents if cache is not None else {
        r[0]: r[1:]
        for r in _select_in(store, DOCUMENT_SELECT, "doc_id", list(dict.fromkeys(c[1] for c in claims)))
    }
    return [
        dict(zip(_CLAIM_COLUMNS, (*c, *docs.get(c[1], (None,) * len(DOCUMENT_FIELDS))), strict=True))
        for c in claims
    ]


def _one_per_document(
    rows: list[dict[str, Any]], relations: dict[str, str], anchor: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """One report per article: a headline and a body sentence of one story are one report of it.

    The traced claim itself wins in its article; otherwise a report of the same claim over one of its
    opposite, then one resting on a named source over one resting on the author or an unnamed source,
    then the longest chain (the most said about where it came from), then the first in the text."""
    best: dict[str, dict[str, Any]] = {}

    def rank(row: dict[str, Any]) -> tuple[bool, bool, bool, int, int]:
        chain = row["chain"]
        links = json.loads(chain) if isinstance(chain, str) else list(chain or [])
        is_anchor = anchor is not None and row["claim_id"] == anchor["claim_id"]
        unnamed = len(links) < 2 or not is_keyed(links[-1].get("name"), links[-1].get("type") or "")
        return (not is_anchor, relations[row["claim_id"]] != "same", unnamed, -len(links), row["start"] or 0)

    ranks = {row["claim_id"]: rank(row) for row in rows}  # each chain parsed once
    for row in rows:
        kept = best.get(row["doc_id"])
        if kept is None or ranks[row["claim_id"]] < ranks[kept["claim_id"]]:
            best[row["doc_id"]] = row
    return list(best.values())


def _dates(
    store: Store, claim_ids: Sequence[str], cache: StoreCache | None = None
) -> dict[str, date | None]:
    """Publication date of each claim's document."""
    if cache is not None:
        published = DOCUMENT_FIELDS.index("published")
        found = [(k, cache.documents.get(cache.doc_ids.get(k, ""))) for k in claim_ids]
        rows = [(k, doc[published]) for k, doc in found if doc is not None]
    else:
        rows = _select_in(
            store, "SELECT c.claim_id, d.published FROM claims c JOIN documents d USING (doc_id)",
            "c.claim_id", claim_ids,
        )
    return {r[0]: r[1].date() if r[1] else None for r in rows}


def _sources(store: Store, doc_ids: Sequence[str]) -> dict[tuple[str, str], dict[str, Any]]:
    select = "SELECT doc_id, source_id, affiliation, source_key FROM sources"
    rows = _select_in(store, select, "doc_id", doc_ids)
    return {(r[0], r[1]): {"affiliation": r[2], "source_key": r[3]} for r in rows}


def _report(
    row: dict[str, Any], sources: dict[tuple[str, str], dict[str, Any]], relation: str = "same"
) -> _Report:
    chain = row["chain"]
    links_json: list[dict[str, Any]] = json.loads(chain) if isinstance(chain, str) else list(chain or [])
    links: list[TraceLink] = []
    identities: list[Identity | None] = []
    for i, link in enumerate(links_json):
        source = sources.get((row["doc_id"], link.get("source_id") or ""))
        # Only the publisher link is the document's own outlet, so only it borrows the document domain.
        ident = identity(link, source, row["domain"] if i == 0 else None)
        identities.append(ident)
        links.append(
            TraceLink(
                name=link.get("name") or "", type=link.get("type") or "",
                affiliation=(source or {}).get("affiliation"), key=ident.key if ident else None,
            )
        )
    return _Report(row=row, chain=links_json, links=links, identities=identities, relation=relation)


def trace(
    store: Store, claim_id: str | None = None, text: str | None = None, *, matcher: str | None = None
) -> Trace:
    """The reports of one claim across the corpus, by a stored claim's id or by free text.

    `matcher`: None uses the configured matcher; "lexical" / "semantic" force one scorer.
    """
    from sourcetrace.matching.model import SEMANTIC

    if (claim_id is None) == (text is None):
        raise QueryError("give either a claim id or a claim text")
    state = store_state(store)
    cache = cached_store(store, state)
    anchor: dict[str, Any] | None = None
    if claim_id is not None:
        found = _claim_rows(store, [claim_id], cache)
        if not found:
            raise QueryError(f"no claim with id {claim_id!r} in the store")
        anchor = found[0]
        query = anchor["text"]
    else:
        query = (text or "").strip()
        if not query:
            raise QueryError("the claim text is empty")

    index = load_index(store, state)
    keys = [k for k in index.candidates(query, limit=MAX_CANDIDATES + 1) if k != claim_id][:MAX_CANDIDATES]
    if cache is None:
        rows = _claim_rows(store, keys)
        candidates = {r["claim_id"]: r["text"] for r in rows}
    else:
        candidates = {k: cache.texts[k] for k in keys if k in cache.texts}
    norm_query = _norm(query)
    # Texts equal up to case and spacing need no scorer; the rest are decided by claim_relation.
    relations = {k: "same" for k, t in candidates.items() if _norm(t) == norm_query}
    to_score = [(k, t) for k, t in candidates.items() if k not in relations]
    vectors = load_vectors(store) if (matcher or configuration()) == SEMANTIC else None
    anchor_date = anchor["published"].date() if anchor is not None and anchor["published"] else None
    relations |= decide(
        query, to_score, matcher, vectors, lambda keys: _dates(store, keys, cache), anchor_date,
        load_facts(store), claim_id,
    )
    if cache is None:
        matched = [r for r in rows if r["claim_id"] in relations]
    else:
        matched = _claim_rows(store, sorted(relations), cache)
    if anchor is not None:
        matched.append(anchor)
        relations[anchor["claim_id"]] = "same"
    matched = _one_per_document(matched, relations, anchor)
    matched.sort(key=_order_key)
    sources = _sources(store, list(dict.fromkeys(r["doc_id"] for r in matched)))
    reports = [_report(r, sources, relations[r["claim_id"]]) for r in matched]
    return _summary(query, claim_id, _assign(reports), candidates=len(candidates))
