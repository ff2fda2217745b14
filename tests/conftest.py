from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def analyzer():
    from sourcetrace.analyzer import default_analyzer

    return default_analyzer()


@pytest.fixture(scope="session")
def analyze_text(analyzer):
    from sourcetrace.ingest import document_from_text

    def run(text: str, **meta):
        return analyzer.analyze(document_from_text(text, **meta))

    return run


def shared_data(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"shared data set {name!r} not present at {path} (only in the project's CI/dev checkout)")
    return path


@pytest.fixture
def site() -> Iterator[tuple[str, dict]]:
    """A real HTTP server on 127.0.0.1 (loopback only); `routes` maps a path to (status, headers, body),
    so a test serves articles, redirects and errors without any other network."""
    routes: dict[str, tuple[int, dict[str, str], bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            status, headers, body = routes.get(self.path, (404, {}, b"not found"))
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", routes
    finally:
        server.shutdown()
        server.server_close()


def client_for(**settings: object):
    """A TestClient on a fresh app; the rate limit off unless a test sets it."""
    from fastapi.testclient import TestClient

    from sourcetrace.web import WebSettings, create_app

    settings.setdefault("rate_limit", 0)
    return TestClient(create_app(WebSettings(**settings)), raise_server_exceptions=False)
