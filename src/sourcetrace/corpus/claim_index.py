"""The persisted claim index next to the store: `<db>.claimindex` plus `<db>.claimindex.json`.

`sourcetrace.matching.ClaimIndex` (MinHash LSH) proposes the candidate claims a trace scores. Building
it for 100k claims takes far longer than a query may, so it lives on disk beside the DuckDB file and is
brought up to date at the end of each `corpus ingest` (`update_index`), adding only the claims of
documents ingested since (their `seq` is above the one recorded in the sidecar JSON). When the claim
count recorded there disagrees with the store (a store edited by other means, an index from another
store), the index is rebuilt from scratch, so a stale index never silently hides claims.

With the `[semantic]` extra, `<db>.claimvectors` holds the MiniLM sentence embedding of every indexed
claim (`sourcetrace.matching.ClaimVectors`), so a trace embeds only its query. The ingest workers embed
each claim they analyse (the store's `claim_vectors` table); the index update copies those vectors
and embeds only claims stored without one. The sidecar names the embedding model when the vectors
cover the same claims as the index. A query never embeds the whole store: a store indexed without the
extra gets its vectors at the next `corpus ingest` or `corpus index`, and until then a trace embeds its
best candidates itself.

`<db>.claimfacts` holds the parsed facts of every indexed claim (`matching.stored_facts`), so
deciding a trace's closest candidates parses only its query. Like the vectors, they are made when
claims are indexed (`corpus ingest`, `corpus index`: about 2.5 ms a claim); a query adds only the
facts of claims indexed since, never those of a whole store, and until a store has them a trace
parses its candidates itself. The sidecar records their fingerprint (`relation.facts_fingerprint`);
facts of another one are parsed again at the next `corpus ingest` or `corpus index`.

All files are written under temporary names and renamed, the sidecar last: a crash in between leaves
an older sidecar whose counts disagree, which triggers a rebuild, never a wrong answer.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sourcetrace.errors import InputError
from sourcetrace.matching import ClaimIndex

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sourcetrace.corpus.store import Store
    from sourcetrace.matching import ClaimIndex
    from sourcetrace.matching.stored_facts import StoredFacts
    from sourcetrace.matching.vectors import ClaimVectors

T = TypeVar("T")

SUFFIX = ".claimindex"
VECTORS_SUFFIX = ".claimvectors"
FACTS_SUFFIX = ".claimfacts"
#: Claims fetched per round trip while building; bounds memory on large stores.
_FETCH = 50_000


def index_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def meta_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX + ".json")


def vectors_path(db: Path) -> Path:
    return db.with_name(db.name + VECTORS_SUFFIX)


def facts_path(db: Path) -> Path:
    return db.with_name(db.name + FACTS_SUFFIX)


@dataclass(frozen=True, slots=True)
class IndexState:
    """What the index on disk covers: documents up to `seq`, `claims` claims in all."""

    seq: int
    claims: int


def _read_meta(db: Path) -> dict[str, Any]:
    try:
        data = json.loads(meta_path(db).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_state(db: Path) -> IndexState | None:
    data = _read_meta(db)
    try:
        return IndexState(seq=int(data["seq"]), claims=int(data["claims"]))
    except (KeyError, TypeError, ValueError):
        return None


def vector_model() -> str | None:
    """The embedding model whose vectors the scorer uses, or None unless the semantic matcher is
    selected ($SOURCETRACE_MATCHING=semantic, with the `[semantic]` extra)."""
    from sourcetrace.matching import configuration, semantic

    return semantic.MODEL_NAME if configuration() == "semantic" else None


def store_state(store: Store) -> IndexState:
    """What the index must cover now: the highest ingest `seq` and the number of claims."""
    row = store.con.execute(
        "SELECT coalesce((SELECT max(seq) FROM documents), 0), (SELECT count(*) FROM claims)"
    ).fetchone()
    return IndexState(seq=int(row[0]), claims=int(row[1])) if row else IndexState(0, 0)


@dataclass(frozen=True, slots=True)
class StoredClaim:
    claim_id: str
    text: str
    codes: bytes | None  # its vector of the model asked for, as the worker stored it, if any
    scale: float | None


def _claim_batches(store: Store, after_seq: int, model: str | None) -> Iterator[list[StoredClaim]]:
    # The loader stores at most one vector row per claim (it is keyed, like the claim, by document).
    # A store made before the table existed, opened read-only, does not have it.
    joined = model is not None and _has_table(store, "claim_vectors")
    vector_columns = "v.codes, v.scale" if joined else "NULL, NULL"
    join = "LEFT JOIN claim_vectors v ON v.claim_id = c.claim_id AND v.model = ?" if joined else ""
    cursor = store.con.cursor()
    cursor.execute(
        f"""
        SELECT c.claim_id, c.text, {vector_columns} FROM claims c JOIN documents d USING (doc_id) {join}
        WHERE d.seq > ? ORDER BY d.seq, c.start
        """,  # noqa: S608 - fixed fragments only
        [model, after_seq] if joined else [after_seq],
    )
    try:
        while batch := cursor.fetchmany(_FETCH):
            yield [StoredClaim(*row) for row in batch]
    finally:
        cursor.close()


def _has_table(store: Store, name: str) -> bool:
    return bool(store.run("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]))


def _add_vectors(vectors: ClaimVectors, batch: list[StoredClaim]) -> None:
    """Copy the vectors the workers computed; embed here only claims stored without one (ingested
    without the extra, or by a worker that lacked it)."""
    import numpy as np

    from sourcetrace.matching.model import default_embedder

    fresh = [c for c in batch if c.claim_id not in vectors]
    stored = [c for c in fresh if c.codes is not None and len(c.codes) == vectors.dim]
    if stored:
        codes = np.frombuffer(b"".join(c.codes or b"" for c in stored), dtype=np.int8)
        vectors.add_codes(
            [c.claim_id for c in stored], codes.reshape(len(stored), vectors.dim),
            np.array([c.scale for c in stored], dtype=np.float32),
        )
    missing = [c for c in fresh if c.claim_id not in vectors]
    if missing:
        vectors.add([c.claim_id for c in missing], default_embedder().embed([c.text for c in missing]))


def _add_facts(facts: StoredFacts, batch: list[StoredClaim]) -> None:
    """Parse the claims not stored yet; equal texts are parsed once."""
    from sourcetrace.matching.relation import facts_of

    fresh = [c for c in batch if c.claim_id not in facts]
    parsed = facts_of([c.text for c in fresh])
    facts.add([c.claim_id for c in fresh], [parsed[c.text] for c in fresh])


def _add_claims(
    store: Store, index: ClaimIndex | None, vectors: ClaimVectors | None, after_seq: int,
    facts: StoredFacts | None = None,
) -> int:
    """Add the claims of documents after `after_seq` to the index, the vectors and/or the facts;
    returns the count."""
    added = 0
    for batch in _claim_batches(store, after_seq, vectors.model if vectors is not None else None):
        # Counted as fetched, not as indexed: a claim without content words is fetched but not indexed,
        # and the sidecar compares this count with the store's.
        if index is not None:
            index.add_many([(c.claim_id, c.text) for c in batch])
        if vectors is not None:
            _add_vectors(vectors, batch)
        if facts is not None:
            _add_facts(facts, batch)
        added += len(batch)
    return added


def _new_vectors(model: str) -> ClaimVectors:
    from sourcetrace.matching.semantic import DIM
    from sourcetrace.matching.vectors import ClaimVectors

    return ClaimVectors(model, DIM)


def _vectors_described(db: Path, model: str | None) -> bool:
    """True when the sidecar says the vectors beside `db` cover the index and are of `model`."""
    return model is not None and _read_meta(db).get("vectors") == model


def _read_vectors(path: Path, model: str) -> ClaimVectors | None:
    """The vectors at `path` if readable and of `model`, else None (they are then rebuilt)."""
    from sourcetrace.matching.vectors import ClaimVectors

    if not path.is_file():
        return None
    try:
        vectors = ClaimVectors.load(path)
    except InputError:
        return None
    return vectors if vectors.model == model else None


def _load_vectors(db: Path, model: str | None) -> ClaimVectors | None:
    if model is None or not _vectors_described(db, model):
        return None
    return _read_vectors(vectors_path(db), model)


def _new_facts() -> StoredFacts:
    from sourcetrace.matching.relation import facts_fingerprint
    from sourcetrace.matching.stored_facts import StoredFacts

    return StoredFacts(facts_fingerprint())


def _facts_described(db: Path) -> bool:
    """True when the sidecar says the facts beside `db` cover the index under today's fingerprint."""
    from sourcetrace.matching.relation import facts_fingerprint

    recorded = _read_meta(db).get("facts")
    return recorded is not None and recorded == facts_fingerprint()


