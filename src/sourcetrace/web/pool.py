"""Running analyses off the event loop, with the model loaded once.

One worker (the default) is a single thread around one loaded `Analyzer`: spaCy's pipeline is not
meant to be called from several threads at once, and one thread keeps memory at one model. More
workers are spawned processes, each loading the model once in its initializer, for machines with
cores to spare. Either way the event loop only awaits a future, so `/healthz` and page requests stay
responsive while articles are being analysed, and the report is serialised to JSON bytes inside the
worker so that cost stays off the loop too.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

import anyio
import anyio.to_thread

from sourcetrace.schema import Document, without_surrogates

if TYPE_CHECKING:
    from sourcetrace.analyzer import Analyzer
    from sourcetrace.schema import Document

T = TypeVar("T")

_worker_analyzer: Analyzer | None = None


def _load(model: str | None) -> None:
    global _worker_analyzer
    if _worker_analyzer is None:
        from sourcetrace.analyzer import default_analyzer

        # default_analyzer is cached per model: a test process that already loaded it shares it.
        _worker_analyzer = default_analyzer(model)


def _analyze_to_json(document: Document) -> bytes:
    assert _worker_analyzer is not None, "worker used before its model was loaded"
    report = _worker_analyzer.analyze(document).to_json(indent=None)
    try:
        return report.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (a JSON "\udc80" escape) that got this far has no UTF-8 form; U+FFFD in its
        # place is one code point for one, so every character offset in the report still holds.
        return without_surrogates(report).encode("utf-8")


class PoolBusy(Exception):
    """More analyses are waiting than the pool accepts; the client should retry later."""


class AnalysisPool:
    """Analyses Documents into report JSON bytes on worker threads or processes."""

    def __init__(self, model: str | None = None, workers: int = 1, max_pending: int = 64) -> None:
        self.model = model
        self.workers = max(1, workers)
        self.max_pending = max_pending
        self._pending = 0
        self._executor: Executor | None = None

    def start(self) -> None:
        """Load the model now (blocking), so the first request does not pay for it."""
        if self.workers == 1:
            _load(self.model)
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sourcetrace-analyze")
            return
        # spawn, not fork: a forked copy of a process that already runs threads (the server) can deadlock.
        context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=_load, initargs=(self.model,)
        )
        # Each worker loads the model in its initializer; wait for all of them before serving.

        warm = Document(text="The council said the bridge would reopen on Monday.")
        for future in [executor.submit(_analyze_to_json, warm) for _ in range(self.workers)]:
            future.result()
        self._executor = executor

    @property
    def ready(self) -> bool:
        return self._executor is not None

    @property
    def pending(self) -> int:
        return self._pending

    async def analyze(self, document: Document) -> bytes:
        if self._executor is None:
            raise RuntimeError("analysis pool not started")
        if self._pending >= self.max_pending:
            raise PoolBusy(f"{self._pending} analyses already waiting")
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, _analyze_to_json, document)
        finally:
            self._pending -= 1

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


class ThreadSlots:
    """Blocking calls of one kind (URL fetches) on a bounded set of threads of their own.

    A fetch can wait on a slow server for its whole time limit. On the thread pool every other request
    shares (anyio's, 40 threads), enough of them at once would leave HTML extraction, uploads and corpus
    queries waiting for a thread. Here at most `threads` calls run at once, at most `max_waiting` more
    wait for a turn, and any beyond that raise PoolBusy (503) at once instead of queueing without limit.
    """

    def __init__(self, threads: int, max_waiting: int, what: str) -> None:
        self.threads = max(1, threads)
        self.max_waiting = max(0, max_waiting)
        self.what = what
        self._pending = 0
        self._limiter: anyio.CapacityLimiter | None = None

    @property
    def pending(self) -> int:
        return self._pending

    async def run(self, func: Callable[..., T], *args: object) -> T:
        if self._pending >= self.threads + self.max_waiting:
            raise PoolBusy(f"{self._pending} {self.what} already in progress")
        if self._limiter is None:  # made on first use, inside the event loop that serves the app
            self._limiter = anyio.CapacityLimiter(self.threads)
        self._pending += 1
        try:
            return await anyio.to_thread.run_sync(func, *args, limiter=self._limiter)
        finally:
            self._pending -= 1
