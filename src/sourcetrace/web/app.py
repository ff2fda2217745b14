"""The FastAPI application: pages, JSON API, and the error handling that keeps internals private.

Every route that does real work hands it off the event loop: analyses go to the `AnalysisPool`, URL
fetches to threads of their own (`ThreadSlots`: slow servers cannot take the threads the rest needs),
text preparation, HTML extraction and store queries to a thread (chain graphs are laid out inline:
a few milliseconds of Python). User mistakes answer 4xx with a one-line `detail`; anything unexpected
is logged here and answers a bare 500, never a traceback.

Text that arrives as JSON may hold lone UTF-16 surrogates ("\\udc80" escapes), which have no UTF-8 form;
they become U+FFFD where the request is read, and any that still reach a reader or the analyser answer
422, not 500.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from sourcetrace.corpus.queries import (
    ClaimHit,
    OutletProfile,
    QueryError,
    Trace,
    outlet_profiles,
    search_claims,
    trace,
)
from sourcetrace.errors import InputError
from sourcetrace.ingest import Fetcher, check_url
from sourcetrace.ingest.dates import iso_published
from sourcetrace.ingest.decode import check_text
from sourcetrace.ingest.fetch import RefusedTarget
from sourcetrace.ingest.readers import html_document, json_documents, txt_document
from sourcetrace.ingest.text import document_from_text
from sourcetrace.schema import Document, Report, without_surrogates
from sourcetrace.version import __version__
from sourcetrace.web import timeline
from sourcetrace.web.corpus import CorpusReader, StoreBusy, StoreOutdated, StoreUnavailable
from sourcetrace.web.graph import TYPE_COLOURS, ChainGraphRequest, chain_svg
from sourcetrace.web.pool import AnalysisPool, PoolBusy, ThreadSlots
from sourcetrace.web.security import BodyLimit, RateLimit, SecurityHeaders
from sourcetrace.web.settings import WebSettings

log = logging.getLogger("sourcetrace.web")
HERE = Path(__file__).parent
UPLOAD_SUFFIXES = (".txt", ".html", ".htm", ".json")


def _scrub(value: str | None) -> str | None:
    """U+FFFD for each lone surrogate: JSON can carry them ("\\udc80"), UTF-8 cannot.

    A JSON parser already joins an escaped pair into one character, so every surrogate left is alone."""
    return without_surrogates(value) if value else value


# ------------------------------------------------------------------------------------------ models


class AnalyzeRequest(BaseModel):
    """One article: exactly one of `text`, `url` or `html`, plus optional metadata overrides."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(None, description="The article as plain text (first line: headline).")
    url: str | None = Field(None, max_length=2000, description="An http(s) URL to fetch the article from.")
    html: str | None = Field(None, description="The article page as HTML.")
    title: str | None = Field(None, max_length=1000, description="Headline, overriding what was found.")
    outlet: str | None = Field(None, max_length=300, description="Publishing outlet, overriding.")
    published: str | None = Field(
        None, max_length=100,
        description="Publication date in any common format (2026-03-02, 2 March 2026, an RSS date); "
        "stored as ISO 8601. A value that is not a date is refused (422).",
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_lone_surrogates(cls, value: Any) -> Any:
        # Before validation: a length-limited field would otherwise refuse a lone surrogate outright.
        return _scrub(value) if isinstance(value, str) else value

    @field_validator("published")
    @classmethod
    def _a_date(cls, value: str | None) -> str | None:
        try:
            return iso_published(value, strict=True, what="published")
        except InputError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _exactly_one_input(self) -> AnalyzeRequest:
        given = [name for name in ("text", "url", "html") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of text, url or html")
        return self


class Detail(BaseModel):
    detail: str | list[dict[str, Any]] = Field(description="What went wrong (a list for invalid fields).")


class Health(BaseModel):
    status: str
    version: str
    model_loaded: bool
    pending_analyses: int
    corpus: bool


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": Detail} for code in codes}


_PAGE_ERRORS = {404: "No corpus store, or no such claim", 422: "Invalid parameter", 503: "Store busy"}


def _page_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """Pages answer their errors as HTML pages, and the spec says so."""
    return {code: {"description": _PAGE_ERRORS[code], "content": {"text/html": {}}} for code in codes}


# ------------------------------------------------------------------------------------- input → Document


def _meta(title: str | None, outlet: str | None, published: str | None) -> dict[str, str | None]:
    try:
        date = iso_published(_scrub(published), strict=True, what="published")
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    return {"title": _scrub(title) or None, "outlet": _scrub(outlet) or None, "published": date}


@contextmanager
def _unicode_is_input_error() -> Iterator[None]:
    """A UnicodeError from reading or analysing the client's text is the input's fault: 422, not 500.

    (Lone surrogates in JSON request fields are replaced before they get here; this is for what a
    reader still lets through, e.g. a "\\udc80" escape inside an uploaded .json file.)"""
    try:
        yield
    except UnicodeError as exc:
        raise InputError(
            f"the text holds characters that have no UTF-8 form ({exc.reason}), such as a lone "
            "surrogate escape like \\udc80; remove them and try again"
        ) from None


def _text_document(text: str, meta: dict[str, str | None]) -> Document:
    check_text(text, None)
    return document_from_text(text, **meta)


def _html_document(data: bytes, source: str, meta: dict[str, str | None]) -> Document:
    return html_document(data, source=source, **{k: v for k, v in meta.items() if v is not None})


def _upload_document(data: bytes, filename: str, meta: dict[str, str | None]) -> Document:
    """A .txt/.html/.json upload to a Document through the same readers the CLI uses."""
    name = Path(filename).name or "upload"
    suffix = Path(name).suffix.lower()
    given = {k: v for k, v in meta.items() if v is not None}
    if suffix == ".txt":
        return txt_document(data, source=name, **given)
    if suffix in (".html", ".htm"):
        return _html_document(data, name, meta)
    if suffix == ".json":
        items = list(json_documents(data, source=name, max_bytes=len(data) + 1))
        if len(items) > 1:
            # One upload, one report: a list would be analysed only in part, so say so instead (422).
            raise InputError(
                f"the file holds {len(items)} articles; upload one article per file, or analyse several with "
                "`sourcetrace analyze FILE -f jsonl` or `sourcetrace corpus ingest`",
                source=name,
            )
        first = items[0]
        if isinstance(first, InputError):
            raise first
        return first.with_meta(**given)
    shown = f"'{suffix}'" if suffix else "(no extension)"
    raise InputError(f"unsupported file type {shown}; upload one of {', '.join(UPLOAD_SUFFIXES)}")


class FetchRefused(Exception):
    """The URL is refused before any connection (SSRF guard, bad scheme) or fetching is off."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class UpstreamError(Exception):
    """Fetching the URL failed at the other end: unreachable, HTTP error, too slow, no article."""


def _fetch_document(url: str, settings: WebSettings, meta: dict[str, str | None]) -> Document:
    if settings.refuse_fetch:
        raise FetchRefused("fetching URLs is turned off on this server", 403)
    try:
        # Checked here first so a refused target is the client's mistake (400), not an upstream failure.
        check_url(url, allow_loopback=settings.allow_loopback_fetch)
    except InputError as exc:
        raise FetchRefused(str(exc), 400) from None
    fetcher = Fetcher(
        allow_loopback=settings.allow_loopback_fetch,
        max_text_bytes=settings.max_body_bytes,
        total_timeout=settings.fetch_timeout,
    )
    try:
        document = fetcher.fetch(url)
    except RefusedTarget as exc:
        # Every later hop is re-checked by the fetcher: a redirect to a refused target is refused like the
        # URL itself would be (400); the client asked for something that leads there.
        raise FetchRefused(str(exc), 400) from None
    except InputError as exc:
        raise UpstreamError(str(exc)) from None
    given = {k: v for k, v in meta.items() if v is not None}
    return document.with_meta(**given)


# --------------------------------------------------------------------------------------------- app


def _templates() -> Environment:
    # Autoescape every template: article text and store values only ever reach HTML escaped.
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    env.globals["type_colours"] = TYPE_COLOURS
    return env


def create_app(settings: WebSettings) -> FastAPI:
    pool = AnalysisPool(settings.model, settings.workers, settings.max_pending)
    fetches = ThreadSlots(settings.fetch_threads, settings.max_pending_fetches, "URL fetches")
    corpus = CorpusReader(settings.db)
    env = _templates()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool.start()
        try:
            yield
        finally:
            pool.close()

    app = FastAPI(
        title="sourcetrace",
        version=__version__,
        description="Who asserts each claim of a news article, through which chain of sources.",
        lifespan=lifespan,
        # FastAPI's /docs and /redoc load their scripts from a CDN; /docs is served by this app instead.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.pool = pool
    app.state.fetches = fetches
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    # Each add_middleware wraps the ones before it, so the last added runs first: security headers go on
    # every answer (a 429 too), and the body cap sits innermost, where its 413 reaches the error handlers.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RateLimit, rate=settings.rate_limit, burst=settings.rate_burst)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["content-type"])
    app.add_middleware(SecurityHeaders)
    _error_handlers(app, env)

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(corpus=corpus.enabled, **context)
        return HTMLResponse(html, status_code=status)

    # ------------------------------------------------------------------------------------- pages

    @app.get("/", response_class=HTMLResponse, tags=["pages"], summary="Analyse page")
    async def analyse_page() -> HTMLResponse:
        return page("analyze.html", upload_suffixes=",".join(UPLOAD_SUFFIXES))

    @app.get("/docs", include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return page("docs.html")

    @app.get("/outlets", response_class=HTMLResponse, tags=["pages"], summary="Outlet table",
             responses=_page_errors(404, 503))
    async def outlets_page() -> HTMLResponse:
        profiles = await corpus.run(outlet_profiles)
        return page("outlets.html", profiles=profiles)

    @app.get("/claims", response_class=HTMLResponse, tags=["pages"], summary="Claim search",
             responses=_page_errors(404, 422, 503))
    async def claims_page(q: Annotated[str, Query(max_length=500)] = "") -> HTMLResponse:
        if not corpus.enabled:
            raise StoreUnavailable
        hits, message = [], None
        if q.strip():
            try:
                hits = await corpus.run(search_claims, q, 100)
            except QueryError as exc:
                message = str(exc)
        return page("claims.html", q=q, hits=hits, message=message)

    @app.get("/claims/{claim_id}", response_class=HTMLResponse, tags=["pages"], summary="Claim trace",
             responses=_page_errors(404, 422, 503))
    async def trace_page(claim_id: Annotated[str, PathParam(max_length=200)]) -> HTMLResponse:
        result = await _trace(corpus, claim_id)
        return page("trace.html", trace=result, chart=timeline.chart(result))

    # --------------------------------------------------------------------------------------- API

    @app.get("/healthz", response_model=Health, tags=["api"], summary="Liveness")
    async def healthz() -> Health:
        return Health(status="ok", version=__version__, model_loaded=pool.ready,
                      pending_analyses=pool.pending, corpus=corpus.enabled)

    @app.post(
        "/api/analyze", tags=["api"], summary="Analyse one article",
        response_model=Report, responses=_errors(400, 403, 413, 422, 429, 502, 503),
        description="Returns the report JSON contract (docs/json-contract.md). A URL is fetched with "
        "the SSRF guard: a URL that is not http(s), or whose host is or resolves to a private, loopback, "
        "link-local or reserved address, is refused (400), and so is a redirect to one; an unreachable, "
        "failing or too slow upstream (the whole fetch has a time limit) answers 502; a URL while "
        "fetching is off answers 403; too many fetches at once answer 503. Lone UTF-16 surrogates in "
        "`text` or `html` are read as U+FFFD.",
    )
    async def api_analyze(body: AnalyzeRequest) -> Response:
        meta = _meta(body.title, body.outlet, body.published)
        with _unicode_is_input_error():
            if body.text is not None:
                document = await anyio.to_thread.run_sync(_text_document, body.text, meta)
            elif body.html is not None:
                document = await anyio.to_thread.run_sync(
                    _html_document, body.html.encode("utf-8"), "html", meta
                )
            else:
                assert body.url is not None
                document = await fetches.run(_fetch_document, body.url, settings, meta)
        return await _analyze(pool, document)

    @app.post(
        "/api/analyze/file", tags=["api"], summary="Analyse an uploaded .txt/.html/.json file",
        response_model=Report, responses=_errors(400, 413, 422, 429, 503),
    )
    async def api_analyze_file(
        file: Annotated[UploadFile, File(description="A .txt, .html/.htm or .json article.")],
        title: Annotated[str | None, Form(max_length=1000)] = None,
        outlet: Annotated[str | None, Form(max_length=300)] = None,
        published: Annotated[str | None, Form(max_length=100)] = None,
    ) -> Response:
        data = await file.read()
        meta = _meta(title, outlet, published)
        with _unicode_is_input_error():
            document = await anyio.to_thread.run_sync(_upload_document, data, file.filename or "", meta)
        return await _analyze(pool, document)

    @app.post(
        "/api/chain.svg", tags=["api"], summary="A chain drawn as a directed graph (SVG)",
        response_class=Response,
        responses={200: {"content": {"image/svg+xml": {}}}, **_errors(400, 413, 422, 429)},
    )
    async def api_chain_svg(body: ChainGraphRequest) -> Response:
        return Response(chain_svg(body.chain), media_type="image/svg+xml")

    @app.get("/api/claims", tags=["api"], summary="Search claims in the corpus",
             response_model=list[ClaimHit], responses=_errors(404, 422, 429, 503))
    async def api_claims(
        q: Annotated[str, Query(min_length=1, max_length=500)],
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> list[ClaimHit]:
        try:
            return await corpus.run(search_claims, q, limit)
        except QueryError as exc:
            raise HTTPException(422, str(exc)) from None

    @app.get("/api/claims/{claim_id}/trace", tags=["api"], summary="Trace a claim across outlets",
             response_model=Trace, responses=_errors(404, 422, 429, 503))
    async def api_trace(claim_id: Annotated[str, PathParam(max_length=200)]) -> Trace:
        return await _trace(corpus, claim_id)

    @app.get("/api/outlets", tags=["api"], summary="Sourcing profile of every outlet in the corpus",
             response_model=list[OutletProfile], responses=_errors(404, 429, 503))
    async def api_outlets() -> list[OutletProfile]:
        return await corpus.run(outlet_profiles)

    return app


async def _analyze(pool: AnalysisPool, document: Document) -> Response:
    with _unicode_is_input_error():
        body = await pool.analyze(document)
    return Response(body, media_type="application/json")


async def _trace(corpus: CorpusReader, claim_id: str) -> Trace:
    try:
        return await corpus.run(trace, claim_id)
    except QueryError as exc:
        raise HTTPException(404, str(exc)) from None


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/openapi.json")


def _error_handlers(app: FastAPI, env: Environment) -> None:
    """Map known failures to status codes; everything else becomes a bare 500 (logged, not shown).

    API paths answer JSON `{"detail": ...}`; pages answer a small HTML page with the same message.
    """

    def error(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": detail}, status_code=status, headers=headers)
        html = env.get_template("error.html").render(status=status, detail=detail, corpus=False)
        return HTMLResponse(html, status_code=status, headers=headers)

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return error(request, 422, str(exc))

    @app.exception_handler(FetchRefused)
    async def fetch_refused(request: Request, exc: FetchRefused) -> Response:
        return error(request, exc.status, str(exc))

    @app.exception_handler(UpstreamError)
    async def upstream(request: Request, exc: UpstreamError) -> Response:
        return error(request, 502, f"could not get the article: {exc}")

    @app.exception_handler(PoolBusy)
    async def busy(request: Request, exc: PoolBusy) -> Response:
        return error(request, 503, f"server busy ({exc}); retry shortly", {"Retry-After": "2"})

    @app.exception_handler(StoreUnavailable)
    async def no_store(request: Request, exc: StoreUnavailable) -> Response:
        return error(request, 404, "no corpus store: start the server with --db corpus.duckdb")

    @app.exception_handler(StoreOutdated)
    async def store_outdated(request: Request, exc: StoreOutdated) -> Response:
        # The operator's to fix, not the client's: the message names the command.
        return error(request, 503, str(exc))

    @app.exception_handler(StoreBusy)
    async def store_busy(request: Request, exc: StoreBusy) -> Response:
        return error(request, 503, f"corpus store busy or unreadable, retry after the ingest: {exc}",
                     {"Retry-After": "5"})

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's default echoes the whole input back; the location and message are enough.
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
            for e in exc.errors()
        ]
        if _wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422)
        return error(request, 422, "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return error(request, 500, "internal server error")