def _read_facts(path: Path) -> StoredFacts | None:
    """The facts at `path` if readable and of today's fingerprint, else None (they are then rebuilt)."""
    from sourcetrace.matching.relation import facts_fingerprint
    from sourcetrace.matching.stored_facts import StoredFacts

    if not path.is_file():
        return None
    try:
        facts = StoredFacts.load(path)
    except InputError:
        return None
    return facts if facts.fingerprint == facts_fingerprint() else None


def _load_facts(db: Path) -> StoredFacts | None:
    return _read_facts(facts_path(db)) if _facts_described(db) else None


def _save(
    index: ClaimIndex, vectors: ClaimVectors | None, db: Path, state: IndexState,
    facts: StoredFacts | None = None,
) -> None:
    index.save(index_path(db))  # atomic by itself
    if vectors is not None:
        vectors.save(vectors_path(db))
    if facts is not None:
        facts.save(facts_path(db))
    meta = meta_path(db)
    meta_tmp = meta.with_name(meta.name + ".tmp")
    sidecar = {"seq": state.seq, "claims": state.claims, "vectors": vectors.model if vectors else None,
               "facts": facts.fingerprint if facts else None}
    meta_tmp.write_text(json.dumps(sidecar), encoding="utf-8")
    os.replace(meta_tmp, meta)


