"""The corpus store: one DuckDB file holding every analysed article and its claims, sources and chains.

The table layout is a contract shared by ingest (writes), the query layer (trace, outlet profiles) and the
web API (reads); see the module constants below. Columns may be added, never renamed.

`errors."at"` must be quoted in SQL: AT is a keyword in DuckDB 2.

DuckDB allows one writer process per file: `sourcetrace corpus ingest` holds the write lock while it
runs, readers (`serve`, `corpus trace`) open the file `read_only=True` when no ingest is running.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sourcetrace.nlp.attribution.lexicon import ANONYMOUS_NOUNS, COLLECTIVE_NOUNS, EYEWITNESS_NOUNS

if TYPE_CHECKING:
    import duckdb

#: Unnamed source types: their names ("officials", "a witness") cannot identify one person across
#: articles, so they get no cross-article key (an eyewitness who is named does: `is_keyed`).
UNKEYED_SOURCE_TYPES = frozenset(
    {"anonymous", "official_unnamed", "eyewitness", "collective", "author"}
)

# Column lists are kept as constants so the Parquet staging writer and the loader use the same order.
DOCUMENT_COLUMNS = (
    "doc_id", "seq", "source", "outlet", "domain", "title", "published", "words", "ingested_at", "report",
    "url", "source_key", "text_sha256", "copy_group", "copy_reason", "credit", "signature",
)
#: The store layout's version, kept in the `meta` table. 1: documents keyed by the text's hash alone
#: (a copy of one text from a second outlet was dropped); 2: keyed by source and text, copies kept.
STORE_VERSION = 2
CLAIM_COLUMNS = (
    "claim_id", "doc_id", "text", "start", "end", "chain", "depth", "innermost_name", "innermost_type",
    "attribution_id", "cue", "checkworthiness", "hedged",
)
SOURCE_COLUMNS = ("doc_id", "source_id", "name", "type", "role", "affiliation", "source_key")
ATTRIBUTION_COLUMNS = ("doc_id", "attribution_id", "kind", "cue", "source_id", "parent", "content")
FRAMING_COLUMNS = ("doc_id", "technique", "start", "end", "score")
CLAIM_VECTOR_COLUMNS = ("doc_id", "claim_id", "model", "codes", "scale")
ERROR_COLUMNS = ("source", "reason", "at")

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR PRIMARY KEY,      -- sha256 of source_key + text_sha256 (copies.document_id)
    seq BIGINT,                      -- ingest order
    source VARCHAR,                  -- path / url / record locator
    outlet VARCHAR,
    domain VARCHAR,
    title VARCHAR,
    published TIMESTAMP,
    words INTEGER,
    ingested_at TIMESTAMP,
    report JSON,                     -- the full Report JSON
    url VARCHAR,                     -- added by ingest: the article's URL when known
    source_key VARCHAR,              -- url:..., else outlet:..., else path:... (copies.source_key)
    text_sha256 VARCHAR,             -- sha256 of document.text
    copy_group VARCHAR,              -- doc_id of the first stored member of its copy group; NULL for
                                     -- that first member and for documents without copies
    copy_reason VARCHAR,             -- exact (same text) or near (MinHash) for a member that joined
    credit VARCHAR,                  -- outlets the text credits ("(AP)", "From the ...:"), "; "-joined
    signature BLOB                   -- MinHash of word 5-grams (uint32 x 64), NULL for short texts
);
CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);
CREATE TABLE IF NOT EXISTS claims (
    claim_id VARCHAR PRIMARY KEY,
    doc_id VARCHAR,
    text VARCHAR,
    start INTEGER,
    "end" INTEGER,
    chain JSON,                      -- list of {source_id, name, type}, publisher first
    depth INTEGER,                   -- len(chain), publisher included (as profile.deepest_chain)
    innermost_name VARCHAR,
    innermost_type VARCHAR,
    attribution_id VARCHAR,
    cue VARCHAR,                     -- lower-cased cue text of the claim's attribution
    checkworthiness DOUBLE,
    hedged BOOLEAN
);
CREATE TABLE IF NOT EXISTS sources (
    doc_id VARCHAR,
    source_id VARCHAR,
    name VARCHAR,
    type VARCHAR,
    role VARCHAR,
    affiliation VARCHAR,
    source_key VARCHAR               -- lower(name)|lower(affiliation) for named types, NULL otherwise
);
CREATE TABLE IF NOT EXISTS attributions (
    doc_id VARCHAR,
    attribution_id VARCHAR,
    kind VARCHAR,
    cue VARCHAR,
    source_id VARCHAR,
    parent VARCHAR,
    content VARCHAR
);
CREATE TABLE IF NOT EXISTS framing (
    doc_id VARCHAR,
    technique VARCHAR,
    start INTEGER,
    "end" INTEGER,
    score DOUBLE
);
-- With the semantic matcher selected (SOURCETRACE_MATCHING=semantic): each claim's sentence
-- embedding, int8 codes and their scale as `sourcetrace.matching.ClaimVectors` stores them,
-- computed by the worker that analysed the claim.
-- The claim index copies them into <db>.claimvectors, so the ingest process embeds nothing.
CREATE TABLE IF NOT EXISTS claim_vectors (
    doc_id VARCHAR,
    claim_id VARCHAR,
    model VARCHAR,                   -- the embedding model's name
    codes BLOB,                      -- int8[dim]
    scale FLOAT
);
CREATE TABLE IF NOT EXISTS errors (
    source VARCHAR,
    reason VARCHAR,
    "at" TIMESTAMP
);
-- Ingest bookkeeping: a staged Parquet partition is listed here in the same transaction that loads
-- it, so a crash between writing a partition and loading it is repaired on the next run.
CREATE TABLE IF NOT EXISTS partitions (
    name VARCHAR PRIMARY KEY,
    documents INTEGER,
    loaded_at TIMESTAMP
);
"""


