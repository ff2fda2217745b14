"""Staged Parquet partitions between analysis and the store.

Each analysed batch becomes a partition: a folder `<db>.staging/<name>/` with one Parquet file per
table. It is written under a hidden temporary name and renamed into place, so a partition folder that
exists is complete. The single writer (the driver) loads a partition into DuckDB in one transaction
that also records its name in the `partitions` table, then deletes the folder. A crash anywhere leaves
either an unloaded complete partition (loaded on the next run) or a loaded one (its folder is just
removed): nothing is lost and nothing is loaded twice.
"""

from __future__ import annotations

import io
import os
import shutil
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sourcetrace.corpus.rows import SCHEMAS, TABLES, Rows
from sourcetrace.corpus.store import DOCUMENT_COLUMNS, Store

TMP_PREFIX = ".tmp-"


def staging_dir(db: Path) -> Path:
    return db.with_name(db.name + ".staging")


def encode(rows: Rows) -> dict[str, bytes]:
    """The partition as Parquet bytes per table (sent to the driver when the worker cannot write it)."""
    out: dict[str, bytes] = {}
    for table in TABLES:
        buffer = io.BytesIO()
        pq.write_table(rows.arrow(table), buffer, compression="zstd")
        out[table] = buffer.getvalue()
    return out


def write_partition(staging: Path, name: str, tables: dict[str, bytes] | Rows) -> Path:
    """Write atomically; a partition already in place (a retried task) is kept as it is."""
    final = staging / name
    if final.is_dir():
        return final
    tmp = staging / f"{TMP_PREFIX}{name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    for table in TABLES:
        target = tmp / f"{table}.parquet"
        if isinstance(tables, Rows):
            pq.write_table(tables.arrow(table), target, compression="zstd")
        else:
            target.write_bytes(tables[table])
    _fsync_dir(tmp)
    try:
        os.rename(tmp, final)
    except OSError:
        # Another attempt of the same task won the race; its copy is identical in content.
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def _fsync_dir(path: Path) -> None:
    # Files must be on disk before the rename publishes the folder, or a power cut could expose a
    # "complete" partition with empty files.
    for child in path.iterdir():
        with child.open("rb") as handle:
            os.fsync(handle.fileno())


def pending_partitions(staging: Path) -> list[Path]:
    """Complete partitions waiting in the staging folder, oldest name first; stale temp folders go."""
    if not staging.is_dir():
        return []
    found = []
    for entry in sorted(staging.iterdir()):
        if entry.name.startswith(TMP_PREFIX):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.is_dir():
            found.append(entry)
    return found


def is_loaded(store: Store, name: str) -> bool:
    return bool(store.run("SELECT 1 FROM partitions WHERE name = ?", [name]))


def load_partition(store: Store, partition: Path) -> tuple[int, int]:
    """Load one partition in a single transaction; returns (documents stored, errors recorded).

    Documents already in the store are skipped, with all their rows, so loading is idempotent."""
    name = partition.name
    run = store.run
    if is_loaded(store, name):
        shutil.rmtree(partition, ignore_errors=True)
        return 0, 0
    files = {t: str(partition / f"{t}.parquet") for t in TABLES}
    run("BEGIN TRANSACTION")
    try:
        # Child rows first, while "not yet in documents" still tells new documents from old ones.
        for table in ("claims", "sources", "attributions", "framing", "claim_vectors"):
            columns = _columns(table)
            run(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM read_parquet(?) "  # noqa: S608
                "WHERE doc_id NOT IN (SELECT doc_id FROM documents)",
                [files[table]],
            )
        errors = _count(
            run(
                'INSERT INTO errors (source, reason, "at") SELECT e.source, e.reason, e."at" '
                "FROM read_parquet(?) e WHERE NOT EXISTS "
                "(SELECT 1 FROM errors x WHERE x.source = e.source AND x.reason = e.reason)",
                [files["errors"]],
            )
        )
        columns = ", ".join(DOCUMENT_COLUMNS)
        stored = _count(
            run(
                f"INSERT INTO documents ({columns}) SELECT {columns} FROM read_parquet(?) "  # noqa: S608
                "WHERE doc_id NOT IN (SELECT doc_id FROM documents)",
                [files["documents"]],
            )
        )
        run("INSERT INTO partitions VALUES (?, ?, now())", [name, stored])
        run("COMMIT")
    except BaseException:
        run("ROLLBACK")
        raise
    shutil.rmtree(partition, ignore_errors=True)
    return stored, errors


def _columns(table: str) -> str:
    return ", ".join(f'"{c}"' for c in SCHEMAS[table].names)


def _count(rows: list[tuple[object, ...]]) -> int:
    # DuckDB answers an INSERT with one row: the number of rows inserted.
    return int(rows[0][0]) if rows else 0  # type: ignore[call-overload]


def record_errors(store: Store, rows: Rows) -> int:
    """Errors found before analysis (unreadable files) go straight in, one transaction, deduplicated."""
    if not rows.tables["errors"]:
        return 0
    table = pa.Table.from_pylist(rows.tables["errors"], schema=SCHEMAS["errors"])
    store.con.register("_new_errors", table)
    try:
        return _count(
            store.run(
                'INSERT INTO errors (source, reason, "at") SELECT DISTINCT ON (source, reason) '
                'e.source, e.reason, e."at" FROM _new_errors e WHERE NOT EXISTS '
                "(SELECT 1 FROM errors x WHERE x.source = e.source AND x.reason = e.reason)"
            )
        )
    finally:
        store.con.unregister("_new_errors")
