"""The analysis task: one batch of Documents in, one staged Parquet partition out.

The same function runs in the ingest process (no cluster), in a LocalCluster worker and on a remote
Dask worker; it keeps one Analyzer per process, so the spaCy pipeline loads once per worker however
many batches the worker gets.
"""

from __future__ import annotations

import hashlib
import os
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sourcetrace.corpus.rows import Rows, StoredAs, report_rows
from sourcetrace.corpus.staging import encode, write_partition
from sourcetrace.matching import semantic
from sourcetrace.matching.semantic import MODEL_NAME
from sourcetrace.schema import Document


@dataclass(frozen=True, slots=True)
class Item:
    """A document waiting for analysis: its keys, ingest order and where it came from."""

    stored_as: StoredAs
    seq: int
    source: str
    document: Document

    @property
    def doc_id(self) -> str:
        return self.stored_as.doc_id


@dataclass(frozen=True, slots=True)
class BatchResult:
    name: str
    documents: int
    errors: int
    #: Parquet bytes per table when the worker could not see the staging folder (another machine
    #: without a shared filesystem); the driver then writes the partition itself.
    payload: dict[str, bytes] | None
    peak_rss_mb: float
    #: CPU time the worker spent on the batch: unlike wall time it does not grow when other work
    #: shares the machine, so benchmarks can tell scaling limits from contention.
    cpu_seconds: float = 0.0


def partition_name(items: list[Item]) -> str:
    """Deterministic, so a retried task rewrites the same partition rather than a second copy."""
    digest = hashlib.sha256("".join(i.doc_id for i in items).encode()).hexdigest()[:16]
    return f"p{items[0].seq:012d}-{digest}"


def analyze_rows(items: list[Item], model: str | None) -> Rows:
    """Rows for every document; a document whose analysis fails becomes an `errors` row instead."""
    # Imported here: the ingest driver imports this module and must not load spaCy unless it analyses.
    from sourcetrace.analyzer import default_analyzer

    engine = default_analyzer(model)
    rows = Rows()
    try:
        reports = list(engine.analyze_many([i.document for i in items]))
    except Exception:  # noqa: BLE001 - find the culprit below, one document at a time
        reports = None
    for position, item in enumerate(items):
        try:
            report = reports[position] if reports is not None else engine.analyze(item.document)
            rows.extend(report_rows(report, stored_as=item.stored_as, seq=item.seq, source=item.source))
        except Exception as exc:  # noqa: BLE001 - one bad article must not sink its batch
            rows.error(item.source, f"analysis failed: {type(exc).__name__}: {exc}")
    return rows


def claim_vector_rows(claims: list[dict[str, Any]], vectors: str) -> list[dict[str, Any]]:
    """The `claim_vectors` rows of a batch's claims: their MiniLM sentence embeddings, int8-quantised as
    the claim index stores them. Embedding costs about as much CPU as the rest of the analysis, so it
    runs here, on every worker, rather than in the one ingest process that updates the index."""
    from sourcetrace.matching.model import default_embedder
    from sourcetrace.matching.vectors import quantise

    if not claims or vectors != MODEL_NAME:
        return []
    codes, scale = quantise(default_embedder().embed([c["text"] for c in claims]))
    return [
        {"doc_id": c["doc_id"], "claim_id": c["claim_id"], "model": vectors,
         "codes": codes[i].tobytes(), "scale": float(scale[i])}
        for i, c in enumerate(claims)
    ]


def can_embed() -> bool:
    """True when this process has the `[semantic]` extra. A worker without it leaves the vectors to the
    ingest process, which embeds any claim stored without one when it updates the index."""
    return semantic.available()


def analyze_batch(
    items: list[Item], staging: str, model: str | None = None, vectors: str | None = None
) -> BatchResult:
    """The unit of work sent to workers; `vectors`: the embedding model whose claim vectors to add."""
    cpu_start = time.process_time()
    name = partition_name(items)
    rows = analyze_rows(items, model)
    if vectors is not None and can_embed():
        rows.tables["claim_vectors"] = claim_vector_rows(rows.tables["claims"], vectors)
    stage = Path(staging)
    payload = None
    if stage.is_dir():
        write_partition(stage, name, rows)
    else:
        payload = encode(rows)
    return BatchResult(
        name=name,
        documents=len(rows.tables["documents"]),
        errors=len(rows.tables["errors"]),
        payload=payload,
        peak_rss_mb=peak_rss_mb(),
        cpu_seconds=time.process_time() - cpu_start,
    )


def peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def worker_pid() -> int:
    return os.getpid()


def warm(model: str | None = None, vectors: str | None = None) -> float:
    """Load the pipeline (and the embedder the claim vectors need) now: benchmarks time analysis, not
    start-up. Returns this process's peak RSS."""
    from sourcetrace.analyzer import default_analyzer

    default_analyzer(model)
    if vectors is not None and can_embed():
        from sourcetrace.matching.model import default_embedder

        default_embedder()
    return peak_rss_mb()