def _load(path: Path) -> ClaimIndex | None:
    """The index at `path`, or None when it is missing or unreadable (it is then rebuilt)."""
    if not path.is_file():
        return None
    try:
        return ClaimIndex.load(path)
    except InputError:
        return None


def update_index(store: Store, *, save: bool = True, embed_all: bool = True) -> tuple[ClaimIndex, int]:
    """Bring the index, the facts (and, with the extra, the vectors) beside the store up to date.

    Returns the index and how many claims were added. `embed_all` False (the query path) embeds and
    parses only the new claims of vectors and facts that already exist: embedding or parsing a whole
    store is for ingest, not a query.
    """
    db = store.path
    have = read_state(db)
    want = store_state(store)
    model = vector_model()
    index = _load(index_path(db)) if have is not None and have.seq <= want.seq else None
    vectors = _load_vectors(db, model) if index is not None else None
    facts = _load_facts(db) if index is not None else None
    missing_vectors = model is not None and vectors is None and embed_all
    missing_facts = facts is None and embed_all
    added = 0
    if index is not None and have is not None and have != want:
        added = _add_claims(store, index, vectors, have.seq, facts)
        if have.claims + added != want.claims:
            index = None  # the counts disagree: rebuild rather than trust it
    elif index is not None and have == want and not missing_vectors and not missing_facts:
        return index, 0
    if index is None:
        index, vectors = ClaimIndex(), _new_vectors(model) if model and embed_all else None
        facts = _new_facts() if embed_all else None
        added = _add_claims(store, index, vectors, 0, facts)
    elif missing_vectors or missing_facts:
        # Only what is missing is made from every claim; what exists is already up to date.
        vectors = _new_vectors(model) if missing_vectors and model is not None else vectors
        facts = _new_facts() if missing_facts else facts
        _add_claims(store, None, vectors if missing_vectors else None, 0, facts if missing_facts else None)
    if save:
        _save(index, vectors, db, want, facts)
    return index, added


def build_index(store: Store) -> int:
    """Rebuild the index, the facts (and the vectors, with the extra) from every stored claim and save
    them.

    Returns the number of claims indexed.
    """
    model = vector_model()
    index, vectors, facts = ClaimIndex(), _new_vectors(model) if model else None, _new_facts()
    added = _add_claims(store, index, vectors, 0, facts)
    _save(index, vectors, store.path, store_state(store), facts)
    return added


