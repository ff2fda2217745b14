"""Read access to the corpus store for the web app.

The store is opened read-only for each request and closed straight after. DuckDB allows one writer
process per file, so `sourcetrace corpus ingest` and `serve` take turns: while an ingest holds the file,
corpus requests answer 503 (store busy) and the analyse page keeps working; once it finishes, the next
request opens the file afresh and sees the new articles, with no restart. Queries are blocking DuckDB
calls, so they run on a worker thread, not on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import anyio.to_thread

from sourcetrace.corpus.store import Store, StoreError

T = TypeVar("T")


class StoreUnavailable(Exception):
    """The app has no store (--db not given): the corpus pages do not exist."""


class StoreBusy(Exception):
    """The store file cannot be opened now (an ingest holds it, or it is not a store)."""


class StoreOutdated(Exception):
    """The store has an older layout: `sourcetrace corpus migrate` must upgrade it first."""


class CorpusReader:
    def __init__(self, path: Path | None) -> None:
        self.path = path

    @property
    def enabled(self) -> bool:
        return self.path is not None

    def _run(self, query: Callable[..., T], *args: object) -> T:
        if self.path is None:
            raise StoreUnavailable("no corpus store: start the server with --db corpus.duckdb")
        try:
            store = Store(self.path, read_only=True)
        except StoreError as exc:
            raise StoreBusy(str(exc)) from None
        with store:
            try:
                store.check_version()
            except StoreError as exc:
                raise StoreOutdated(str(exc)) from None
            return query(store, *args)

    async def run(self, query: Callable[..., T], *args: object) -> T:
        return await anyio.to_thread.run_sync(self._run, query, *args)
