"""Property-based API tests: schemathesis generates requests from the app's own OpenAPI document and
checks every answer: no 5xx, status codes and content types the spec declares, bodies that match the
declared schemas.

The app runs with URL fetching in refuse-all mode and a corpus store built from invented articles. An
audit hook records every socket connection and DNS lookup the process makes while the run lasts, and
the test fails if any of them leaves loopback: generated URLs must never make the server reach out.
"""

from __future__ import annotations

import ipaddress
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from browser.articles import build_store
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sourcetrace.web import WebSettings, create_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

#: Network events seen while `_watching` is set: (event, host). sys.addaudithook cannot be removed, so
#: one hook is installed for the process and switched on only for this module's run.
_seen: list[tuple[str, str]] = []
_watching = False


def _audit(event: str, args: tuple) -> None:
    if not _watching:
        return
    if event == "socket.connect" and len(args) > 1 and isinstance(args[1], tuple) and args[1]:
        _seen.append((event, str(args[1][0])))
    elif event == "socket.getaddrinfo" and args:
        _seen.append((event, str(args[0])))


sys.addaudithook(_audit)


def _is_local(host: str) -> bool:
    if host in ("localhost", "testserver") or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@pytest.fixture(scope="module")
def watch_network() -> Iterator[None]:
    global _watching
    _seen.clear()
    _watching = True
    yield
    _watching = False
    outside = [(event, host) for event, host in _seen if not _is_local(host)]
    assert not outside, f"the server reached beyond loopback: {outside[:5]}"


#: The app is built at import so schemathesis can read its spec; the store it reads is filled by the
#: fixture below before any request (the app opens the store per request, so it may appear later).
_DB_DIR = Path(tempfile.mkdtemp(prefix="sourcetrace-schemathesis-"))
APP = create_app(WebSettings(db=_DB_DIR / "corpus.duckdb", rate_limit=0, refuse_fetch=True))
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP


@pytest.fixture(scope="module")
def corpus_store() -> Iterator[None]:
    build_store(_DB_DIR)
    yield
    shutil.rmtree(_DB_DIR, ignore_errors=True)


@pytest.mark.usefixtures("corpus_store", "watch_network")
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_match_the_spec(case):
    case.call_and_validate(checks=CHECKS)
