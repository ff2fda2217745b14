"""`sourcetrace serve`: run the web app under uvicorn."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Annotated, Any

import typer

from sourcetrace.terminal import fail, warning_line
from sourcetrace.web.settings import WebSettings

LOOPBACK = "127.0.0.1"


def _check_listen(host: str, port: int) -> None:
    """Bind once up front so a taken port or unknown host is one error line, not a uvicorn traceback."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        fail(f"cannot listen on {host}: unknown host name")
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")


def uvicorn_options(settings: WebSettings) -> dict[str, Any]:
    """How `serve` runs uvicorn; tests start an in-process server with the same options.

    uvicorn trusts X-Forwarded-For from 127.0.0.1 by default, so any local client (or a proxy that passes
    the header on unchecked) could pick the address the rate limit counts; here that is off unless the
    operator says a proxy sets the header (`--trust-proxy-headers`)."""
    return {"log_level": "warning", "server_header": False, "proxy_headers": settings.trust_proxy_headers}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


SERVE_EPILOG = (
    "The corpus store is opened read-only for each request, so articles added by [cyan]sourcetrace "
    "corpus ingest[/cyan] appear without a restart. DuckDB lets one process write a file at a time: while "
    "an ingest runs, the corpus pages answer 503 and the analyse page keeps working.\n\n"
    "[bold]Examples[/bold]\n"
    "  [cyan]sourcetrace serve[/cyan]                          [dim]# http://127.0.0.1:8000/[/dim]\n"
    "  [cyan]sourcetrace serve --db corpus.duckdb --port 8080[/cyan]"
)


def serve(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Corpus store (DuckDB) for the outlet and claim pages; opened read-only.",
                     dir_okay=False, metavar="FILE"),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default).")] = LOOPBACK,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Analysis workers: 1 = a thread in this process; more = "
                          "processes, each loading the model once.")
    ] = 1,
    max_body: Annotated[
        int, typer.Option("--max-body", min=1024, help="Largest request body in bytes (larger: 413).")
    ] = 1_000_000,
    rate_limit: Annotated[
        float, typer.Option(min=0.0, help="Requests per second per client (0: no limit; over: 429).")
    ] = 5.0,
    rate_burst: Annotated[int, typer.Option(min=1, help="Requests a client may send in a burst.")] = 20,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow cross-origin requests from this origin (repeatable; off "
                     "by default)."),
    ] = None,
    no_fetch: Annotated[bool, typer.Option("--no-fetch", help="Refuse to fetch URLs.")] = False,
    trust_proxy_headers: Annotated[
        bool,
        typer.Option("--trust-proxy-headers", help="Behind a reverse proxy: take the client address (rate "
                     "limit) from X-Forwarded-For set by a proxy at 127.0.0.1 (others: FORWARDED_ALLOW_IPS). "
                     "Off by default: the connecting address counts and the header is ignored."),
    ] = False,
    model: Annotated[
        str | None, typer.Option("--model", "-m", help="spaCy pipeline name or path.", metavar="NAME_OR_PATH")
    ] = None,
    allow_loopback_fetch: Annotated[
        bool,
        # Hidden, for tests only: admits 127.0.0.1 URLs so a local server can stand in for the web.
        typer.Option("--allow-loopback-fetch", hidden=True),
    ] = False,
) -> None:
    """Run the web app: analyse page, chain graphs, corpus pages and the JSON API (docs at /docs)."""
    if db is not None and not db.is_file():
        fail(f"{db}: no such corpus store (create one with `sourcetrace corpus ingest`)")
    if not _is_loopback(host):
        warning_line(f"listening on {host}, not loopback: anyone who can reach this address can use the "
                     "server (there is no authentication)")
    _check_listen(host, port)

    import uvicorn

    from sourcetrace.web import create_app

    settings = WebSettings(
        db=db, model=model, workers=workers, max_body_bytes=max_body, rate_limit=rate_limit,
        rate_burst=rate_burst, cors_origins=tuple(cors_origin or ()), refuse_fetch=no_fetch,
        allow_loopback_fetch=allow_loopback_fetch, trust_proxy_headers=trust_proxy_headers,
    )
    app = create_app(settings)
    typer.echo(f"sourcetrace serving on http://{host}:{port}/  (Ctrl-C stops)", err=True)
    uvicorn.run(app, host=host, port=port, **uvicorn_options(settings))
