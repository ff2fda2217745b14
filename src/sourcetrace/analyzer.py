"""Loading the pipeline once and turning Documents into Reports."""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

import sourcetrace.nlp.components  # noqa: F401 - registers the "sourcetrace" factory
import sourcetrace.nlp.paragraphs  # noqa: F401 - registers the "sourcetrace_paragraphs" component
from sourcetrace.errors import InputError, ModelError
from sourcetrace.ingest import document_from_text, read_path
from sourcetrace.ingest.lang import language_warning
from sourcetrace.modelfile import package_path
from sourcetrace.nlp.gcpause import gc_paused
from sourcetrace.nlp.loader import DEFAULT_MODEL, load_spacy
from sourcetrace.outlets.standing import rate_publisher, rate_sources
from sourcetrace.report.summary import headline_check, profile
from sourcetrace.schema import Document, FramingSpan, Provenance, Report
from sourcetrace.version import __version__

#: Texts longer than this are parsed in parts (spaCy's parser wants at most about 1 GB of memory per
#: 100,000 characters at once); offsets still index the whole text.
PART_CHARS = 100_000
#: The longest text analysed at all: five times the size of the longest news feature.
MAX_TEXT_CHARS = 5_000_000
MODELS_DIR = package_path("models")


def load_pipeline(model: str | None = None) -> Language:
    """An installed spaCy pipeline (name or path) with the sourcetrace component at the end."""
    name = model or DEFAULT_MODEL
    nlp = load_spacy(name)
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
        self,
        documents: Iterable[Document],
        batch_size: int = 16,
        n_process: int = 1,
        on_error: Callable[[Document, InputError], None] | None = None,
    ) -> Iterator[Report]:
        """Reports in input order. With n_process > 1, worker processes each load the pipeline once.

        A document the analysis refuses (longer than MAX_TEXT_CHARS) raises InputError, or, with
        `on_error`, is passed to it and skipped while the rest go on. A document longer than the
        parser takes at once is parsed in parts cut at paragraph breaks and analysed whole.
        """
        if n_process > 1:
            yield from _analyze_parallel(self.model, documents, batch_size, n_process)
            return
        for kind, group in itertools.groupby(documents, key=self._size_class):
            if kind == "normal":
                docs = (self._prepare(d) for d in group)
                for doc in self.nlp.pipe(docs, batch_size=batch_size):
                    with gc_paused():
                        report = self.report(doc, doc._.document)
                    yield report
                continue
            for document in group:
                if kind == "long":
                    yield self._analyze_long(document)
                    continue
                error = InputError(
                    f"text of {len(document.text):,} characters is over the analysis limit of "
                    f"{MAX_TEXT_CHARS:,}; split the article", source=document.path or document.url,
                )
                if on_error is None:
                    raise error
                on_error(document, error)

    def _size_class(self, document: Document) -> str:
        size = len(document.text)
        if size > MAX_TEXT_CHARS:
            return "over"
        return "long" if size > min(self.nlp.max_length, PART_CHARS) else "normal"

    def _analyze_long(self, document: Document) -> Report:
        """Parse in parts (paragraph breaks, else sentence ends, else spaces), join them into one Doc
        whose offsets are those of the whole text, then run sourcetrace's component on it."""
        parts = split_for_parser(document.text, PART_CHARS)
        own = [name for name in self.nlp.pipe_names if name == "sourcetrace"]
        with self.nlp.select_pipes(disable=own):
            docs = list(self.nlp.pipe(document.text[s:e] for s, e in parts))
        doc = Doc.from_docs(docs, ensure_whitespace=False)
        doc._.document = document
        doc = self.nlp.get_pipe("sourcetrace")(doc)
        with gc_paused():
            return self.report(doc, document)

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
            warnings=[w for w in (language_warning(document.language),) if w],
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
            repairs=list(document.repairs),
        )


    def _pipeline_id(self) -> tuple[str, str]:
        # `nlp.meta` rebuilds every component's label list on each access: read it once.
        if self._pipeline is None:
            meta = self.nlp.meta
            self._pipeline = (f"{meta.get('lang', 'xx')}_{meta.get('name', 'unknown')}",
                              str(meta.get("version", "unknown")))
        return self._pipeline


def split_for_parser(text: str, limit: int) -> list[tuple[int, int]]:
    """Consecutive spans covering `text`, each at most `limit` characters where a break allows: cut
    after the last paragraph break in reach, else after a sentence end, else after a space."""
    spans: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = -1
        for pattern in (r"\n\s*\n\s*", r"\n\s*", r"[.!?][\"'\u201d\u2019)]*\s+", r"\s+"):
            ends = [m.end() for m in re.finditer(pattern, window)]
            if ends and ends[-1] > limit // 4:
                cut = ends[-1]
                break
        if cut <= 0:
            cut = limit  # one unbroken run of characters: cut it anyway
        spans.append((start, start + cut))
        start += cut
    spans.append((start, len(text)))
    return spans


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
        documents = read_path(text_or_path)
        if not documents:
            raise InputError("no article found", source=str(text_or_path))
        if len(documents) > 1:
            raise InputError(
                f"holds {len(documents)} articles; analyze() takes one: use "
                "Analyzer().analyze_many(iter_documents([path])) for several",
                source=str(text_or_path),
            )
        document = documents[0]
        if meta:
            document = document.with_meta(**meta)
    elif isinstance(text_or_path, str):
        document = document_from_text(text_or_path, **meta)
    else:
        raise TypeError(
            f"analyze() takes a str (the text) or a pathlib.Path, not {type(text_or_path).__name__}"
        )
    return default_analyzer(model).analyze(document)
