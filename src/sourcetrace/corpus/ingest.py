"""The ingest driver: readers -> batches -> analysis (here or on Dask workers) -> staged Parquet ->
the store, one transaction per batch.

The driver is the only process that writes the DuckDB file. It reads the sources in order, drops
documents already stored (doc_id = sha256 of source key and text: the same text from the same URL,
outlet or file), numbers the rest (`seq`), puts copies of a text from other sources in its copy group
(`copies.py`), and keeps a bounded number of batches in flight, so memory stays flat however large the
corpus is.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sourcetrace.corpus.claim_index import vector_model
from sourcetrace.corpus.copies import CopyFinder, stored_as, with_copies
from sourcetrace.corpus.formats import Item as ReadItem
from sourcetrace.corpus.formats import Reader, ReaderOptions
from sourcetrace.corpus.rows import Rows, StoredAs
from sourcetrace.corpus.staging import (
    load_partition,
    pending_partitions,
    record_errors,
    staging_dir,
    write_partition,
)
from sourcetrace.corpus.store import Store
from sourcetrace.corpus.worker import BatchResult, Item, analyze_batch, partition_name, peak_rss_mb, warm
from sourcetrace.errors import InputError
from sourcetrace.schema import Document


@dataclass(frozen=True, slots=True)
class Source:
    """One SOURCE argument and the reader that reads it."""

    path: Path
    reader: Reader
    reader_name: str


@dataclass
class Counts:
    stored: int = 0
    duplicates: int = 0
    errors: int = 0
    recovered: int = 0
    batches: int = 0
    worker_cpu_seconds: float = 0.0
    worker_peak_rss_mb: dict[str, float] = field(default_factory=dict)

    @property
    def seen(self) -> int:
        return self.stored + self.duplicates + self.errors


class Executor(Protocol):
    """Runs analysis batches; `wait_one` returns a finished batch (any order)."""

    def warm(self) -> int: ...
    def submit(self, items: list[Item]) -> None: ...
    def in_flight(self) -> int: ...
    def wait_one(self) -> BatchResult: ...
    def close(self) -> None: ...


class InlineExecutor:
    """No cluster: analyse each batch in this process when it is submitted."""

    def __init__(self, staging: Path, model: str | None, vectors: str | None = None) -> None:
        self.staging, self.model, self.vectors = str(staging), model, vectors
        self.done: list[BatchResult] = []

    def warm(self) -> int:
        warm(self.model, self.vectors)
        return 1

    def submit(self, items: list[Item]) -> None:
        self.done.append(analyze_batch(items, self.staging, self.model, self.vectors))

    def in_flight(self) -> int:
        return len(self.done)

    def wait_one(self) -> BatchResult:
        return self.done.pop(0)

    def close(self) -> None:
        pass


class DaskExecutor:
    """Batches as Dask tasks on a LocalCluster (`workers`) or an existing cluster (`scheduler`)."""

    def __init__(
        self, staging: Path, model: str | None, *, workers: int | None, scheduler: str | None,
        vectors: str | None = None,
    ) -> None:
        from distributed import Client, LocalCluster, as_completed

        self.staging, self.model, self.vectors = str(staging), model, vectors
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler, timeout="10s")
        else:
            # Processes with one thread each: spaCy holds the GIL, so threads would not run in parallel.
            self.cluster = LocalCluster(
                n_workers=workers or 1, threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        self.pending = as_completed()
        self.count = 0
        self.names: dict[str, str] = {}  # future key -> partition name

    def workers(self) -> int:
        return max(len(self.client.scheduler_info(n_workers=-1).get("workers", {})), 1)

    def warm(self) -> int:
        """Load the model on every connected worker now: a missing model fails once, up front,
        not as one error per batch. Returns how many workers are connected."""
        return len(self.client.run(warm, self.model, self.vectors))

    def submit(self, items: list[Item]) -> None:
        # The scheduler re-runs a task whose worker died; `retries` also covers errors raised inside
        # it (a worker's disk full). Both are safe: partition names are deterministic.
        future = self.client.submit(
            analyze_batch, items, self.staging, self.model, self.vectors, pure=False, retries=2
        )
        self.names[future.key] = partition_name(items)
        self.pending.add(future)
        self.count += 1

    def in_flight(self) -> int:
        return self.count

    def wait_one(self) -> BatchResult:
        future = next(self.pending)
        self.count -= 1
        name = self.names.pop(future.key)
        try:
            result: BatchResult = future.result()
        except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: the batch crashed worker after worker
            raise BatchFailed(name, f"{type(exc).__name__}: {exc}") from exc
        return result

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class BatchFailed(Exception):
    """A batch that could not be analysed even after the scheduler's retries."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name, self.reason = name, reason


