"""Report -> table rows for the corpus store, and the Arrow schemas the staging Parquet files use.

The rows follow the store contract (see store.py); a schema here is explicit so that an empty table
in a partition (a batch without claims) still has typed columns DuckDB can load.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from sourcetrace.corpus.store import (
    ATTRIBUTION_COLUMNS,
    CLAIM_COLUMNS,
    CLAIM_VECTOR_COLUMNS,
    DOCUMENT_COLUMNS,
    ERROR_COLUMNS,
    FRAMING_COLUMNS,
    SOURCE_COLUMNS,
    source_key,
)
from sourcetrace.outlets.table import host_of

if TYPE_CHECKING:
    from sourcetrace.schema import Report

_S, _I, _F, _B = pa.string(), pa.int32(), pa.float64(), pa.bool_()
_TS = pa.timestamp("us")

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema(
        list(zip(
            DOCUMENT_COLUMNS,
            (_S, pa.int64(), _S, _S, _S, _S, _TS, _I, _TS, _S, _S, _S, _S, _S, _S, _S, pa.binary()),
            strict=True,
        ))
    ),
    "claims": pa.schema(
        list(zip(CLAIM_COLUMNS, (_S, _S, _S, _I, _I, _S, _I, _S, _S, _S, _S, _F, _B), strict=True))
    ),
    "sources": pa.schema([(c, _S) for c in SOURCE_COLUMNS]),
    "attributions": pa.schema([(c, _S) for c in ATTRIBUTION_COLUMNS]),
    "framing": pa.schema(list(zip(FRAMING_COLUMNS, (_S, _S, _I, _I, _F), strict=True))),
    "claim_vectors": pa.schema(
        list(zip(CLAIM_VECTOR_COLUMNS, (_S, _S, _S, pa.binary(), pa.float32()), strict=True))
    ),
    "errors": pa.schema(list(zip(ERROR_COLUMNS, (_S, _S, _TS), strict=True))),
}
TABLES = tuple(SCHEMAS)


@dataclass
class Rows:
    """Rows per table for one batch of documents."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in TABLES})

    def extend(self, other: dict[str, list[dict[str, Any]]]) -> None:
        for table, rows in other.items():
            self.tables[table].extend(rows)

    def error(self, source: str, reason: str) -> None:
        self.tables["errors"].append({"source": source, "reason": reason, "at": now()})

    def arrow(self, table: str) -> pa.Table:
        return pa.Table.from_pylist(self.tables[table], schema=SCHEMAS[table])


def now() -> datetime:
    # Naive UTC: DuckDB's TIMESTAMP has no zone, and mixing local times across workers would mislead.
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class StoredAs:
    """How ingest identifies a document: source and text keys, and its copy group (see copies.py)."""

    doc_id: str
    source_key: str
    text_sha256: str
    copy_group: str | None = None
    copy_reason: str | None = None
    credit: str | None = None
    signature: bytes | None = None


def store_claim_ids(data: dict[str, Any], doc_id: str) -> None:
    """Give every claim of a report an id that includes its document, so that the same sentence in two
    outlets' copies of one text is two claims (the report's own ids come from the text alone)."""
    from sourcetrace.nlp.claims import claim_id

    renamed = {c["id"]: claim_id(doc_id, c["start"], c["end"]) for c in data["claims"]}
    for claim in data["claims"]:
        claim["id"] = renamed[claim["id"]]
    headline = data.get("headline")
    if isinstance(headline, dict) and headline.get("matched_claim_ids"):
        headline["matched_claim_ids"] = [renamed.get(i, i) for i in headline["matched_claim_ids"]]


def report_rows(
    report: Report, *, stored_as: StoredAs, seq: int, source: str
) -> dict[str, list[dict[str, Any]]]:
    data = report.to_dict()
    doc_id = stored_as.doc_id
    store_claim_ids(data, doc_id)
    document = data["document"]
    attributions = {a["id"]: a for a in data["attributions"]}
    return {
        "documents": [
            {
                "doc_id": doc_id,
                "seq": seq,
                "source": source,
                "outlet": document.get("outlet"),
                "domain": domain_of(document),
                "title": document.get("title"),
                "published": parse_published(document.get("published")),
                "words": len(report.document.text.split()),
                "ingested_at": now(),
                "report": json.dumps(data, ensure_ascii=False),
                "url": document.get("url"),
                "source_key": stored_as.source_key,
                "text_sha256": stored_as.text_sha256,
                "copy_group": stored_as.copy_group,
                "copy_reason": stored_as.copy_reason,
                "credit": stored_as.credit,
                "signature": stored_as.signature,
            }
        ],
        "claims": [_claim_row(doc_id, claim, attributions) for claim in data["claims"]],
        "sources": [
            {
                "doc_id": doc_id,
                "source_id": s["id"],
                "name": s["name"],
                "type": s["type"],
                "role": s.get("role"),
                "affiliation": s.get("affiliation"),
                "source_key": source_key(s["name"], s.get("affiliation"), s["type"]),
            }
            for s in data["sources"]
        ],
        "attributions": [
            {
                "doc_id": doc_id,
                "attribution_id": a["id"],
                "kind": a["kind"],
                "cue": a["cue"]["text"],
                "source_id": a["source"].get("source_id"),
                "parent": a.get("parent"),
                "content": a["content"]["text"],
            }
            for a in data["attributions"]
        ],
        # The framing layer adds `framing` to reports later; until then there is nothing to store.
        "framing": [
            {
                "doc_id": doc_id,
                "technique": f.get("technique"),
                "start": f.get("start"),
                "end": f.get("end"),
                "score": f.get("score"),
            }
            for f in data.get("framing") or []
        ],
        "errors": [],
    }


def _claim_row(doc_id: str, claim: dict[str, Any], attributions: dict[str, Any]) -> dict[str, Any]:
    chain = [{"source_id": c["source_id"], "name": c["name"], "type": c["type"]} for c in claim["chain"]]
    innermost = chain[-1] if chain else {}
    attribution = attributions.get(claim.get("attribution_id") or "")
    return {
        "claim_id": claim["id"],
        "doc_id": doc_id,
        "text": claim["text"],
        "start": claim["start"],
        "end": claim["end"],
        "chain": json.dumps(chain, ensure_ascii=False),
        # Depth counts the publisher too, as Report.profile.deepest_chain does.
        "depth": len(chain),
        "innermost_name": innermost.get("name"),
        "innermost_type": innermost.get("type"),
        "attribution_id": claim.get("attribution_id"),
        "cue": attribution["cue"]["text"].lower() if attribution else None,
        "checkworthiness": claim.get("checkworthiness"),
        "hedged": _hedged(claim),
    }


def _hedged(claim: dict[str, Any]) -> bool:
    # Reports with `certainty` tell hedges from boosters ("clearly"); older ones only list markers.
    certainty = claim.get("certainty")
    if certainty is not None:
        return certainty in ("hedged", "mixed")
    return bool(claim.get("hedges"))


def domain_of(document: dict[str, Any]) -> str | None:
    url = document.get("final_url") or document.get("url")
    host = host_of(url) if url else None
    if host:
        return host
    reliability = document.get("outlet_reliability") or {}
    return reliability.get("domain")


def parse_published(value: str | None) -> datetime | None:
    """A publication date in any common format as naive UTC (see `ingest.dates`); None when absent or
    not a date (the report keeps the value as given)."""
    from sourcetrace.ingest.dates import parse_date

    return parse_date(value) if value else None
