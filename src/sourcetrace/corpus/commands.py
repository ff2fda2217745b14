"""`sourcetrace corpus ...`: the corpus sub-commands (ingest here; trace, outlets and export are added
to the same `corpus_app` by the query layer). Heavy imports live inside the commands."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from sourcetrace.terminal import EXIT_OK, EXIT_PARTIAL, fail, warning_line

if TYPE_CHECKING:
    from rich.progress import Progress, Task
    from rich.text import Text

    from sourcetrace.corpus.ingest import Counts, Source

corpus_app = typer.Typer(
    help="Build and query a corpus store (DuckDB) of analysed articles.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

INGEST_EPILOG = (
    "Examples:\n\n"
    "  sourcetrace corpus ingest news/ feed.jsonl --db corpus.duckdb\n\n"
    "  sourcetrace corpus ingest dump.csv --text-col body --title-col headline --date-col pubdate\n\n"
    "  sourcetrace corpus ingest crawl.warc.gz ../shared/data/buzzfeed_webis_2016 --workers 2\n\n"
    "  sourcetrace corpus ingest big.parquet --scheduler tcp://10.0.0.5:8786\n\n"
    "Re-running adds only what is new (documents are keyed by the sha256 of their text); an "
    "interrupted run picks up where it stopped."
)


@corpus_app.command("ingest", epilog=INGEST_EPILOG)
def ingest(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Folders of .txt/.html, .jsonl/.csv/.parquet tables, .warc(.gz) archives, or a "
            "BuzzFeed-Webis corpus folder.",
            show_default=False,
        ),
    ],
    db: Annotated[Path, typer.Option("--db", help="The DuckDB store to create or extend.")] = Path(
        "corpus.duckdb"
    ),
    reader: Annotated[
        str | None,
        typer.Option(
            "--reader",
            help="Force a reader for every source: files, table, warc, buzzfeed, an entry point in "
            "'sourcetrace.corpus_readers', or module:function. Default: by file type.",
        ),
    ] = None,
    text_col: Annotated[str | None, typer.Option("--text-col", help="Table column with the text.")] = None,
    title_col: Annotated[str | None, typer.Option("--title-col", help="Table column with the title.")] = None,
    outlet_col: Annotated[
        str | None, typer.Option("--outlet-col", help="Table column with the outlet.")
    ] = None,
    date_col: Annotated[
        str | None, typer.Option("--date-col", help="Table column with the publication date.")
    ] = None,
    url_col: Annotated[str | None, typer.Option("--url-col", help="Table column with the URL.")] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Analyse on a local Dask cluster of N worker processes."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Analyse on an existing Dask cluster, e.g. tcp://host:8786."),
    ] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Articles per batch (one partition).")] = 16,
    model: Annotated[str | None, typer.Option("--model", help="spaCy pipeline name or path.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the final counts as JSON.")] = False,
) -> None:
    """Analyse articles in bulk and store every report, claim, source and chain in a DuckDB file."""
    from sourcetrace.corpus.formats import ReaderOptions
    from sourcetrace.corpus.ingest import IngestOptions

    if workers is not None and scheduler is not None:
        fail("use either --workers (a local cluster) or --scheduler (an existing one), not both")
    if workers is not None and workers < 1:
        fail(f"--workers must be at least 1, not {workers}")
    if batch_size < 1:
        fail(f"--batch-size must be at least 1, not {batch_size}")
    if scheduler is not None and "://" not in scheduler:
        fail(f"--scheduler must be an address like tcp://host:8786, not '{scheduler}'")
    columns = {
        name: value
        for name, value in (
            ("text", text_col), ("title", title_col), ("outlet", outlet_col),
            ("published", date_col), ("url", url_col),
        )
        if value is not None
    }
    resolved = _resolve_sources(sources, reader, ReaderOptions(columns=columns))
    options = IngestOptions(
        batch_size=batch_size, model=model, workers=workers, scheduler=scheduler,
        reader_options=ReaderOptions(columns=columns),
    )
    counts, seconds, total_docs = _run(resolved, db, options)
    _print_summary(counts, seconds, total_docs, db, as_json)
    raise typer.Exit(EXIT_PARTIAL if counts.errors else EXIT_OK)


def _resolve_sources(paths: list[Path], reader: str | None, options: Any) -> list[Source]:
    """Check every source before any work: a typo should not surface after an hour of analysis."""
    from sourcetrace.corpus.formats import ReaderError, check_table, detect_reader, resolve_reader
    from sourcetrace.corpus.ingest import Source

    resolved = []
    try:
        forced = resolve_reader(reader) if reader else None
        for path in paths:
            if not path.exists():
                fail(f"{path}: no such file or directory")
            name = reader or detect_reader(path)
            if name == "table":
                check_table(path, options)
            resolved.append(Source(path, forced or resolve_reader(name), name))
    except ReaderError as exc:
        fail(str(exc))
    if options.columns and not any(s.reader_name == "table" for s in resolved):
        warning_line("column flags apply to .jsonl/.csv/.parquet sources only; none was given")
    return resolved


def _run(sources: list[Source], db: Path, options: Any) -> tuple[Counts, float, int]:
    from sourcetrace.corpus.formats import estimate_count
    from sourcetrace.corpus.ingest import run_ingest
    from sourcetrace.corpus.store import Store, StoreError
    from sourcetrace.errors import ModelError

    if db.is_dir():
        fail(f"{db}: is a directory; --db takes a file path")
    if not db.parent.is_dir():
        fail(f"{db.parent}: no such directory for --db")
    try:
        store = Store(db)
    except StoreError as exc:
        fail(f"{exc}; is another ingest or `serve` holding it open?")
    estimates = [estimate_count(s.path, s.reader_name) for s in sources]
    total = None if any(e is None for e in estimates) else sum(e or 0 for e in estimates)
    started = time.perf_counter()
    with store, _reporter() as reporter:
        try:
            counts = run_ingest(sources, store, options, reporter, total=total)
        except OSError as exc:
            fail(f"{_scheduler_hint(options)}{exc}")
        except (ModelError, StoreError) as exc:
            fail(str(exc))
        except KeyboardInterrupt:
            # Every loaded batch is committed; staged ones are loaded by the next run.
            fail(f"interrupted; {store.count('documents')} documents are in {db}. Run the same "
                 "command again to resume.", code=130)
        _update_claim_index(store)
        total_docs = store.count("documents")
    return counts, time.perf_counter() - started, total_docs


@corpus_app.command(
    "migrate", epilog="Example: sourcetrace corpus migrate corpus.duckdb"
)
def migrate(
    db: Annotated[Path, typer.Argument(help="The corpus store to upgrade in place.", metavar="DB")],
) -> None:
    """Upgrade a store made by an older sourcetrace to the current layout (layout 2: documents keyed by
    source and text, copies of one text from several outlets kept and grouped). One transaction: if it
    stops half-way the store is left as it was. Stop `serve` and any ingest on the store first."""
    from sourcetrace.corpus.migrate import migrate as run_migration
    from sourcetrace.corpus.store import STORE_VERSION, Store, StoreError

    if not db.is_file():
        fail(f"{db}: no such corpus store")
    try:
        with Store(db) as store:
            before = store.version()
            if before is None:
                fail(f"{db}: not a corpus store (no documents table)")
            count = run_migration(store)
    except StoreError as exc:
        fail(f"{exc}; is another ingest or `serve` holding it open?")
    if count or before != STORE_VERSION:
        typer.echo(f"{db}: layout {before} -> {STORE_VERSION}, {count} documents rewritten")
    else:
        typer.echo(f"{db}: already at layout {STORE_VERSION}; nothing to do")


def _update_claim_index(store: Any) -> None:
    """Bring the claim-matching index beside the store up to date (trace reads it)."""
    try:
        from sourcetrace.corpus.claim_index import update_index
    except ImportError:  # the query layer is not part of this build
        return
    try:
        update_index(store)
    except Exception as exc:  # noqa: BLE001 - the documents are stored either way
        warning_line(f"claim index not updated ({type(exc).__name__}: {exc}); the next ingest retries")


def _scheduler_hint(options: Any) -> str:
    return f"cannot use the Dask scheduler {options.scheduler}: " if options.scheduler else ""


def _print_summary(counts: Counts, seconds: float, total_docs: int, db: Path, as_json: bool) -> None:
    analysed = counts.stored + counts.errors
    summary = {
        "stored": counts.stored,
        "duplicates": counts.duplicates,
        "errors": counts.errors,
        "recovered": counts.recovered,
        "batches": counts.batches,
        "seconds": round(seconds, 2),
        "articles_per_s": round(analysed / seconds, 2) if seconds else 0.0,
        "documents_in_store": total_docs,
        "worker_peak_rss_mb": {k: round(v, 1) for k, v in counts.worker_peak_rss_mb.items()},
        "db": str(db),
    }
    if as_json:
        typer.echo(json.dumps(summary))
        return
    recovered = f" (+{counts.recovered} recovered from an interrupted run)" if counts.recovered else ""
    typer.echo(
        f"stored {counts.stored} documents{recovered}, skipped {counts.duplicates} duplicates, "
        f"{counts.errors} errors in {seconds:.1f} s; {db} now holds {total_docs} documents"
    )
    if counts.errors:
        typer.echo(f"see the errors: duckdb {db} \"SELECT * FROM errors ORDER BY \\\"at\\\" DESC\"")


class _LineReporter:
    """Progress for logs (stderr not a terminal): a line after the first batch, then every 10 s."""

    def __init__(self) -> None:
        self.total: int | None = None
        self.started = time.perf_counter()
        self.last = 0.0
        self.done = 0

    def note(self, message: str) -> None:
        warning_line(message)

    def set_total(self, total: int | None) -> None:
        self.total = total
        self.started = time.perf_counter()

    def advance(self, counts: Counts, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if self.last and now - self.last < 10:
            return
        self.last = now
        rate = self.done / (now - self.started) if now > self.started else 0.0
        of = f"/{self.total}" if self.total else ""
        print(
            f"ingest: {self.done}{of} read, {counts.stored} stored, {counts.duplicates} duplicates, "
            f"{counts.errors} errors, {rate:.1f} articles/s",
            file=sys.stderr,
            flush=True,
        )


class _BarReporter:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("ingest", total=None)

    def note(self, message: str) -> None:
        self.progress.console.print(f"[yellow]warning:[/yellow] {message}")

    def set_total(self, total: int | None) -> None:
        self.progress.reset(self.task, total=total)  # restarts the clock: rate and ETA skip start-up

    def advance(self, counts: Counts, n: int) -> None:
        self.progress.update(
            self.task, advance=n,
            description=f"{counts.stored} stored · {counts.duplicates} dup · {counts.errors} err",
        )


class _reporter:  # noqa: N801 - used as a context manager, reads like a function
    def __enter__(self) -> _LineReporter | _BarReporter:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        from sourcetrace.terminal import stderr_console

        console = stderr_console()
        self.progress: Progress | None = None
        if not console.is_terminal:
            return _LineReporter()
        self.progress = Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _rate_column(),
            TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(), console=console,
        )
        self.progress.start()
        return _BarReporter(self.progress)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def _rate_column() -> Any:
    """Articles per second over the run so far (rich has only a bytes/s column)."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} art/s" if speed else "-- art/s", style="cyan")

    return RateColumn()
