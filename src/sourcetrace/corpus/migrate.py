"""Upgrade a corpus store to the current layout (`sourcetrace corpus migrate DB`).

Layout 1 -> 2: documents were keyed by the sha256 of their text; now by source key and text, with copy
groups. Each document keeps its text hash (the old key), gets its source key from its URL, outlet or
locator, a new `doc_id`, a MinHash signature, its credits and its copy group (documents replayed in
ingest order, as ingest would have grouped them); every child row follows the new `doc_id`, claims get
ids that include their document, and the stored report JSON is rewritten to match. One transaction:
a crash leaves the old store as it was. The claim index beside the store is rebuilt by the next query.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sourcetrace.corpus.claim_index import FACTS_SUFFIX, SUFFIX, VECTORS_SUFFIX
from sourcetrace.corpus.copies import CopyFinder, document_id, source_key, with_copies
from sourcetrace.corpus.rows import StoredAs, store_claim_ids
from sourcetrace.corpus.store import STORE_VERSION, Store
from sourcetrace.nlp.claims import claim_id

_NEW_COLUMNS = (
    ("source_key", "VARCHAR"), ("text_sha256", "VARCHAR"), ("copy_group", "VARCHAR"),
    ("copy_reason", "VARCHAR"), ("credit", "VARCHAR"), ("signature", "BLOB"),
)
_CHILD_TABLES = ("sources", "attributions", "framing")


def migrate(store: Store) -> int:
    """Bring `store` to STORE_VERSION; returns the number of documents rewritten (0: nothing to do)."""
    version = store.version()
    if version is None or version >= STORE_VERSION:
        return 0
    run = store.run
    run("BEGIN TRANSACTION")
    try:
        columns = {r[0] for r in run("SELECT column_name FROM information_schema.columns "
                                     "WHERE table_name = 'documents'")}
        for name, kind in _NEW_COLUMNS:
            if name not in columns:
                run(f"ALTER TABLE documents ADD COLUMN {name} {kind}")
        docs = run("SELECT doc_id, url, outlet, source, report FROM documents ORDER BY seq")
        finder = CopyFinder()
        renamed: dict[str, str] = {}
        for old_id, url, outlet, source, report in docs:
            renamed[old_id] = _migrate_document(store, finder, old_id, url, outlet, source, report)
        _rekey_children(store, renamed)
        run("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        run("DELETE FROM meta WHERE key = 'store_version'")
        run("INSERT INTO meta VALUES ('store_version', ?)", [str(STORE_VERSION)])
        run("COMMIT")
    except BaseException:
        run("ROLLBACK")
        raise
    _drop_index_files(store.path)
    return len(docs)


def _migrate_document(
    store: Store, finder: CopyFinder, old_id: str, url: str | None, outlet: str | None,
    source: str | None, report: str | None,
) -> str:
    data: dict[str, Any] = json.loads(report) if report else {"claims": [], "document": {"text": ""}}
    document = data.get("document") or {}
    key = source_key(url, outlet, source or "")
    new_id = document_id(key, old_id)  # the old key was the text's sha256
    text, wire = document.get("text") or "", document.get("wire")
    keys = with_copies(finder, StoredAs(new_id, key, old_id), text, wire)
    store_claim_ids(data, new_id)
    # The primary key cannot be updated in place in DuckDB: delete and re-insert the row.
    row = store.run("SELECT * FROM documents WHERE doc_id = ?", [old_id])[0]
    names = [r[0] for r in store.run("SELECT column_name FROM information_schema.columns "
                                     "WHERE table_name = 'documents' ORDER BY ordinal_position")]
    values = dict(zip(names, row, strict=True))
    values.update(doc_id=new_id, source_key=key, text_sha256=old_id, copy_group=keys.copy_group,
                  copy_reason=keys.copy_reason, credit=keys.credit, signature=keys.signature,
                  report=json.dumps(data, ensure_ascii=False))
    store.run("DELETE FROM documents WHERE doc_id = ?", [old_id])
    placeholders = ", ".join("?" * len(names))
    quoted = ", ".join(f'"{n}"' for n in names)
    store.run(f"INSERT INTO documents ({quoted}) VALUES ({placeholders})",  # noqa: S608 - fixed names
              [values[n] for n in names])
    return new_id


def _rekey_children(store: Store, renamed: dict[str, str]) -> None:
    run = store.run
    pairs = [[old, new] for old, new in renamed.items()]
    if not pairs:
        return
    run("CREATE TEMP TABLE _renamed (old_id VARCHAR, new_id VARCHAR)")
    run("INSERT INTO _renamed SELECT p[1], p[2] FROM (SELECT unnest(CAST(? AS VARCHAR[][])) AS p)", [pairs])
    for table in _CHILD_TABLES:
        run(f"UPDATE {table} SET doc_id = r.new_id FROM _renamed r WHERE {table}.doc_id = r.old_id")  # noqa: S608
    # Claims are keyed by id: rebuild them with ids that include their document.
    claims = run('SELECT c.claim_id, r.new_id, c.start, c."end" FROM claims c JOIN _renamed r '
                 "ON c.doc_id = r.old_id")
    new_ids = [[old, new_doc, claim_id(new_doc, start, end)] for old, new_doc, start, end in claims]
    run("CREATE TEMP TABLE _claims_renamed (old_id VARCHAR, doc_id VARCHAR, new_id VARCHAR)")
    if new_ids:
        run("INSERT INTO _claims_renamed SELECT p[1], p[2], p[3] FROM "
            "(SELECT unnest(CAST(? AS VARCHAR[][])) AS p)", [new_ids])
    run("CREATE TEMP TABLE _claims AS SELECT * FROM claims")
    run("DELETE FROM claims")
    run("UPDATE _claims SET doc_id = r.doc_id, claim_id = r.new_id FROM _claims_renamed r "
        "WHERE _claims.claim_id = r.old_id")
    run("INSERT INTO claims SELECT * FROM _claims")
    tables = {r[0] for r in run("SELECT table_name FROM information_schema.tables")}
    if "claim_vectors" in tables:
        run("UPDATE claim_vectors SET doc_id = r.doc_id, claim_id = r.new_id FROM _claims_renamed r "
            "WHERE claim_vectors.claim_id = r.old_id")
    for temp in ("_renamed", "_claims_renamed", "_claims"):
        run(f"DROP TABLE {temp}")


def _drop_index_files(db: Path) -> None:
    """The claim index beside the store names the old claim ids: remove it (queries rebuild it)."""
    for suffix in (SUFFIX, SUFFIX + ".json", VECTORS_SUFFIX, FACTS_SUFFIX):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
