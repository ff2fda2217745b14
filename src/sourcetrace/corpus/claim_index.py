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

All files are written under temporary names and renamed, the sidecar last: a crash in between leaves
an older sidecar whose counts disagree, which triggers a rebuild, never a wrong answer.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sourcetrace.corpus.store import Store
    from sourcetrace.matching import ClaimIndex
    from sourcetrace.matching.vectors import ClaimVectors

T = TypeVar("T")

SUFFIX = ".claimindex"
VECTORS_SUFFIX = ".claimvectors"
#: Claims fetched per round trip while building; bounds memory on large stores.
_FETCH = 50_000


def index_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX)


def meta_path(db: Path) -> Path:
    return db.with_name(db.name + SUFFIX + ".json")


def vectors_path(db: Path) -> Path:
    return db.with_name(db.name + VECTORS_SUFFIX)


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
    """The embedding model whose vectors the scorer uses, or None without the `[semantic]` extra."""
    from sourcetrace.matching import semantic

    return semantic.MODEL_NAME if semantic.available() else None


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


def _add_claims(
    store: Store, index: ClaimIndex | None, vectors: ClaimVectors | None, after_seq: int
) -> int:
    """Add the claims of documents after `after_seq` to the index and/or the vectors; returns the count."""
    added = 0
    for batch in _claim_batches(store, after_seq, vectors.model if vectors is not None else None):
        # Counted as fetched, not as indexed: a claim without content words is fetched but not indexed,
        # and the sidecar compares this count with the store's.
        if index is not None:
            index.add_many([(c.claim_id, c.text) for c in batch])
        if vectors is not None:
            _add_vectors(vectors, batch)
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
    from sourcetrace.errors import InputError
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


def _save(index: ClaimIndex, vectors: ClaimVectors | None, db: Path, state: IndexState) -> None:
    index.save(index_path(db))  # atomic by itself
    if vectors is not None:
        vectors.save(vectors_path(db))
    meta = meta_path(db)
    meta_tmp = meta.with_name(meta.name + ".tmp")
    sidecar = {"seq": state.seq, "claims": state.claims, "vectors": vectors.model if vectors else None}
    meta_tmp.write_text(json.dumps(sidecar), encoding="utf-8")
    os.replace(meta_tmp, meta)


def _load(path: Path) -> ClaimIndex | None:
    """The index at `path`, or None when it is missing or unreadable (it is then rebuilt)."""
    from sourcetrace.errors import InputError
    from sourcetrace.matching import ClaimIndex

    if not path.is_file():
        return None
    try:
        return ClaimIndex.load(path)
    except InputError:
        return None


def update_index(store: Store, *, save: bool = True, embed_all: bool = True) -> tuple[ClaimIndex, int]:
    """Bring the index (and, with the extra, the vectors) beside the store up to date.

    Returns the index and how many claims were added. `embed_all` False (the query path) embeds only
    the new claims of vectors that already exist: embedding a whole store is for ingest, not a query.
    """
    from sourcetrace.matching import ClaimIndex

    db = store.path
    have = read_state(db)
    want = store_state(store)
    model = vector_model()
    index = _load(index_path(db)) if have is not None and have.seq <= want.seq else None
    vectors = _load_vectors(db, model) if index is not None else None
    missing_vectors = model is not None and vectors is None and embed_all
    added = 0
    if index is not None and have is not None and have != want:
        added = _add_claims(store, index, vectors, have.seq)
        if have.claims + added != want.claims:
            index = None  # the counts disagree: rebuild rather than trust it
    elif index is not None and have == want and not missing_vectors:
        return index, 0
    if index is None:
        index, vectors = ClaimIndex(), _new_vectors(model) if model and embed_all else None
        added = _add_claims(store, index, vectors, 0)
    elif missing_vectors and model is not None:
        vectors = _new_vectors(model)
        _add_claims(store, None, vectors, 0)
    if save:
        _save(index, vectors, db, want)
    return index, added


def build_index(store: Store) -> int:
    """Rebuild the index (and the vectors, with the extra) from every stored claim and save it.

    Returns the number of claims indexed.
    """
    from sourcetrace.matching import ClaimIndex

    model = vector_model()
    index, vectors = ClaimIndex(), _new_vectors(model) if model else None
    added = _add_claims(store, index, vectors, 0)
    _save(index, vectors, store.path, store_state(store))
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
_TEXTS: dict[Path, tuple[IndexState, dict[str, str]]] = {}
_QUERIES: dict[Path, int] = {}


def cached_texts(store: Store, state: IndexState | None = None) -> dict[str, str] | None:
    """claim_id -> text for every stored claim, from the second query of a process on; else None."""
    db = store.path.resolve()
    state = state or store_state(store)
    cached = _TEXTS.get(db)
    if cached is not None and cached[0] == state:
        return cached[1]
    _QUERIES[db] = _QUERIES.get(db, 0) + 1
    if _QUERIES[db] < 2 or state.claims > TEXT_CACHE_MAX_CLAIMS:
        return None
    texts: dict[str, str] = dict(store.con.execute("SELECT claim_id, text FROM claims").fetchall())
    _TEXTS[db] = (state, texts)
    return texts


def load_vectors(store: Store) -> ClaimVectors | None:
    """The stored claim vectors (cached per process like the index), or None when there are none."""
    db = store.path.resolve()
    model = vector_model()
    if model is None or not _vectors_described(db, model):
        return None
    return _cached(vectors_path(db), lambda path: _read_vectors(path, model))