class Reporter(Protocol):
    def note(self, message: str) -> None: ...
    def set_total(self, total: int | None) -> None: ...
    def advance(self, counts: Counts, n: int) -> None: ...


def _vector_model() -> str | None:
    return vector_model()


@dataclass(frozen=True, slots=True)
class IngestOptions:
    batch_size: int = 16
    model: str | None = None
    workers: int | None = None
    scheduler: str | None = None
    reader_options: ReaderOptions = field(default_factory=ReaderOptions)
    #: The embedding model whose claim vectors the workers add (the one the claim index uses: MiniLM
    #: with the `[semantic]` extra, else None); None leaves any embedding to the index update.
    vectors: str | None = field(default_factory=_vector_model)


def make_executor(staging: Path, options: IngestOptions) -> Executor:
    if options.workers or options.scheduler:
        return DaskExecutor(
            staging, options.model, workers=options.workers, scheduler=options.scheduler,
            vectors=options.vectors,
        )
    return InlineExecutor(staging, options.model, options.vectors)


def run_ingest(
    sources: list[Source],
    store: Store,
    options: IngestOptions,
    reporter: Reporter,
    *,
    total: int | None = None,
    executor_factory: Callable[[Path, IngestOptions], Executor] = make_executor,
) -> Counts:
    db = store.path
    staging = staging_dir(db)
    counts = Counts()
    store.create_schema()
    staging.mkdir(exist_ok=True)
    # A previous run may have died after staging a batch and before loading it: load it now.
    for partition in pending_partitions(staging):
        stored, _ = load_partition(store, partition)
        counts.recovered += stored
    executor = executor_factory(staging, options)
    try:
        if executor.warm() == 0:
            reporter.note("no Dask workers are connected yet; batches wait for the first one")
        # After the model load, so the rate and ETA reflect analysis, not start-up.
        reporter.set_total(total)
        _drive(sources, store, options, executor, staging, counts, reporter)
        if isinstance(executor, DaskExecutor):
            counts.worker_peak_rss_mb = executor.client.run(_peak_rss)
    finally:
        executor.close()
    with contextlib.suppress(OSError):  # every partition is loaded: leave no empty folder behind
        staging.rmdir()
    return counts


def _peak_rss() -> float:
    return peak_rss_mb()


