"""`sourcetrace corpus trace | search | outlets | export | index`: the read side of the corpus store.

Registered on the `corpus_app` typer group by `register`. Every command opens the store read-only, so
it can run beside a web server reading the same file; heavy imports wait inside the commands.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sourcetrace.terminal import fail, print_table

if TYPE_CHECKING:
    from sourcetrace.corpus.queries import OutletProfile, Trace
    from sourcetrace.corpus.store import Store

DbOption = Annotated[Path, typer.Option("--db", help="The DuckDB corpus store to read.")]
_DEFAULT_DB = Path("corpus.duckdb")
_REQUIRED_TABLES = ("documents", "claims", "sources", "attributions")


class TraceFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class ProfileFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    PARQUET = "parquet"
    JSON = "json"


def _is_duckdb(path: Path) -> bool:
    # A DuckDB file starts with an 8-byte checksum and the magic "DUCK"; checking it gives a clear
    # error for a JSONL or CSV passed by mistake instead of DuckDB's internal message.
    try:
        with path.open("rb") as fh:
            return fh.read(12)[8:12] == b"DUCK"
    except OSError:
        return False


@contextmanager
def open_store(db: Path, *, read_only: bool = True) -> Iterator[Store]:
    """The store at `db`, or one `error:` line and exit 2 when it is missing or not a corpus store."""
    from sourcetrace.corpus.store import Store, StoreError

    if not db.exists():
        fail(f"{db}: no such corpus store (build one with: sourcetrace corpus ingest SOURCES --db {db})")
    if not db.is_file():
        fail(f"{db}: not a file (expected a DuckDB corpus store)")
    if not _is_duckdb(db):
        fail(f"{db}: not a DuckDB file (expected a corpus store written by sourcetrace corpus ingest)")
    try:
        store = Store(db, read_only=read_only)
    except StoreError as exc:
        fail(str(exc))
    with store:
        present = {
            r[0] for r in store.con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
        missing = [t for t in _REQUIRED_TABLES if t not in present]
        if missing:
            fail(f"{db}: not a corpus store (no table {', '.join(missing)})")
        try:
            store.check_version()
        except StoreError as exc:
            fail(str(exc))
        yield store


# ------------------------------------------------------------------------------------------- trace

_STATUS_STYLE = {
    "independent": "bold green",
    "dependent": "yellow",
    "unknown": "dim",
    "disputing": "bold red",
    "copy": "magenta",
}


def _chain_text(trace_report: Any) -> str:
    return " › ".join(link.name for link in trace_report.chain)


def _status_text(report: Any) -> str:
    if report.status == "copy" and report.copy_of:
        return f"copy (of {report.copy_of})"
    if report.status == "disputing" and report.relation == "contradicts":
        return "disputing (states the opposite)"
    if report.status == "dependent" and report.shared_sources:
        return f"dependent (shares {', '.join(report.shared_sources)})"
    if report.status == "unknown":
        return "unknown (unattributed)" if len(report.chain) <= 1 or report.chain[-1].type == "author" \
            else "unknown (unnamed source)"
    return report.status


def render_trace(result: Trace) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console() if sys.stdout.isatty() else Console(width=160)
    console.print(f"[bold]Claim:[/bold] {escape(result.query)}")
    if not result.reports:
        console.print("No stored article reports this claim.")
        return
    table = Table(show_lines=False, header_style="bold")
    for column in ("#", "outlet", "published", "chain", "cue", "status"):
        table.add_column(column, overflow="fold")
    for i, report in enumerate(result.reports, start=1):
        date = report.published.date().isoformat() if report.published else f"(ingest #{report.seq})"
        style = _STATUS_STYLE[report.status]
        table.add_row(
            str(i), escape(report.outlet or "?"), date, escape(_chain_text(report)), escape(report.cue or ""),
            f"[{style}]{escape(_status_text(report))}[/{style}]",
        )
    console.print(table)
    console.print(f"[bold]{escape(result.summary)}[/bold]")
    first = result.first_outlet or "?"
    when = f" ({result.first_published.date().isoformat()})" if result.first_published else ""
    names = f": {', '.join(result.independent_names)}" if result.independent_names else ""
    console.print(
        f"{len(result.outlets)} outlet(s) carry the claim; first: [bold]{escape(first)}[/bold]{when}"
    )
    console.print(
        f"[bold green]{result.independent_sources}[/bold green] independent source(s) stand behind it"
        f"{escape(names)}"
    )
    console.print(
        f"{result.dependent} report(s) depend on an earlier one · {result.unknown} rest on unnamed or no "
        f"sources (unknown) · [bold red]{result.disputing}[/bold red] dispute it · {result.copies} "
        "copy another listed article"
    )


def trace_command(
    claim: Annotated[str | None, typer.Argument(help="The claim text to trace.", show_default=False)] = None,
    db: DbOption = _DEFAULT_DB,
    claim_id: Annotated[
        str | None, typer.Option("--claim-id", help="Trace a stored claim by its id instead of text.")
    ] = None,
    fmt: Annotated[TraceFormat, typer.Option("--format", "-f", help="table or json.")] = TraceFormat.TABLE,
) -> None:
    """Which outlets carry a claim, through which chains, and how many independent sources back it."""
    from sourcetrace.corpus.queries import QueryError, trace
    from sourcetrace.errors import ModelError

    if (claim is None) == (claim_id is None):
        fail("give a claim text or --claim-id ID (one of the two)")
    with open_store(db) as store:
        try:
            result = trace(store, claim_id=claim_id, text=claim)
        except (QueryError, ModelError) as exc:
            fail(str(exc))
    if fmt is TraceFormat.JSON:
        typer.echo(result.model_dump_json(indent=2))
    else:
        render_trace(result)


# ------------------------------------------------------------------------------------------ search


def search_command(
    query: Annotated[str, typer.Argument(help="Words the claims must contain.", show_default=False)],
    db: DbOption = _DEFAULT_DB,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most claims to list.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print the hits as JSON.")] = False,
) -> None:
    """Find stored claims by their words (the ids feed `corpus trace --claim-id`)."""
    from rich.markup import escape
    from rich.table import Table

    from sourcetrace.corpus.queries import QueryError, search_claims

    with open_store(db) as store:
        try:
            hits = search_claims(store, query, limit=limit)
        except QueryError as exc:
            fail(str(exc))
    if as_json:
        typer.echo(json.dumps([h.model_dump(mode="json") for h in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        typer.echo("No claim matches.")
        return
    table = Table(header_style="bold")
    for column in ("claim id", "outlet", "published", "claim", "source"):
        table.add_column(column, overflow="fold")
    for hit in hits:
        table.add_row(
            hit.claim_id, escape(hit.outlet or "?"),
            hit.published.date().isoformat() if hit.published else "",
            escape(hit.text), escape(f"{hit.innermost_name or ''} ({hit.innermost_type or '?'})"),
        )
    print_table(table)


# ----------------------------------------------------------------------------------------- outlets

_PROFILE_COLUMNS = (
    "outlet", "articles", "non_english_articles", "copied_share", "claims", "unattributed_share",
    "anonymous_share",
    "mean_chain_depth",
    "loaded_language_per_1k_words", "reliability", "reliability_label", "domain",
)


def _flat(profile: OutletProfile) -> dict[str, Any]:
    row = profile.model_dump(mode="json")
    # CSV and Parquet want flat columns: techniques become one JSON string column.
    row["techniques"] = json.dumps(row["techniques"]) if row["techniques"] is not None else None
    return row


def _profile_table(profiles: list[OutletProfile]) -> Any:
    from rich.markup import escape
    from rich.table import Table

    framing = any(p.techniques is not None for p in profiles)
    # Shown only when some article is not English, so the common case keeps a narrow table.
    foreign = any(p.non_english_articles for p in profiles)
    table = Table(header_style="bold")
    headers = ["outlet", "articles", *(["not English"] if foreign else []), "copied", "claims",
               "unattributed"]
    headers += ["anonymous-only", "mean depth"]
    headers += ["loaded /1k words", "techniques"] if framing else []
    headers += ["reliability"]
    for header in headers:
        table.add_column(header, justify="left" if header in ("outlet", "techniques") else "right")
    for p in profiles:
        row = [
            escape(p.outlet), str(p.articles), *([str(p.non_english_articles)] if foreign else []),
            f"{p.copied_share:.0%}", str(p.claims), f"{p.unattributed_share:.0%}",
            f"{p.anonymous_share:.0%}",
            f"{p.mean_chain_depth:.2f}" if p.mean_chain_depth is not None else "-",
        ]
        if framing:
            row.append(f"{p.loaded_language_per_1k_words:.2f}" if p.loaded_language_per_1k_words is not None
                       else "-")
            row.append(", ".join(f"{k} {v}" for k, v in (p.techniques or {}).items()) or "-")
        row.append(f"{p.reliability:.2f} {p.reliability_label or ''}".strip() if p.reliability is not None
                   else "unrated")
        table.add_row(*row)
    return table


def _write_profiles(profiles: list[OutletProfile], fmt: ProfileFormat, out: Path | None) -> None:
    rows = [_flat(p) for p in profiles]
    if fmt is ProfileFormat.PARQUET:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if out is None:
            fail("--format parquet needs -o FILE (Parquet is binary)")
        empty = pa.table({c: pa.array([], pa.string()) for c in _PROFILE_COLUMNS})
        pq.write_table(pa.Table.from_pylist(rows) if rows else empty, out)
        return
    if fmt is ProfileFormat.JSON:
        text = json.dumps([p.model_dump(mode="json") for p in profiles], indent=2, ensure_ascii=False) + "\n"
    else:
        buffer = io.StringIO()
        fields = list(rows[0]) if rows else [*_PROFILE_COLUMNS, "techniques"]
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def outlets_command(
    db: DbOption = _DEFAULT_DB,
    fmt: Annotated[
        ProfileFormat, typer.Option("--format", "-f", help="table, csv, parquet or json.")
    ] = ProfileFormat.TABLE,
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
    ] = None,
) -> None:
    """Per outlet: articles, unattributed and anonymous-only claims, chain depth, framing, reliability."""
    from sourcetrace.corpus.profiles import outlet_profiles

    if out is not None and out.parent and not out.parent.is_dir():
        fail(f"{out.parent}: no such directory (for -o {out})")
    with open_store(db) as store:
        profiles = outlet_profiles(store)
    if fmt is ProfileFormat.TABLE:
        if out is not None:
            fail("-o needs --format csv, parquet or json")
        print_table(_profile_table(profiles))
        return
    _write_profiles(profiles, fmt, out)


# ------------------------------------------------------------------------------------------ export


def export_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the Parquet files into.")],
    db: DbOption = _DEFAULT_DB,
) -> None:
    """Write claims, attributions, sources and documents as Parquet files into a folder."""
    from sourcetrace.corpus.export import export

    if out.exists() and not out.is_dir():
        fail(f"{out}: exists and is not a folder")
    with open_store(db) as store:
        try:
            written = export(store, out)
        except OSError as exc:
            fail(f"{out}: cannot write ({exc.strerror or exc})")
    for table, (path, rows) in written.items():
        typer.echo(f"{table:<13} {rows:>9} rows  {path}")


# ------------------------------------------------------------------------------------------- index


def index_command(db: DbOption = _DEFAULT_DB) -> None:
    """Rebuild the claim-matching index beside the store (trace also updates it when it is stale)."""
    from sourcetrace.corpus.claim_index import build_index, index_path

    with open_store(db) as store:
        try:
            n = build_index(store)
        except OSError as exc:
            fail(f"{index_path(db)}: cannot write ({exc.strerror or exc})")
    typer.echo(f"indexed {n} claims into {index_path(db)}")


def register(app: typer.Typer) -> None:
    """Add the query commands to the `corpus` group."""
    app.command("trace", epilog=(
        'Examples:\n\n  sourcetrace corpus trace "the dam has developed cracks" --db corpus.duckdb\n\n'
        "  sourcetrace corpus trace --claim-id 3f2a…:c4 -f json"
    ))(trace_command)
    app.command("search", epilog='Example: sourcetrace corpus search "dam cracks" --db corpus.duckdb')(
        search_command
    )
    app.command("outlets", epilog="Example: sourcetrace corpus outlets -f csv -o outlets.csv")(
        outlets_command
    )
    app.command("export", epilog="Example: sourcetrace corpus export --db corpus.duckdb --out export/")(
        export_command
    )
    app.command("index")(index_command)