#: Loaded indexes and vectors by file, with the file's (mtime, size) when loaded: a warm process (the
#: web API, a benchmark) loads each file once and reloads it only when ingest has replaced it.
_LOADED: dict[Path, tuple[tuple[int, int], Any]] = {}


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _cached(path: Path, load: Callable[[Path], T | None]) -> T | None:
    """`load(path)` once per version of the file in this process; None (not cached) when it fails."""
    if not path.is_file():
        return None
    signature = _signature(path)
    cached = _LOADED.get(path)
    if cached is not None and cached[0] == signature:
        return cached[1]
    value = load(path)
    if value is not None:
        _LOADED[path] = (signature, value)
    return value


def load_index(store: Store, state: IndexState | None = None) -> ClaimIndex:
    """The store's claim index, from the process cache or disk; brought up to date when stale.

    A read-only store's directory may be writable or not: an updated index is saved when it can be
    and otherwise just used, so a query never fails because the index could not be written.
    """
    db = store.path.resolve()
    path = index_path(db)
    if read_state(db) == (state or store_state(store)):
        index = _cached(path, _load)
        if index is not None:
            return index
    try:
        index, _ = update_index(store, save=True, embed_all=False)
    except OSError:
        return update_index(store, save=False, embed_all=False)[0]
    _LOADED[path] = (_signature(path), index)
    return index


#: Claim texts held in memory by a process that traces the same store more than once (a web server,
#: a notebook, the benchmark): scoring candidates then needs no database round trip, which at 100k
#: claims costs about 60 us per candidate. A one-off command line query skips the load. Above this
#: many claims the texts (~300 bytes each in Python) are not cached.
TEXT_CACHE_MAX_CLAIMS = 2_000_000
#: What a trace reads of each document, in this order (the copy group defaults to the document).
DOCUMENT_FIELDS = ("outlet", "domain", "title", "published", "seq", "copy_group", "credit")
DOCUMENT_SELECT = (
    "SELECT doc_id, outlet, domain, title, published, seq, coalesce(copy_group, doc_id), credit "
    "FROM documents"
)


@dataclass(frozen=True, slots=True)
class StoreCache:
    """The claims' texts and documents, held by a warm process: a trace then looks up candidates' texts
    and publication dates without a query (a lookup joining claims to documents cost ~10 ms)."""

    texts: dict[str, str]  # claim_id -> text
    doc_ids: dict[str, str]  # claim_id -> doc_id
    documents: dict[str, tuple[Any, ...]]  # doc_id -> DOCUMENT_FIELDS


_CACHES: dict[Path, tuple[IndexState, StoreCache]] = {}
_QUERIES: dict[Path, int] = {}


def cached_store(store: Store, state: IndexState | None = None) -> StoreCache | None:
    """The store's claims and documents, from the second query of a process on; else None."""
    db = store.path.resolve()
    state = state or store_state(store)
    cached = _CACHES.get(db)
    if cached is not None and cached[0] == state:
        return cached[1]
    _QUERIES[db] = _QUERIES.get(db, 0) + 1
    if _QUERIES[db] < 2 or state.claims > TEXT_CACHE_MAX_CLAIMS:
        return None
    documents: dict[str, tuple[Any, ...]] = {
        row[0]: row[1:] for row in store.con.execute(DOCUMENT_SELECT).fetchall()
    }
    # One doc id string per document, not one per claim.
    one_id = {doc_id: doc_id for doc_id in documents}
    texts: dict[str, str] = {}
    doc_ids: dict[str, str] = {}
    for claim_id, text, doc_id in store.con.execute("SELECT claim_id, text, doc_id FROM claims").fetchall():
        texts[claim_id] = text
        doc_ids[claim_id] = one_id.get(doc_id, doc_id)
    cache = StoreCache(texts, doc_ids, documents)
    _CACHES[db] = (state, cache)
    return cache


def load_vectors(store: Store) -> ClaimVectors | None:
    """The stored claim vectors (cached per process like the index), or None when there are none."""
    db = store.path.resolve()
    model = vector_model()
    if model is None or not _vectors_described(db, model):
        return None
    return _cached(vectors_path(db), lambda path: _read_vectors(path, model))


def load_facts(store: Store) -> StoredFacts | None:
    """The stored claim facts (cached per process like the index), or None when there are none."""
    db = store.path.resolve()
    if not _facts_described(db):
        return None
    return _cached(facts_path(db), _read_facts)
