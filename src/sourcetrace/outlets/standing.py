"""Outlet standing: the rating-table record behind each outlet in a report."""

from __future__ import annotations

from sourcetrace.outlets.table import OutletRecord, OutletTable, default_table
from sourcetrace.schema import Document, Reliability, Source, SourceType


def reliability(record: OutletRecord | None) -> Reliability | None:
    if record is None:
        return None
    return Reliability(
        domain=record.domain,
        score=record.score,
        label=record.label,
        rating_sources=list(record.rating_sources),
    )


def rate_sources(sources: list[Source], table: OutletTable | None = None) -> list[Source]:
    """Outlet sources with their reliability filled in where the table knows them."""
    table = table or default_table()
    return [
        s.model_copy(update={"reliability": reliability(table.lookup(s.name))})
        if s.type == SourceType.OUTLET
        else s
        for s in sources
    ]


def rate_publisher(document: Document, table: OutletTable | None = None) -> Reliability | None:
    """The publisher's standing: by the URL's domain first, then by the outlet's name."""
    table = table or default_table()
    return reliability(table.first(document.final_url, document.url, document.outlet))
