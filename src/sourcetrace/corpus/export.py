"""`sourcetrace corpus export`: the store's tables as Parquet files for other tools (pandas, Spark, R).

Claims, attributions and sources are what the issue asks for; documents go along without the bulky
report JSON, because every other table refers to them by `doc_id` and the outlet and date live there.
Each file is written under a temporary name and renamed, so an interrupted export leaves no
half-written Parquet file behind.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sourcetrace.corpus.store import Store

#: Table -> the SELECT that exports it.
EXPORTS: dict[str, str] = {
    "claims": "SELECT * FROM claims ORDER BY doc_id, start",
    "attributions": "SELECT * FROM attributions ORDER BY doc_id, attribution_id",
    "sources": "SELECT * FROM sources ORDER BY doc_id, source_id",
    "documents": "SELECT * EXCLUDE (report) FROM documents ORDER BY seq",
}


def _sql_string(value: str) -> str:
    # COPY takes its target as a literal, not a parameter; doubling quotes is DuckDB's escape.
    return "'" + value.replace("'", "''") + "'"


def export(store: Store, out_dir: Path) -> dict[str, tuple[Path, int]]:
    """Write one Parquet file per table into `out_dir`; returns table -> (path, rows)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, tuple[Path, int]] = {}
    for table, select in EXPORTS.items():
        target = out_dir / f"{table}.parquet"
        tmp = out_dir / f".{table}.parquet.tmp"
        store.con.execute(
            f"COPY ({select}) TO {_sql_string(str(tmp))} (FORMAT parquet, COMPRESSION zstd)"
        )
        os.replace(tmp, target)
        written[table] = (target, store.count(table))
    return written