def _drive(
    sources: list[Source],
    store: Store,
    options: IngestOptions,
    executor: Executor,
    staging: Path,
    counts: Counts,
    reporter: Reporter,
) -> None:
    next_seq = int(store.run("SELECT coalesce(max(seq), 0) FROM documents")[0][0]) + 1
    limit = _max_in_flight(executor)
    in_flight: set[str] = set()
    batch_items: dict[str, list[Item]] = {}  # partition name -> its items, while in flight
    batch: list[tuple[StoredAs, str, Document]] = []
    copies = CopyFinder.load(store)

    def finish_one() -> None:
        try:
            result = executor.wait_one()
        except BatchFailed as failed:
            # Its documents go to `errors` and stay out of the store: the next run tries them again.
            items = batch_items.pop(failed.name, [])
            rows = Rows()
            for item in items:
                rows.error(item.source, f"analysis failed on the cluster: {failed.reason}")
            record_errors(store, rows)
            counts.errors += len(items)
            in_flight.difference_update(i.doc_id for i in items)
            reporter.advance(counts, len(items))
            return
        partition = staging / result.name
        if result.payload is not None:
            write_partition(staging, result.name, result.payload)
        stored, _ = load_partition(store, partition)
        counts.stored += stored
        counts.errors += result.errors
        # A document the store already had (loaded by a recovered partition) counts as a duplicate.
        counts.duplicates += result.documents - stored
        counts.batches += 1
        counts.worker_cpu_seconds += result.cpu_seconds
        in_flight.difference_update(i.doc_id for i in batch_items.pop(result.name, []))
        reporter.advance(counts, result.documents + result.errors)

    def flush() -> None:
        nonlocal next_seq, batch
        fresh = _not_stored(store, batch)
        skipped = len(batch) - len(fresh)
        if skipped:
            counts.duplicates += skipped
            reporter.advance(counts, skipped)
        batch = []
        if not fresh:
            return
        while executor.in_flight() >= limit:
            finish_one()
        # Copy groups are given here, in ingest order, by the one process that sees every document.
        items = [
            Item(with_copies(copies, keys, doc.text, doc.wire), next_seq + i, source, doc)
            for i, (keys, source, doc) in enumerate(fresh)
        ]
        next_seq += len(items)
        batch_items[partition_name(items)] = items
        in_flight.update(i.doc_id for i in items)
        executor.submit(items)

    for item in _read_all(sources, options.reader_options):
        if isinstance(item, InputError):
            rows = Rows()
            rows.error(item.source or "?", _reason(item))
            # Recorded once: an input that failed in an earlier run is not added again.
            record_errors(store, rows)
            counts.errors += 1
            reporter.advance(counts, 1)
            continue
        document, source = item
        keys = stored_as(document, source)
        if keys.doc_id in in_flight or any(keys.doc_id == k.doc_id for k, _, _ in batch):
            counts.duplicates += 1
            reporter.advance(counts, 1)
            continue
        batch.append((keys, source, document))
        if len(batch) >= options.batch_size:
            flush()
    if batch:
        flush()
    while executor.in_flight():
        finish_one()


def _max_in_flight(executor: Executor) -> int:
    # Two batches per worker keep every worker busy while the driver loads; more would only hold
    # documents in memory. Inline, a batch is finished as soon as it is submitted.
    if isinstance(executor, DaskExecutor):
        return 2 * executor.workers() + 1
    return 1


def _not_stored(
    store: Store, batch: list[tuple[StoredAs, str, Document]]
) -> list[tuple[StoredAs, str, Document]]:
    ids = [keys.doc_id for keys, _, _ in batch]
    rows = store.run("SELECT doc_id FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [ids])
    stored = {r[0] for r in rows}
    return [entry for entry in batch if entry[0].doc_id not in stored]


def _reason(error: InputError) -> str:
    return Exception.__str__(error)


def _read_all(sources: list[Source], options: ReaderOptions) -> Iterator[InputError | tuple[Document, str]]:
    """Every record of every source, with its locator; a reader that crashes ends only its source."""
    for source in sources:
        try:
            for item in source.reader(source.path, options):
                yield _located(item, source)
        except InputError as exc:
            yield exc
        except Exception as exc:  # noqa: BLE001 - a custom reader's bug must not lose the other sources
            yield InputError(
                f"reader '{source.reader_name}' failed: {type(exc).__name__}: {exc}", source=str(source.path)
            )


def _located(item: ReadItem | Any, source: Source) -> InputError | tuple[Document, str]:
    if isinstance(item, InputError):
        if item.source is None:
            item.source = str(source.path)
        return item
    if not isinstance(item, Document):
        return InputError(
            f"reader '{source.reader_name}' yielded {type(item).__name__}, not a Document",
            source=str(source.path),
        )
    return item, item.path or item.url or str(source.path)


def elapsed_rate(started: float, n: int) -> float:
    seconds = time.perf_counter() - started
    return n / seconds if seconds > 0 else 0.0