class StoreError(Exception):
    """The store file cannot be opened (locked by another writer, not a DuckDB file, unwritable)."""


class OldStoreError(StoreError):
    """The store was written by an older sourcetrace; `sourcetrace corpus migrate` upgrades it."""


class Store:
    """An open corpus store. Use as a context manager; `.con` is the DuckDB connection."""

    def __init__(self, path: str | Path, read_only: bool = False) -> None:
        import duckdb

        self.path = Path(path)
        self.read_only = read_only
        try:
            self.con: duckdb.DuckDBPyConnection = duckdb.connect(str(self.path), read_only=read_only)
        except (duckdb.Error, OSError) as exc:
            raise StoreError(f"{self.path}: cannot open the corpus store ({_first_line(exc)})") from exc

    def create_schema(self) -> None:
        """Create the tables of a new store, or check that an existing one has this layout."""
        existing = self.version()
        if existing is not None and existing < STORE_VERSION:
            raise self.too_old(existing)
        self.con.execute(SCHEMA).fetchall()
        if existing is None:
            self.run("INSERT INTO meta VALUES ('store_version', ?)", [str(STORE_VERSION)])

    def version(self) -> int | None:
        """The layout version; None for an empty file, 1 for stores made before versions were kept."""
        tables = {r[0] for r in self.run("SELECT table_name FROM information_schema.tables")}
        if "documents" not in tables:
            return None
        if "meta" not in tables:
            return 1
        rows = self.run("SELECT value FROM meta WHERE key = 'store_version'")
        return int(rows[0][0]) if rows else 1

    def check_version(self) -> None:
        """Refuse a store of an older layout (queries would misread it); an empty file is fine."""
        existing = self.version()
        if existing is not None and existing != STORE_VERSION:
            raise self.too_old(existing) if existing < STORE_VERSION else StoreError(
                f"{self.path}: store layout {existing} is newer than this sourcetrace ({STORE_VERSION}); "
                "upgrade sourcetrace"
            )

    def too_old(self, existing: int) -> OldStoreError:
        return OldStoreError(
            f"{self.path}: this store has layout {existing}, made by an older sourcetrace (now "
            f"{STORE_VERSION}: copies of one text from several outlets are kept); upgrade it with "
            f"'sourcetrace corpus migrate {self.path}'"
        )

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def run(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        """Execute and fetch every row: DuckDB 2 refuses new work while a result is left unread."""
        return self.con.execute(sql, params or []).fetchall()

    def count(self, table: str) -> int:
        rows = self.run(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed table names
        return int(rows[0][0]) if rows else 0


_NOT_A_NAME_START = frozenset("the a an one two three several some many local".split())
_GROUP_NOUNS = EYEWITNESS_NOUNS | COLLECTIVE_NOUNS | ANONYMOUS_NOUNS


def is_keyed(name: str | None, source_type: str) -> bool:
    """Whether a source's name identifies it across articles. An eyewitness may be named (`Tomas Reyes,
    who saw the crack`): then the name is a person's, written in capitals, and is keyed like one."""
    if not name:
        return False
    if source_type == "eyewitness":
        words = name.split()
        return (
            0 < len(words) <= 5
            and words[0].lower() not in _NOT_A_NAME_START
            and all(w[:1].isupper() for w in words)
            # `Witnesses`, `Residents` opening a sentence are capitalised and name nobody
            and not any(w.lower() in _GROUP_NOUNS for w in words)
        )
    return source_type not in UNKEYED_SOURCE_TYPES


def source_key(name: str | None, affiliation: str | None, source_type: str) -> str | None:
    """The key that recognises one named source across articles: lower-cased name|affiliation."""
    if not is_keyed(name, source_type):
        return None
    return f"{_norm(name)}|{_norm(affiliation or '')}"


def _norm(value: str) -> str:
    return " ".join(value.lower().split())


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
