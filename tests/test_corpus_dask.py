"""`corpus ingest` on Dask: a LocalCluster (`--workers`), real `dask scheduler`/`dask worker` processes
on loopback (`--scheduler`), and a worker killed mid-run whose tasks the scheduler re-runs.

At most two workers: the test machine has two cores. Articles are invented (test_corpus_ingest.py).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_corpus_ingest import counts, query, write_articles

BIN = Path(sys.executable).parent
SOURCETRACE = str(BIN / "sourcetrace")
DASK = str(BIN / "dask")


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_articles(tmp_path_factory.mktemp("news"), 12)


@pytest.fixture(scope="module")
def clean(news: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same articles ingested in-process: what every distributed run must match."""
    db = tmp_path_factory.mktemp("clean") / "clean.duckdb"
    done = subprocess.run([SOURCETRACE, "corpus", "ingest", str(news), "--db", str(db)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return db


def _same_store(db: Path, clean: Path) -> None:
    assert counts(db) == counts(clean)
    for sql in ("SELECT doc_id, source FROM documents ORDER BY doc_id",
                "SELECT claim_id, doc_id, text, chain, cue FROM claims ORDER BY claim_id"):
        assert query(db, sql) == query(clean, sql)
    # Ingest order is the reading order whatever order the workers finished in.
    assert query(db, "SELECT source FROM documents ORDER BY seq") == query(
        clean, "SELECT source FROM documents ORDER BY seq")


def _ingest(*args: str | Path, timeout: float = 600) -> dict:
    done = subprocess.run([SOURCETRACE, "corpus", "ingest", *map(str, args), "--json"],
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_local_cluster_matches_an_in_process_run(news: Path, clean: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    result = _ingest(news, "--db", db, "--workers", "2", "--batch-size", "3")
    assert result["stored"] == 12 and result["errors"] == 0
    assert len(result["worker_peak_rss_mb"]) == 2
    _same_store(db, clean)


class Cluster:
    """A `dask scheduler` and `dask worker` processes on 127.0.0.1, each its own OS process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        scheduler_file = folder / "scheduler.json"
        # Port 0: the OS picks a free port; the scheduler file tells us which.
        self._start([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                     "--scheduler-file", str(scheduler_file)], "scheduler")
        deadline = time.monotonic() + 120
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert scheduler_file.exists(), self.logs()
        self.address = json.loads(scheduler_file.read_text())["address"]

    def _start(self, command: list[str], name: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        self.procs.append(proc)
        return proc

    def add_worker(self) -> subprocess.Popen[bytes]:
        # --no-nanny: the worker is this very process, so killing it kills the worker (a nanny
        # would quietly restart it). One thread: spaCy holds the GIL.
        proc = self._start([DASK, "worker", self.address, "--nthreads", "1", "--no-nanny",
                            "--host", "127.0.0.1", "--no-dashboard", "--name", f"w{len(self.workers)}"],
                           f"worker{len(self.workers)}")
        self.workers.append(proc)
        return proc

    def wait_for_workers(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout="60s") as client:
            client.wait_for_workers(n, timeout=120)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-1500:] for p in self.folder.glob("*.log"))

    def close(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:  # a worker still finishing a task: nothing to keep
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """One scheduler and two workers for the module: starting workers (each loads spaCy) is slow."""
    running = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        running.add_worker()
        running.add_worker()
        running.wait_for_workers(2)
        yield running
    finally:
        running.close()


def test_existing_cluster_from_dask_cli_processes(news: Path, clean: Path, cluster: Cluster,
                                                  tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    result = _ingest(news, "--db", db, "--scheduler", cluster.address, "--batch-size", "3")
    assert result["stored"] == 12 and result["errors"] == 0
    assert len(result["worker_peak_rss_mb"]) == 2
    _same_store(db, clean)
    # Re-ingesting through the cluster adds nothing.
    again = _ingest(news, "--db", db, "--scheduler", cluster.address)
    assert (again["stored"], again["duplicates"]) == (0, 12)


def test_worker_killed_mid_run_has_its_tasks_retried(news: Path, clean: Path, cluster: Cluster,
                                                     tmp_path: Path) -> None:
    victim = cluster.workers[0]
    assert victim.poll() is None
    db = tmp_path / "c.duckdb"
    ingest = subprocess.Popen(
        [SOURCETRACE, "corpus", "ingest", str(news), "--db", str(db), "--scheduler", cluster.address,
         "--batch-size", "1", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert ingest.stderr is not None
        # The first progress line comes once the first batch is stored: both workers are busy then.
        deadline = time.monotonic() + 300
        line = ""
        while time.monotonic() < deadline and not line.startswith("ingest:"):
            line = ingest.stderr.readline()
            assert line or ingest.poll() is None, "ingest ended before any progress"
        assert line.startswith("ingest:"), cluster.logs()
        busy = _wait_until_busy(cluster, "w0", ingest)
        assert ingest.poll() is None, "ingest finished before the kill"
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        out, err = ingest.communicate(timeout=600)
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.wait()
    assert victim.returncode == -signal.SIGKILL
    assert busy, "the killed worker was running no task"
    assert ingest.returncode == 0, err[-3000:] + cluster.logs()
    result = json.loads(out.strip().splitlines()[-1])
    assert result["stored"] == 12 and result["errors"] == 0
    assert len(result["worker_peak_rss_mb"]) == 1  # only the survivor is left to ask
    _same_store(db, clean)


def _wait_until_busy(cluster: Cluster, name: str, ingest: subprocess.Popen[str]) -> list[str]:
    """The keys of the tasks the named worker is running, once it runs any (so the kill hits work)."""
    from distributed import Client

    with Client(cluster.address, timeout="30s") as client:
        workers = client.scheduler_info(n_workers=-1)["workers"]
        address = next(a for a, w in workers.items() if w["name"] == name)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and ingest.poll() is None:
            keys = list(client.processing([address]).get(address, ()))
            if keys:
                return [str(k) for k in keys]
            time.sleep(0.02)
    return []


def test_unreachable_scheduler_is_one_error_line(news: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        [SOURCETRACE, "corpus", "ingest", str(news), "--db", str(tmp_path / "c.duckdb"),
         "--scheduler", f"tcp://127.0.0.1:{port}"],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), done.stderr
    assert str(port) in lines[0]
